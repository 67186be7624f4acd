import { spawn } from 'node:child_process';
import { IncomingMessage, ServerResponse } from 'node:http';
import { relative, sep } from 'node:path';
import {
  authenticate,
  canSee,
  loginOf,
  permissionOf,
  Principal,
  readCredential,
} from './auth';
import { gitEnv } from './git';
import { GitHubStore, levelAtLeast } from './store';

/** `/{owner}/{repo}[.git]/info/refs`, `/git-upload-pack`, `/git-receive-pack`. */
export const GIT_PATH =
  /^\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;

export class GitDenied {
  constructor(
    readonly status: number,
    readonly message: string,
    readonly challenge = false,
  ) {}
}

/**
 * Decides whether a smart HTTP request may proceed, as GitHub does: no or bad credentials get a 401
 * Basic challenge (so git asks its credential helper), an unknown or invisible repository is
 * "Repository not found." (404) for a fetch, and a push without `contents: write` — or to a repository
 * the token cannot reach — is "Permission to o/r.git denied to <login>." (403).
 */
export function authorizeGit(
  store: GitHubStore,
  req: IncomingMessage,
  owner: string,
  name: string,
  push: boolean,
  nowMs: number,
): { principal: Principal } | GitDenied {
  const repo = store.findRepo(owner, name);
  const credential = readCredential(req);
  let principal: Principal;
  try {
    principal = authenticate(store, credential, { allowJwt: false, nowMs });
  } catch {
    return new GitDenied(
      401,
      'Invalid username or token. Password authentication is not supported for Git operations.',
      true,
    );
  }
  if (principal.kind === 'anonymous') {
    if (repo && !repo.private && !push) return { principal };
    return new GitDenied(401, 'Authentication required.', true);
  }
  const denied = () =>
    new GitDenied(
      403,
      `Permission to ${repo!.owner}/${repo!.name}.git denied to ${loginOf(
        store,
        principal,
      )}.`,
    );
  if (!repo) return new GitDenied(404, 'Repository not found.');
  if (!canSee(store, principal, repo))
    return push ? denied() : new GitDenied(404, 'Repository not found.');
  const contents = permissionOf(principal, 'contents', repo);
  if (!levelAtLeast(contents, push ? 'write' : 'read')) return denied();
  return { principal };
}

export function sendGitDenied(res: ServerResponse, denied: GitDenied): void {
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
  };
  if (denied.challenge) headers['www-authenticate'] = 'Basic realm="GitHub"';
  res.writeHead(denied.status, headers);
  res.end(`${denied.message}\n`);
}

/**
 * Serves one smart HTTP request by running `git http-backend` as a CGI program over the repositories
 * directory, streaming the request body in (git http-backend inflates gzip bodies itself) and the
 * response out.
 */
export function runHttpBackend(
  store: GitHubStore,
  req: IncomingMessage,
  res: ServerResponse,
  options: {
    repoDir: string;
    service: string;
    query: string;
    remoteUser: string;
  },
): Promise<void> {
  const rel = relative(store.reposDir, options.repoDir).split(sep).join('/');
  const env = gitEnv({
    GIT_PROJECT_ROOT: store.reposDir,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${rel}/${options.service}`,
    QUERY_STRING: options.query,
    REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_USER: options.remoteUser,
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    // Repositories registered from disk may not have http.receivepack set; the server decides who may push.
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
    GIT_CONFIG_KEY_1: 'http.uploadpack',
    GIT_CONFIG_VALUE_1: 'true',
  });
  if (req.headers['content-length'])
    env.CONTENT_LENGTH = String(req.headers['content-length']);
  if (req.headers['content-encoding'])
    env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
  if (req.headers['git-protocol']) {
    env.HTTP_GIT_PROTOCOL = String(req.headers['git-protocol']);
    env.GIT_PROTOCOL = String(req.headers['git-protocol']);
  }

  return new Promise(resolve => {
    const child = spawn('git', ['http-backend'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    let head = Buffer.alloc(0);
    let headersSent = false;
    child.stderr.on('data', chunk => {
      stderr += chunk;
    });
    req.pipe(child.stdin);
    child.stdin.on('error', () => {
      // git may stop reading early (e.g. a refused request); the response still comes from stdout.
    });
    res.on('close', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });

    child.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const crlf = head.indexOf('\r\n\r\n');
      const lf = head.indexOf('\n\n');
      let end = -1;
      let sepLength = 0;
      if (crlf >= 0 && (lf < 0 || crlf < lf)) {
        end = crlf;
        sepLength = 4;
      } else if (lf >= 0) {
        end = lf;
        sepLength = 2;
      }
      if (end < 0) return;
      const { status, headers } = parseCgiHeaders(
        head.subarray(0, end).toString('latin1'),
      );
      res.writeHead(status, headers);
      headersSent = true;
      const rest = head.subarray(end + sepLength);
      if (rest.length) res.write(rest);
    });

    child.on('error', error => {
      if (!headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        headersSent = true;
      }
      res.end(`git http-backend failed: ${error.message}\n`);
      resolve();
    });

    child.on('close', code => {
      if (!headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`git http-backend exited with ${code}: ${stderr.trim()}\n`);
      } else {
        res.end();
      }
      resolve();
    });
  });
}

function parseCgiHeaders(text: string): {
  status: number;
  headers: Record<string, string>;
} {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = parseInt(value, 10) || 200;
    else headers[name] = value;
  }
  return { status, headers };
}
