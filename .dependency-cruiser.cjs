/**
 * Module-graph rules for the repository's own source, checked by scripts/test.sh
 * (`yarn depcruise --config .dependency-cruiser.cjs plugins packages bench images/harness/entrypoint`).
 * Unlike ESLint's import/no-cycle, type-only imports count: a cycle through `import type` still ties
 * two modules' concepts together.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Modules import each other, directly or through others: move the piece both need into its own module.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|dist-types)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.cjs', '.mjs', '.d.ts'],
    },
  },
};
