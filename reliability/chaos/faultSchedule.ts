/** One fault the simulator's admin endpoint (`POST /__kube-sim/faults`) can inject, with a name for the log. */
export interface ApiFault {
  name: string;
  body: object;
}

/**
 * The API faults of the run, injected in turn: failed and slow pod and secret requests, dropped and
 * compacted watches (410 Gone on resume), and log streams cut cleanly or reset.
 */
export const API_FAULTS: ApiFault[] = [
  { name: 'pod create 500 ×2', body: { failNext: { method: 'POST', pathIncludes: '/pods', code: 500, count: 2 } } },
  { name: 'drop watches', body: { dropWatches: true } },
  { name: 'pod list 503 ×3', body: { failNext: { method: 'GET', pathIncludes: '/pods', watch: false, code: 503, count: 3 } } },
  { name: 'drop log streams (end)', body: { dropLogStreams: 'end' } },
  { name: 'slow API 1.5 s ×10', body: { delayNext: { delayMs: 1_500, count: 10 } } },
  { name: 'compact + drop watches (410 Gone)', body: { compact: true, dropWatches: true } },
  { name: 'secret create 500', body: { failNext: { method: 'POST', pathIncludes: '/secrets', code: 500, count: 1 } } },
  { name: 'drop log streams (abort)', body: { dropLogStreams: 'abort' } },
  { name: 'pod delete 500 ×2', body: { failNext: { method: 'DELETE', pathIncludes: '/pods', code: 500, count: 2 } } },
  { name: 'log requests 500', body: { failNext: { method: 'GET', pathIncludes: '/log', code: 500, count: 2 } } },
];
