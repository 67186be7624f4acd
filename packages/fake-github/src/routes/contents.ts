import { CONTENTS_DOC, getContents } from '../contents';
import { route, Route } from '../restRouter';
import { permittedRepo } from './access';
import type { RestContext } from './restContext';

/** `GET …/contents/{path}`: access is checked here, reading the tree is `getContents`' job. */
export function contentsRoutes({ store }: RestContext): Route[] {
  return [
    route(
      'GET',
      '/repos/:owner/:repo/contents/*path',
      async (req, [owner, name, path]) => {
        const repo = permittedRepo(
          store,
          req,
          [owner, name],
          [['contents', 'read']],
          CONTENTS_DOC,
        );
        const header = (h: string) => {
          const v = req.headers[h];
          return Array.isArray(v) ? v.join(', ') : v;
        };
        return getContents({
          git: store.git(repo),
          repo,
          urls: req.urls,
          path,
          ref: req.query.get('ref'),
          accept: header('accept'),
          ifNoneMatch: header('if-none-match'),
        });
      },
    ),
  ];
}
