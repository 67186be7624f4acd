export { SessionsTable, type SessionsTableProps } from './SessionsTable';
export { SESSIONS_SIGNAL_CHANNEL, POLL_INTERVAL_MS } from './useSessionList';
