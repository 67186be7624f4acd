import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

/**
 * `kind:namespace/name` from an entity ref as people write it: the kind (`defaultKind`) and the
 * `default` namespace may be left out. An `InputError` naming `field` when it is no entity ref.
 */
export function normalizeEntityRef(
  ref: string,
  defaultKind = 'component',
  field = 'entityRef',
): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref.trim(), { defaultKind, defaultNamespace: 'default' }),
    );
  } catch {
    throw new InputError(
      `${field} '${ref}' is not an entity ref; use kind:namespace/name, e.g. ${defaultKind}:default/my-service`,
    );
  }
}
