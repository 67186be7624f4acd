import {
  applyPatch,
  jsonPatch,
  mergePatch,
  strategicMergePatch,
} from './patch';

describe('patching', () => {
  const pod = {
    metadata: { name: 'p', labels: { a: '1', b: '2' } },
    spec: {
      containers: [
        { name: 'main', image: 'x:1', env: [{ name: 'A', value: '1' }] },
        { name: 'side', image: 'y:1' },
      ],
    },
  };

  it('merge patch merges objects, deletes nulls and replaces lists', () => {
    const result = mergePatch(pod, {
      metadata: { labels: { a: null, c: '3' } },
      spec: { containers: [{ name: 'only' }] },
    });
    expect(result.metadata.labels).toEqual({ b: '2', c: '3' });
    expect(result.spec.containers).toEqual([{ name: 'only' }]);
    expect(pod.metadata.labels).toEqual({ a: '1', b: '2' });
  });

  it('strategic merge patch merges keyed lists, honours $patch: delete and drops directives', () => {
    const result = strategicMergePatch(pod, {
      $setElementOrder: { containers: [{ name: 'main' }] },
      spec: {
        containers: [
          { name: 'main', image: 'x:2', env: [{ name: 'B', value: '2' }] },
          { name: 'side', $patch: 'delete' },
        ],
      },
    });
    expect(result.spec.containers).toEqual([
      {
        name: 'main',
        image: 'x:2',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
    ]);
    expect(result.$setElementOrder).toBeUndefined();
  });

  it('json patch applies operations in order and fails atomically', () => {
    const result = jsonPatch(pod, [
      { op: 'add', path: '/metadata/labels/c', value: '3' },
      { op: 'remove', path: '/metadata/labels/a' },
      { op: 'replace', path: '/spec/containers/0/image', value: 'x:3' },
      {
        op: 'add',
        path: '/spec/containers/-',
        value: { name: 'third', image: 'z' },
      },
      { op: 'test', path: '/metadata/name', value: 'p' },
      { op: 'copy', from: '/metadata/name', path: '/metadata/annotations' },
      {
        op: 'move',
        from: '/metadata/annotations',
        path: '/metadata/generateName',
      },
    ]);
    expect(result.metadata).toEqual({
      name: 'p',
      generateName: 'p',
      labels: { b: '2', c: '3' },
    });
    expect(result.spec.containers.map((c: any) => c.name)).toEqual([
      'main',
      'side',
      'third',
    ]);
    expect(() =>
      jsonPatch(pod, [{ op: 'test', path: '/metadata/name', value: 'q' }]),
    ).toThrow(expect.objectContaining({ code: 422 }));
    expect(() => jsonPatch(pod, [{ op: 'remove', path: '/nope' }])).toThrow(
      expect.objectContaining({ code: 422 }),
    );
  });

  it('dispatches on the content type and rejects unknown ones with 415', () => {
    expect(
      applyPatch({ a: 1 }, 'application/merge-patch+json; charset=utf-8', {
        b: 2,
      }),
    ).toEqual({ a: 1, b: 2 });
    expect(() => applyPatch({}, 'text/plain', {})).toThrow(
      expect.objectContaining({ code: 415 }),
    );
  });
});
