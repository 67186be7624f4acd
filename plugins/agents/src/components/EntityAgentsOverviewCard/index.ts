export { EntityAgentsOverviewCard } from './EntityAgentsOverviewCard';
