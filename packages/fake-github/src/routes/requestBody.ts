import { DOCS, GitHubError } from '../errors';
import type { RestRequest } from '../restRouter';

/** The JSON body as an object; GitHub answers anything else (an array, a string) as unparsable. */
export function bodyObject(req: RestRequest): Record<string, any> {
  const body = req.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new GitHubError(400, 'Problems parsing JSON', DOCS);
  return body;
}
