import { Octokit } from '@octokit/rest';
import { git } from './git';
import { startTestBed, TestBed } from './testUtils';
import { mintInstallationToken } from './__testUtils__/octokit';

jest.setTimeout(30_000);

describe('branches through the git refs and merges APIs', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await startTestBed();
  });
  afterAll(() => bed.cleanup());

  const repo = { owner: 'acme', repo: 'widgets' };
  const octokitWith = async (permissions: Record<string, string>) =>
    new Octokit({
      baseUrl: bed.fake.apiUrl,
      auth: await mintInstallationToken(bed.fake.apiUrl, {
        repositories: ['widgets'],
        permissions,
      }),
    });
  const gitDir = () => `${bed.fake.reposDir}/acme/widgets.git`;
  const status = (call: Promise<unknown>) =>
    call.then(
      () => 'ok',
      (e: any) => `${e.status} ${e.response?.data?.message}`,
    );

  it('reads a branch ref and creates one once', async () => {
    const octokit = await octokitWith({ contents: 'write' });
    const main = await octokit.git.getRef({ ...repo, ref: 'heads/main' });
    expect(main.data).toMatchObject({
      ref: 'refs/heads/main',
      object: { type: 'commit' },
    });
    const sha = main.data.object.sha;

    const created = await octokit.git.createRef({
      ...repo,
      ref: 'refs/heads/specs/001/integration',
      sha,
    });
    expect(created.status).toBe(201);
    expect(created.data.object.sha).toBe(sha);
    expect(
      (await octokit.git.getRef({ ...repo, ref: 'heads/specs/001/integration' }))
        .data.object.sha,
    ).toBe(sha);

    expect(
      await status(
        octokit.git.createRef({ ...repo, ref: 'refs/heads/specs/001/integration', sha }),
      ),
    ).toBe('422 Reference already exists');
    expect(
      await status(octokit.git.createRef({ ...repo, ref: 'refs/heads/x', sha: '1'.repeat(40) })),
    ).toBe('422 Object does not exist');
    expect(await status(octokit.git.getRef({ ...repo, ref: 'heads/nope' }))).toBe(
      '404 Not Found',
    );
  });

  it('needs contents: write to create a ref or merge', async () => {
    const reader = await octokitWith({ contents: 'read' });
    const { sha } = (await reader.git.getRef({ ...repo, ref: 'heads/main' })).data.object;
    expect(
      await status(reader.git.createRef({ ...repo, ref: 'refs/heads/denied', sha })),
    ).toBe('403 Resource not accessible by integration');
    expect(await status(reader.repos.merge({ ...repo, base: 'main', head: 'main' }))).toBe(
      '403 Resource not accessible by integration',
    );
  });

  it('merges a branch with a merge commit, then has nothing left to merge', async () => {
    const octokit = await octokitWith({ contents: 'write' });
    await bed.fake.commitFiles('acme', 'widgets', {
      branch: 'wave/base',
      from: 'main',
      files: { 'base.txt': 'base\n' },
    });
    const a = await bed.fake.commitFiles('acme', 'widgets', {
      branch: 'wave/a',
      from: 'wave/base',
      files: { 'a.txt': 'a\n' },
    });
    const b = await bed.fake.commitFiles('acme', 'widgets', {
      branch: 'wave/b',
      from: 'wave/base',
      files: { 'b.txt': 'b\n' },
    });

    const first = await octokit.repos.merge({
      ...repo,
      base: 'wave/base',
      head: 'wave/a',
      commit_message: 'Merge a',
    });
    expect(first.status).toBe(201);
    expect(first.data.commit.message).toBe('Merge a');
    const second = await octokit.repos.merge({ ...repo, base: 'wave/base', head: 'wave/b' });
    expect(second.status).toBe(201);
    expect(second.data.parents.map(p => p.sha)).toEqual([first.data.sha, b]);

    // Both heads are in the base now; the base's tree has both files.
    for (const head of [a, b]) {
      await git(['--git-dir', gitDir(), 'merge-base', '--is-ancestor', head, 'wave/base']);
    }
    expect(await git(['--git-dir', gitDir(), 'ls-tree', '--name-only', 'wave/base'])).toMatch(
      /a\.txt[\s\S]*b\.txt/,
    );

    const again = await octokit.repos.merge({ ...repo, base: 'wave/base', head: 'wave/a' });
    expect(again.status).toBe(204);
  });

  it('answers 409 on a conflict and 404 for a missing branch, leaving the base as it was', async () => {
    const octokit = await octokitWith({ contents: 'write' });
    const base = await bed.fake.commitFiles('acme', 'widgets', {
      branch: 'clash/base',
      from: 'main',
      files: { 'same.txt': 'base\n' },
    });
    for (const side of ['one', 'two']) {
      await bed.fake.commitFiles('acme', 'widgets', {
        branch: `clash/${side}`,
        from: 'clash/base',
        files: { 'same.txt': `${side}\n` },
      });
    }
    const merged = await octokit.repos.merge({ ...repo, base: 'clash/base', head: 'clash/one' });
    expect(merged.status).toBe(201);
    expect(
      await status(octokit.repos.merge({ ...repo, base: 'clash/base', head: 'clash/two' })),
    ).toBe('409 Merge conflict');
    expect(await git(['--git-dir', gitDir(), 'rev-parse', 'clash/base'])).toBe(merged.data.sha);
    expect(base).not.toBe(merged.data.sha);

    expect(
      await status(octokit.repos.merge({ ...repo, base: 'clash/none', head: 'clash/one' })),
    ).toBe('404 Base does not exist');
    expect(
      await status(octokit.repos.merge({ ...repo, base: 'clash/base', head: 'clash/none' })),
    ).toBe('404 Head does not exist');
  });
});
