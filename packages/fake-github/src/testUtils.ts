import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAppKeyPair } from './jwt';
import type { FakeGitHub, FakeGitHubOptions } from './fakeGitHub';
import { startFakeGitHub } from './server';

/** One key pair for all tests (RSA generation is slow). */
export const APP_KEYS = generateAppKeyPair();
export const APP_ID = 4242;

export interface TestBed {
  fake: FakeGitHub;
  dir: string;
  cleanup(): Promise<void>;
}

/**
 * Starts a fake with App 4242 installed on `acme` (all repositories) and `solo` (only `solo/one`),
 * repositories `acme/widgets`, `acme/gadgets` and `solo/one`, and a PAT `ghp_alice` for `alice`.
 */
export async function startTestBed(
  options: Partial<FakeGitHubOptions> = {},
): Promise<TestBed> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-github-test-'));
  const fake = await startFakeGitHub({
    reposDir: join(dir, 'repos'),
    apps: [
      {
        appId: APP_ID,
        publicKeyPem: APP_KEYS.publicKeyPem,
        slug: 'agents-app',
        installations: [
          { id: 11, account: 'acme', repositories: 'all' },
          {
            id: 12,
            account: 'solo',
            repositories: ['one'],
            accountType: 'User',
          },
        ],
      },
    ],
    personalAccessTokens: [{ token: 'ghp_alice', login: 'alice' }],
    ...options,
  });
  await fake.createRepo('acme', 'widgets');
  await fake.createRepo('acme', 'gadgets');
  await fake.createRepo('solo', 'one');
  await fake.createRepo('solo', 'two');
  return {
    fake,
    dir,
    cleanup: async () => {
      await fake.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real git client with no user config, no prompts and no credential helper. */
export function gitClient(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<GitRun> {
  return new Promise(resolve => {
    execFile(
      'git',
      [
        '-c',
        'user.name=Test',
        '-c',
        'user.email=test@example.com',
        '-c',
        'credential.helper=',
        '-c',
        'init.defaultBranch=main',
        ...args,
      ],
      {
        cwd: options.cwd,
        env: {
          PATH: process.env.PATH,
          HOME: options.cwd ?? tmpdir(),
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_TERMINAL_PROMPT: '0',
          GIT_ASKPASS: '',
          SSH_ASKPASS: '',
          LANG: 'C',
          ...options.env,
        },
        encoding: 'utf8',
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as any).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

/** `http://x-access-token:<token>@host/owner/repo.git`. */
export function authedGitUrl(
  fake: FakeGitHub,
  owner: string,
  repo: string,
  token: string,
  username = 'x-access-token',
): string {
  const url = new URL(fake.gitUrl(owner, repo));
  url.username = username;
  url.password = token;
  return url.toString();
}
