import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { CoreV1Api } from '@kubernetes/client-node';
import { AgentsDatabase } from '../database/AgentsDatabase';
import { databaseServiceFor } from '../__testUtils__/testDatabases';
import { newSessionInput } from '../testUtils/newSessionInput';
import { SessionEventHub } from '../events/SessionEventHub';
import { Launcher } from './Launcher';

const databases = TestDatabases.create({ ids: ['SQLITE_3'], disableDocker: true });

async function setup(core: Partial<CoreV1Api>) {
  const hub = new SessionEventHub();
  const db = await AgentsDatabase.create({
    database: databaseServiceFor(await databases.init('SQLITE_3')),
    onStatusChanges: changes => hub.publishStatus(...changes),
  });
  const launcher = new Launcher({
    core: core as CoreV1Api,
    transitions: db.transitions,
    logger: mockServices.logger.mock(),
    namespace: 'agents',
    defaultImage: 'harness:test',
    apiUrl: 'http://backstage.test/api/agents',
    harnessProviders: new Map(),
    apiTimeoutMs: 200,
  });
  const { session } = await db.sessions.createSession(newSessionInput({ prompt: 'Work' }));
  return { db, hub, launcher, session };
}

describe('Launcher', () => {
  it('fails the session and cleans up when the API server does not answer', async () => {
    const deleted: string[] = [];
    const { db, launcher, session } = await setup({
      createNamespacedSecret: async () => ({}) as any,
      createNamespacedPod: () => new Promise(() => {}),
      deleteNamespacedPod: async ({ name }: any) => deleted.push(`pod/${name}`) as any,
      deleteNamespacedSecret: async ({ name }: any) => deleted.push(`secret/${name}`) as any,
    });
    expect(await launcher.launch(session)).toBe(true);
    const failed = await db.sessions.getSession(session.id);
    expect(failed!.status).toBe('failed');
    expect(failed!.runs[0].reason).toContain('did not answer within 200 ms');
    const name = `agents-run-${session.runs[0].id}`;
    expect(deleted).toEqual([`pod/${name}`, `secret/${name}`]);
  });

  it("tells the fan-out's viewers when launching one of its tasks moves it", async () => {
    const { db, hub, launcher } = await setup({
      createNamespacedSecret: async () => ({}) as any,
      createNamespacedPod: () => new Promise(() => {}),
      deleteNamespacedPod: async () => ({}) as any,
      deleteNamespacedSecret: async () => ({}) as any,
    });
    const fanOut = (await db.sessions.createSession(newSessionInput({ kind: 'fanout' }))).session;
    const task = (await db.sessions.createSession(newSessionInput({ parentSessionId: fanOut.id }))).session;
    const heard: string[] = [];
    hub.subscribe(fanOut.id, event => {
      if (event.type === 'status') heard.push(event.session.status);
    });
    // The claim starts the fan-out; the pod that never comes fails the task, and with it the fan-out.
    expect(await launcher.launch(task)).toBe(true);
    expect(heard).toEqual(['running', 'failed']);
  });

  it('launches a session once, however many callers race for it', async () => {
    const pods: string[] = [];
    const { launcher, session } = await setup({
      createNamespacedSecret: async () => ({}) as any,
      createNamespacedPod: async ({ body }: any) => {
        pods.push(body.metadata.name);
        return { metadata: { name: body.metadata.name, uid: 'uid-1' } } as any;
      },
      patchNamespacedSecret: async () => ({}) as any,
    });
    const results = await Promise.all([1, 2, 3].map(() => launcher.launch(session)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(pods).toHaveLength(1);
  });

  it('retries a create the API server failed briefly, instead of failing the session', async () => {
    const apiError = (code: number) => Object.assign(new Error('injected'), { code, body: '{"message":"injected fault"}' });
    const pods: string[] = [];
    let podCalls = 0;
    let secretCalls = 0;
    const { db, launcher, session } = await setup({
      createNamespacedSecret: async () => {
        secretCalls += 1;
        if (secretCalls === 1) throw apiError(503);
        return {} as any;
      },
      createNamespacedPod: async ({ body }: any) => {
        podCalls += 1;
        if (podCalls === 1) throw apiError(500);
        pods.push(body.metadata.name);
        return { metadata: { name: body.metadata.name, uid: 'uid-1' } } as any;
      },
      patchNamespacedSecret: async () => ({}) as any,
    });
    expect(await launcher.launch(session)).toBe(true);
    expect((await db.sessions.getSession(session.id))!.status).toBe('starting');
    expect(pods).toEqual([`agents-run-${session.runs[0].id}`]);
  });

  it('adopts the pod a failed create made when the retry finds it exists', async () => {
    const apiError = (code: number) => Object.assign(new Error('injected'), { code });
    const owners: string[] = [];
    let podCalls = 0;
    const { db, launcher, session } = await setup({
      createNamespacedSecret: async () => ({}) as any,
      // The first create went through but its answer was lost; the retry conflicts with it.
      createNamespacedPod: async () => {
        podCalls += 1;
        throw apiError(podCalls === 1 ? 502 : 409);
      },
      readNamespacedPod: async ({ name }: any) => ({ metadata: { name, uid: 'uid-first' } }) as any,
      patchNamespacedSecret: async ({ body }: any) => owners.push(body[0].value[0].uid) as any,
    });
    expect(await launcher.launch(session)).toBe(true);
    expect((await db.sessions.getSession(session.id))!.status).toBe('starting');
    expect(owners).toEqual(['uid-first']);
  });

  it('launches again, once, a session whose launch died between its claim and its pod', async () => {
    const calls: string[] = [];
    const { db, launcher, session } = await setup({
      readNamespacedPod: async () => Promise.reject(Object.assign(new Error('not found'), { code: 404 })),
      createNamespacedSecret: async ({ body }: any) => calls.push(`create secret/${body.metadata.name}`) as any,
      createNamespacedPod: async ({ body }: any) => {
        calls.push(`create pod/${body.metadata.name}`);
        return { metadata: { name: body.metadata.name, uid: 'uid-1' } } as any;
      },
      patchNamespacedSecret: async () => ({}) as any,
    });
    // The replica that claimed it died before creating anything.
    await db.transitions.applyTransition(session.id, 'starting', { run: { runTokenHash: 'old-hash' } });
    const interrupted = (await db.sessions.getSession(session.id))!;
    const results = await Promise.all([1, 2].map(() => launcher.launch(interrupted, { interrupted: true })));
    expect(results.filter(Boolean)).toHaveLength(1);
    const name = `agents-run-${session.runs[0].id}`;
    expect(calls).toEqual([`create secret/${name}`, `create pod/${name}`]);
    const relaunched = await db.sessions.getSession(session.id);
    expect(relaunched!.status).toBe('starting');
    expect(relaunched!.updatedAt).not.toBe(interrupted.updatedAt);
  });

  it('leaves a slow launch be when its pod is there after all', async () => {
    const { db, launcher, session } = await setup({
      readNamespacedPod: async ({ name }: any) => ({ metadata: { name, uid: 'uid-1' } }) as any,
      createNamespacedSecret: async () => {
        throw new Error('nothing is created again');
      },
    });
    await db.transitions.applyTransition(session.id, 'starting', { run: { runTokenHash: 'old-hash' } });
    const slow = (await db.sessions.getSession(session.id))!;
    expect(await launcher.launch(slow, { interrupted: true })).toBe(true);
    // Not reclaimed: the run keeps the token its pod holds.
    expect(await db.transitions.holdsLaunch(session.id, 'old-hash')).toBe(true);
  });

  it('takes over the secret and the pod that a slow launch creates while it relaunches', async () => {
    const calls: string[] = [];
    const conflict = () => Object.assign(new Error('already exists'), { code: 409 });
    const { db, launcher, session } = await setup({
      readNamespacedPod: async ({ name }: any) => {
        // Not there when the relaunch looks; there (the slow launch's) when it meets the conflict.
        if (!calls.some(c => c.startsWith('create pod'))) throw Object.assign(new Error('not found'), { code: 404 });
        calls.push(`read pod/${name}`);
        return { metadata: { name, uid: 'uid-slow' } } as any;
      },
      createNamespacedSecret: async ({ body }: any) => {
        calls.push(`create secret/${body.metadata.name}`);
        throw conflict();
      },
      replaceNamespacedSecret: async ({ name }: any) => calls.push(`replace secret/${name}`) as any,
      createNamespacedPod: async ({ body }: any) => {
        calls.push(`create pod/${body.metadata.name}`);
        throw conflict();
      },
      patchNamespacedSecret: async ({ body }: any) => calls.push(`own by ${body[0].value[0].uid}`) as any,
      deleteNamespacedPod: async () => calls.push('delete pod') as any,
      deleteNamespacedSecret: async () => calls.push('delete secret') as any,
    });
    await db.transitions.applyTransition(session.id, 'starting', { run: { runTokenHash: 'old-hash' } });
    const interrupted = (await db.sessions.getSession(session.id))!;
    expect(await launcher.launch(interrupted, { interrupted: true })).toBe(true);
    const name = `agents-run-${session.runs[0].id}`;
    expect(calls).toEqual([
      `create secret/${name}`,
      `replace secret/${name}`,
      `create pod/${name}`,
      `read pod/${name}`,
      'own by uid-slow',
    ]);
    expect((await db.sessions.getSession(session.id))!.status).toBe('starting');
  });

  it('neither cleans up nor fails a session whose launch a relaunch took over', async () => {
    const calls: string[] = [];
    // Set once setup has made the database the API stubs below use.
    const stores: { db?: Awaited<ReturnType<typeof setup>>['db'] } = {};
    const { launcher, session, db } = await setup({
      createNamespacedSecret: async () => ({}) as any,
      createNamespacedPod: async () => {
        // Meanwhile another replica gave the launch up for dead and relaunched it.
        const seen = (await stores.db!.sessions.getSession(session.id))!;
        const reclaimed = await stores.db!.transitions.reclaimLaunch(session.id, seen.updatedAt, {
          runTokenHash: 'relaunch-hash',
        });
        expect(reclaimed).toBe(true);
        throw Object.assign(new Error('already exists'), { code: 409 });
      },
      deleteNamespacedPod: async () => calls.push('delete pod') as any,
      deleteNamespacedSecret: async () => calls.push('delete secret') as any,
    });
    stores.db = db;
    expect(await launcher.launch(session)).toBe(true);
    expect(calls).toEqual([]);
    expect((await db.sessions.getSession(session.id))!.status).toBe('starting');
  });

  it('settles once the session is claimed when asked to, and creates its pod after that', async () => {
    let answerSecret!: () => void;
    const secretAnswered = new Promise<void>(resolve => {
      answerSecret = resolve;
    });
    const created: string[] = [];
    const { db, launcher, session } = await setup({
      createNamespacedSecret: async () => {
        await secretAnswered;
        return {} as any;
      },
      createNamespacedPod: async ({ body }: any) => {
        created.push(body.metadata.name);
        return { metadata: { name: body.metadata.name, uid: 'uid-1' } } as any;
      },
      patchNamespacedSecret: async () => ({}) as any,
    });
    expect(await launcher.launch(session, { afterClaim: true })).toBe(true);
    expect((await db.sessions.getSession(session.id))!.status).toBe('starting');
    expect(created).toEqual([]);
    answerSecret();
    for (let i = 0; i < 50 && created.length === 0; i++) await new Promise(resolve => setTimeout(resolve, 10));
    expect(created).toEqual([`agents-run-${session.runs[0].id}`]);
  });

  it('still fails the session when the API server refuses the pod', async () => {
    const { db, launcher, session } = await setup({
      createNamespacedSecret: async () => ({}) as any,
      createNamespacedPod: async () => {
        throw Object.assign(new Error('forbidden'), { code: 403, body: '{"message":"violates PodSecurity"}' });
      },
      deleteNamespacedPod: async () => ({}) as any,
      deleteNamespacedSecret: async () => ({}) as any,
    });
    expect(await launcher.launch(session)).toBe(true);
    const failed = await db.sessions.getSession(session.id);
    expect(failed!.status).toBe('failed');
    expect(failed!.runs[0].reason).toContain('403 violates PodSecurity');
  });
});
