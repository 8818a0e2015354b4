import fs from 'node:fs/promises';
import path from 'node:path';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import yaml from 'yaml';
import { Generation } from './Generations';

const CATALOG_FILE = 'catalog-info.yaml';

function ownerRef(owner: unknown, namespace: string): string | undefined {
  if (typeof owner !== 'string') {
    return undefined;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: namespace,
      }),
    );
  } catch {
    return undefined;
  }
}

/**
 * The repository is the trust root of a generation: its own catalog-info.yaml must
 * declare the System the action was authorised on, with the same owner. Otherwise an
 * entity someone registered that merely names the repository (and that they own) would
 * let them apply or destroy another team's generation.
 */
export async function checkDeclaresGeneration(
  referenceDir: string,
  generation: Generation,
): Promise<void> {
  const { entity, entityRef, repository } = generation;
  const namespace = entity.metadata.namespace ?? 'default';
  const wantedOwner = ownerRef(entity.spec?.owner, namespace);
  let text: string;
  try {
    text = await fs.readFile(path.join(referenceDir, CATALOG_FILE), 'utf8');
  } catch {
    throw new NotAllowedError(
      `generation: ${repository.url} has no ${CATALOG_FILE}, so it cannot show that it is ${entityRef}`,
    );
  }
  const declared = yaml
    .parseAllDocuments(text)
    .map(doc => doc.toJSON() as any)
    .some(
      doc =>
        doc?.kind === 'System' &&
        doc.metadata?.name === entity.metadata.name &&
        (doc.metadata?.namespace ?? 'default') === namespace &&
        wantedOwner !== undefined &&
        ownerRef(doc.spec?.owner, namespace) === wantedOwner,
    );
  if (!declared) {
    throw new NotAllowedError(
      `generation: ${
        repository.url
      }/${CATALOG_FILE} does not declare ${entityRef} owned by ${
        wantedOwner ?? '(no owner)'
      }; only the generation the repository declares may run its Terraform`,
    );
  }
}
