import type { Response } from 'express';
import { TooManyRequestsError } from './TooManyRequestsError';

/**
 * Caps the event streams one principal (a user entity ref or a service subject) holds open at once,
 * so a client opening streams in a loop cannot exhaust the backend's sockets, timers and database
 * polls. A slot is held from `acquire` until its response closes, however it ends: the stream's end,
 * an error, or the client going away.
 */
export class StreamLimiter {
  private readonly open = new Map<string, number>();

  constructor(
    private readonly maxPerPrincipal: number,
    private readonly retryAfterSeconds = 10,
  ) {}

  /** Takes a slot for `principal` until `res` closes; throws TooManyRequestsError when none is left. */
  acquire(principal: string, res: Response): void {
    const held = this.open.get(principal) ?? 0;
    if (held >= this.maxPerPrincipal) {
      throw new TooManyRequestsError(
        `${principal} already has ${held} event streams open, the most one caller may hold ` +
          `(agents.limits.maxStreamsPerUser); close one, e.g. a browser tab following a session's log, and retry`,
        this.retryAfterSeconds,
      );
    }
    this.open.set(principal, held + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.open.get(principal) ?? 1) - 1;
      if (left > 0) this.open.set(principal, left);
      else this.open.delete(principal);
    };
    // A client that went away before its slot was taken never emits 'close' again.
    if (res.closed) release();
    else res.once('close', release);
  }

  /** The streams `principal` holds open. */
  openStreams(principal: string): number {
    return this.open.get(principal) ?? 0;
  }
}
