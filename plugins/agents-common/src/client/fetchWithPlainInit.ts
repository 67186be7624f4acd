/**
 * Calls `fetchImpl` with a URL and a plain init instead of the `Request` openapi-fetch builds.
 * Backstage's app fetchApi runs middlewares that each rebuild a `Request` from what they are handed
 * (to resolve `plugin://` URLs, to add the user's token), and a request body can be read only once:
 * handed a `Request` with a body, the second one fails with "Cannot construct a Request with a
 * Request object that has already been used".
 */
export function fetchWithPlainInit(
  fetchImpl: () => typeof fetch,
): (request: Request) => Promise<Response> {
  return async request => {
    const body = request.body ? await request.text() : undefined;
    return fetchImpl()(request.url, {
      method: request.method,
      headers: request.headers,
      body,
      signal: request.signal,
    });
  };
}
