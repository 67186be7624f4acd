/*
 * Errors of the Kubernetes API client (@kubernetes/client-node): an ApiException carries the HTTP
 * status in `code` and the server's Status object (or its JSON text) in `body`.
 */

/** A one-line description of a Kubernetes API error (its Status message when there is one). */
export function describeApiError(error: unknown): string {
  const e = error as { code?: number; body?: unknown; message?: string };
  let message: string | undefined;
  if (typeof e?.body === 'string') {
    try {
      message = JSON.parse(e.body).message;
    } catch {
      message = e.body;
    }
  } else if (e?.body && typeof e.body === 'object') {
    message = (e.body as { message?: string }).message;
  }
  return [e?.code, message ?? e?.message ?? String(error)].filter(Boolean).join(' ');
}

/** Whether a Kubernetes API call failed because the object does not exist (404). */
export function isNotFound(error: unknown): boolean {
  return (error as { code?: number } | undefined)?.code === 404;
}
