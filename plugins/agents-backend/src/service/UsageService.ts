import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  normalizeEntityRef,
  type HarnessName,
} from '@backstage-agents/plugin-agents-common';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { UsageStatistics, UsageStore } from '../database/UsageStore';
import type { SessionAuthorizer } from '../permissions/SessionAuthorizer';

/** The longest range one request may cover, in days: a year, leap day included. */
export const MAX_USAGE_DAYS = 366;
/** The range when none is given: the last 30 days, today included. */
export const DEFAULT_USAGE_DAYS = 30;

export interface UsageStatisticsInput {
  ownerRef?: string;
  entityRef?: string;
  harness?: HarnessName;
  from?: string;
  to?: string;
}

const isoDate = (field: string) =>
  z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}$/,
      `${field} must be a date written YYYY-MM-DD, e.g. 2026-01-31`,
    )
    .refine(
      d => DateTime.fromISO(d, { zone: 'utc' }).isValid,
      `${field} is not a calendar date`,
    )
    .optional();

const inputSchema = z
  .object({
    ownerRef: z.string().optional(),
    entityRef: z.string().optional(),
    from: isoDate('from'),
    to: isoDate('to'),
  })
  .refine(
    q => !(q.ownerRef && q.entityRef),
    'give ownerRef or entityRef, not both',
  );

/**
 * Usage statistics: checks the range and refs, limits the count to the sessions the caller may read
 * (the list's permission filter), then asks the store.
 */
export class UsageService {
  constructor(
    private readonly deps: {
      store: Pick<UsageStore, 'statistics'>;
      authorizer: Pick<SessionAuthorizer, 'readFilter'>;
      /** Today, for the default range; replaced in tests. */
      now?: () => DateTime;
    },
  ) {}

  async statistics(
    input: UsageStatisticsInput,
    credentials: BackstageCredentials,
  ): Promise<UsageStatistics> {
    const parsed = inputSchema.safeParse(input);
    if (!parsed.success) {
      throw new InputError(parsed.error.issues.map(i => i.message).join('; '));
    }
    const today = (this.deps.now?.() ?? DateTime.utc()).toUTC().toISODate()!;
    const to = input.to ?? today;
    const from =
      input.from ??
      DateTime.fromISO(to, { zone: 'utc' })
        .minus({ days: DEFAULT_USAGE_DAYS - 1 })
        .toISODate()!;
    const days =
      DateTime.fromISO(to, { zone: 'utc' }).diff(
        DateTime.fromISO(from, { zone: 'utc' }),
        'days',
      ).days + 1;
    if (days < 1)
      throw new InputError(`from (${from}) is after to (${to}); swap them`);
    if (days > MAX_USAGE_DAYS) {
      throw new InputError(
        `The range ${from} to ${to} covers ${days} days; ask for at most ${MAX_USAGE_DAYS} at a time`,
      );
    }
    const permissionFilter = await this.deps.authorizer.readFilter(credentials);
    return this.deps.store.statistics({
      from,
      to,
      entityRef: input.entityRef
        ? normalizeEntityRef(input.entityRef)
        : undefined,
      ownerRef: input.ownerRef
        ? normalizeEntityRef(input.ownerRef, 'group', 'ownerRef')
        : undefined,
      harness: input.harness,
      permissionFilter,
    });
  }
}
