import { agentsSessionReadPermission, SESSION_LIMITS } from '@backstage-agents/plugin-agents-common';
import { FakeAgentsApi, makeSession } from '@backstage-agents/plugin-agents-common/testUtils';
import { mockServices } from '@backstage/backend-test-utils';
import { TestPipeline } from '@backstage/plugin-search-backend-node';
import { AgentSessionCollatorFactory } from './AgentSessionCollatorFactory';
import type { AgentSessionDocument } from './AgentSessionDocument';

describe('AgentSessionCollatorFactory', () => {
  // 250 sessions, newest first: three pages of 100, 100 and 50.
  const sessions = Array.from({ length: 250 }, (_, i) =>
    makeSession(250 - i, {
      status: 'succeeded',
      entityOwnerRef: 'group:default/team-a',
      createdBy: 'user:default/alice',
    }),
  );
  sessions[0] = {
    ...sessions[0],
    prompt: '\n  Fix the flaky refund test  \nIt fails on Mondays.',
    summary: 'Pinned the clock in the refund test.',
    prUrl: 'https://github.com/example-org/payments-service/pull/7',
    prState: 'open',
  };
  const fake = new FakeAgentsApi(sessions);
  const requests = () => fake.requestsOf('ListSessions');

  beforeAll(() => fake.listen());
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });
  afterEach(() => fake.assertNoViolations());

  // Pages of 100 make the 250 sessions three pages; the default is the API's largest page.
  function factory(options: { pageSize?: number } = { pageSize: 100 }) {
    return new AgentSessionCollatorFactory({
      discovery: mockServices.discovery.mock({ getBaseUrl: fake.discoveryApi.getBaseUrl }),
      auth: mockServices.auth(),
      ...options,
    });
  }

  it('reads the largest page the API serves by default', async () => {
    const { documents } = await TestPipeline.fromCollator(await factory({}).getCollator()).execute();
    expect(documents).toHaveLength(250);
    expect(requests().map(r => r.query.limit)).toEqual([SESSION_LIMITS.maxPageSize]);
  });

  it('is typed agent-session and guarded by agents.session.read', () => {
    const f = factory();
    expect(f.type).toBe('agent-session');
    expect(f.visibilityPermission).toBe(agentsSessionReadPermission);
    expect(f.visibilityPermission.resourceType).toBe('agents-session');
  });

  it('streams every session across pages, newest first, with service credentials for agents', async () => {
    const { documents } = await TestPipeline.fromCollator(
      await factory().getCollator(),
    ).execute();

    expect(documents).toHaveLength(250);
    expect(documents.map(d => d.location)).toEqual(
      sessions.map(s => `/agents/sessions/${s.id}`),
    );
    // Each page after the first continues from the last session of the one before.
    expect(requests().map(r => [r.query.limit, r.query.cursor])).toEqual([
      [100, undefined],
      [100, sessions[99].id],
      [100, sessions[199].id],
    ]);
    for (const { authorization } of requests()) {
      // The mock auth service's token of the search plugin's own credentials, for the agents plugin.
      expect(authorization).toMatch(/^Bearer mock-service-token:/);
      expect(authorization).toContain('"sub":"plugin:test"');
      expect(authorization).toContain('"target":"agents"');
    }
  });

  it('maps a session to a document the search backend filters by session id', async () => {
    const collator = factory().execute();
    const { value } = await collator.next();
    await collator.return(undefined);
    const document = value as AgentSessionDocument;
    const session = sessions[0];

    expect(document).toEqual({
      title: 'Fix the flaky refund test',
      text: expect.any(String),
      location: `/agents/sessions/${session.id}`,
      entityRef: 'component:default/payments-service',
      owner: 'group:default/team-a',
      status: 'succeeded',
      harness: 'opencode',
      createdBy: 'user:default/alice',
      createdAt: session.createdAt,
      finishedAt: session.finishedAt,
      workBranch: session.workBranch,
      prUrl: 'https://github.com/example-org/payments-service/pull/7',
      prState: 'open',
      authorization: { resourceRef: session.id },
    });
    expect(document.text).toContain('It fails on Mondays.');
    expect(document.text).toContain('Pinned the clock in the refund test.');
    expect(document.text).toContain('opencode');
    expect(document.text).toContain(session.workBranch);
    expect(document.text).toContain('/pull/7');
  });

  it('reads one page ahead of the consumer, no further', async () => {
    const settled = () => new Promise(resolve => setTimeout(resolve, 50));
    // Pages read ahead by the tests before this one have arrived by now.
    await settled();
    fake.requests.length = 0;
    const collator = factory().execute();
    await collator.next();
    await settled();
    // The second page is read while the consumer takes the first.
    expect(requests()).toHaveLength(2);
    for (let i = 1; i < 100; i++) await collator.next();
    await settled();
    expect(requests()).toHaveLength(2);
    // Taking the second page's first session asks for the third.
    await collator.next();
    await settled();
    expect(requests()).toHaveLength(3);
    await collator.return(undefined);
    await settled();
    expect(requests()).toHaveLength(3);
  });

  it('stops early without an unhandled failure of the page read ahead', async () => {
    // Every page after the first fails, as when the agents backend goes away mid-collation.
    const failingAfterFirst: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.includes('cursor=')) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const collator = new AgentSessionCollatorFactory({
        discovery: mockServices.discovery.mock({ getBaseUrl: fake.discoveryApi.getBaseUrl }),
        auth: mockServices.auth(),
        fetch: failingAfterFirst,
        pageSize: 100,
      }).execute();
      await collator.next();
      await new Promise(resolve => setTimeout(resolve, 50));
      await collator.return(undefined);
      await new Promise(resolve => setTimeout(resolve, 50));
      expect(unhandled).not.toHaveBeenCalled();

      // A consumer that goes on gets the failure.
      const all = new AgentSessionCollatorFactory({
        discovery: mockServices.discovery.mock({ getBaseUrl: fake.discoveryApi.getBaseUrl }),
        auth: mockServices.auth(),
        fetch: failingAfterFirst,
        pageSize: 100,
      }).execute();
      for (let i = 0; i < 100; i++) await all.next();
      await expect(all.next()).rejects.toThrow('fetch failed');
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it("fails the collation with the API's error", async () => {
    const restore = fake.fail('ListSessions', 500, 'Error', 'database is down');
    const { documents, error } = await TestPipeline.fromCollator(
      await factory().getCollator(),
    ).execute();
    restore();
    expect(documents).toEqual([]);
    expect(error).toMatchObject({
      name: 'ResponseError',
      body: { error: { message: expect.stringContaining('database is down') } },
    });
  });
});
