import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { generateAppKeyPair, startFakeGitHub, type FakeGitHub } from '@backstage-agents/fake-github';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentsDatabase } from '../database/AgentsDatabase';
import { SessionEventHub } from '../events/SessionEventHub';
import { SessionLogs } from '../logs/SessionLogs';
import { databaseServiceFor } from '../__testUtils__/testDatabases';
import { newSessionInput } from '../testUtils/newSessionInput';
import { GitHubClients } from './GitHubClients';
import { PullRequestService } from './PullRequestService';

jest.setTimeout(60_000);

/** The pull request service against the fake GitHub, with sessions written straight to the store. */
describe('PullRequestService', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'], disableDocker: true });
  let github: FakeGitHub;
  let db: AgentsDatabase;
  let service: PullRequestService;
  const updatedEvents: string[] = [];

  beforeAll(async () => {
    const key = generateAppKeyPair();
    github = await startFakeGitHub({
      reposDir: fs.mkdtempSync(path.join(os.tmpdir(), 'agents-prs-')),
      apps: [{ appId: 7, privateKeyPem: key.privateKeyPem, installations: [{ id: 1, account: 'example-org', repositories: 'all' }] }],
    });
    await github.createRepo('example-org', 'payments');
    const integrations = ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [
            {
              host: `127.0.0.1:${github.port}`,
              apiBaseUrl: github.apiUrl,
              apps: [{ appId: 7, privateKey: key.privateKeyPem, clientId: 'c', clientSecret: 's', webhookSecret: 'w' }],
            },
          ],
        },
      }),
    );
    db = await AgentsDatabase.create({ database: databaseServiceFor(await databases.init('SQLITE_3')) });
    const hub = new SessionEventHub();
    hub.on('updated', ({ session }) => updatedEvents.push(session.id));
    const logger = mockServices.logger.mock();
    service = new PullRequestService({
      clients: new GitHubClients({ integrations, logger }),
      integrations,
      sessions: db.sessions,
      pullRequests: db.pullRequests,
      logs: new SessionLogs(db.logChunks, hub),
      hub,
      logger,
      appBaseUrl: 'https://backstage.example.com',
    });
  });

  afterAll(() => github?.stop());

  /** A finished session whose run pushed its work branch to the fake GitHub. */
  async function pushedSession(issueUrl?: string) {
    const { session } = await db.sessions.createSession(
      newSessionInput({
        repoUrl: `http://127.0.0.1:${github.port}/example-org/payments`,
        prompt: 'Fix partial refunds',
        issueUrl,
      }),
    );
    const sha = await github.commitFiles('example-org', 'payments', {
      branch: session.workBranch,
      from: 'main',
      files: { 'refunds.js': 'export const refund = () => 1;\n' },
      message: 'Fix partial refunds',
    });
    await db.transitions.transition(session.id, 'starting');
    await db.transitions.transition(session.id, 'running');
    await db.transitions.transition(session.id, 'succeeded', {
      headCommit: sha,
      summary: 'Partial refunds now round down',
      run: { result: { status: 'succeeded', pushed: true, summary: 'Partial refunds now round down' } },
    });
    return session.id;
  }

  it('opens a draft pull request that links the session and closes the issue it came from', async () => {
    const issueUrl = 'https://github.example.com/example-org/payments/issues/12';
    const id = await pushedSession(issueUrl);
    await service.sync(id);
    const session = (await db.sessions.getSession(id))!;
    expect(session.prUrl).toMatch(/\/example-org\/payments\/pull\/\d+$/);
    expect(session.prState).toBe('open');
    const pull = (await github.state.pulls()).find(p => session.prUrl!.endsWith(`/pull/${p.number}`))!;
    expect(pull).toMatchObject({ title: 'Partial refunds now round down', draft: true });
    expect(pull.body).toContain(`https://backstage.example.com/agents/sessions/${id}`);
    expect(pull.body).toContain(`Closes ${issueUrl}`);
    expect(updatedEvents).toContain(id);
  });

  it('refreshes the state of open pull requests: merged on GitHub, merged here', async () => {
    const id = await pushedSession();
    await service.sync(id);
    const number = Number((await db.sessions.getSession(id))!.prUrl!.split('/').pop());
    await github.mergePull('example-org', 'payments', number);
    await service.catchUp({ refreshOlderThanMinutes: 0 });
    expect((await db.sessions.getSession(id))!.prState).toBe('merged');
  });
});
