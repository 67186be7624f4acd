import { validateWorkBranch } from './branchNames';

describe('validateWorkBranch', () => {
  it('accepts branch names Git accepts, trimmed', () => {
    expect(validateWorkBranch('specs/001-ledger/T012-async', 'main')).toBe('specs/001-ledger/T012-async');
    expect(validateWorkBranch(' agents/fix-1 ', undefined)).toBe('agents/fix-1');
    expect(validateWorkBranch('main', 'release/2.x')).toBe('main');
  });

  it.each([
    ['', 'empty'],
    ['-x', "starts with '-'"],
    ['a//b', 'empty path component'],
    ['a/', 'empty path component'],
    ['a..b', "'..'"],
    ['a.', "ends with '.'"],
    ['a/.hidden', "starts with '.'"],
    ['x.lock', '.lock'],
    ['a b', 'space'],
    ['a~1', '~'],
    ['a:b', '~'],
    ['a@{1}', '@{'],
    ['a\\b', '~'],
  ])('refuses %j (%s)', (name, message) => {
    expect(() => validateWorkBranch(name, 'main')).toThrow(message);
  });

  it('refuses the base branch, and the usual default names when the base is the default branch', () => {
    expect(() => validateWorkBranch('release/2.x', 'release/2.x')).toThrow('the branch the session starts from');
    expect(() => validateWorkBranch('main', undefined)).toThrow('the branch the session starts from');
    expect(() => validateWorkBranch('master', undefined)).toThrow(/starts from/);
  });
});
