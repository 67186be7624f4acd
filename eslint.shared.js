/*
 * Lint rules every package of this repository adds to Backstage's defaults. Each package's .eslintrc.js
 * passes this object to `@backstage/cli/config/eslint-factory`, so `yarn backstage-cli repo lint`
 * (run by scripts/test.sh) applies it everywhere.
 */

const TEST_DOUBLES = [
  '@backstage-agents/kube-sim',
  '@backstage-agents/fake-github',
  '@backstage-agents/fake-llm',
];

module.exports = {
  // Production code never imports the cluster simulator, the fake GitHub or the model simulator:
  // tests (*.test.*, __testUtils__/, __mocks__/, files outside src/) and __fixtures__/ may.
  restrictedSrcImports: TEST_DOUBLES.map(name => ({
    name,
    message: `${name} is a test double: import it only from tests, __testUtils__ or __fixtures__.`,
  })),
  restrictedImportPatterns: [
    ...TEST_DOUBLES.map(name => `${name}/*`),
    // Another package's internals: import what its entry points (., ./alpha, ./testUtils) export.
    '@backstage-agents/*/src/*',
  ],
  overrides: [
    {
      files: ['**/__fixtures__/**'],
      rules: { 'no-restricted-imports': ['error', { paths: [] }] },
    },
  ],
};
