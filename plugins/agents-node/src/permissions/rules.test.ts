import { isEntityOwner, isSessionCreator, hasEntityRef } from './rules';

const session = {
  entityRef: 'component:default/payments',
  entityOwnerRef: 'group:default/team-a',
  createdBy: 'user:default/jane',
};

describe('agents session permission rules', () => {
  it('matches the owner of the entity', () => {
    expect(
      isEntityOwner.apply(session, { claims: ['group:default/team-a'] }),
    ).toBe(true);
    expect(
      isEntityOwner.apply(session, { claims: ['group:default/team-b'] }),
    ).toBe(false);
    expect(
      isEntityOwner.apply(
        { ...session, entityOwnerRef: undefined },
        { claims: ['group:default/team-a'] },
      ),
    ).toBe(false);
    expect(isEntityOwner.toQuery({ claims: ['group:default/team-a'] })).toEqual(
      { property: 'entityOwnerRef', values: ['group:default/team-a'] },
    );
  });

  it('matches the creator and the entity', () => {
    expect(
      isSessionCreator.apply(session, { claims: ['user:default/jane'] }),
    ).toBe(true);
    expect(
      isSessionCreator.apply(session, { claims: ['user:default/joe'] }),
    ).toBe(false);
    expect(
      hasEntityRef.apply(session, {
        entityRefs: ['component:default/payments'],
      }),
    ).toBe(true);
    expect(
      hasEntityRef.toQuery({ entityRefs: ['component:default/x'] }),
    ).toEqual({ property: 'entityRef', values: ['component:default/x'] });
  });
});
