import { normalizeRepoUrl } from './gitOrigin';

describe('normalizeRepoUrl', () => {
  it.each([
    'https://github.com/Example-Org/payments-service',
    'https://github.com/example-org/payments-service.git',
    'https://github.com/example-org/payments-service/',
    'git@github.com:example-org/payments-service.git',
    'ssh://git@github.com/example-org/payments-service.git',
    'https://token@github.com/example-org/payments-service.git',
  ])('reads %s as github.com/example-org/payments-service', url => {
    expect(normalizeRepoUrl(url)).toBe(
      'github.com/example-org/payments-service',
    );
  });

  it('tells repositories and hosts apart', () => {
    expect(normalizeRepoUrl('git@github.com:example-org/other.git')).toBe(
      'github.com/example-org/other',
    );
    expect(
      normalizeRepoUrl('https://gitlab.com/example-org/payments-service'),
    ).toBe('gitlab.com/example-org/payments-service');
  });
});
