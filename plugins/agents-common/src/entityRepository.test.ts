import type { Entity } from '@backstage/catalog-model';
import { hasEntityRepository, readEntityRepository } from './entityRepository';

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments', namespace: 'default', annotations },
  };
}

describe('readEntityRepository', () => {
  it.each([
    [
      'url:https://github.com/org/repo/tree/main/',
      'https://github.com/org/repo',
      'main',
    ],
    [
      'url:https://github.com/org/repo/tree/release%2F1.2/services/api',
      'https://github.com/org/repo',
      'release/1.2',
    ],
    [
      'url:https://gitlab.example.com/group/repo/-/tree/develop',
      'https://gitlab.example.com/group/repo',
      'develop',
    ],
    [
      'url:https://bitbucket.org/team/repo/src/master/',
      'https://bitbucket.org/team/repo',
      'master',
    ],
    [
      'url:https://git.example.com/team/repo.git',
      'https://git.example.com/team/repo.git',
      undefined,
    ],
  ])('reads the source location %s', (annotation, repoUrl, baseBranch) => {
    expect(
      readEntityRepository(
        entity({ 'backstage.io/source-location': annotation }),
      ),
    ).toEqual({
      annotation: 'backstage.io/source-location',
      repoUrl,
      baseBranch,
      location: annotation.slice('url:'.length),
    });
  });

  it('falls back to the GitHub project slug, and prefers the source location to it', () => {
    expect(
      readEntityRepository(entity({ 'github.com/project-slug': ' org/repo ' })),
    ).toEqual({
      annotation: 'github.com/project-slug',
      repoUrl: 'https://github.com/org/repo',
      location: 'https://github.com/org/repo',
    });
    expect(
      readEntityRepository(
        entity({
          'github.com/project-slug': 'org/slug',
          'backstage.io/source-location': 'url:https://github.com/org/source/',
        }),
      )?.repoUrl,
    ).toBe('https://github.com/org/source');
  });

  it('is undefined for an entity without either annotation', () => {
    expect(
      readEntityRepository(entity({ 'backstage.io/techdocs-ref': 'dir:.' })),
    ).toBeUndefined();
  });

  it('says which annotation to fix when it names no repository', () => {
    expect(() =>
      readEntityRepository(
        entity({ 'backstage.io/source-location': 'file:./here' }),
      ),
    ).toThrow(
      "Entity component:default/payments has a backstage.io/source-location annotation that is not a Git URL ('file:./here')",
    );
    expect(() =>
      readEntityRepository(
        entity({ 'backstage.io/source-location': 'url:not a url' }),
      ),
    ).toThrow('is not a Git URL');
    expect(() =>
      readEntityRepository(
        entity({ 'github.com/project-slug': 'just-a-name' }),
      ),
    ).toThrow(
      "Entity component:default/payments has a github.com/project-slug annotation that is not of the form <owner>/<repo> ('just-a-name')",
    );
  });
});

describe('hasEntityRepository', () => {
  it('needs a source location or a GitHub project slug', () => {
    expect(
      hasEntityRepository(
        entity({
          'backstage.io/source-location': 'url:https://github.com/o/r/',
        }),
      ),
    ).toBe(true);
    expect(
      hasEntityRepository(entity({ 'github.com/project-slug': 'o/r' })),
    ).toBe(true);
    expect(
      hasEntityRepository(entity({ 'backstage.io/techdocs-ref': 'dir:.' })),
    ).toBe(false);
    expect(hasEntityRepository({ metadata: {} })).toBe(false);
  });
});
