import { notFound } from '../errors';
import { route, Route } from '../restRouter';
import { appJson, installationJson } from '../serialize';
import { ownInstallation, requireApp } from './callers';
import { paginate } from './paging';
import type { RestContext } from './restContext';

const DOC = {
  app: 'https://docs.github.com/rest/apps/apps#get-the-authenticated-app',
  installations:
    'https://docs.github.com/rest/apps/apps#list-installations-for-the-authenticated-app',
  installation:
    'https://docs.github.com/rest/apps/apps#get-an-installation-for-the-authenticated-app',
  repoInstallation:
    'https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app',
  orgInstallation:
    'https://docs.github.com/rest/apps/apps#get-an-organization-installation-for-the-authenticated-app',
  userInstallation:
    'https://docs.github.com/rest/apps/apps#get-a-user-installation-for-the-authenticated-app',
};

/** The App's own endpoints (App JWT only): the App and its installations. */
export function appRoutes({ store }: RestContext): Route[] {
  const accountInstallation = (prefix: string, doc: string) =>
    route('GET', `${prefix}/:account/installation`, async (req, [account]) => {
      const app = requireApp(req, doc);
      const installation = app.installations.find(
        i => i.account.toLowerCase() === account.toLowerCase(),
      );
      if (!installation) throw notFound(doc);
      return {
        status: 200,
        body: installationJson(store, req.urls, installation),
      };
    });

  return [
    route('GET', '/app', async req => ({
      status: 200,
      body: appJson(store, req.urls, requireApp(req, DOC.app)),
    })),

    route('GET', '/app/installations', async req => {
      const app = requireApp(req, DOC.installations);
      const { page, headers } = paginate(app.installations, req);
      return {
        status: 200,
        body: page.map(i => installationJson(store, req.urls, i)),
        headers,
      };
    }),

    route('GET', '/app/installations/:id', async (req, [id]) => ({
      status: 200,
      body: installationJson(
        store,
        req.urls,
        ownInstallation(req, Number(id), DOC.installation),
      ),
    })),

    route(
      'GET',
      '/repos/:owner/:repo/installation',
      async (req, [owner, name]) => {
        const app = requireApp(req, DOC.repoInstallation);
        const repo = store.findRepo(owner, name);
        const installation =
          repo &&
          app.installations.find(i => store.installationCovers(i, repo));
        if (!installation) throw notFound(DOC.repoInstallation);
        return {
          status: 200,
          body: installationJson(store, req.urls, installation),
        };
      },
    ),

    accountInstallation('/orgs', DOC.orgInstallation),
    accountInstallation('/users', DOC.userInstallation),
  ];
}
