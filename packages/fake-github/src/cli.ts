import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateAppKeyPair } from './jwt';
import { InstallationConfig, PersonalAccessTokenConfig } from './model';
import { startFakeGitHub } from './server';

const USAGE = `Usage: fake-github [options]

Starts the fake GitHub (REST API, App authentication, webhooks, git smart HTTP over
local bare repositories) and runs until interrupted.

Options:
  --port <n>                   port (default 0: a free port)
  --host <addr>                interface to bind (default 127.0.0.1)
  --repos-dir <dir>            bare repositories, <dir>/<owner>/<repo>[.git] (default a temp dir)
  --app-id <n>                 register a GitHub App with this id and a generated key
  --private-key-out <file>     write the App's private key (PEM) there, for the backend's config
  --installation <owner=all|repo,repo>
                               install the App on an account (repeatable; default ids 1, 2, …)
  --webhook-url <url>          deliver issue and comment events there
  --webhook-secret <secret>    sign deliveries (X-Hub-Signature-256)
  --pat <login:token>          accept a personal access token for <login> (repeatable)
  --create-repo <owner/name>   create a repository if it does not exist (repeatable)
  -h, --help                   show this help
`;

export async function main(
  argv: string[] = process.argv.slice(2),
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'repos-dir': { type: 'string' },
      'app-id': { type: 'string' },
      'private-key-out': { type: 'string' },
      installation: { type: 'string', multiple: true },
      'webhook-url': { type: 'string' },
      'webhook-secret': { type: 'string' },
      pat: { type: 'string', multiple: true },
      'create-repo': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  // Under `yarn fake-github` the cwd is the package; INIT_CWD is where the user ran the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const reposDir = values['repos-dir']
    ? resolve(cwd, values['repos-dir'])
    : mkdtempSync(join(tmpdir(), 'fake-github-repos-'));

  const installations: InstallationConfig[] = (values.installation ?? []).map(
    (spec, index) => {
      const eq = spec.indexOf('=');
      const account = eq >= 0 ? spec.slice(0, eq) : spec;
      const repos = eq >= 0 ? spec.slice(eq + 1) : 'all';
      return {
        id: index + 1,
        account,
        repositories:
          repos === 'all' ? 'all' : repos.split(',').filter(Boolean),
      };
    },
  );
  if (installations.length && !values['app-id'])
    throw new Error('--installation needs --app-id');

  let privateKeyPem: string | undefined;
  const apps = [];
  if (values['app-id']) {
    const keys = generateAppKeyPair();
    privateKeyPem = keys.privateKeyPem;
    apps.push({
      appId: Number(values['app-id']),
      publicKeyPem: keys.publicKeyPem,
      installations,
    });
    if (values['private-key-out']) {
      const out = resolve(cwd, values['private-key-out']);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, privateKeyPem, { mode: 0o600 });
    }
  }
  const personalAccessTokens: PersonalAccessTokenConfig[] = (
    values.pat ?? []
  ).map(spec => {
    const colon = spec.indexOf(':');
    if (colon < 0) throw new Error(`--pat wants <login:token>, got ${spec}`);
    return { login: spec.slice(0, colon), token: spec.slice(colon + 1) };
  });

  const fake = await startFakeGitHub({
    reposDir,
    port: values.port ? Number(values.port) : 0,
    host: values.host,
    apps,
    personalAccessTokens,
    webhook: values['webhook-url']
      ? { url: values['webhook-url'], secret: values['webhook-secret'] }
      : undefined,
  });
  for (const spec of values['create-repo'] ?? []) {
    const [owner, name] = spec.split('/');
    if (!fake.store.findRepo(owner, name)) await fake.createRepo(owner, name);
  }

  const out = (line: string) => process.stdout.write(`fake-github: ${line}\n`);
  out(`listening at ${fake.url} (REST also under ${fake.enterpriseApiUrl})`);
  out(`repositories in ${reposDir}`);
  for (const repo of fake.state.repos()) out(`  ${repo.cloneUrl}`);
  if (values['app-id']) {
    out(
      `App ${values['app-id']}${
        values['private-key-out']
          ? `, private key written to ${resolve(
              cwd,
              values['private-key-out'],
            )}`
          : ' (no --private-key-out: the key is not saved)'
      }`,
    );
    for (const i of installations)
      out(
        `  installation ${i.id} on ${i.account}: ${
          i.repositories === 'all'
            ? 'all repositories'
            : i.repositories.join(', ')
        }`,
      );
  }
  if (values['webhook-url']) out(`webhooks to ${values['webhook-url']}`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await fake.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
