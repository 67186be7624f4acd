import type { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { createTestDatabases, databaseServiceFor } from '../__testUtils__/testDatabases';
import { AgentsDatabase } from './AgentsDatabase';
import { LeaseStore } from './LeaseStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('LeaseStore on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let leases: LeaseStore;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    leases = (await AgentsDatabase.create({ database: databaseServiceFor(knex) })).leases;
  });

  it('is held by one holder at a time, which can renew it', async () => {
    expect(await leases.acquire('one', 'a', 60_000)).toBe(true);
    expect(await leases.acquire('one', 'b', 60_000)).toBe(false);
    expect(await leases.acquire('one', 'a', 60_000)).toBe(true);
    expect(await leases.holderOf('one')).toBe('a');
    // Another name is another lease.
    expect(await leases.acquire('two', 'b', 60_000)).toBe(true);
  });

  it('goes to another holder once it lapses', async () => {
    expect(await leases.acquire('lapsing', 'a', 200)).toBe(true);
    expect(await leases.acquire('lapsing', 'b', 60_000)).toBe(false);
    await new Promise(resolve => setTimeout(resolve, 400));
    expect(await leases.holderOf('lapsing')).toBeUndefined();
    expect(await leases.acquire('lapsing', 'b', 60_000)).toBe(true);
    // The former holder cannot renew what it lost.
    expect(await leases.acquire('lapsing', 'a', 60_000)).toBe(false);
    expect(await leases.holderOf('lapsing')).toBe('b');
  });

  it('is free at once when released, and only its holder can release it', async () => {
    expect(await leases.acquire('released', 'a', 60_000)).toBe(true);
    await leases.release('released', 'b');
    expect(await leases.holderOf('released')).toBe('a');
    await leases.release('released', 'a');
    expect(await leases.holderOf('released')).toBeUndefined();
    expect(await leases.acquire('released', 'b', 60_000)).toBe(true);
  });

  it('gives a contested lease to exactly one of many holders', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => leases.acquire('contested', `h${i}`, 60_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
