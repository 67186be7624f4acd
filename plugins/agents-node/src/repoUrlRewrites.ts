import type { Config } from '@backstage/config';

/**
 * A repository URL prefix and what replaces it (`agents.git.rewrites`): where the repositories the
 * catalog names are really served, e.g. a Git mirror. @public
 */
export interface RepoUrlRewrite {
  /** A URL prefix, e.g. https://github.com/example-org/ */
  from: string;
  /** What replaces it, e.g. https://git-mirror.internal/example-org/ */
  to: string;
}

/** Reads `agents.git.rewrites`. @public */
export function readRepoUrlRewrites(config: Config): RepoUrlRewrite[] {
  return (config.getOptionalConfigArray('agents.git.rewrites') ?? []).map(c => ({
    from: c.getString('from'),
    to: c.getString('to'),
  }));
}

/**
 * Applies the rewrite with the longest matching prefix, so a rule for one repository wins over a
 * rule for its whole organisation. Every plugin that reads or clones a session's repository uses
 * this, so they all reach the same place. @public
 */
export function rewriteRepoUrl(url: string, rewrites: RepoUrlRewrite[]): string {
  const match = rewrites
    .filter(r => url.startsWith(r.from))
    .sort((a, b) => b.from.length - a.from.length)[0];
  return match ? match.to + url.slice(match.from.length) : url;
}
