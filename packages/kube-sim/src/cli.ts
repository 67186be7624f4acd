import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { ImageMap } from './kubelet/imageMap';
import { startProcessKubelet } from './kubelet/processKubelet';
import { startKubeSim } from './index';

const USAGE = `Usage: kube-sim [options]

Starts the Kubernetes API simulator and a process kubelet, writes a kubeconfig,
and runs until interrupted.

Options:
  --port <n>            API server port (default 0: a free port)
  --host <addr>         interface to bind (default 127.0.0.1)
  --kubeconfig <path>   where to write the kubeconfig (default ./kube-sim.kubeconfig)
  --images <file>       YAML/JSON map of image (or glob) to local command argv
  --node-name <name>    Node name of the kubelet (default kube-sim-node)
  --work-dir <dir>      where pod files and logs go (default a temp dir)
  --http                serve plain HTTP instead of HTTPS with a generated certificate
  --no-kubelet          start only the API server
  -h, --help            show this help
`;

export async function main(
  argv: string[] = process.argv.slice(2),
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      kubeconfig: { type: 'string' },
      images: { type: 'string' },
      'node-name': { type: 'string' },
      'work-dir': { type: 'string' },
      'no-kubelet': { type: 'boolean' },
      http: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  // Under `yarn kube-sim` the cwd is the package; INIT_CWD is where the user ran the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const kubeconfigPath = resolve(
    cwd,
    values.kubeconfig ?? 'kube-sim.kubeconfig',
  );
  const images: ImageMap = values.images
    ? parseYaml(readFileSync(resolve(cwd, values.images), 'utf8')) ?? {}
    : {};
  const sim = await startKubeSim({
    port: values.port ? Number(values.port) : 0,
    host: values.host,
    kubeconfigPath,
    tls: !values.http,
  });
  const kubelet = values['no-kubelet']
    ? undefined
    : await startProcessKubelet({
        kubeConfig: sim.kubeConfig,
        nodeName: values['node-name'],
        workDir: values['work-dir']
          ? resolve(cwd, values['work-dir'])
          : undefined,
        images,
        onError: error =>
          process.stderr.write(
            `kubelet: ${(error as Error)?.message ?? error}\n`,
          ),
      });
  process.stdout.write(`kube-sim: API server at ${sim.url}\n`);
  process.stdout.write(`kube-sim: kubeconfig written to ${kubeconfigPath}\n`);
  if (kubelet)
    process.stdout.write(
      `kube-sim: kubelet node ${kubelet.nodeName}, pod files in ${kubelet.workDir}\n`,
    );

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await kubelet?.stop();
    await sim.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
