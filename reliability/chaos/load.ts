import type { AgentsClient, Launch } from './agentsClient';
import { sleep } from './waitFor';

/** The example components (examples/components.yaml) whose repositories the fake GitHub serves. */
const ENTITIES = ['component:default/payments-service', 'component:default/web-storefront'];
/** The demo agent prints a numbered line every 60 ms after about a second of steps. */
const LINE_MS = 60;

/**
 * Launches `count` demo sessions, spread evenly over `windowMs` with at most `inFlight` requests
 * open, alternating replicas. Each prints a known number of numbered lines (a random duration between
 * `minMs` and `maxMs`) and carries its own idempotency key.
 */
export async function launchSessions(options: {
  client: AgentsClient;
  urls: () => string[];
  count: number;
  windowMs: number;
  inFlight: number;
  minMs: number;
  maxMs: number;
  tag: string;
  deadline: number;
  onLaunched?: (launch: Launch) => void;
}): Promise<Launch[]> {
  const started = Date.now();
  const launches: Launch[] = [];
  let open = 0;
  const slotFreed: Array<() => void> = [];
  const running: Promise<void>[] = [];
  for (let i = 0; i < options.count; i++) {
    const due = started + (i * options.windowMs) / options.count;
    if (due > Date.now()) await sleep(due - Date.now());
    while (open >= options.inFlight) await new Promise<void>(resolve => slotFreed.push(resolve));
    open += 1;
    const ms = options.minMs + Math.random() * (options.maxMs - options.minMs);
    const lines = Math.max(1, Math.round(ms / LINE_MS));
    const key = `${options.tag}-${i}`;
    running.push(
      options.client
        .launch(
          options.urls,
          i,
          {
            entityRef: ENTITIES[i % ENTITIES.length],
            harness: 'demo',
            prompt: `Chaos session ${i}: note the run in the repository. [stub:lines=${lines}]`,
          },
          key,
          lines,
          options.deadline,
        )
        .then(launch => {
          launches.push(launch);
          options.onLaunched?.(launch);
        })
        .finally(() => {
          open -= 1;
          slotFreed.shift()?.();
        }),
    );
  }
  await Promise.all(running);
  return launches;
}
