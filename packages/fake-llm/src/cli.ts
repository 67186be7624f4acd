import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeLlm } from './server';

const USAGE = `Usage: fake-llm [options]

Starts the model-provider simulator (OpenAI chat completions, Anthropic Messages, OpenAI
Responses) and runs until interrupted. A marker in the prompt picks the scripted conversation:
[llm:edit] (default), [llm:fail], [llm:slow], [llm:blocked-tool], [llm:text], [llm:run].

Options:
  --port <n>        TCP port (default 0: a free port)
  --host <addr>     interface to bind (default 127.0.0.1)
  --socket <path>   also listen on this Unix socket
  --log             print one line per request
  -h, --help        show this help
`;

export async function main(
  argv: string[] = process.argv.slice(2),
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      socket: { type: 'string' },
      log: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  // Under `yarn fake-llm` the cwd is the package; INIT_CWD is where the user ran the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const llm = await startFakeLlm({
    port: values.port ? Number(values.port) : 0,
    host: values.host,
    socketPath: values.socket ? resolve(cwd, values.socket) : undefined,
    onRequest: values.log
      ? r =>
          process.stdout.write(
            `fake-llm: ${r.method} ${r.path} -> ${r.status ?? '-'} (${
              r.protocol ?? 'no protocol'
            }${r.scenario ? `, ${r.scenario}` : ''})\n`,
          )
      : undefined,
  });
  process.stdout.write(`fake-llm: listening at ${llm.url}\n`);
  if (llm.socketPath)
    process.stdout.write(`fake-llm: and on ${llm.socketPath}\n`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await llm.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
