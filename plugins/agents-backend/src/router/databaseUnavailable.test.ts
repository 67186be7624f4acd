import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { BundleService } from '../bundles/BundleService';
import { createBundleRouter } from './bundleRouter';
import { isDatabaseUnavailable } from './databaseUnavailable';

const RUN_ID = '0b8e2f3c-6a1d-4c59-9d0e-2f6f1c3b7a41';

/** PostgreSQL's error while it restarts, as pg raises it. */
const shuttingDown = () => Object.assign(new Error('the database system is shutting down'), { code: '57P03' });

describe('databaseUnavailable', () => {
  it('tells an unreachable database from a failed statement', () => {
    expect(isDatabaseUnavailable(shuttingDown())).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('something else'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  it('answers a bundle transfer that met a restarting database with 503 and Retry-After, which the harness retries', async () => {
    let failure: Error = shuttingDown();
    const bundles = {
      authenticate: async () => {
        throw failure;
      },
    } as unknown as BundleService;
    const app = express().use(
      createBundleRouter({ bundles, logger: mockServices.logger.mock(), config: new ConfigReader({}) }),
    );
    const server = app.listen(0);
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/runs/${RUN_ID}/bundle`;
      const unavailable = await fetch(url, { headers: { 'x-agents-run-token': 't' } });
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers.get('retry-after')).toBe('5');
      expect((await unavailable.json()).error.message).toMatch(/^The database is not available; try again shortly/);
      // Any other failure is still a 500.
      failure = new Error('a bug');
      expect((await fetch(url, { headers: { 'x-agents-run-token': 't' } })).status).toBe(500);
    } finally {
      server.close();
    }
  });
});
