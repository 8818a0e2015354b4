export { EntityBlueGreenCard } from './EntityBlueGreenCard';
