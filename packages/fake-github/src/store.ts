import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BareRepository, git, initBareRepository } from './git';
import { publicKeyOf } from './jwt';
import {
  AppConfig,
  DEFAULT_APP_PERMISSIONS,
  InstallationConfig,
  IssueRecord,
  IssuedToken,
  LabelRecord,
  PermissionLevel,
  Permissions,
  PersonalAccessTokenConfig,
  RepoRecord,
  UserRef,
} from './model';

export interface AppRecord {
  appId: number;
  slug: string;
  name: string;
  clientId: string;
  publicKeyPem: string;
  permissions: Permissions;
  installations: InstallationRecord[];
  createdAt: string;
}

export interface InstallationRecord {
  id: number;
  appId: number;
  account: string;
  accountType: 'Organization' | 'User';
  repositories: 'all' | string[];
  permissions: Permissions;
  createdAt: string;
}

export interface CreateRepoOptions {
  /** Default `main`. */
  defaultBranch?: string;
  /** Files of the initial commit; default a README.md. */
  files?: Record<string, string>;
  /** Default true: only credentials that reach the repository can see it. */
  private?: boolean;
}

const LEVELS: Record<PermissionLevel, number> = {
  read: 1,
  write: 2,
  admin: 3,
};

/** Whether `granted` includes `wanted` (`write` includes `read`, `admin` includes both). */
export function levelAtLeast(
  granted: PermissionLevel | undefined,
  wanted: PermissionLevel,
): boolean {
  return !!granted && LEVELS[granted] >= LEVELS[wanted];
}

