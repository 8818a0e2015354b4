export { createApplyAction } from './apply';
export type { ApplyActionOptions } from './apply';
export { createLinkTfvarsAction } from './linkTfvars';
