import type { components } from './generated/openapi';
import { openApiDocument } from './generated/openapiDocument';
import {
  HARNESS_NAMES,
  SESSION_KINDS,
  SESSION_ORIGINS,
  type AgentsPolicy,
  type HarnessName,
  type HarnessResult,
  type HarnessRun,
  type Page,
  type Session,
  type SessionKind,
  type SessionOrigin,
  type SessionWithRuns,
} from './types';

/**
 * The domain types the backend works with against the schemas of the API that serves them. The
 * compile-time half fails `yarn tsc`; the runtime half checks the lists the backend validates with.
 */
type Schemas = components['schemas'];

/** True when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B
  ? 1
  : 2
  ? true
  : false;

/** The properties of `Domain` that `Api` does not describe (an index signature describes none). */
type Undocumented<Domain, Api> = {
  [K in keyof Domain]-?: K extends keyof Api
    ? unknown extends Api[K]
      ? K
      : never
    : K;
}[keyof Domain];

function expectType<T extends true>(): T | undefined {
  return undefined;
}

// What the backend returns is what the document says the API returns...
expectType<Session extends Schemas['Session'] ? true : false>();
expectType<SessionWithRuns extends Schemas['SessionWithRuns'] ? true : false>();
expectType<HarnessRun extends Schemas['HarnessRun'] ? true : false>();
expectType<Page<Session> extends Schemas['SessionPage'] ? true : false>();
expectType<AgentsPolicy extends Schemas['Policy'] ? true : false>();
// ...and nothing the document leaves out, so that a field added on one side only fails here.
expectType<Equal<Undocumented<Session, Schemas['Session']>, never>>();
expectType<Equal<Undocumented<HarnessRun, Schemas['HarnessRun']>, never>>();
expectType<Equal<Undocumented<Schemas['HarnessRun'], HarnessRun>, never>>();
expectType<Equal<HarnessResult, Schemas['HarnessResult']>>();
// The enumerations the backend validates with are the document's.
expectType<Equal<HarnessName, Schemas['HarnessName']>>();
expectType<Equal<SessionKind, Schemas['SessionKind']>>();
expectType<Equal<SessionOrigin, Schemas['SessionOrigin']['kind']>>();

describe('the domain types', () => {
  const schemas = openApiDocument.components.schemas;

  it('list the harnesses, session kinds and origins the OpenAPI document allows', () => {
    expect([...HARNESS_NAMES]).toEqual([...schemas.HarnessName.enum]);
    expect([...SESSION_KINDS]).toEqual([...schemas.SessionKind.enum]);
    expect([...SESSION_ORIGINS]).toEqual([
      ...schemas.SessionOrigin.properties.kind.enum,
    ]);
  });

  it('name every property of a session the document describes', () => {
    const documented = Object.keys(schemas.Session.properties).sort();
    // The keys of a session the backend builds with every optional field set.
    const session: Required<Session> = {
      id: '',
      kind: 'agent',
      entityRef: '',
      entityOwnerRef: '',
      repoUrl: '',
      baseBranch: '',
      workBranch: '',
      harness: 'demo',
      prompt: '',
      policy: { name: '', snapshot: {} },
      origin: { kind: 'api' },
      createdBy: '',
      status: 'pending',
      createdAt: '',
      updatedAt: '',
      startedAt: '',
      finishedAt: '',
      prUrl: '',
      prState: 'open',
      headCommit: '',
      summary: '',
      bundle: { id: '', digest: '', sizeBytes: 0, createdAt: '' },
      issueUrl: '',
      parentSessionId: '',
      integrationBranch: '',
      currentWave: 1,
      waveError: '',
      wave: 1,
      children: { total: 0, byStatus: {} },
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    };
    expect(Object.keys(session).sort()).toEqual(documented);
  });
});
