/** Bounds enforced at the API edge; shared so the UI can validate before sending. */
export const SESSION_LIMITS = {
  /** Characters in a prompt (the session's or a resume's follow-up). */
  maxPromptLength: 32_000,
  /** Characters in a client-supplied idempotency key. */
  maxIdempotencyKeyLength: 200,
  /** Sessions in one page of a listing. */
  maxPageSize: 1000,
  defaultPageSize: 20,
} as const;
