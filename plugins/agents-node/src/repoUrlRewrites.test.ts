import { ConfigReader } from '@backstage/config';
import { readRepoUrlRewrites, rewriteRepoUrl } from './repoUrlRewrites';

describe('repository URL rewrites', () => {
  const rewrites = readRepoUrlRewrites(
    new ConfigReader({
      agents: {
        git: {
          rewrites: [
            { from: 'https://github.com/example-org/', to: 'https://mirror.internal/example-org/' },
            { from: 'https://github.com/example-org/payments', to: 'https://payments-git.internal/payments' },
          ],
        },
      },
    }),
  );

  it('applies the longest matching prefix and leaves other URLs alone', () => {
    expect(rewriteRepoUrl('https://github.com/example-org/ledger/tree/main/', rewrites)).toBe(
      'https://mirror.internal/example-org/ledger/tree/main/',
    );
    expect(rewriteRepoUrl('https://github.com/example-org/payments/blob/main/x.md', rewrites)).toBe(
      'https://payments-git.internal/payments/blob/main/x.md',
    );
    expect(rewriteRepoUrl('https://github.com/other/x', rewrites)).toBe('https://github.com/other/x');
  });

  it('reads no rewrites when none are configured', () => {
    expect(readRepoUrlRewrites(new ConfigReader({}))).toEqual([]);
  });
});
