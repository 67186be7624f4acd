/** Reads the secrets and config maps a pod refers to; the kubelet backs it with the API. */
export interface ConfigSource {
  secret(namespace: string, name: string): Promise<any | undefined>;
  configMap(namespace: string, name: string): Promise<any | undefined>;
}

/**
 * A pod references configuration that does not exist (yet). The container
 * waits with reason CreateContainerConfigError and the kubelet retries.
 */
export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** The value of one key of a secret (base64-decoded) or config map, as text. */
export function keyOf(
  kind: 'secret' | 'configmap',
  obj: any,
  key: string,
): string | undefined {
  if (kind === 'secret') {
    const encoded = obj?.data?.[key];
    return encoded === undefined
      ? undefined
      : Buffer.from(encoded, 'base64').toString('utf8');
  }
  return (
    obj?.data?.[key] ??
    (obj?.binaryData?.[key] !== undefined
      ? Buffer.from(obj.binaryData[key], 'base64').toString('utf8')
      : undefined)
  );
}
