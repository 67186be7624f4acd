import {
  startRealBackend,
  type RealBackend,
} from './__testUtils__/realBackend';
import { runCli } from './__testUtils__/runCli';

jest.setTimeout(60_000);

/** The fixture's other database: a SQLite file, which a restarted backend finds as it was. */
describe('the real backend on SQLite', () => {
  let backend: RealBackend;
  beforeAll(async () => {
    backend = await startRealBackend({ database: 'SQLITE_3' });
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('keeps its sessions across a restart, and runs new ones after it', async () => {
    const options = { url: backend.url, token: backend.token };
    const first = await runCli(
      [
        'launch',
        backend.entityRef(),
        'Add a refund endpoint',
        '--wait',
        '--json',
      ],
      options,
    );
    expect(first.code).toBe(0);
    const { id } = JSON.parse(first.stdout.split('\n')[0]);

    await backend.restart();
    const get = await runCli(['get', id, '--json'], options);
    expect(JSON.parse(get.stdout)).toMatchObject({ id, status: 'succeeded' });
    const second = await runCli(
      ['launch', backend.entityRef(), 'Add tests', '--wait'],
      options,
    );
    expect(second.code).toBe(0);
  });
});
