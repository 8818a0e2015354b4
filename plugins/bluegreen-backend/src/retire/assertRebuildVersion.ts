import { InputError } from '@backstage/errors';
import {
  compareKubernetesVersions,
  EksVersionSupport,
  EksSupportStatus,
} from '@bluegreen/plugin-bluegreen-common';
import { EksVersionCatalog } from '../aws/EksVersionCatalog';

/**
 * The version rules of a rebuild, wherever the version line changes (set-cluster-version
 * writes it, apply applies it, whichever template wrote it): a version EKS supports
 * today, newer than the serving cluster's, and never older than the line it replaces.
 * Returns the version's support, for the log.
 */
export async function assertRebuildVersion(options: {
  field: string;
  to: string;
  from: string;
  serving: { colour: string; version: string };
  eksVersions: EksVersionCatalog;
}): Promise<EksVersionSupport & { supportStatus: EksSupportStatus }> {
  const { field, to, from, serving } = options;
  const calendar = await options.eksVersions.supported();
  const support = calendar.versions.find(v => v.version === to);
  if (!support) {
    throw new InputError(
      `${field}: EKS does not support ${to} today (supported: ${calendar.versions
        .map(v => v.version)
        .join(', ')}; ${calendar.source})`,
    );
  }
  if (compareKubernetesVersions(to, serving.version) <= 0) {
    throw new InputError(
      `${field}: ${to} is not newer than ${serving.colour}'s ${serving.version}, the cluster that serves; a rebuild moves the generation forward`,
    );
  }
  if (compareKubernetesVersions(to, from) < 0) {
    throw new InputError(
      `${field}: ${to} is older than the ${from} it replaces; a rebuild never goes back a version`,
    );
  }
  return support;
}
