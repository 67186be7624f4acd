import { InputError } from '@backstage/errors';

/** Names that are a repository's default branch far too often to let an agent push to them. */
const DEFAULT_BRANCH_NAMES = new Set(['main', 'master', 'trunk', 'develop', 'HEAD']);

/**
 * Checks a work branch a caller asked for: a valid Git branch name (the rules of
 * `git check-ref-format --branch`) that is not the base branch. Sessions on a repository's default
 * branch, whose name is not known here, may not use the usual default branch names either: an agent
 * pushes to its work branch, and that must never be the branch people release from.
 */
export function validateWorkBranch(name: string, baseBranch: string | undefined): string {
  return validateBranchName(name, baseBranch, 'workBranch');
}

/**
 * The same rules for any branch the backend writes to, named by `field` in the message: a fan-out's
 * integration branch is merged into by the backend, so it may not be the base branch either.
 */
export function validateBranchName(name: string, baseBranch: string | undefined, field: string): string {
  const branch = name.trim();
  const problem = branchNameProblem(branch);
  if (problem) {
    throw new InputError(`${field} '${name}' is not a valid Git branch name: ${problem}`);
  }
  if (branch === baseBranch || (baseBranch === undefined && DEFAULT_BRANCH_NAMES.has(branch))) {
    throw new InputError(
      `${field} '${branch}' is the branch the session starts from; use a branch of its own, e.g. agents/${branch}-fix`,
    );
  }
  return branch;
}

function branchNameProblem(branch: string): string | undefined {
  if (branch === '') return 'it is empty';
  if (branch.startsWith('-')) return "it starts with '-'";
  if (branch.startsWith('/') || branch.endsWith('/') || branch.includes('//')) {
    return "it starts or ends with '/' or has an empty path component";
  }
  if (branch.endsWith('.')) return "it ends with '.'";
  if (branch.includes('..')) return "it contains '..'";
  if (branch.includes('@{') || branch === '@') return "it contains '@{' or is '@'";
  // Control characters, space and the characters Git reserves for revision syntax.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(branch)) {
    return 'it contains a space, a control character or one of ~ ^ : ? * [ \\';
  }
  for (const component of branch.split('/')) {
    if (component.startsWith('.')) return "a path component starts with '.'";
    if (component.endsWith('.lock')) return "a path component ends with '.lock'";
  }
  return undefined;
}
