// The status-watch benchmark's stand-in for a kubelet, in its own process: it starts sessions
// (`POST /sessions`), and when a session's pod appears it changes the pod through the API as a
// kubelet would: first its status to Running (a merge patch of the `status` subresource), then it
// deletes the pod. It reports per session when each change was sent, on
// `performance.timeOrigin + performance.now()` (the machine's clock, shared with the backend).
//
// Started with `fork`; driven by IPC messages:
//   { type: 'init', api: { server, ca?, token? }, namespace, url }   → { type: 'ready' } once watching
//   { type: 'run', id, count, rate, body, deleteAfterMs }             → { type: 'result', id, results }
//   { type: 'stop' }
import http from 'node:http';
import https from 'node:https';

const SESSION_LABEL = 'agents.backstage.io/session';
const now = () => performance.timeOrigin + performance.now();

let config;
let backendAgent;
let kubeAgent;
const podNames = new Map();
const podWaiters = new Map();
let watchRequest;
let stopped = false;

process.on('message', message => {
  if (message.type === 'init') {
    config = message;
    backendAgent = new (message.url.startsWith('https:') ? https : http).Agent({ keepAlive: true });
    kubeAgent = new (message.api.server.startsWith('https:') ? https : http).Agent({
      keepAlive: true,
      ...(message.api.ca ? { ca: message.api.ca } : { rejectUnauthorized: false }),
    });
    watchPods(() => process.send({ type: 'ready' }));
  } else if (message.type === 'run') {
    run(message).then(
      results => process.send({ type: 'result', id: message.id, results }),
      error => process.send({ type: 'result', id: message.id, error: String(error?.stack ?? error) }),
    );
  } else if (message.type === 'stop') {
    stopped = true;
    watchRequest?.destroy();
    backendAgent?.destroy();
    kubeAgent?.destroy();
    process.disconnect();
  }
});

/** Sessions start at `rate` per second; each one's pod goes Running, then is deleted `deleteAfterMs` later. */
async function run({ count, rate, body, deleteAfterMs }) {
  const runs = [];
  for (let i = 0; i < count; i++) {
    runs.push(drive(body, deleteAfterMs));
    await new Promise(resolve => setTimeout(resolve, 1000 / rate));
  }
  return Promise.all(runs);
}

async function drive(body, deleteAfterMs) {
  const created = JSON.parse(await request(config.url, 'POST', body, 'application/json', backendAgent));
  const sessionId = created.id;
  const podName = await pod(sessionId);
  const podPath = `/api/v1/namespaces/${config.namespace}/pods/${podName}`;
  const at = new Date().toISOString();
  const runningSentAt = now();
  await kube(`${podPath}/status`, 'PATCH', {
    status: {
      phase: 'Running',
      startTime: at,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }],
      containerStatuses: [
        { name: 'harness', ready: true, restartCount: 0, image: 'harness', imageID: '', state: { running: { startedAt: at } } },
      ],
    },
  });
  await new Promise(resolve => setTimeout(resolve, deleteAfterMs));
  const deletedSentAt = now();
  await kube(podPath, 'DELETE', { gracePeriodSeconds: 0 });
  return { sessionId, runningSentAt, deletedSentAt };
}

function kube(path, method, body) {
  return request(
    `${config.api.server.replace(/\/+$/, '')}${path}`,
    method,
    body,
    method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
    kubeAgent,
    config.api.token,
  );
}

function request(target, method, body, contentType, agent, token) {
  const payload = JSON.stringify(body);
  const url = new URL(target);
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method,
        agent,
        headers: {
          'content-type': contentType,
          'content-length': Buffer.byteLength(payload),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      response => {
        const chunks = [];
        response.on('data', chunk => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (response.statusCode >= 300) reject(new Error(`${method} ${url.pathname}: ${response.statusCode} ${text.slice(0, 300)}`));
          else resolve(text);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function pod(sessionId) {
  if (podNames.has(sessionId)) return Promise.resolve(podNames.get(sessionId));
  return new Promise(resolve => podWaiters.set(sessionId, resolve));
}

function watchPods(onReady, resourceVersion) {
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
        buffered += chunk;
        let newline;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (!line.trim()) continue;
          const event = JSON.parse(line);
          lastVersion = event.object?.metadata?.resourceVersion ?? lastVersion;
          const sessionId = event.object?.metadata?.labels?.[SESSION_LABEL];
          if (event.type !== 'ADDED' || !sessionId || podNames.has(sessionId)) continue;
          podNames.set(sessionId, event.object.metadata.name);
          podWaiters.get(sessionId)?.(event.object.metadata.name);
          podWaiters.delete(sessionId);
        }
      });
      response.on('end', () => {
        if (!stopped) watchPods(undefined, lastVersion);
      });
    },
  );
  watchRequest.on('error', error => {
    if (!stopped) {
      console.error(`The pod watch failed: ${error.message}; re-opening it`);
      setTimeout(() => watchPods(undefined, resourceVersion), 100);
    }
  });
}
