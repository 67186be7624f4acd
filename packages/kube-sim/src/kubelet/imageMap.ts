/**
 * Maps container images to local commands. Keys are image references, where
 * `*` matches any run of characters (`ghcr.io/example/agents-harness:*`); an
 * exact key wins over a pattern, and a longer pattern over a shorter one.
 * A value is the argv that stands in for the image: it runs with the
 * container's `command` and `args` appended, so it can act as the image's
 * entrypoint or wrap the pod's own command.
 */
export type ImageMap = Record<string, string[] | string>;

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .split('*')
    .map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

export function lookupImage(
  images: ImageMap,
  image: string,
): string[] | undefined {
  const asArgv = (value: string[] | string) =>
    Array.isArray(value) ? value : [value];
  if (images[image] !== undefined) return asArgv(images[image]);
  const match = Object.keys(images)
    .filter(key => key.includes('*') && globToRegExp(key).test(image))
    .sort((a, b) => b.length - a.length)[0];
  return match === undefined ? undefined : asArgv(images[match]);
}
