import { GitHubError, notFound } from './errors';
import { BareRepository, TreeEntry } from './git';
import { RepoRecord } from './model';
import type { RestResult } from './restResult';
import { Urls } from './serialize';

export const CONTENTS_DOC =
  'https://docs.github.com/rest/repos/contents#get-repository-content';

/** Above this, GitHub's JSON form leaves `content` empty (`encoding: none`); raw still serves the file. */
const JSON_CONTENT_LIMIT = 1024 * 1024;

/** `application/vnd.github.raw`, `application/vnd.github.v3.raw` and their `+json` spellings. */
const RAW_MEDIA_TYPE = /^application\/vnd\.github(?:\.v3)?\.raw(?:\+json)?$/;

/** Whether an Accept header asks for the raw media type. */
export function wantsRaw(accept: string | undefined): boolean {
  return (accept ?? '')
    .split(',')
    .some(t => RAW_MEDIA_TYPE.test(t.split(';')[0].trim().toLowerCase()));
}

/** Whether If-None-Match names the entity tag (`*`, and weak `W/` tags, match too). */
export function etagMatches(
  ifNoneMatch: string | undefined,
  etag: string,
): boolean {
  return (ifNoneMatch ?? '')
    .split(',')
    .map(t => t.trim())
    .some(t => t === '*' || t.replace(/^W\//, '') === etag);
}

/**
 * The repository path a request names: `a//b/./c/` is `a/b/c`, the root is `''`. Undefined for a
 * `..` segment or a NUL, which GitHub never finds either; paths only ever index git trees, never the
 * file system, but they also end up in `<commit>:<path>` arguments.
 */
export function normalizeContentPath(path: string): string | undefined {
  const segments = path.split('/').filter(s => s !== '' && s !== '.');
  if (segments.some(s => s === '..' || s.includes('\0'))) return undefined;
  return segments.join('/');
}

/** GitHub's content `type`: submodules and symlinks read as `file` inside a directory listing. */
function contentType(entry: TreeEntry, inListing: boolean) {
  if (entry.type === 'tree') return 'dir';
  if (inListing) return 'file';
  if (entry.type === 'commit') return 'submodule';
  return entry.mode === '120000' ? 'symlink' : 'file';
}

/** Base64 wrapped at 60 columns, each line ending in a newline, as GitHub sends it. */
const wrappedBase64 = (bytes: Buffer) =>
  (bytes.toString('base64').match(/.{1,60}/g) ?? [])
    .map(l => `${l}\n`)
    .join('');

/**
 * `GET /repos/{o}/{r}/contents/{path}?ref=`: a file as raw bytes (raw media type) or base64 JSON, a
 * directory as a JSON listing, both with the object sha as ETag. The caller has already checked that
 * the repository is visible and `contents: read` is granted.
 */
export async function getContents(options: {
  git: BareRepository;
  repo: RepoRecord;
  urls: Urls;
  path: string;
  ref: string | null;
  accept?: string;
  ifNoneMatch?: string;
}): Promise<RestResult> {
  const { git, repo, urls } = options;
  const path = normalizeContentPath(options.path);
  if (path === undefined) throw notFound(CONTENTS_DOC);

  const ref = options.ref || (await git.defaultBranch());
  const commit = await git.resolveCommit(ref);
  if (!commit) {
    // No ref and no default branch: nothing was ever pushed.
    if (!options.ref)
      throw new GitHubError(404, 'This repository is empty.', CONTENTS_DOC);
    throw new GitHubError(
      404,
      `No commit found for the ref ${ref}`,
      CONTENTS_DOC,
    );
  }

  // The entry itself: the root tree, or the named child of its parent directory.
  let entry: TreeEntry | undefined;
  if (!path) {
    entry = {
      mode: '040000',
      type: 'tree',
      sha: await git.treeOf(commit),
      size: 0,
      name: '',
    };
  } else {
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    const siblings = await git.treeEntries(`${commit}:${parent}`);
    entry = siblings?.find(e => e.name === path.slice(slash + 1));
  }
  if (!entry) throw notFound(CONTENTS_DOC);

  const etag = `"${entry.sha}"`;
  // Only regular files have a raw form; anything else answers JSON whatever was asked.
  const raw = contentType(entry, false) === 'file' && wantsRaw(options.accept);
  const headers: Record<string, string> = {
    etag,
    // The same URL answers bytes or JSON, and only to callers that may read it.
    vary: 'Accept, Authorization',
    ...(raw ? { 'x-github-media-type': 'github.v3; param=raw' } : {}),
  };
  if (etagMatches(options.ifNoneMatch, etag)) return { status: 304, headers };

  const item = (e: TreeEntry, itemPath: string, inListing: boolean) => {
    const encodedPath = itemPath.split('/').map(encodeURIComponent).join('/');
    const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
    const web = `${urls.web}/${repo.owner}/${repo.name}`;
    const type = contentType(e, inListing);
    const url = `${api}/contents/${encodedPath}?ref=${encodeURIComponent(ref)}`;
    const gitUrl = `${api}/git/${e.type === 'blob' ? 'blobs' : 'trees'}/${
      e.sha
    }`;
    const htmlUrl = `${web}/${
      e.type === 'tree' ? 'tree' : 'blob'
    }/${ref}/${encodedPath}`;
    return {
      type,
      size: e.type === 'blob' ? e.size : 0,
      name: e.name,
      path: itemPath,
      sha: e.sha,
      url,
      git_url: gitUrl,
      html_url: htmlUrl,
      download_url:
        e.type === 'blob' ? `${web}/raw/${ref}/${encodedPath}` : null,
      _links: { self: url, git: gitUrl, html: htmlUrl },
    };
  };

  if (entry.type === 'tree') {
    const children = (await git.treeEntries(entry.sha)) ?? [];
    return {
      status: 200,
      headers,
      body: children.map(child =>
        item(child, path ? `${path}/${child.name}` : child.name, true),
      ),
    };
  }
  const json = item(entry, path, false);
  if (entry.type === 'commit') return { status: 200, headers, body: json };

  const tooLarge = !raw && entry.size > JSON_CONTENT_LIMIT;
  const bytes = tooLarge ? Buffer.alloc(0) : await git.readBlob(entry.sha);
  if (raw) {
    headers['content-type'] = 'application/vnd.github.raw';
    return { status: 200, headers, raw: bytes };
  }
  if (json.type === 'symlink')
    return {
      status: 200,
      headers,
      body: { ...json, target: bytes.toString('utf8') },
    };
  return {
    status: 200,
    headers,
    body: {
      ...json,
      content: wrappedBase64(bytes),
      encoding: tooLarge ? 'none' : 'base64',
    },
  };
}
