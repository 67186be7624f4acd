import { Octokit } from '@octokit/rest';
import { git } from './git';
import { startTestBed, TestBed } from './testUtils';
import { mintInstallationToken } from './__testUtils__/octokit';

jest.setTimeout(30_000);

describe('pull requests and issues', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await startTestBed();
  });
  afterAll(() => bed.cleanup());

  const tokenFor = async (
    permissions: Record<string, string>,
    baseUrl = bed.fake.apiUrl,
  ) => {
    const token = await mintInstallationToken(baseUrl, {
      repositories: ['widgets'],
      permissions,
    });
    return new Octokit({ baseUrl, auth: token });
  };
  const repo = { owner: 'acme', repo: 'widgets' };
  const admin = (path: string, body: unknown = {}) =>
    fetch(`${bed.fake.url}/__fake-github${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('creates, finds, refuses duplicates, updates and sees an admin merge', async () => {
    const octokit = await tokenFor({
      contents: 'write',
      pull_requests: 'write',
    });
    const first = await bed.fake.commitFiles('acme', 'widgets', {
      branch: 'agents/feature',
      files: { 'src/feature.ts': 'export const feature = 1;\n' },
      message: 'Add the feature',
    });

    const created = await octokit.pulls.create({
      ...repo,
      title: 'Add the feature',
      head: 'agents/feature',
      base: 'main',
      body: 'Made by an agent',
      draft: true,
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      number: 1,
      state: 'open',
      draft: true,
      merged: false,
      merged_at: null,
      title: 'Add the feature',
      body: 'Made by an agent',
      html_url: `${bed.fake.url}/acme/widgets/pull/1`,
      head: { ref: 'agents/feature', sha: first, label: 'acme:agents/feature' },
      base: { ref: 'main' },
      user: { login: 'agents-app[bot]', type: 'Bot' },
      commits: 1,
      additions: 1,
      changed_files: 1,
    });

    // Listing by head in the owner:branch form finds it; other states and heads do not.
    const byHead = await octokit.pulls.list({
      ...repo,
      head: 'acme:agents/feature',
      state: 'open',
    });
    expect(byHead.data.map(p => p.number)).toEqual([1]);
    expect(
      (await octokit.pulls.list({ ...repo, head: 'acme:other' })).data,
    ).toEqual([]);
    expect(
      (await octokit.pulls.list({ ...repo, state: 'closed' })).data,
    ).toEqual([]);
    expect(
      (await octokit.pulls.list({ ...repo, state: 'all', base: 'main' })).data,
    ).toHaveLength(1);

    // A second pull request for the same head is a 422 Octokit reports with GitHub's message.
    const duplicate = await octokit.pulls
      .create({ ...repo, title: 'Again', head: 'agents/feature', base: 'main' })
      .catch(e => e);
    expect(duplicate.name).toBe('HttpError');
    expect(duplicate.status).toBe(422);
    expect(duplicate.message).toMatch(
      /A pull request already exists for acme:agents\/feature\./,
    );
    expect(duplicate.response.data).toEqual({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: 'A pull request already exists for acme:agents/feature.',
        },
      ],
      documentation_url:
        'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
      status: '422',
    });

    // A push to the head branch shows in the pull request.
    const second = await bed.fake.commitFiles('acme', 'widgets', {
      branch: 'agents/feature',
      files: { 'src/more.ts': 'export const more = 2;\n' },
    });
    const refreshed = await octokit.pulls.get({ ...repo, pull_number: 1 });
    expect(refreshed.data.head.sha).toBe(second);
    expect(refreshed.data.commits).toBe(2);

    const patched = await octokit.pulls.update({
      ...repo,
      pull_number: 1,
      title: 'Add the feature (v2)',
      body: 'Updated',
    });
    expect(patched.data).toMatchObject({
      title: 'Add the feature (v2)',
      body: 'Updated',
    });

    // The merge button, pressed by a test through the admin endpoint.
    const merged = await admin('/repos/acme/widgets/pulls/1/merge', {
      user: 'maintainer',
    });
    expect(merged.status).toBe(200);
    const after = await octokit.pulls.get({ ...repo, pull_number: 1 });
    expect(after.data).toMatchObject({
      state: 'closed',
      merged: true,
      merged_by: { login: 'maintainer' },
    });
    expect(after.data.merged_at).toEqual(expect.any(String));
    const widgets = bed.fake.state.repos().find(r => r.name === 'widgets')!;
    const mainFiles = await git([
      '--git-dir',
      widgets.dir,
      'ls-tree',
      '-r',
      '--name-only',
      'main',
    ]);
    expect(mainFiles.split('\n')).toEqual(
      expect.arrayContaining(['src/feature.ts', 'src/more.ts']),
    );
    expect(after.data.merge_commit_sha).toBe(
      await git(['--git-dir', widgets.dir, 'rev-parse', 'main']),
    );
    // A merged pull request cannot be reopened.
    await expect(
      octokit.pulls.update({ ...repo, pull_number: 1, state: 'open' }),
    ).rejects.toMatchObject({ status: 422 });
    expect(await bed.fake.state.pulls({ repo: 'widgets' })).toEqual([
      expect.objectContaining({
        number: 1,
        merged: true,
        state: 'closed',
        title: 'Add the feature (v2)',
      }),
    ]);
  });

  it('refuses a head without commits beyond the base, or that does not exist', async () => {
    const octokit = await tokenFor({ pull_requests: 'write' });
    const widgets = bed.fake.state.repos().find(r => r.name === 'widgets')!;
    await git(['--git-dir', widgets.dir, 'branch', 'agents/empty', 'main']);
    const empty = await octokit.pulls
      .create({ ...repo, title: 'Nothing', head: 'agents/empty', base: 'main' })
      .catch(e => e);
    expect(empty.status).toBe(422);
    expect(empty.response.data.errors).toEqual([
      {
        resource: 'PullRequest',
        code: 'custom',
        message: 'No commits between main and agents/empty',
      },
    ]);
    const missing = await octokit.pulls
      .create({
        ...repo,
        title: 'Missing',
        head: 'agents/missing',
        base: 'main',
      })
      .catch(e => e);
    expect(missing.status).toBe(422);
    expect(missing.response.data.errors).toEqual([
      { resource: 'PullRequest', field: 'head', code: 'invalid' },
    ]);
  });

  it('closes and reopens through PATCH, and merges through the REST merge endpoint', async () => {
    const octokit = await tokenFor({
      contents: 'write',
      pull_requests: 'write',
    });
    await bed.fake.commitFiles('acme', 'widgets', {
      branch: 'agents/second',
      from: 'main',
      files: { 'second.txt': 'two\n' },
    });
    const { data: pull } = await octokit.pulls.create({
      ...repo,
      title: 'Second',
      head: 'acme:agents/second',
      base: 'main',
    });
    const closed = await octokit.pulls.update({
      ...repo,
      pull_number: pull.number,
      state: 'closed',
    });
    expect(closed.data).toMatchObject({ state: 'closed', merged: false });
    expect(closed.data.closed_at).toEqual(expect.any(String));
    const reopened = await octokit.pulls.update({
      ...repo,
      pull_number: pull.number,
      state: 'open',
    });
    expect(reopened.data.state).toBe('open');
    const merge = await octokit.pulls.merge({
      ...repo,
      pull_number: pull.number,
      merge_method: 'squash',
    });
    expect(merge.data).toMatchObject({ merged: true });
    await expect(
      octokit.pulls.merge({ ...repo, pull_number: pull.number }),
    ).rejects.toMatchObject({ status: 405 });
  });

  it('needs pull_requests: write to open a pull request', async () => {
    const octokit = await tokenFor({ contents: 'write' });
    const error = await octokit.pulls
      .create({ ...repo, title: 'x', head: 'agents/second', base: 'main' })
      .catch(e => e);
    expect(error.status).toBe(403);
    expect(error.response.data.message).toBe(
      'Resource not accessible by integration',
    );
    expect(error.response.headers['x-accepted-github-permissions']).toBe(
      'pull_requests=write',
    );
  });

  it('comments on issues with issues: write, and on pull requests with pull_requests: write', async () => {
    const { issue } = await bed.fake.createIssue('acme', 'widgets', {
      title: 'Please add tests',
      labels: ['agents'],
    });
    const pullsOnly = await tokenFor({ pull_requests: 'write' });
    const refused = await pullsOnly.issues
      .createComment({ ...repo, issue_number: issue.number, body: 'On it' })
      .catch(e => e);
    expect(refused.status).toBe(403);
    expect(refused.response.data).toEqual({
      message: 'Resource not accessible by integration',
      documentation_url:
        'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '403',
    });
    // A pull request is an issue too: its comments need issues or pull_requests write.
    const onPull = await pullsOnly.issues.createComment({
      ...repo,
      issue_number: 1,
      body: 'Session finished',
    });
    expect(onPull.status).toBe(201);

    const issues = await tokenFor({ issues: 'write' });
    const { status, data: comment } = await issues.issues.createComment({
      ...repo,
      issue_number: issue.number,
      body: 'On it',
    });
    expect(status).toBe(201);
    expect(comment).toMatchObject({
      body: 'On it',
      user: { login: 'agents-app[bot]' },
      html_url: `${bed.fake.url}/acme/widgets/issues/${issue.number}#issuecomment-${comment.id}`,
    });
    const { data: fetched } = await issues.issues.get({
      ...repo,
      issue_number: issue.number,
    });
    expect(fetched).toMatchObject({
      number: issue.number,
      title: 'Please add tests',
      comments: 1,
      labels: [expect.objectContaining({ name: 'agents' })],
      user: { login: 'octocat' },
    });
    expect(fetched.pull_request).toBeUndefined();
    const asIssue = await issues.issues.get({ ...repo, issue_number: 1 });
    expect(asIssue.data.pull_request).toMatchObject({
      url: `${bed.fake.apiUrl}/repos/acme/widgets/pulls/1`,
    });
  });

  it('serves the same API under /api/v3 for Enterprise-style base URLs', async () => {
    const octokit = await tokenFor(
      { pull_requests: 'read' },
      bed.fake.enterpriseApiUrl,
    );
    const { data } = await octokit.pulls.get({ ...repo, pull_number: 1 });
    expect(data.url).toBe(
      `${bed.fake.enterpriseApiUrl}/repos/acme/widgets/pulls/1`,
    );
    expect(data.html_url).toBe(`${bed.fake.url}/acme/widgets/pull/1`);
    const { data: repository } = await octokit.repos.get(repo);
    expect(repository.clone_url).toBe(bed.fake.gitUrl('acme', 'widgets'));
  });

  it('hides the fake admin endpoints from the GitHub paths', async () => {
    const response = await fetch(
      `${bed.fake.enterpriseApiUrl}/__fake-github/pulls`,
    );
    expect(response.status).toBe(404);
    const listed = await fetch(`${bed.fake.url}/__fake-github/pulls`);
    expect(listed.status).toBe(200);
    expect((await listed.json()).map((p: any) => p.number)).toEqual([1, 2]);
  });
});
