import http from 'node:http';
import https from 'node:https';

/** TLS options of an agent that decide which connections it may reuse. */
const TLS_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/** Connections kept open to one API server: enough for a burst of launches without queueing long. */
export const KUBE_MAX_SOCKETS = 64;
/** How long a kept connection may stay idle. The agent only closes free sockets on this timeout. */
const IDLE_SOCKET_MS = 30_000;

/**
 * Keep-alive connections to one API server. `@kubernetes/client-node` 1.x builds a new agent, and so
 * opens a new TLS connection, for every API call (its issue #2893); a launch makes three calls, so a
 * burst of launches spent most of its CPU on TLS handshakes. The pool swaps that per-call agent for
 * a kept one with the same TLS options; when the options change (rotated client certificates), it
 * starts a new agent and lets the old one's connections close.
 */
export class KubeConnectionPool {
  private current?: { agent: http.Agent; options: Record<string, unknown> };

  constructor(private readonly maxSockets = KUBE_MAX_SOCKETS) {}

  /** The kept agent to send a call with, in place of the one the client made for it. */
  agentFor(perCall: unknown): http.Agent | undefined {
    // Proxy agents (subclasses) keep their own connection logic: only plain agents are pooled.
    const isHttps = perCall?.constructor === https.Agent;
    if (!isHttps && perCall?.constructor !== http.Agent) return perCall as http.Agent | undefined;
    const options = (perCall as http.Agent & { options: Record<string, unknown> }).options;
    if (this.current && sameTls(this.current.options, options)) return this.current.agent;
    this.current?.agent.destroy();
    // Idle connections close after IDLE_SOCKET_MS, well before API servers and load balancers drop
    // them, so a call rarely lands on a connection the other side is closing.
    const kept = { ...options, keepAlive: true, maxSockets: this.maxSockets, timeout: IDLE_SOCKET_MS };
    this.current = { agent: isHttps ? new https.Agent(kept) : new http.Agent(kept), options };
    return this.current.agent;
  }

  /** Closes the kept connections. */
  destroy() {
    this.current?.agent.destroy();
    this.current = undefined;
  }
}

function sameTls(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return TLS_KEYS.every(key => sameValue(a[key], b[key]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  if ((Buffer.isBuffer(a) || typeof a === 'string') && (Buffer.isBuffer(b) || typeof b === 'string')) {
    return asBuffer(a).equals(asBuffer(b));
  }
  return false;
}

function asBuffer(value: Buffer | string): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value);
}
