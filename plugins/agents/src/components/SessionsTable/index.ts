export { SessionsTable, type SessionsTableProps } from './SessionsTable';
export { POLL_INTERVAL_MS } from './useSessionList';
