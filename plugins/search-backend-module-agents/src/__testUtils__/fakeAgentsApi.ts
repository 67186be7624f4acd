import type { Session } from '@backstage-agents/plugin-agents-common';
import express from 'express';

/** A session as the agents API returns it. */
export function makeSession(i: number, overrides: Partial<Session> = {}): Session {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return {
    id,
    kind: 'agent',
    entityRef: 'component:default/payments-service',
    entityOwnerRef: 'group:default/team-a',
    repoUrl: 'https://github.com/example-org/payments-service',
    baseBranch: 'main',
    workBranch: `agents/${id.slice(0, 8)}-${i}`,
    harness: 'opencode',
    prompt: `Task ${i}: add a subtract function\n\nWith tests.`,
    policy: { name: 'default', snapshot: {} },
    origin: { kind: 'api' },
    createdBy: 'user:default/alice',
    status: 'succeeded',
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
    updatedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
    finishedAt: new Date(Date.UTC(2025, 0, 1, 0, 1, i)).toISOString(),
    ...overrides,
  };
}

export type RecordedRequest = { limit?: string; cursor?: string; authorization?: string };

/**
 * `GET /sessions` of the agents API over an in-memory list (already newest first), with keyset
 * cursors like the real one: the cursor is the index of the next session, base64url encoded.
 */
export function fakeSessionsRouter(
  sessions: Session[],
  requests: RecordedRequest[] = [],
): express.Router {
  const router = express.Router();
  router.get('/sessions', (req, res) => {
    const limit = Number(req.query.limit ?? 20);
    const cursor = req.query.cursor as string | undefined;
    requests.push({
      limit: req.query.limit as string | undefined,
      cursor,
      authorization: req.headers.authorization,
    });
    if (limit > 100) {
      res.status(400).json({ error: { name: 'InputError', message: 'limit too large' } });
      return;
    }
    const start = cursor ? Number(Buffer.from(cursor, 'base64url').toString()) : 0;
    const items = sessions.slice(start, start + limit);
    const next = start + limit;
    res.json({
      items,
      nextCursor:
        next < sessions.length ? Buffer.from(String(next)).toString('base64url') : undefined,
    });
  });
  return router;
}
