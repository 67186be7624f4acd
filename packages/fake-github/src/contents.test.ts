import { Octokit } from '@octokit/rest';
import { normalizeContentPath } from './contents';
import { git, isSafeRefName } from './git';
import { startTestBed, TestBed } from './testUtils';
import { mintInstallationToken } from './__testUtils__/octokit';

jest.setTimeout(30_000);

const TASKS_V1 = '# Tasks\n\n- [ ] T001 Write the spec\n';
const TASKS_V2 = '# Tasks\n\n- [x] T001 Write the spec\n- [ ] T002 Build it\n';
const TASKS_FEATURE = '# Tasks\n\n- [x] T001 on the feature branch\n';
const UNICODE = 'Zahlungsverkehr – “Überweisung” ✓\n';

describe('repository contents', () => {
  let bed: TestBed;
  let dir: string;
  /** The initial commit, tagged v1; main has moved on since. */
  let first: string;

  beforeAll(async () => {
    bed = await startTestBed();
    const created = await bed.fake.createRepo('acme', 'payments', {
      files: {
        'README.md': '# payments\n',
        'specs/001-x/tasks.md': TASKS_V1,
        'specs/001-x/plan.md': '# Plan\n',
        'docs/with space.md': UNICODE,
      },
    });
    dir = created.dir;
    first = await git(['--git-dir', dir, 'rev-parse', 'main']);
    await git(['--git-dir', dir, 'tag', 'v1', first]);
    await bed.fake.commitFiles('acme', 'payments', {
      branch: 'main',
      files: { 'specs/001-x/tasks.md': TASKS_V2 },
    });
    await bed.fake.commitFiles('acme', 'payments', {
      branch: 'feature/tasks',
      from: 'main',
      files: { 'specs/001-x/tasks.md': TASKS_FEATURE },
    });
    await bed.fake.createRepo('acme', 'public', { private: false });
  });
  afterAll(() => bed.cleanup());

  const objectSha = (rev: string) =>
    git(['--git-dir', dir, 'rev-parse', '--verify', rev]);

  const installationToken = async (
    permissions: Record<string, string> = { contents: 'read' },
    repositories = ['payments', 'public'],
  ) => mintInstallationToken(bed.fake.apiUrl, { repositories, permissions });

  /** A plain request under `/api/v3`, so headers and bytes are seen as sent. */
  const get = async (
    path: string,
    options: {
      token?: string;
      accept?: string;
      ifNoneMatch?: string;
      base?: string;
    } = {},
  ) => {
    const res = await fetch(
      `${options.base ?? bed.fake.enterpriseApiUrl}${path}`,
      {
        headers: {
          ...(options.token ? { authorization: `token ${options.token}` } : {}),
          ...(options.accept ? { accept: options.accept } : {}),
          ...(options.ifNoneMatch
            ? { 'if-none-match': options.ifNoneMatch }
            : {}),
        },
      },
    );
    const bytes = Buffer.from(await res.arrayBuffer());
    const json = () => JSON.parse(bytes.toString('utf8'));
    return { res, bytes, json };
  };

  it.each(['application/vnd.github.raw', 'application/vnd.github.v3.raw'])(
    'answers a file with its bytes to Accept: %s',
    async accept => {
      const token = await installationToken();
      const { res, bytes } = await get(
        '/repos/acme/payments/contents/specs/001-x/tasks.md',
        { token, accept },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(
        'application/vnd.github.raw',
      );
      expect(bytes.toString('utf8')).toBe(TASKS_V2);
      expect(res.headers.get('etag')).toBe(
        `"${await objectSha('main:specs/001-x/tasks.md')}"`,
      );
    },
  );

  it('answers a file as base64 JSON by default, byte-exact and with its URLs', async () => {
    const octokit = new Octokit({
      baseUrl: bed.fake.enterpriseApiUrl,
      auth: await installationToken(),
    });
    const { data } = await octokit.repos.getContent({
      owner: 'acme',
      repo: 'payments',
      path: 'docs/with space.md',
    });
    const api = `${bed.fake.enterpriseApiUrl}/repos/acme/payments`;
    expect(data).toEqual({
      type: 'file',
      encoding: 'base64',
      size: Buffer.byteLength(UNICODE),
      name: 'with space.md',
      path: 'docs/with space.md',
      content: expect.stringMatching(/^([A-Za-z0-9+/=]{1,60}\n)+$/),
      sha: await objectSha('main:docs/with space.md'),
      url: `${api}/contents/docs/with%20space.md?ref=main`,
      git_url: `${api}/git/blobs/${await objectSha('main:docs/with space.md')}`,
      html_url: `${bed.fake.url}/acme/payments/blob/main/docs/with%20space.md`,
      download_url: `${bed.fake.url}/acme/payments/raw/main/docs/with%20space.md`,
      _links: expect.objectContaining({ self: expect.any(String) }),
    });
    const file = data as { content: string };
    expect(Buffer.from(file.content, 'base64').toString('utf8')).toBe(UNICODE);
  });

  it('lists a directory, the root included, and answers JSON for a directory even when raw is asked', async () => {
    const token = await installationToken();
    const listing = await get('/repos/acme/payments/contents/specs/001-x', {
      token,
      accept: 'application/vnd.github.raw',
    });
    expect(listing.res.status).toBe(200);
    expect(listing.res.headers.get('etag')).toBe(
      `"${await objectSha('main:specs/001-x')}"`,
    );
    expect(
      listing.json().map((e: any) => [e.type, e.name, e.path, e.sha, e.size]),
    ).toEqual([
      [
        'file',
        'plan.md',
        'specs/001-x/plan.md',
        await objectSha('main:specs/001-x/plan.md'),
        '# Plan\n'.length,
      ],
      [
        'file',
        'tasks.md',
        'specs/001-x/tasks.md',
        await objectSha('main:specs/001-x/tasks.md'),
        TASKS_V2.length,
      ],
    ]);

    for (const root of [
      '/repos/acme/payments/contents',
      '/repos/acme/payments/contents/',
    ]) {
      const { res, json } = await get(root, { token });
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe(
        `"${await objectSha('main^{tree}')}"`,
      );
      expect(json().map((e: any) => [e.type, e.path])).toEqual([
        ['file', 'README.md'],
        ['dir', 'docs'],
        ['dir', 'specs'],
      ]);
      expect(json()[2]).toMatchObject({
        sha: await objectSha('main:specs'),
        size: 0,
        download_url: null,
      });
    }
  });

  it.each([
    ['no ref (the default branch)', undefined, TASKS_V2],
    ['the default branch', 'main', TASKS_V2],
    ['another branch with a slash', 'feature/tasks', TASKS_FEATURE],
    ['a tag', 'v1', TASKS_V1],
    ['a full ref name', 'refs/heads/feature/tasks', TASKS_FEATURE],
    ['a commit sha', 'first', TASKS_V1],
    ['an abbreviated commit sha', 'first:10', TASKS_V1],
  ])('reads a nested file at %s', async (_name, ref, expected) => {
    let resolved = ref;
    if (ref === 'first') resolved = first;
    if (ref === 'first:10') resolved = first.slice(0, 10);
    const query = resolved ? `?ref=${encodeURIComponent(resolved)}` : '';
    const { res, bytes } = await get(
      `/repos/acme/payments/contents/specs/001-x/tasks.md${query}`,
      {
        token: await installationToken(),
        accept: 'application/vnd.github.raw',
      },
    );
    expect(res.status).toBe(200);
    expect(bytes.toString('utf8')).toBe(expected);
  });

  it('takes percent-encoded slashes in the path, and serves the API root too', async () => {
    const token = await installationToken();
    const { res, json } = await get(
      '/repos/acme/payments/contents/specs%2F001-x%2Fplan.md',
      { token, base: bed.fake.apiUrl },
    );
    expect(res.status).toBe(200);
    expect(json()).toMatchObject({
      path: 'specs/001-x/plan.md',
      url: `${bed.fake.apiUrl}/repos/acme/payments/contents/specs/001-x/plan.md?ref=main`,
    });
  });

  it.each([
    [
      'a missing file',
      '/repos/acme/payments/contents/specs/nope.md',
      'Not Found',
    ],
    [
      'a path below a file',
      '/repos/acme/payments/contents/README.md/x',
      'Not Found',
    ],
    [
      'a path climbing out',
      '/repos/acme/payments/contents/specs%2F..%2FREADME.md',
      'Not Found',
    ],
    [
      'a missing repository',
      '/repos/acme/nope/contents/README.md',
      'Not Found',
    ],
    [
      'a missing ref',
      '/repos/acme/payments/contents/README.md?ref=nope',
      'No commit found for the ref nope',
    ],
    // Revision syntax would resolve in git (main~1 is `first`); GitHub takes ref names and shas only.
    [
      'revision syntax as ref',
      '/repos/acme/payments/contents/README.md?ref=main~1',
      'No commit found for the ref main~1',
    ],
    [
      'an option as ref',
      '/repos/acme/payments/contents/README.md?ref=--output=x',
      'No commit found for the ref --output=x',
    ],
  ])('answers 404 for %s', async (_name, path, message) => {
    const { res, json } = await get(path, {
      token: await installationToken(),
      accept: 'application/vnd.github.raw',
    });
    expect(res.status).toBe(404);
    expect(json()).toEqual({
      message,
      documentation_url:
        'https://docs.github.com/rest/repos/contents#get-repository-content',
      status: '404',
    });
  });

  it('applies the repository permission rules', async () => {
    const path = '/repos/acme/payments/contents/README.md';
    // A token scoped to another repository, and anonymous callers, do not see the private repository.
    const other = await installationToken({ contents: 'read' }, ['widgets']);
    expect((await get(path, { token: other })).res.status).toBe(404);
    expect((await get(path)).res.status).toBe(404);
    // The other account's installation does not reach it either.
    expect(
      (await get('/repos/solo/two/contents/README.md', { token: other })).res
        .status,
    ).toBe(404);
    // Seeing the repository is not enough: contents needs `contents: read`.
    const noContents = await get(path, {
      token: await installationToken({ issues: 'read' }),
    });
    expect(noContents.res.status).toBe(403);
    expect(noContents.res.headers.get('x-accepted-github-permissions')).toBe(
      'contents=read',
    );
    expect(noContents.json().message).toBe(
      'Resource not accessible by integration',
    );
    // PATs reach everything; a public repository is readable anonymously.
    expect((await get(path, { token: 'ghp_alice' })).res.status).toBe(200);
    const anonymous = await get('/repos/acme/public/contents/README.md', {
      accept: 'application/vnd.github.raw',
    });
    expect(anonymous.res.status).toBe(200);
    expect(anonymous.bytes.toString()).toBe('# public\n');
  });

  it('answers 304 to If-None-Match with the current ETag, and 200 once the file changed', async () => {
    const token = await installationToken();
    const path = '/repos/acme/payments/contents/specs/001-x/plan.md';
    const accept = 'application/vnd.github.v3.raw';
    const firstRead = await get(path, { token, accept });
    const etag = firstRead.res.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const cached = await get(path, { token, accept, ifNoneMatch });
      expect(cached.res.status).toBe(304);
      expect(cached.res.headers.get('etag')).toBe(etag);
      expect(cached.bytes.length).toBe(0);
    }
    expect(
      (await get(path, { token, accept, ifNoneMatch: '"other"' })).res.status,
    ).toBe(200);
    // Directories carry their tree's sha.
    const listing = await get('/repos/acme/payments/contents/specs', { token });
    const again = await get('/repos/acme/payments/contents/specs', {
      token,
      ifNoneMatch: listing.res.headers.get('etag')!,
    });
    expect(again.res.status).toBe(304);

    await bed.fake.commitFiles('acme', 'payments', {
      branch: 'main',
      files: { 'specs/001-x/plan.md': '# Plan, revised\n' },
    });
    const changed = await get(path, { token, accept, ifNoneMatch: etag });
    expect(changed.res.status).toBe(200);
    expect(changed.bytes.toString()).toBe('# Plan, revised\n');
    expect(changed.res.headers.get('etag')).not.toBe(etag);
  });

  it('leaves the JSON content of a file over 1 MB empty, as GitHub does, while raw serves it', async () => {
    const big = 'x'.repeat(1024 * 1024 + 10);
    await bed.fake.commitFiles('acme', 'payments', {
      branch: 'big',
      files: { 'big.txt': big },
    });
    const token = await installationToken();
    const path = '/repos/acme/payments/contents/big.txt?ref=big';
    const json = (await get(path, { token })).json();
    expect(json).toMatchObject({
      size: big.length,
      encoding: 'none',
      content: '',
    });
    const raw = await get(path, {
      token,
      accept: 'application/vnd.github.raw',
    });
    expect(raw.bytes.length).toBe(big.length);
  });

  it('normalises paths and refuses climbing ones', () => {
    expect(normalizeContentPath('')).toBe('');
    expect(normalizeContentPath('/a//b/./c/')).toBe('a/b/c');
    expect(normalizeContentPath('a/../b')).toBeUndefined();
    expect(normalizeContentPath('..')).toBeUndefined();
    expect(normalizeContentPath('a\0b')).toBeUndefined();
  });

  it('hands git only ref names, never options or revision syntax', () => {
    for (const ok of [
      'main',
      'feature/tasks',
      'v1.0',
      'refs/tags/v1',
      'abc123',
    ])
      expect(isSafeRefName(ok)).toBe(true);
    for (const bad of [
      '',
      '-h',
      '--output=x',
      'main~1',
      'main^',
      'a..b',
      '@',
      '@{-1}',
      'a b',
      'a\tb',
      'a\x01b',
      'x.lock',
      '/main',
      'main/',
      'a//b',
      'a/.b',
      'a:b',
      'a*',
      'a\\b',
    ])
      expect(isSafeRefName(bad)).toBe(false);
  });
});