export function isPermissionLevel(value: unknown): value is PermissionLevel {
  return typeof value === 'string' && value in LEVELS;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A token in GitHub's format: prefix + 36 base62 characters. */
export function randomToken(prefix: string): string {
  const bytes = randomBytes(36);
  let out = prefix;
  for (const byte of bytes) out += BASE62[byte % 62];
  return out;
}

const key = (owner: string, name: string) =>
  `${owner.toLowerCase()}/${name.toLowerCase()}`;

const NAME = /^[A-Za-z0-9_.-]+$/;

/** Everything the fake knows: repositories, Apps and installations, tokens, issues and pull requests. */
export class GitHubStore {
  readonly reposDir: string;
  readonly repos = new Map<string, RepoRecord>();
  readonly apps = new Map<number, AppRecord>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly pats = new Map<string, PersonalAccessTokenConfig>();
  /** Issues and pull requests by repository key (`owner/name`, lower case), in creation order. */
  readonly issues = new Map<string, IssueRecord[]>();
  readonly labels = new Map<string, Map<string, LabelRecord>>();
  private readonly userIds = new Map<string, number>();
  private nextIds = {
    repo: 1_000,
    user: 5_000,
    issue: 100_000,
    pull: 200_000,
    comment: 300_000,
    label: 400_000,
  };
  installationTokenTtlSeconds = 3600;

  constructor(reposDir: string) {
    this.reposDir = resolve(reposDir);
  }

  nextId(kind: keyof GitHubStore['nextIds']): number {
    this.nextIds[kind] += 1;
    return this.nextIds[kind];
  }

  userId(login: string): number {
    const k = login.toLowerCase();
    let id = this.userIds.get(k);
    if (id === undefined) {
      id = this.nextId('user');
      this.userIds.set(k, id);
    }
    return id;
  }

  // ---- repositories -------------------------------------------------------------------------

  /** Registers every bare repository found as `<reposDir>/<owner>/<name>[.git]`. */
  async discoverRepos(): Promise<void> {
    await mkdir(this.reposDir, { recursive: true });
    for (const owner of await readdir(this.reposDir, { withFileTypes: true })) {
      if (!owner.isDirectory() || !NAME.test(owner.name)) continue;
      const ownerDir = join(this.reposDir, owner.name);
      for (const entry of await readdir(ownerDir, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const dir = join(ownerDir, entry.name);
        if (!isBareRepo(dir)) continue;
        this.register(owner.name, entry.name.replace(/\.git$/, ''), dir);
      }
    }
  }

  private register(owner: string, name: string, dir: string): RepoRecord {
    const existing = this.repos.get(key(owner, name));
    if (existing) return existing;
    const record: RepoRecord = {
      id: this.nextId('repo'),
      owner,
      name,
      dir,
      private: true,
      createdAt: new Date().toISOString(),
    };
    this.repos.set(key(owner, name), record);
    this.userId(owner);
    return record;
  }

  /** The repository, also picking up one created on disk by another process since start. */
  findRepo(owner: string, name: string): RepoRecord | undefined {
    const found = this.repos.get(key(owner, name));
    if (found) return found;
    if (!NAME.test(owner) || !NAME.test(name)) return undefined;
    for (const candidate of [`${name}.git`, name]) {
      const dir = join(this.reposDir, owner, candidate);
      if (isBareRepo(dir)) return this.register(owner, name, dir);
    }
    return undefined;
  }

  repoById(id: number): RepoRecord | undefined {
    return [...this.repos.values()].find(r => r.id === id);
  }

  /** Repositories of an account, in registration order. */
  reposOf(owner: string): RepoRecord[] {
    const lower = owner.toLowerCase();
    return [...this.repos.values()].filter(
      r => r.owner.toLowerCase() === lower,
    );
  }

  async createRepo(
    owner: string,
    name: string,
    options: CreateRepoOptions = {},
  ): Promise<RepoRecord> {
    if (!NAME.test(owner) || !NAME.test(name) || name.endsWith('.git')) {
      throw new Error(`Invalid repository name ${owner}/${name}`);
    }
    if (this.findRepo(owner, name)) {
      throw new Error(`Repository ${owner}/${name} already exists`);
    }
    const dir = join(this.reposDir, owner, `${name}.git`);
    await mkdir(join(this.reposDir, owner), { recursive: true });
    await initBareRepository(dir, {
      defaultBranch: options.defaultBranch ?? 'main',
      files: options.files ?? { 'README.md': `# ${name}\n` },
    });
    const record = this.register(owner, name, dir);
    record.private = options.private ?? true;
    return record;
  }

  git(repo: RepoRecord): BareRepository {
    return new BareRepository(repo.dir);
  }

  /** Lets git http-backend accept pushes to a repository that was created elsewhere. */
  async enableReceivePack(repo: RepoRecord): Promise<void> {
    await git(['--git-dir', repo.dir, 'config', 'http.receivepack', 'true']);
  }

  // ---- Apps and installations ---------------------------------------------------------------

  addApp(config: AppConfig): AppRecord {
    if (this.apps.has(config.appId))
      throw new Error(`App ${config.appId} already exists`);
    const publicKeyPem =
      config.publicKeyPem ??
      (config.privateKeyPem ? publicKeyOf(config.privateKeyPem) : undefined);
    if (!publicKeyPem)
      throw new Error(
        `App ${config.appId} needs a publicKeyPem or privateKeyPem`,
      );
    const permissions = config.permissions ?? { ...DEFAULT_APP_PERMISSIONS };
    const app: AppRecord = {
      appId: config.appId,
      slug: config.slug ?? `fake-app-${config.appId}`,
      name: config.name ?? `Fake App ${config.appId}`,
      clientId: config.clientId ?? `Iv1.fake${config.appId}`,
      publicKeyPem,
      permissions,
      installations: [],
      createdAt: new Date().toISOString(),
    };
    this.apps.set(app.appId, app);
    for (const installation of config.installations ?? [])
      this.addInstallation(app.appId, installation);
    return app;
  }

  addInstallation(
    appId: number,
    config: InstallationConfig,
  ): InstallationRecord {
    const app = this.apps.get(appId);
    if (!app) throw new Error(`Unknown App ${appId}`);
    if (this.findInstallation(config.id))
      throw new Error(`Installation ${config.id} already exists`);
    const installation: InstallationRecord = {
      id: config.id,
      appId,
      account: config.account,
      accountType: config.accountType ?? 'Organization',
      repositories: config.repositories,
      permissions: config.permissions ?? { ...app.permissions },
      createdAt: new Date().toISOString(),
    };
    app.installations.push(installation);
    this.userId(config.account);
    return installation;
  }

  findInstallation(id: number): InstallationRecord | undefined {
    for (const app of this.apps.values()) {
      const found = app.installations.find(i => i.id === id);
      if (found) return found;
    }
    return undefined;
  }

  /** Whether an installation covers a repository of its account. */
  installationCovers(
    installation: InstallationRecord,
    repo: { owner: string; name: string },
  ): boolean {
    if (installation.account.toLowerCase() !== repo.owner.toLowerCase())
      return false;
    return (
      installation.repositories === 'all' ||
      installation.repositories.some(
        n => n.toLowerCase() === repo.name.toLowerCase(),
      )
    );
  }

  /** Installations (of any App) that cover a repository. */
  installationsFor(repo: RepoRecord): InstallationRecord[] {
    return [...this.apps.values()].flatMap(app =>
      app.installations.filter(i => this.installationCovers(i, repo)),
    );
  }

  /** Repositories an installation can reach (those that exist). */
  installationRepos(installation: InstallationRecord): RepoRecord[] {
    return this.reposOf(installation.account).filter(r =>
      this.installationCovers(installation, r),
    );
  }

  issueToken(
    installation: InstallationRecord,
    options: {
      repositories?: RepoRecord[];
      permissions: Permissions;
    },
  ): IssuedToken {
    const now = Date.now();
    let repositories: string[] | undefined;
    if (options.repositories)
      repositories = options.repositories.map(r => r.name);
    else if (installation.repositories !== 'all')
      repositories = this.installationRepos(installation).map(r => r.name);
    const token: IssuedToken = {
      token: randomToken('ghs_'),
      appId: installation.appId,
      installationId: installation.id,
      account: installation.account,
      repositorySelection:
        options.repositories || installation.repositories !== 'all'
          ? 'selected'
          : 'all',
      repositories,
      permissions: options.permissions,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(
        now + this.installationTokenTtlSeconds * 1000,
      ).toISOString(),
      revoked: false,
    };
    this.tokens.set(token.token, token);
    return token;
  }

  /** Whether an installation token reaches a repository (its account, and its selection). */
  tokenCovers(token: IssuedToken, repo: RepoRecord): boolean {
    const installation = this.findInstallation(token.installationId);
    if (!installation || !this.installationCovers(installation, repo))
      return false;
    return (
      token.repositorySelection === 'all' ||
      (token.repositories ?? []).some(
        n => n.toLowerCase() === repo.name.toLowerCase(),
      )
    );
  }

  botUser(appId: number): UserRef {
    const app = this.apps.get(appId);
    return { login: `${app?.slug ?? `app-${appId}`}[bot]`, type: 'Bot' };
  }

  // ---- issues and pull requests -------------------------------------------------------------

  issuesOf(repo: RepoRecord): IssueRecord[] {
    const k = key(repo.owner, repo.name);
    let list = this.issues.get(k);
    if (!list) {
      list = [];
      this.issues.set(k, list);
    }
    return list;
  }

  findIssue(repo: RepoRecord, number: number): IssueRecord | undefined {
    return this.issuesOf(repo).find(i => i.number === number);
  }

  /** Creates an issue (or, with `pull`, a pull request) with the repository's next number. */
  addIssue(
    repo: RepoRecord,
    fields: Pick<IssueRecord, 'title' | 'body' | 'user'> & {
      labels?: string[];
      pull?: Omit<IssueRecord['pull'] & {}, 'id'>;
    },
  ): IssueRecord {
    const list = this.issuesOf(repo);
    const now = new Date().toISOString();
    const issue: IssueRecord = {
      id: this.nextId('issue'),
      owner: repo.owner,
      repo: repo.name,
      number: list.length + 1,
      title: fields.title,
      body: fields.body,
      user: fields.user,
      labels: [],
      state: 'open',
      stateReason: null,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      comments: [],
      pull: fields.pull
        ? { ...fields.pull, id: this.nextId('pull') }
        : undefined,
    };
    for (const label of fields.labels ?? []) this.addLabel(repo, issue, label);
    list.push(issue);
    this.userId(fields.user.login);
    return issue;
  }

  /** Adds a label to an issue, defining it in the repository if new; false if it was already there. */
  addLabel(repo: RepoRecord, issue: IssueRecord, name: string): boolean {
    this.label(repo, name);
    if (issue.labels.some(l => l.toLowerCase() === name.toLowerCase()))
      return false;
    issue.labels.push(name);
    return true;
  }

  label(repo: RepoRecord, name: string): LabelRecord {
    const k = key(repo.owner, repo.name);
    let labels = this.labels.get(k);
    if (!labels) {
      labels = new Map();
      this.labels.set(k, labels);
    }
    let label = labels.get(name.toLowerCase());
    if (!label) {
      const id = this.nextId('label');
      label = {
        id,
        name,
        color: ((id * 2654435761) % 0xffffff).toString(16).padStart(6, '0'),
      };
      labels.set(name.toLowerCase(), label);
    }
    return label;
  }

  /** Every pull request of every repository. */
  allPulls(): IssueRecord[] {
    return [...this.issues.values()].flat().filter(i => i.pull);
  }
}

function isBareRepo(dir: string): boolean {
  try {
    return (
      statSync(dir).isDirectory() &&
      existsSync(join(dir, 'HEAD')) &&
      existsSync(join(dir, 'objects')) &&
      existsSync(join(dir, 'refs')) &&
      !existsSync(join(dir, '.git'))
    );
  } catch {
    return false;
  }
}
