import { ServerResponse } from 'node:http';
import { apiVersionOf } from './resources';
import type { ResourceType } from './resourceType';
import { Selector } from './selectors';
import { gone } from './statusErrors';
import { Store } from './store';
import { StoreEvent } from './watchHub';

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  name?: string;
  selectors: Selector[];
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
  bookmarkIntervalMs: number;
  /** Used when the client gives no timeoutSeconds (the real server picks 30–60 minutes). */
  defaultTimeoutSeconds: number;
  /** Converts each event's object, e.g. into a one-row Table for kubectl. */
  render?: (obj: any) => any;
}

/**
 * Streams watch events as newline-delimited JSON. Without a resourceVersion
 * (or with "0") the stream starts with synthetic ADDED events for the current
 * state; with one it replays retained events after it, or sends an ERROR
 * event carrying a 410 Status when that version was compacted away.
 */
export function serveWatch(
  res: ServerResponse,
  store: Store,
  request: WatchRequest,
): void {
  const { type, namespace, name, selectors } = request;
  const matches = (obj: any) =>
    obj !== undefined &&
    (namespace === undefined || obj.metadata.namespace === namespace) &&
    (name === undefined || obj.metadata.name === name) &&
    selectors.every(s => s(obj));

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache',
  });
  res.flushHeaders();
  const write = (eventType: string, object: any) =>
    res.write(`${JSON.stringify({ type: eventType, object })}\n`);
  const render = request.render ?? ((obj: any) => obj);
  const send = (eventType: string, object: any) =>
    write(eventType, render(object));

  // A watch with a selector sees objects enter and leave its view as ADDED and DELETED.
  const deliver = (event: StoreEvent) => {
    if (event.resourceType !== type) return;
    const nowMatches = matches(event.object);
    const matchedBefore =
      event.type === 'MODIFIED' ? matches(event.previous) : nowMatches;
    if (event.type === 'ADDED' && nowMatches) send('ADDED', event.object);
    else if (event.type === 'DELETED' && nowMatches)
      send('DELETED', event.object);
    else if (event.type === 'MODIFIED') {
      if (nowMatches && matchedBefore) send('MODIFIED', event.object);
      else if (nowMatches) send('ADDED', event.object);
      else if (matchedBefore) send('DELETED', event.object);
    }
  };

  const rv = request.resourceVersion;
  if (!rv || rv === '0') {
    for (const obj of store.list(type, namespace))
      if (matches(obj)) send('ADDED', obj);
  } else {
    const since = Number(rv);
    const events = Number.isInteger(since)
      ? store.hub.eventsSince(since)
      : undefined;
    if (!events) {
      const status = gone(
        `too old resource version: ${rv} (${store.hub.oldestResumableVersion})`,
      ).toStatus();
      write('ERROR', status);
      res.end();
      return;
    }
    events.forEach(deliver);
  }

  let finished = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = () => {};
  const finish = () => {
    if (finished) return;
    finished = true;
    unsubscribe();
    timers.forEach(clearTimeout);
    timers.forEach(clearInterval);
    res.end();
  };
  unsubscribe = store.hub.subscribe({ onEvent: deliver, onClose: finish });
  res.on('close', finish);

  timers.push(
    setTimeout(
      finish,
      (request.timeoutSeconds ?? request.defaultTimeoutSeconds) * 1000,
    ),
  );
  if (request.allowWatchBookmarks) {
    timers.push(
      setInterval(() => {
        write('BOOKMARK', {
          kind: type.kind,
          apiVersion: apiVersionOf(type),
          metadata: { resourceVersion: String(store.resourceVersion) },
        });
      }, request.bookmarkIntervalMs),
    );
  }
}
