export { EntityTeamWorkloadsCard } from './EntityTeamWorkloadsCard';
