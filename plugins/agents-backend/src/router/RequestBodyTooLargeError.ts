import { CustomErrorBase } from '@backstage/errors';

/** A request body over `agents.limits.maxRequestBodyBytes`; answered with 413. */
export class RequestBodyTooLargeError extends CustomErrorBase {
  name = 'RequestBodyTooLargeError' as const;
}
