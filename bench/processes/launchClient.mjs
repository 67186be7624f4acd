// The launch benchmark's client, in its own process so that none of its work counts as the
// backend's: it sends `POST /sessions` (one at a time, on an open-loop schedule, or as a burst) over
// a keep-alive agent and watches the API server for the sessions' pods. It reports per session when
// the request was sent, when it was answered and when the pod's ADDED event arrived, all on
// `performance.timeOrigin + performance.now()` (the machine's clock, shared with the backend).
//
// Started with `fork`; driven by IPC messages:
//   { type: 'init', api: { server, ca?, token? }, namespace, url }  → { type: 'ready' } once watching
//   { type: 'run', id, mode: 'sequential', count, body }            → { type: 'result', id, results }
//   { type: 'run', id, mode: 'schedule', rate, durationMs, body }
//   { type: 'run', id, mode: 'burst', bodies, podWaitMs?, expectPods?, settleMs? }
//     (a burst waits for every pod, or for `expectPods` of them and `settleMs` more, at most podWaitMs)
//   { type: 'stop' }
import http from 'node:http';
import https from 'node:https';

const SESSION_LABEL = 'agents.backstage.io/session';
const now = () => performance.timeOrigin + performance.now();

let config;
let agent;
/** When each session's pod was first seen, by session id. */
const podSeen = new Map();
/** Who waits for a session's pod. */
const podWaiters = new Map();
let watchRequest;
let stopped = false;

process.on('message', message => {
  if (message.type === 'init') {
    config = message;
    const url = new URL(message.url);
    agent = new (url.protocol === 'https:' ? https : http).Agent({ keepAlive: true, maxSockets: Infinity });
    watchPods(undefined, () => process.send({ type: 'ready' }));
  } else if (message.type === 'run') {
    run(message).then(
      results => process.send({ type: 'result', id: message.id, results }),
      error => process.send({ type: 'result', id: message.id, error: String(error?.stack ?? error) }),
    );
  } else if (message.type === 'stop') {
    stopped = true;
    watchRequest?.destroy();
    agent?.destroy();
    process.disconnect();
  }
});

async function run(message) {
  if (message.mode === 'sequential') {
    const results = [];
    for (let i = 0; i < message.count; i++) {
      const result = await launch(message.body);
      result.podAt = await pod(result.sessionId);
      results.push(result);
    }
    return results;
  }
  if (message.mode === 'schedule') return schedule(message);
  if (message.mode === 'burst') {
    const results = await Promise.all(message.bodies.map(body => launch(body)));
    await waitForPods(results, message.podWaitMs ?? 60_000, message.expectPods);
    if (message.settleMs) await new Promise(resolve => setTimeout(resolve, message.settleMs));
    for (const result of results) result.podAt = podSeen.get(result.sessionId);
    return results;
  }
  throw new Error(`Unknown mode ${message.mode}`);
}

/**
 * Open loop: request i is due at start + i / rate whether or not earlier ones were answered, so a
 * slow backend cannot slow the arrivals down and hide its own latency.
 */
async function schedule({ rate, durationMs, body }) {
  const count = Math.round((rate * durationMs) / 1000);
  const intervalMs = 1000 / rate;
  const start = now() + 20;
  const sent = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * intervalMs;
    const wait = due - now();
    if (wait > 1) await new Promise(resolve => setTimeout(resolve, wait));
    sent.push(launch(body).then(result => ({ ...result, dueAt: due })));
  }
  const results = await Promise.all(sent);
  await waitForPods(results, 60_000);
  return results;
}

/** Waits until every result's pod (or `expected` of them) was seen, at most `timeoutMs`. */
async function waitForPods(results, timeoutMs, expected = results.length) {
  let timer;
  const deadline = new Promise(resolve => {
    timer = setTimeout(resolve, timeoutMs);
  });
  let seen = 0;
  const enough = new Promise(resolve => {
    if (expected <= 0) resolve();
    for (const result of results) {
      if (!result.sessionId) continue;
      pod(result.sessionId).then(() => {
        if (++seen >= expected) resolve();
      });
    }
  });
  await Promise.race([enough, deadline]);
  clearTimeout(timer);
  for (const result of results) result.podAt = podSeen.get(result.sessionId);
}

/** Sends one `POST /sessions`; resolves with the session's id and the request's times. */
function launch(body) {
  const payload = JSON.stringify(body);
  const url = new URL(config.url);
  return new Promise((resolve, reject) => {
    const sentAt = now();
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      response => {
        const chunks = [];
        response.on('data', chunk => chunks.push(chunk));
        response.on('end', () => {
          const respondedAt = now();
          const text = Buffer.concat(chunks).toString();
          let sessionId;
          try {
            sessionId = JSON.parse(text).id;
          } catch {
            // Reported below as a failed request.
          }
          if (response.statusCode !== 201 && response.statusCode !== 200) {
            resolve({ sentAt, respondedAt, status: response.statusCode, error: text.slice(0, 300) });
            return;
          }
          resolve({ sentAt, respondedAt, status: response.statusCode, sessionId });
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

function pod(sessionId) {
  if (podSeen.has(sessionId)) return Promise.resolve(podSeen.get(sessionId));
  return new Promise(resolve => {
    const waiting = podWaiters.get(sessionId) ?? [];
    waiting.push(resolve);
    podWaiters.set(sessionId, waiting);
  });
}

/** Watches the namespace's session pods; re-opens the watch from the last resourceVersion if it ends. */
function watchPods(resourceVersion, onReady) {
  const { api, namespace } = config;
  const url = new URL(`${api.server.replace(/\/+$/, '')}/api/v1/namespaces/${namespace}/pods`);
  url.searchParams.set('watch', 'true');
  url.searchParams.set('labelSelector', SESSION_LABEL);
  if (resourceVersion) url.searchParams.set('resourceVersion', resourceVersion);
  const secure = url.protocol === 'https:';
  watchRequest = (secure ? https : http).get(
    url,
    {
      headers: api.token ? { authorization: `Bearer ${api.token}` } : {},
      ...(secure ? { ca: api.ca, rejectUnauthorized: Boolean(api.ca) } : {}),
    },
    response => {
      onReady?.();
      let buffered = '';
      let lastVersion = resourceVersion;
      response.setEncoding('utf8');
      response.on('data', chunk => {
        const at = now();
        buffered += chunk;
        let newline;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (!line.trim()) continue;
          const event = JSON.parse(line);
          lastVersion = event.object?.metadata?.resourceVersion ?? lastVersion;
          const sessionId = event.object?.metadata?.labels?.[SESSION_LABEL];
          if (event.type !== 'ADDED' || !sessionId || podSeen.has(sessionId)) continue;
          podSeen.set(sessionId, at);
          for (const resolve of podWaiters.get(sessionId) ?? []) resolve(at);
          podWaiters.delete(sessionId);
        }
      });
      response.on('end', () => {
        if (!stopped) watchPods(lastVersion);
      });
    },
  );
  watchRequest.on('error', error => {
    if (!stopped) {
      console.error(`The pod watch failed: ${error.message}; re-opening it`);
      setTimeout(() => watchPods(resourceVersion), 100);
    }
  });
}
