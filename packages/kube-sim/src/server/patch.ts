import { ApiError, badRequest } from './statusErrors';

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, anything else replaces. */
export function mergePatch(target: any, patch: any): any {
  if (!isObject(patch)) return patch;
  const result: Record<string, any> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * The list fields whose elements the real strategic merge patch merges by a key
 * rather than replacing the list; enough for pods, their status and metadata.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  env: 'name',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  conditions: 'type',
  containerStatuses: 'name',
  ownerReferences: 'uid',
};

function mergeList(target: any[], patch: any[], key: string): any[] {
  const result = target.map(item => ({ ...item }));
  for (const item of patch) {
    if (!isObject(item)) continue;
    const index = result.findIndex(t => isObject(t) && t[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) result[index] = strategicMergePatch(result[index], item);
    else result.push(strategicMergePatch({}, item));
  }
  return result;
}

/**
 * Strategic merge patch for the fields this simulator serves: a merge patch
 * that merges keyed lists by their merge key and drops `$`-directives
 * (`$setElementOrder`, `$retainKeys`, ...) that only affect ordering.
 */
export function strategicMergePatch(target: any, patch: any): any {
  if (!isObject(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return rest;
  }
  const result: Record<string, any> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
    } else if (
      Array.isArray(value) &&
      MERGE_KEYS[key] &&
      Array.isArray(result[key])
    ) {
      result[key] = mergeList(result[key], value, MERGE_KEYS[key]);
    } else {
      result[key] = strategicMergePatch(result[key], value);
    }
  }
  return result;
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw badRequest(`invalid JSON pointer: ${pointer}`);
  return pointer.slice(1).split('/').map(unescapePointer);
}

function patchFailed(message: string): ApiError {
  return new ApiError(
    422,
    'Invalid',
    `the server rejected our request due to an error in our request: ${message}`,
  );
}

function getAt(doc: any, path: string[]): any {
  let current = doc;
  for (const token of path) {
    if (
      current === null ||
      typeof current !== 'object' ||
      !(token in current)
    ) {
      throw patchFailed(`path /${path.join('/')} does not exist`);
    }
    current = current[token];
  }
  return current;
}

function parentOf(doc: any, path: string[]): { parent: any; key: string } {
  if (path.length === 0)
    throw patchFailed('cannot operate on the document root');
  const parent = getAt(doc, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object') {
    throw patchFailed(`parent of /${path.join('/')} is not a container`);
  }
  return { parent, key: path[path.length - 1] };
}

function addAt(doc: any, path: string[], value: any): any {
  if (path.length === 0) return value;
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw patchFailed(`index ${key} out of bounds`);
    }
    parent.splice(index, 0, value);
  } else {
    parent[key] = value;
  }
  return doc;
}

function removeAt(doc: any, path: string[]): any {
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) {
      throw patchFailed(`index ${key} out of bounds`);
    }
    parent.splice(index, 1);
  } else {
    if (!(key in parent))
      throw patchFailed(`path /${path.join('/')} does not exist`);
    delete parent[key];
  }
  return doc;
}

/** RFC 6902 JSON patch, applied to a deep copy so a failing operation changes nothing. */
export function jsonPatch(target: any, operations: any): any {
  if (!Array.isArray(operations))
    throw badRequest('json patch must be an array of operations');
  let doc = structuredClone(target);
  for (const op of operations) {
    const path = parsePointer(op.path ?? '');
    switch (op.op) {
      case 'add':
        doc = addAt(doc, path, structuredClone(op.value));
        break;
      case 'remove':
        doc = removeAt(doc, path);
        break;
      case 'replace':
        getAt(doc, path);
        doc =
          path.length === 0
            ? structuredClone(op.value)
            : addAt(removeAt(doc, path), path, structuredClone(op.value));
        break;
      case 'move': {
        const from = parsePointer(op.from ?? '');
        const value = getAt(doc, from);
        doc = addAt(removeAt(doc, from), path, value);
        break;
      }
      case 'copy':
        doc = addAt(
          doc,
          path,
          structuredClone(getAt(doc, parsePointer(op.from ?? ''))),
        );
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(op.value)) {
          throw patchFailed(`test operation failed at ${op.path}`);
        }
        break;
      default:
        throw badRequest(`unknown json patch operation: ${op.op}`);
    }
  }
  return doc;
}

/** Applies a PATCH body according to its Content-Type, as the real server dispatches on it. */
export function applyPatch(target: any, contentType: string, body: any): any {
  const type = contentType.split(';')[0].trim();
  switch (type) {
    case 'application/json-patch+json':
      return jsonPatch(target, body);
    case 'application/merge-patch+json':
      return mergePatch(target, body);
    case 'application/strategic-merge-patch+json':
      return strategicMergePatch(target, body);
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+json':
      // Server-side apply without field ownership tracking: the applied config wins.
      return strategicMergePatch(target, body);
    default:
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
      );
  }
}
