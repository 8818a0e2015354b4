export { EksVersionsPicker, eksVersionsValidation } from './EksVersionsPicker';
export type {
  EksVersions,
  EksVersionsPickerUiOptions,
  EksVersionsPickerValue,
} from './EksVersionsPicker';
