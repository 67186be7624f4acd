import { ConfigSource, ContainerConfigError, keyOf } from './configSource';

/** Downward API fields a `fieldRef` may name. */
function fieldValue(pod: any, fieldPath: string): string | undefined {
  const label = /^metadata\.labels\['(.+)'\]$/.exec(fieldPath);
  if (label) return pod.metadata.labels?.[label[1]];
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(fieldPath);
  if (annotation) return pod.metadata.annotations?.[annotation[1]];
  const fields: Record<string, unknown> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec.nodeName,
    'spec.serviceAccountName': pod.spec.serviceAccountName,
    'status.hostIP': pod.status?.hostIP ?? '127.0.0.1',
    'status.podIP': pod.status?.podIP ?? '127.0.0.1',
  };
  const value = fields[fieldPath];
  return value === undefined ? undefined : String(value);
}

/** Kubernetes `$(VAR)` expansion: known variables are substituted, `$$` escapes, unknown ones stay verbatim. */
export function expandReferences(
  value: string,
  env: Record<string, string>,
): string {
  return value.replace(
    /\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g,
    (match, name) => {
      if (match === '$$') return '$';
      return name in env ? env[name] : match;
    },
  );
}

async function fromRef(
  source: ConfigSource,
  namespace: string,
  kind: 'secret' | 'configmap',
  ref: { name?: string; key: string; optional?: boolean },
): Promise<string | undefined> {
  const obj =
    kind === 'secret'
      ? await source.secret(namespace, ref.name ?? '')
      : await source.configMap(namespace, ref.name ?? '');
  const label = kind === 'secret' ? 'secret' : 'configmap';
  if (!obj) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(`${label} "${ref.name}" not found`);
  }
  const value = keyOf(kind, obj, ref.key);
  if (value === undefined && !ref.optional) {
    throw new ContainerConfigError(
      `couldn't find key ${ref.key} in ${
        kind === 'secret' ? 'Secret' : 'ConfigMap'
      } ${namespace}/${ref.name}`,
    );
  }
  return value;
}

/** The environment a container declares: `envFrom` first, then `env`, each with `$(VAR)` expansion. */
export async function resolveContainerEnv(
  pod: any,
  container: any,
  source: ConfigSource,
): Promise<Record<string, string>> {
  const namespace = pod.metadata.namespace;
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const kind = from.secretRef ? 'secret' : 'configmap';
    const ref = from.secretRef ?? from.configMapRef;
    const obj =
      kind === 'secret'
        ? await source.secret(namespace, ref.name)
        : await source.configMap(namespace, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${kind} "${ref.name}" not found`);
    }
    for (const key of Object.keys(obj.data ?? {}))
      env[`${from.prefix ?? ''}${key}`] = keyOf(kind, obj, key)!;
  }
  for (const variable of container.env ?? []) {
    const { name, value, valueFrom } = variable;
    if (valueFrom?.secretKeyRef) {
      const resolved = await fromRef(
        source,
        namespace,
        'secret',
        valueFrom.secretKeyRef,
      );
      if (resolved !== undefined) env[name] = resolved;
    } else if (valueFrom?.configMapKeyRef) {
      const resolved = await fromRef(
        source,
        namespace,
        'configmap',
        valueFrom.configMapKeyRef,
      );
      if (resolved !== undefined) env[name] = resolved;
    } else if (valueFrom?.fieldRef) {
      const resolved = fieldValue(pod, valueFrom.fieldRef.fieldPath);
      if (resolved === undefined)
        throw new ContainerConfigError(
          `unsupported fieldRef ${valueFrom.fieldRef.fieldPath}`,
        );
      env[name] = resolved;
    } else {
      env[name] = expandReferences(value ?? '', env);
    }
  }
  return env;
}
