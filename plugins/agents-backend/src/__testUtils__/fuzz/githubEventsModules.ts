import path from 'node:path';

/**
 * The GitHub events module's two features (signature-checked webhook ingress, and the router to
 * github.<event> topics). Its package entry loads them with a dynamic import, which Jest's CommonJS
 * runtime cannot follow, so they are required from its files directly.
 */
export function githubEventsModules() {
  const dir = path.join(
    path.dirname(require.resolve('@backstage/plugin-events-backend-module-github/package.json')),
    'dist/service',
  );
  return ['eventsModuleGithubWebhook', 'eventsModuleGithubEventRouter'].map(
    name => require(path.join(dir, `${name}.cjs.js`)).default,
  );
}
