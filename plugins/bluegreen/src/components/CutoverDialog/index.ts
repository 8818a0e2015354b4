export { CutoverDialog } from './CutoverDialog';
