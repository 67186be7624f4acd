import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { git } from './git';
import { authedGitUrl, gitClient, startTestBed, TestBed } from './testUtils';
import { mintInstallationToken } from './__testUtils__/octokit';

jest.setTimeout(60_000);

describe('git smart HTTP', () => {
  let bed: TestBed;
  let n = 0;
  beforeAll(async () => {
    bed = await startTestBed();
  });
  afterAll(() => bed.cleanup());

  const workDir = () => join(bed.dir, `work-${++n}`);
  const mint = (body: Record<string, unknown> = {}) =>
    mintInstallationToken(bed.fake.apiUrl, body);

  it('clones and pushes with a token scoped to the repository, and refuses the other repository of the owner', async () => {
    const token = await mint({
      repositories: ['widgets'],
      permissions: { contents: 'write' },
    });
    const dir = workDir();
    const clone = await gitClient([
      'clone',
      authedGitUrl(bed.fake, 'acme', 'widgets', token),
      dir,
    ]);
    expect(clone).toMatchObject({ code: 0 });
    await writeFile(join(dir, 'change.txt'), 'hello\n');
    await gitClient(['add', '.'], { cwd: dir });
    await gitClient(['commit', '-m', 'Change'], { cwd: dir });
    await gitClient(['checkout', '-b', 'agents/work'], { cwd: dir });
    const push = await gitClient(['push', 'origin', 'agents/work'], {
      cwd: dir,
    });
    expect(push).toMatchObject({ code: 0 });
    const repo = bed.fake.state.repos().find(r => r.name === 'widgets')!;
    const pushed = await git([
      '--git-dir',
      repo.dir,
      'rev-parse',
      'agents/work',
    ]);
    const local = (await gitClient(['rev-parse', 'HEAD'], { cwd: dir })).stdout;
    expect(pushed).toBe(local.trim());

    // Pushing the same commit to another repository of the same owner is refused, as GitHub does.
    const other = await gitClient(
      ['push', authedGitUrl(bed.fake, 'acme', 'gadgets', token), 'agents/work'],
      { cwd: dir },
    );
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(
      /Permission to acme\/gadgets\.git denied to agents-app\[bot\]/,
    );
    expect(other.stderr).toMatch(/403/);
    // ... and fetching it is "Repository not found".
    const fetch = await gitClient([
      'ls-remote',
      authedGitUrl(bed.fake, 'acme', 'gadgets', token),
    ]);
    expect(fetch.code).not.toBe(0);
    expect(fetch.stderr).toMatch(/Repository not found/);

    const gitLog = bed.fake.state
      .requests()
      .filter(r => r.kind === 'git' && r.path.includes('gadgets'));
    expect(gitLog.map(r => r.status)).toEqual(
      expect.arrayContaining([403, 404]),
    );
  });

  it('challenges a fetch without credentials with 401 Basic realm="GitHub"', async () => {
    const response = await fetch(
      `${bed.fake.gitUrl('acme', 'widgets')}/info/refs?service=git-upload-pack`,
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Basic realm="GitHub"',
    );
    const run = await gitClient([
      'ls-remote',
      bed.fake.gitUrl('acme', 'widgets'),
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/could not read Username|Authentication failed/);
  });

  it('asks git for credentials again when the token has expired', async () => {
    const token = await mint();
    const url = authedGitUrl(bed.fake, 'acme', 'widgets', token);
    expect((await gitClient(['ls-remote', url])).code).toBe(0);
    bed.fake.expireToken(token);
    const response = await fetch(
      `${bed.fake.gitUrl('acme', 'widgets')}/info/refs?service=git-upload-pack`,
      {
        headers: {
          authorization: `Basic ${Buffer.from(
            `x-access-token:${token}`,
          ).toString('base64')}`,
        },
      },
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Basic realm="GitHub"',
    );
    const run = await gitClient(['ls-remote', url]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Authentication failed/);
  });

  it('needs contents: write to push', async () => {
    const token = await mint({
      repositories: ['widgets'],
      permissions: { contents: 'read' },
    });
    const dir = workDir();
    expect(
      (
        await gitClient([
          'clone',
          authedGitUrl(bed.fake, 'acme', 'widgets', token),
          dir,
        ])
      ).code,
    ).toBe(0);
    await gitClient(['commit', '--allow-empty', '-m', 'Empty'], { cwd: dir });
    const push = await gitClient(
      ['push', 'origin', 'HEAD:refs/heads/readonly'],
      {
        cwd: dir,
      },
    );
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/Permission to acme\/widgets\.git denied/);
  });

  it('accepts a personal access token as the password with any user name', async () => {
    const run = await gitClient([
      'ls-remote',
      authedGitUrl(bed.fake, 'solo', 'two', 'ghp_alice', 'alice'),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/refs\/heads\/main/);
  });

  it('serves an upload-pack request with a gzip-encoded body', async () => {
    const repo = bed.fake.state.repos().find(r => r.name === 'widgets')!;
    const sha = await git(['--git-dir', repo.dir, 'rev-parse', 'main']);
    const pkt = (line: string) =>
      `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
    const request = `${pkt(`want ${sha}\n`)}0000${pkt('done\n')}`;
    const response = await fetch(
      `${bed.fake.gitUrl('acme', 'widgets')}/git-upload-pack`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-git-upload-pack-request',
          'content-encoding': 'gzip',
          authorization: `Basic ${Buffer.from('alice:ghp_alice').toString(
            'base64',
          )}`,
        },
        body: gzipSync(Buffer.from(request)),
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'application/x-git-upload-pack-result',
    );
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.subarray(0, 8).toString()).toBe('0008NAK\n');
    expect(body.includes(Buffer.from('PACK'))).toBe(true);
  });

  it('serves bare repositories made on disk by someone else, with or without .git', async () => {
    const dir = join(bed.fake.reposDir, 'example-org', 'payments-service');
    const seed = join(bed.dir, 'seed');
    await gitClient(['init', '-q', seed]);
    await gitClient(['commit', '--allow-empty', '-q', '-m', 'Seed'], {
      cwd: seed,
    });
    await gitClient(['clone', '-q', '--bare', seed, dir]);
    const run = await gitClient([
      'ls-remote',
      authedGitUrl(bed.fake, 'example-org', 'payments-service', 'ghp_alice'),
    ]);
    expect(run.code).toBe(0);
    const response = await fetch(
      `${bed.fake.apiUrl}/repos/example-org/payments-service`,
      { headers: { authorization: 'token ghp_alice' } },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      default_branch: 'main',
      clone_url: bed.fake.gitUrl('example-org', 'payments-service'),
    });
    // A PAT may push to it too (http.receivepack is enabled by the server).
    const push = await gitClient(
      [
        'push',
        authedGitUrl(bed.fake, 'example-org', 'payments-service', 'ghp_alice'),
        'HEAD:refs/heads/from-pat',
      ],
      { cwd: seed },
    );
    expect(push.code).toBe(0);
  });
});
