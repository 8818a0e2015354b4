export { EksVersionsPicker, eksVersionsValidation } from './EksVersionsPicker';
export type { EksVersions } from './EksVersionsPicker';
