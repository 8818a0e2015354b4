import { EksVersionsResponse } from '@bluegreen/plugin-bluegreen-common';

/** GET /eks-versions as the backend answers it on 2026-12-03 (tests). */
export const EKS_VERSIONS: EksVersionsResponse['versions'] = [
  ['1.33', '2026-07-29', '2027-07-29', 'extended'],
  ['1.34', '2026-12-02', '2027-12-02', 'standard'],
  ['1.35', '2027-03-27', '2028-03-27', 'standard'],
  ['1.36', '2027-08-02', '2028-08-02', 'standard'],
].map(([version, endOfStandardSupport, endOfExtendedSupport, status]) => ({
  version,
  endOfStandardSupport,
  endOfExtendedSupport,
  supportStatus: status as 'standard' | 'extended',
}));
