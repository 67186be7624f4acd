import type { NewSession } from '../database/SessionStore';

/** A valid session to write directly to the store in tests and benchmarks; override what matters. */
export function newSessionInput(overrides: Partial<NewSession> = {}): NewSession {
  return {
    entityRef: 'component:default/payments',
    entityOwnerRef: 'group:default/team-a',
    repoUrl: 'https://github.com/example-org/payments',
    baseBranch: 'main',
    workBranchPrefix: 'agents/',
    harness: 'opencode',
    prompt: 'Add a refund endpoint',
    policy: {
      name: 'default',
      snapshot: {
        egressProfile: 'github-only',
        timeoutSeconds: 60,
        resources: { cpu: '1', memory: '1Gi', ephemeralStorage: '1Gi' },
      },
    },
    origin: { kind: 'api' },
    createdBy: 'user:default/jane',
    ...overrides,
  };
}
