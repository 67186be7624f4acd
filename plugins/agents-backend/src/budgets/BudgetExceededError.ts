import { NotAllowedError } from '@backstage/errors';

/**
 * A launch refused because its owner's monthly budget is used up: a 403 like a policy denial (the
 * caller may not start this now, and retrying will not help before the reset), not a 429, which
 * clients retry on their own. Carries what the audit log records.
 */
export class BudgetExceededError extends NotAllowedError {
  constructor(
    message: string,
    readonly owner: string,
    readonly budget: string,
    readonly usage: string,
  ) {
    super(message);
  }
}
