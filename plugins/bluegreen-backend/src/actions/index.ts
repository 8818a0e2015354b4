export { createApplyAction } from './apply';
export type { ApplyActionOptions } from './apply';
export { createDestroyOrderedAction } from './destroyOrdered';
export type { DestroyOrderedActionOptions } from './destroyOrdered';
export { createLinkTfvarsAction } from './linkTfvars';
export { createSetWeightAction } from './setWeight';
export type { SetWeightActionOptions } from './setWeight';
export { createValidateGenerationAction } from './validateGeneration';
export type { ValidateGenerationActionOptions } from './validateGeneration';
