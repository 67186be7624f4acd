import { CustomErrorBase } from '@backstage/errors';

/**
 * A caller over one of its concurrency limits; answered with 429 and a `Retry-After` of
 * `retryAfterSeconds`, after which a retry may find a free slot.
 */
export class TooManyRequestsError extends CustomErrorBase {
  name = 'TooManyRequestsError' as const;

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
