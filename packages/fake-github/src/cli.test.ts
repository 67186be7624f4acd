import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { signAppJwt } from './jwt';

jest.setTimeout(60_000);

describe('fake-github CLI', () => {
  it('starts with an App, writes its key, creates repositories and prints its URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-github-cli-'));
    const child = spawn(
      process.execPath,
      [
        resolve(__dirname, '../bin/fake-github'),
        '--repos-dir',
        join(dir, 'repos'),
        '--app-id',
        '31',
        '--private-key-out',
        join(dir, 'key.pem'),
        '--installation',
        'acme=all',
        '--pat',
        'alice:ghp_cli',
        '--create-repo',
        'acme/widgets',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, INIT_CWD: dir },
      },
    );
    try {
      let output = '';
      const url = await new Promise<string>((res, rej) => {
        child.stdout.on('data', chunk => {
          output += chunk;
          const match = /listening at (http:\/\/\S+)/.exec(output);
          if (match && output.includes('installation 1 on acme')) res(match[1]);
        });
        child.stderr.on('data', chunk => {
          output += chunk;
        });
        child.on('exit', code => rej(new Error(`exited ${code}: ${output}`)));
      });
      const privateKeyPem = await readFile(join(dir, 'key.pem'), 'utf8');
      expect(privateKeyPem).toMatch(/BEGIN RSA PRIVATE KEY/);
      const jwt = signAppJwt({ issuer: 31, privateKeyPem });
      const installations = await fetch(`${url}/app/installations`, {
        headers: { authorization: `Bearer ${jwt}` },
      });
      expect(await installations.json()).toEqual([
        expect.objectContaining({
          id: 1,
          account: expect.objectContaining({ login: 'acme' }),
        }),
      ]);
      const repo = await fetch(`${url}/repos/acme/widgets`, {
        headers: { authorization: 'token ghp_cli' },
      });
      expect(repo.status).toBe(200);
      expect(output).toContain(`${url}/acme/widgets.git`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise(r => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    }
  });
});
