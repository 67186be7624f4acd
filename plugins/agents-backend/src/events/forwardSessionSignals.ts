import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SignalsService } from '@backstage/plugin-signals-node';
import {
  SESSIONS_SIGNAL_CHANNEL,
  type SessionStatusSignal,
} from '@backstage-agents/plugin-agents-common';
import type { SessionStatusChange } from '../database/sessionChanges';
import type { SessionEventHub } from './SessionEventHub';

/**
 * Forwards status changes and updates of every session as Backstage signals. Views in the UI reload
 * on them, each only for the entity or fan-out it shows, and read the session itself with their own
 * permissions, so the message carries no more than what to filter on.
 */
export function forwardSessionSignals(
  hub: SessionEventHub,
  signals: SignalsService,
  logger: LoggerService,
): void {
  const forward = ({ session }: { session: SessionStatusChange }) => {
    const message: SessionStatusSignal = {
      sessionId: session.id,
      status: session.status,
      entityRef: session.entityRef,
      parentSessionId: session.parentSessionId,
    };
    signals
      .publish({ recipients: { type: 'broadcast' }, channel: SESSIONS_SIGNAL_CHANNEL, message })
      .catch(error => logger.warn(`Publishing a session status signal failed: ${error}`));
  };
  hub.on('status', forward);
  hub.on('updated', forward);
}
