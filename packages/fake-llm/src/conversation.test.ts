import { findCwd } from './conversation';

describe('findCwd', () => {
  it("takes the request's own system text first", () => {
    expect(
      findCwd('Primary working directory: /pods/b/repo', [
        '<env>Working directory: /pods/a/repo</env>',
      ]),
    ).toBe('/pods/b/repo');
  });

  it('takes the newest message that names a directory when the system text names none', () => {
    // A resumed conversation: turn 1 ran in another pod's directory, the resumed turn runs here.
    expect(
      findCwd('You are a coding agent.', [
        '<cwd>/pods/a/repo</cwd> Add a refund endpoint',
        'Done.',
        '<cwd>/pods/b/repo</cwd> Cover it with tests',
      ]),
    ).toBe('/pods/b/repo');
  });

  it('finds nothing when nothing names a directory', () => {
    expect(findCwd('', ['Add a refund endpoint'])).toBeUndefined();
  });
});
