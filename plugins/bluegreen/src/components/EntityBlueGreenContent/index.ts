export { EntityBlueGreenContent } from './EntityBlueGreenContent';
