import { parseEntityRef } from '@backstage/catalog-model';
import { NextStepAction } from '@bluegreen/plugin-bluegreen-common';

/**
 * The scaffolder page of a template with its form prefilled
 * (`/create/templates/<namespace>/<name>?formData=<JSON>`). A plain path: the plugin has
 * no external route to the scaffolder, and the apps mount it at /create.
 */
export function templateLink(action: NextStepAction): string {
  const ref = parseEntityRef(action.templateRef, { defaultKind: 'template' });
  const formData = encodeURIComponent(JSON.stringify(action.formData));
  return `/create/templates/${encodeURIComponent(
    ref.namespace,
  )}/${encodeURIComponent(ref.name)}?formData=${formData}`;
}
