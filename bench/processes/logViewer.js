#!/usr/bin/env node
/*
 * Log viewers in their own process, so that their parsing is not counted as the backend's work.
 * Started by the log fan-out case with fork(); it sends a plan over IPC:
 *   { port, streams: [{ path, expected }], sampleEvery }
 * and opens one Server-Sent Events stream per entry over a keep-alive agent. Each stream checks that
 * log events arrive exactly once and in order (every `id:` is the previous one plus one, from 1) and
 * stops at `expected` lines. Every `sampleEvery`th line's latency (the viewer's clock minus the
 * `sent <ms>` the spewer stamped on it; same machine) is kept. When every stream has stopped it
 * reports { counts, inOrder, latencies, cpuMs } over IPC and exits.
 */
const http = require('node:http');

process.once('message', plan => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const results = plan.streams.map(() => ({ count: 0, inOrder: true }));
  const latencies = [];
  let open = plan.streams.length;
  const done = () => {
    if (--open > 0) return;
    process.send(
      {
        counts: results.map(r => r.count),
        inOrder: results.map(r => r.inOrder),
        latencies,
        cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      },
      () => process.exit(0),
    );
  };
  plan.streams.forEach((stream, index) => {
    const result = results[index];
    let rest = '';
    let finished = false;
    // Offsets the sampled lines per stream, so every line is sampled by some viewer.
    let untilSample = (index % plan.sampleEvery) + 1;
    const finish = req => {
      if (finished) return;
      finished = true;
      req.destroy();
      done();
    };
    const req = http.get({ host: '127.0.0.1', port: plan.port, path: stream.path, agent }, res => {
      res.setEncoding('utf8');
      res.on('data', chunk => {
        if (finished) return;
        const text = rest + chunk;
        // Frames end with a blank line; whatever follows the last one waits for the next chunk.
        const end = text.lastIndexOf('\n\n');
        if (end < 0) {
          rest = text;
          return;
        }
        rest = text.slice(end + 2);
        let at = 0;
        for (;;) {
          const id = text.indexOf('id: ', at);
          if (id < 0 || id > end) break;
          const eol = text.indexOf('\n', id);
          const seq = Number(text.slice(id + 4, eol));
          at = eol;
          if (text.startsWith('event: log', eol + 1) === false) continue;
          if (seq !== result.count + 1) result.inOrder = false;
          result.count++;
          if (--untilSample === 0) {
            untilSample = plan.sampleEvery;
            const sent = text.indexOf(' sent ', eol);
            const quote = text.indexOf('"', sent);
            if (sent > 0) latencies.push(Date.now() - Number(text.slice(sent + 6, quote)));
          }
          if (result.count >= stream.expected) {
            finish(req);
            return;
          }
        }
      });
      res.on('close', () => finish(req));
    });
    req.on('error', () => finish(req));
  });
});
