import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo, createServer as createNetServer } from 'node:net';
import { readBody, sendJson, sleep } from './http';
import {
  anthropicMessages,
  countTokensResponse,
} from './protocols/anthropicMessages';
import { chatCompletions } from './protocols/chatCompletions';
import { openAiErrorBody } from './protocols/openAiError';
import { Protocol, replyOutput } from './protocols/protocol';
import { responses } from './protocols/responses';
import {
  RecordedRequest,
  recordableHeaders,
  RequestRecorder,
} from './recorder';
import { defaultScripts, playScript, Script } from './scripts';
import { formatFrame } from './sse';
import { usageFor } from './usage';

export interface FakeLlmOptions {
  /** TCP port (default 0: a free one). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /**
   * Also listen on this Unix socket path: a process in another network namespace (a CLI run under
   * `unshare -n`, see offlineCommand) reaches the simulator through it.
   */
  socketPath?: string;
  /** Extra or replacement scripted conversations, by marker name. */
  scripts?: Record<string, Script>;
  /** Called once a request has been answered (for logging). */
  onRequest?: (request: RecordedRequest) => void;
}

export interface FakeLlm {
  /** Base URL without a path, e.g. http://127.0.0.1:41234 (providers add `/v1`). */
  url: string;
  port: number;
  socketPath?: string;
  /** Every request received, in order (live: grows while the server runs). */
  requests: RecordedRequest[];
  /** Forgets the recorded requests. */
  clearRequests(): void;
  stop(): Promise<void>;
}

/** The models `GET /v1/models` lists; any model name is accepted anyway. */
const MODELS = ['fake-model'];

function route(
  method: string,
  pathname: string,
): Protocol | string | undefined {
  // Accept each path with or without the /v1 prefix: base URLs differ on where they put it.
  const path = pathname.replace(/\/+$/, '').replace(/^\/v1(?=\/)/, '');
  if (method === 'POST' && path === '/chat/completions') return chatCompletions;
  if (method === 'POST' && path === '/messages') return anthropicMessages;
  if (method === 'POST' && path === '/messages/count_tokens')
    return 'count-tokens';
  if (method === 'POST' && path === '/responses') return responses;
  if (method === 'GET' && path === '/models') return 'models';
  return undefined;
}

function modelList(anthropic: boolean): unknown {
  if (anthropic) {
    const data = MODELS.map(id => ({
      type: 'model',
      id,
      display_name: id,
      created_at: '2026-01-01T00:00:00Z',
    }));
    return {
      data,
      has_more: false,
      first_id: MODELS[0],
      last_id: MODELS.at(-1),
    };
  }
  return {
    object: 'list',
    data: MODELS.map(id => ({
      id,
      object: 'model',
      created: 0,
      owned_by: 'fake-llm',
    })),
  };
}

/** Starts the model-provider simulator. */
export async function startFakeLlm(
  options: FakeLlmOptions = {},
): Promise<FakeLlm> {
  const recorder = new RequestRecorder();
  const scripts = { ...defaultScripts, ...options.scripts };
  let callIds = 0;
  const nextCallId = () => `fake_${++callIds}`;

  async function answer(
    protocol: Protocol,
    body: unknown,
    res: ServerResponse,
    entry: RecordedRequest,
  ) {
    const conversation = protocol.readConversation(body);
    const { scenario, reply } = playScript(conversation, scripts, nextCallId);
    entry.scenario = scenario;
    if (reply.kind === 'error') {
      entry.status = reply.status;
      sendJson(
        res,
        reply.status,
        protocol.errorBody(reply.status, reply.message),
      );
      return;
    }
    const input = {
      body,
      reply,
      usage: usageFor(body, replyOutput(reply)),
      seq: entry.seq,
      created: Math.floor(Date.now() / 1000),
    };
    entry.status = 200;
    if (!protocol.wantsStream(body)) {
      sendJson(res, 200, protocol.jsonResponse(input));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    for (const frame of protocol.streamFrames(input)) {
      if (frame.delayMs) await sleep(frame.delayMs);
      if (res.destroyed) return;
      res.write(formatFrame(frame));
    }
    res.end();
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    entry: RecordedRequest,
  ) {
    const url = new URL(req.url ?? '/', 'http://fake-llm');
    const { method, body } = entry;
    const anthropic = req.headers['anthropic-version'] !== undefined;
    if (method === 'HEAD') {
      // Connectivity probes (Claude Code sends `HEAD /api/hello`): the server is up.
      entry.status = 200;
      res.writeHead(200).end();
      return;
    }
    const target = route(method, url.pathname);
    if (target === 'models') {
      entry.status = 200;
      sendJson(res, 200, modelList(anthropic));
    } else if (target === 'count-tokens') {
      entry.protocol = anthropicMessages.name;
      entry.status = 200;
      sendJson(res, 200, countTokensResponse(body));
    } else if (typeof target === 'object') {
      entry.protocol = target.name;
      await answer(target, body, res, entry);
    } else {
      entry.status = 404;
      const message = `fake-llm: no route for ${method} ${url.pathname}`;
      sendJson(
        res,
        404,
        anthropic
          ? anthropicMessages.errorBody(404, message)
          : openAiErrorBody(404, message),
      );
    }
  }

  async function receive(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake-llm');
    let body: unknown;
    let bodyError: unknown;
    try {
      body = await readBody(req);
    } catch (error) {
      bodyError = error;
    }
    const entry = recorder.record({
      method: req.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      headers: recordableHeaders(req.headers),
      body,
    });
    try {
      if (bodyError) throw bodyError;
      await handle(req, res, entry);
    } catch (error) {
      entry.status = 500;
      if (res.headersSent) res.destroy();
      else
        sendJson(res, 500, openAiErrorBody(500, `fake-llm: ${String(error)}`));
    }
    options.onRequest?.(entry);
  }

  const server: Server = createServer((req, res) => {
    void receive(req, res);
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  // The Unix socket hands its connections to the same HTTP server.
  const socketServer = options.socketPath
    ? createNetServer(socket => server.emit('connection', socket))
    : undefined;
  if (socketServer && options.socketPath) {
    await rm(options.socketPath, { force: true });
    socketServer.listen(options.socketPath);
    await once(socketServer, 'listening');
  }

  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    socketPath: options.socketPath,
    requests: recorder.requests,
    clearRequests: () => recorder.clear(),
    async stop() {
      server.closeAllConnections();
      const closed = [new Promise(resolve => server.close(resolve))];
      if (socketServer)
        closed.push(new Promise(resolve => socketServer.close(resolve)));
      await Promise.all(closed);
    },
  };
}
