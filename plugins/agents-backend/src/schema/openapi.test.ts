import fs from 'node:fs';
import { parse } from 'yaml';
import { spec } from './openapi.generated';

// eslint-disable-next-line @backstage/no-relative-monorepo-imports
const { render, source, target } = require('../../scripts/generate-openapi.js');

describe('openapi.generated.ts', () => {
  it('matches openapi.yaml (run `yarn generate:openapi` after editing the YAML)', () => {
    const fromYaml = parse(fs.readFileSync(source, 'utf8'));
    expect(spec).toEqual(fromYaml);
    expect(fs.readFileSync(target, 'utf8')).toBe(render(fromYaml));
  });
});
