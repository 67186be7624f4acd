import type { Entity } from '@backstage/catalog-model';
import { resolveEntityOwner, resolveEntitySource } from './entitySource';

function entity(annotations: Record<string, string>, spec: object = { owner: 'team-a' }): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments', namespace: 'default', annotations },
    spec,
  };
}

describe('resolveEntitySource', () => {
  it.each([
    ['url:https://github.com/org/repo/tree/main/', 'https://github.com/org/repo', 'main'],
    ['url:https://github.com/org/repo/tree/release%2F1.2/services/api', 'https://github.com/org/repo', 'release/1.2'],
    ['url:https://gitlab.example.com/group/repo/-/tree/develop', 'https://gitlab.example.com/group/repo', 'develop'],
    ['url:https://bitbucket.org/team/repo/src/master/', 'https://bitbucket.org/team/repo', 'master'],
    ['url:https://git.example.com/team/repo.git', 'https://git.example.com/team/repo.git', undefined],
  ])('reads %s', (location, repoUrl, baseBranch) => {
    expect(resolveEntitySource(entity({ 'backstage.io/source-location': location }))).toEqual({
      repoUrl,
      sourceUrl: repoUrl,
      baseBranch,
    });
  });

  it('falls back to the GitHub project slug', () => {
    expect(resolveEntitySource(entity({ 'github.com/project-slug': 'org/repo' }))).toEqual({
      repoUrl: 'https://github.com/org/repo',
      sourceUrl: 'https://github.com/org/repo',
    });
  });

  it('applies the longest matching rewrite', () => {
    const source = resolveEntitySource(entity({ 'github.com/project-slug': 'org/repo' }), [
      { from: 'https://github.com/', to: 'https://mirror.internal/' },
      { from: 'https://github.com/org/', to: 'file:///srv/git/org/' },
    ]);
    expect(source.repoUrl).toBe('file:///srv/git/org/repo');
    expect(source.sourceUrl).toBe('https://github.com/org/repo');
  });

  it('says which annotation to add or fix', () => {
    expect(() => resolveEntitySource(entity({}))).toThrow(
      'Entity component:default/payments has no Git source: add the backstage.io/source-location annotation',
    );
    expect(() =>
      resolveEntitySource(entity({ 'backstage.io/source-location': 'file:./here' })),
    ).toThrow('is not a Git URL');
    expect(() => resolveEntitySource(entity({ 'github.com/project-slug': 'just-a-name' }))).toThrow(
      'not of the form <owner>/<repo>',
    );
  });
});

describe('resolveEntityOwner', () => {
  it('prefers the ownedBy relation and completes a short spec.owner', () => {
    expect(resolveEntityOwner(entity({}))).toBe('group:default/team-a');
    expect(resolveEntityOwner(entity({}, { owner: 'user:jane' }))).toBe('user:default/jane');
    expect(
      resolveEntityOwner({
        ...entity({}),
        relations: [{ type: 'ownedBy', targetRef: 'group:ops/platform' }],
      }),
    ).toBe('group:ops/platform');
    expect(resolveEntityOwner(entity({}, {}))).toBeUndefined();
  });
});
