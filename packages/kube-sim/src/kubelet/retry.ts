const statusOf = (error: any): number | undefined =>
  error?.code ?? error?.statusCode;

/** 404 and 409 answers are final: the object is gone or someone else already acted. */
export const isNotFound = (error: unknown) => statusOf(error) === 404;
export const isConflict = (error: unknown) => statusOf(error) === 409;

/**
 * Retries an API call with exponential backoff, as a kubelet does: the API
 * server may be failing for a moment (or on purpose, in a test injecting
 * faults). 404 and 409 are not retried.
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  attempts = 5,
  baseDelayMs = 100,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || isNotFound(error) || isConflict(error))
        throw error;
      await new Promise(resolve =>
        setTimeout(resolve, baseDelayMs * 2 ** (attempt - 1)),
      );
    }
  }
}
