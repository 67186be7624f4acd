import path from 'node:path';

/** Screenshots kept as artifacts of the run, beside the HTML report. */
export const ARTIFACTS = path.resolve(__dirname, '../../e2e-artifacts');
