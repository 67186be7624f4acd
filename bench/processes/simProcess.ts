import { KubeConfig } from '@kubernetes/client-node';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');

export interface SimProcess {
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
  dir: string;
  /** The simulator's process, for its own CPU time and memory if a case wants them. */
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The cluster simulator in its own process (`kube-sim` as `scripts/start.sh` starts it), so that
 * its work is not counted as the backend's. `images` maps image globs to local commands for its
 * process kubelet; without it no kubelet runs and pods stay Pending (creation only).
 */
export async function startSimProcess(
  options: { images?: Record<string, string[]> } = {},
): Promise<SimProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-bench-sim-'));
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  const args = [path.join(ROOT, 'packages/kube-sim/bin/kube-sim'), '--kubeconfig', kubeconfigPath];
  if (options.images) {
    const imagesFile = path.join(dir, 'images.yaml');
    fs.writeFileSync(imagesFile, stringify(options.images));
    args.push('--images', imagesFile, '--work-dir', path.join(dir, 'pods'));
  } else {
    args.push('--no-kubelet');
  }
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', chunk => {
      out += chunk;
      if (out.includes('kubeconfig written')) resolve();
    });
    child.once('exit', code => reject(new Error(`kube-sim exited with ${code} while starting: ${out}`)));
  });
  child.stdout!.resume();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return {
    kubeConfig,
    kubeconfigPath,
    dir,
    child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise(resolve => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
