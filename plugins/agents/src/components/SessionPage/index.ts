export { AgentsRouter, AllSessionsPage } from './AgentsRouter';
export { SessionPage } from './SessionPage';
