import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from './lib/paths';

/** Static checks of the backend image definition (no Docker on the build machines). */
describe('packages/backend/Dockerfile', () => {
  const dockerfile = readFileSync(
    resolve(REPO_ROOT, 'packages/backend/Dockerfile'),
    'utf8',
  );
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('#'));
  const stages = instructions.filter(line => line.startsWith('FROM '));
  const finalStage = instructions.slice(
    instructions.lastIndexOf(stages[stages.length - 1]),
  );

  it('is a multi-stage build on Node 22', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(instructions).toContain('ARG NODE_IMAGE=node:22-bookworm-slim');
  });

  it('builds with the Yarn release committed in .yarn/releases and the documented steps', () => {
    expect(dockerfile).toContain('.yarn/releases/yarn-*.cjs');
    expect(dockerfile).toContain('yarn install --immutable');
    expect(dockerfile).toContain('yarn tsc');
    expect(dockerfile).toContain('yarn build:backend');
    expect(dockerfile).toContain('yarn workspaces focus --all --production');
    const rootPackage = JSON.parse(
      readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8'),
    );
    expect(rootPackage.scripts['build:backend']).toBeDefined();
    // Every workspace's package.json reaches the install skeleton.
    for (const workspace of rootPackage.workspaces as string[]) {
      const dir = workspace.replace(/\/\*$/, '');
      expect([
        workspace,
        dockerfile.includes(`COPY ${dir} `) ||
          dockerfile.includes(`COPY ${dir}/package.json`),
      ]).toEqual([workspace, true]);
    }
  });

  it('runs as the unprivileged node user with the production config', () => {
    const users = finalStage.filter(line => line.startsWith('USER '));
    expect(users).toEqual(['USER node']);
    expect(finalStage.some(line => /apt-get install/.test(line))).toBe(false);
    expect(finalStage[finalStage.length - 1]).toBe(
      'CMD ["node", "packages/backend", "--config", "app-config.yaml", "--config", "app-config.production.yaml"]',
    );
    expect(finalStage).toContain('EXPOSE 7007');
  });

  it('keeps dependencies and local data out of the build context', () => {
    const ignore = readFileSync(
      resolve(REPO_ROOT, '.dockerignore'),
      'utf8',
    ).split('\n');
    for (const entry of [
      '.git',
      'node_modules',
      '**/node_modules',
      '.data',
      '.tools',
    ]) {
      expect(ignore).toContain(entry);
    }
    // Sources must reach the build stage.
    for (const entry of ['plugins', 'packages/*/src'])
      expect(ignore).not.toContain(entry);
  });
});
