export { createLinkTfvarsAction } from './linkTfvars';
