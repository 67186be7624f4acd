import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SessionStore } from '../database/SessionStore';
import { admissionKey } from './admissionKey';
import type { Launcher } from './Launcher';

/**
 * Offers every pending session a launch, oldest first: claims in order, one at a time, and creates
 * the claimed runs' pods without holding up the next claim. Runs that finish together ask for this at
 * once; those asks fold into one more pass after the current one instead of a pass each, which
 * with hundreds of queued tasks would re-check every one of them for every finished run.
 */
export class LaunchQueue {
  private pass?: Promise<void>;
  private again = false;

  constructor(
    private readonly options: { sessions: Pick<SessionStore, 'listActiveSessions'>; launcher: Pick<Launcher, 'launch'>; logger: LoggerService },
  ) {}

  /** Starts what the concurrency caps held back, now or right after the pass under way. */
  launchQueued(): Promise<void> {
    if (this.pass) {
      this.again = true;
      return this.pass;
    }
    this.pass = (async () => {
      do {
        this.again = false;
        try {
          const heldBack = new Set<string>();
          for (const session of await this.options.sessions.listActiveSessions()) {
            if (session.status !== 'pending' || heldBack.has(admissionKey(session))) continue;
            // Claims one at a time, oldest first; each claimed run's pod is created meanwhile.
            if (!(await this.options.launcher.launch(session, { afterClaim: true }))) heldBack.add(admissionKey(session));
          }
        } catch (error) {
          this.options.logger.warn(`Starting queued sessions failed: ${error}`);
        }
      } while (this.again);
    })().finally(() => {
      this.pass = undefined;
    });
    return this.pass;
  }
}
