import {
  chmodSync,
  existsSync,
  mkdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { ConfigSource, ContainerConfigError, keyOf } from './configSource';

/**
 * A pod's files on the local machine:
 *
 *   <podDir>/root/       the container's filesystem root (`KUBE_SIM_ROOT`);
 *                        a mount at /var/run/x is the symlink root/var/run/x
 *   <podDir>/volumes/<n> each volume's materialised contents
 *   <podDir>/logs/       container logs
 *
 * Container paths are mapped by prefixing the root, so a process finds a
 * mount at `$KUBE_SIM_ROOT/var/run/x`.
 */
export class PodFilesystem {
  readonly root: string;
  readonly logsDir: string;
  private readonly volumesDir: string;

  constructor(readonly podDir: string) {
    this.root = join(podDir, 'root');
    this.volumesDir = join(podDir, 'volumes');
    this.logsDir = join(podDir, 'logs');
    for (const dir of [this.root, this.volumesDir, this.logsDir])
      mkdirSync(dir, { recursive: true });
  }

  /** Where an absolute container path lives on this machine. */
  hostPath(containerPath: string): string {
    return join(this.root, posix.normalize(`/${containerPath}`));
  }

  /**
   * Rewrites a value that is a container path under one of `prefixes` (the
   * container's mount paths and working dir) to its host path; other values
   * are returned unchanged.
   */
  mapPath(value: string, prefixes: string[]): string {
    const hit = prefixes.some(
      p =>
        isAbsolute(p) &&
        (value === p || value.startsWith(`${p.replace(/\/$/, '')}/`)),
    );
    return hit ? this.hostPath(value) : value;
  }

  /** Writes every volume of the pod; a missing secret or config map that is not optional is a config error. */
  async materialiseVolumes(pod: any, source: ConfigSource): Promise<void> {
    for (const volume of pod.spec.volumes ?? []) {
      const dir = join(this.volumesDir, volume.name);
      mkdirSync(dir, { recursive: true });
      if (volume.secret) {
        const { secretName, items, defaultMode, optional } = volume.secret;
        const secret = await source.secret(pod.metadata.namespace, secretName);
        if (!secret && !optional)
          throw new ContainerConfigError(`secret "${secretName}" not found`);
        this.writeKeys(dir, 'secret', secret, items, defaultMode ?? 0o644);
      } else if (volume.configMap) {
        const { name, items, defaultMode, optional } = volume.configMap;
        const configMap = await source.configMap(pod.metadata.namespace, name);
        if (!configMap && !optional)
          throw new ContainerConfigError(`configmap "${name}" not found`);
        this.writeKeys(
          dir,
          'configmap',
          configMap,
          items,
          defaultMode ?? 0o644,
        );
      }
      // emptyDir (and volume types the simulator does not model) are an empty directory.
    }
  }

  private writeKeys(
    dir: string,
    kind: 'secret' | 'configmap',
    obj: any,
    items: any[] | undefined,
    defaultMode: number,
  ): void {
    if (!obj) return;
    const selected =
      items ??
      Object.keys({ ...obj.data, ...obj.binaryData }).map(key => ({
        key,
        path: key,
      }));
    for (const item of selected) {
      const value =
        kind === 'secret' && obj.data?.[item.key] !== undefined
          ? Buffer.from(obj.data[item.key], 'base64')
          : keyOf(kind, obj, item.key);
      if (value === undefined) {
        throw new ContainerConfigError(
          `couldn't find key ${item.key} in ${
            kind === 'secret' ? 'Secret' : 'ConfigMap'
          } ${obj.metadata.namespace}/${obj.metadata.name}`,
        );
      }
      const file = join(dir, item.path);
      mkdirSync(dirname(file), { recursive: true });
      // A retry rewrites files an earlier attempt made read-only (e.g. defaultMode 0440).
      rmSync(file, { force: true });
      writeFileSync(file, value);
      chmodSync(file, item.mode ?? defaultMode);
    }
  }

  /** Links each of the container's volume mounts into the root at its mount path. */
  mount(container: any): void {
    for (const mount of container.volumeMounts ?? []) {
      const target = this.hostPath(mount.mountPath);
      if (existsSync(target)) continue;
      mkdirSync(dirname(target), { recursive: true });
      const source = join(this.volumesDir, mount.name, mount.subPath ?? '');
      symlinkSync(source, target);
    }
    if (container.workingDir)
      mkdirSync(this.hostPath(container.workingDir), { recursive: true });
  }

  remove(): void {
    rmSync(this.podDir, { recursive: true, force: true });
  }
}
