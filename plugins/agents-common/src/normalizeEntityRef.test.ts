import { normalizeEntityRef } from './normalizeEntityRef';

describe('normalizeEntityRef', () => {
  it.each([
    ['payments', 'component:default/payments'],
    [' default/payments ', 'component:default/payments'],
    ['API:Ops/Ledger', 'api:ops/ledger'],
  ])('completes %p to %p', (ref, expected) => {
    expect(normalizeEntityRef(ref)).toBe(expected);
  });

  it('fills in the kind it is given', () => {
    expect(normalizeEntityRef('fix-issue', 'template')).toBe(
      'template:default/fix-issue',
    );
  });

  it('names the field of a ref that is none, and the form to use', () => {
    expect(() => normalizeEntityRef('component:default/')).toThrow(
      "entityRef 'component:default/' is not an entity ref; use kind:namespace/name, e.g. component:default/my-service",
    );
    expect(() =>
      normalizeEntityRef('template:/', 'template', 'templateRef'),
    ).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message:
          "templateRef 'template:/' is not an entity ref; use kind:namespace/name, e.g. template:default/my-service",
      }),
    );
  });
});
