import { parseFieldSelector, parseLabelSelector } from './selectors';

const obj = (labels: Record<string, string>, extra: any = {}) => ({
  metadata: { name: 'a', namespace: 'ns', labels },
  ...extra,
});

describe('label selectors', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'web' }, true],
    ['app=web', { app: 'db' }, false],
    ['app!=web', { app: 'db' }, true],
    ['app!=web', {}, true],
    ['app!=web', { app: 'web' }, false],
    ['tier in (a, b)', { tier: 'b' }, true],
    ['tier in (a,b)', { tier: 'c' }, false],
    ['tier notin (a,b)', { tier: 'c' }, true],
    ['tier notin (a,b)', {}, true],
    ['tier notin (a,b)', { tier: 'a' }, false],
    ['app', { app: '' }, true],
    ['app', {}, false],
    ['!app', {}, true],
    ['!app', { app: 'x' }, false],
    ['app=web,tier in (a,b),!legacy', { app: 'web', tier: 'a' }, true],
    [
      'app=web,tier in (a,b),!legacy',
      { app: 'web', tier: 'a', legacy: 'y' },
      false,
    ],
  ])('%s on %j → %s', (selector, labels, expected) => {
    expect(parseLabelSelector(selector)(obj(labels))).toBe(expected);
  });

  it('rejects malformed selectors with a 400', () => {
    expect(() => parseLabelSelector('a in b')).toThrow(
      expect.objectContaining({ code: 400 }),
    );
  });
});

describe('field selectors', () => {
  const pod = obj(
    {},
    { spec: { nodeName: 'n1' }, status: { phase: 'Running' } },
  );

  it('matches supported fields with =, == and !=', () => {
    const fields = ['spec.nodeName', 'status.phase'];
    expect(
      parseFieldSelector('metadata.name=a,metadata.namespace==ns', fields)(pod),
    ).toBe(true);
    expect(parseFieldSelector('status.phase!=Running', fields)(pod)).toBe(
      false,
    );
    expect(
      parseFieldSelector('spec.nodeName=n1,status.phase=Running', fields)(pod),
    ).toBe(true);
    expect(parseFieldSelector('spec.nodeName=', fields)(pod)).toBe(false);
    expect(parseFieldSelector('spec.nodeName=', fields)(obj({}))).toBe(true);
  });

  it('rejects fields the type does not index, like the real server', () => {
    expect(() =>
      parseFieldSelector('spec.hostname=x', ['status.phase']),
    ).toThrow('field label not supported: spec.hostname');
  });
});
