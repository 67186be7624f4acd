import type { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { isTerminalStatus } from '@backstage-agents/plugin-agents-common';
import type { SessionStatusChange } from '../database/sessionChanges';
import type { SessionStore } from '../database/SessionStore';
import { notificationsOfSnapshot } from './policyNotifications';
import { sessionEndNotification } from './sessionEndNotification';

/**
 * Tells a session's creator that it ended, as its policy's `notifications` ask. It hears the status
 * announcements of the session event hub, which a replica publishes only for the writes it committed,
 * and every status write is a conditional update that one replica alone wins: so each end of a
 * session is notified once, by the replica that ended it, however many replicas run. (A replica that
 * stops between the commit and the send loses that notification: it is a courtesy, not a record.)
 *
 * Tasks of a fan-out are not notified one by one: the fan-out's own end (when its last task ends)
 * is, under the fan-out's policy, with the tasks' counts. Sessions created by a service (a plugin,
 * an external caller) have no one to tell.
 */
export class SessionEndNotifier {
  constructor(
    private readonly deps: {
      sessions: Pick<SessionStore, 'getSession'>;
      notifications: NotificationService;
      logger: LoggerService;
      /** The app's base URL, for the link to the session's page. */
      appBaseUrl: string;
    },
  ) {}

  /** Notifies the end a status announcement reports, if it is one to notify; never throws. */
  async sessionEnded(change: SessionStatusChange): Promise<void> {
    if (!isTerminalStatus(change.status) || change.parentSessionId) return;
    try {
      const session = await this.deps.sessions.getSession(change.id);
      // Read after the announcement: a resume in between has started the session again.
      if (!session || session.status !== change.status) return;
      if (!isUserRef(session.createdBy)) return;
      const settings = notificationsOfSnapshot(session.policy.snapshot);
      if (!settings.enabled || !settings.on.some(outcome => outcome === session.status)) return;
      await this.deps.notifications.send({
        recipients: { type: 'entity', entityRef: session.createdBy },
        payload: sessionEndNotification(session, this.deps.appBaseUrl),
      });
    } catch (error) {
      this.deps.logger.warn(`Notifying the end of session ${change.id} failed: ${error}`);
    }
  }
}

/** A user entity ref, as the creators of sessions users start are; services' subjects are not. */
function isUserRef(ref: string): boolean {
  try {
    return parseEntityRef(ref).kind.toLocaleLowerCase('en-US') === 'user';
  } catch {
    return false;
  }
}
