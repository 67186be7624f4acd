import http, { ServerResponse } from 'node:http';
import { findType } from './resources';
import { ApiError, badRequest, notFound } from './statusErrors';
import { Store } from './store';

const PODS = findType('', 'v1', 'pods')!;
const NODES = findType('', 'v1', 'nodes')!;

/** Query parameters of `pods/log` the kubelet understands. */
const PASSED_THROUGH = [
  'follow',
  'tailLines',
  'sinceTime',
  'sinceSeconds',
  'timestamps',
  'limitBytes',
  'previous',
];

/** Where the kubelet serving a node listens, from the Node object the kubelet registered. */
function kubeletAddress(node: any): { host: string; port: number } {
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const addresses: any[] = node.status?.addresses ?? [];
  const address = addresses.find(a => a.type === 'InternalIP') ?? addresses[0];
  if (!port || !address) {
    throw new ApiError(
      500,
      'InternalError',
      `node "${node.metadata.name}" has no kubelet endpoint`,
    );
  }
  return { host: address.address, port };
}

function chooseContainer(pod: any, requested: string | null): string {
  const names: string[] = (pod.spec.containers ?? []).map((c: any) => c.name);
  const name = pod.metadata.name;
  if (!requested) {
    if (names.length === 1) return names[0];
    throw badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${names.join(
        ' ',
      )}]`,
    );
  }
  if (!names.includes(requested))
    throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/**
 * `GET pods/{name}/log`: validates like the real server, then streams the
 * kubelet's `/containerLogs` answer through, following if asked.
 */
export function proxyPodLog(
  res: ServerResponse,
  store: Store,
  namespace: string,
  podName: string,
  query: URLSearchParams,
): void {
  const pod = store.get(PODS, namespace, podName);
  if (!pod)
    throw notFound({ group: '', plural: 'pods', kind: 'Pod', name: podName });
  const container = chooseContainer(pod, query.get('container'));
  const status = (pod.status?.containerStatuses ?? []).find(
    (s: any) => s.name === container,
  );
  if (
    !pod.spec.nodeName ||
    !status ||
    (!status.state?.running && !status.state?.terminated)
  ) {
    const reason = status?.state?.waiting?.reason ?? 'ContainerCreating';
    throw badRequest(
      `container "${container}" in pod "${podName}" is waiting to start: ${reason}`,
    );
  }
  const node = store.get(NODES, undefined, pod.spec.nodeName);
  if (!node)
    throw notFound({
      group: '',
      plural: 'nodes',
      kind: 'Node',
      name: pod.spec.nodeName,
    });
  const { host, port } = kubeletAddress(node);

  const params = new URLSearchParams();
  for (const key of PASSED_THROUGH) {
    const value = query.get(key);
    if (value !== null) params.set(key, value);
  }
  const path = `/containerLogs/${encodeURIComponent(
    namespace,
  )}/${encodeURIComponent(podName)}/${encodeURIComponent(container)}?${params}`;
  const upstream = http.get({ host, port, path }, kubeletRes => {
    // The client went away (or was answered) while the kubelet was still answering: nothing to relay.
    if (res.headersSent || res.destroyed || res.writableEnded) {
      kubeletRes.destroy();
      return;
    }
    res.writeHead(
      kubeletRes.statusCode === 200 ? 200 : kubeletRes.statusCode ?? 502,
      {
        'Content-Type': kubeletRes.headers['content-type'] ?? 'text/plain',
      },
    );
    res.flushHeaders();
    kubeletRes.pipe(res);
  });
  upstream.on('error', error => {
    if (res.headersSent || res.destroyed || res.writableEnded) res.destroy();
    else {
      const apiError = new ApiError(
        500,
        'InternalError',
        `Get "http://${host}:${port}${path}": ${error.message}`,
      );
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(apiError.toStatus()));
    }
  });
  res.on('close', () => upstream.destroy());
}
