import { NotAllowedError } from '@backstage/errors';

/** Raised when a policy refuses a request; carries the policy and rule for the audit log. */
export class PolicyDeniedError extends NotAllowedError {
  constructor(
    message: string,
    readonly policy: string,
    readonly rule: string,
  ) {
    super(message);
  }
}
