export { EntityAgentsContent, isAgentsAvailable } from './EntityAgentsContent';
