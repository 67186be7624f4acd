import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { openApiDocument } from './openapiDocument';

/**
 * `openapi.ts` is generated from the backend's OpenAPI document by `yarn generate:client`. This test
 * runs the same generator and fails when the committed file no longer matches the document.
 */
describe('generated OpenAPI types', () => {
  it('match plugins/agents-backend/src/schema/openapi.yaml', () => {
    const packageDir = path.resolve(__dirname, '../..');
    const script: string = require(path.join(packageDir, 'package.json'))
      .scripts['generate:client'];
    const [, input] = script.split(' ');
    const cli = path.join(
      path.dirname(require.resolve('openapi-typescript/package.json')),
      'bin/cli.js',
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-openapi-'));
    try {
      const output = path.join(dir, 'openapi.ts');
      execFileSync(process.execPath, [cli, input, '--output', output], {
        cwd: packageDir,
        stdio: 'pipe',
      });
      const committed = fs.readFileSync(
        path.join(__dirname, 'openapi.ts'),
        'utf8',
      );
      const regenerated = fs.readFileSync(output, 'utf8');
      if (regenerated !== committed) {
        throw new Error(
          'src/generated/openapi.ts does not match the OpenAPI document: run `yarn workspace @backstage-agents/plugin-agents-common generate:client`',
        );
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('include the document itself, as the spec-validated fake reads it', () => {
    const { render, source, target } = require('../../scripts/generate-document.js');
    const fromYaml = parse(fs.readFileSync(source, 'utf8'));
    expect(openApiDocument).toEqual(fromYaml);
    if (fs.readFileSync(target, 'utf8') !== render(fromYaml)) {
      throw new Error(
        'src/generated/openapiDocument.ts does not match the OpenAPI document: run `yarn workspace @backstage-agents/plugin-agents-common generate:client`',
      );
    }
  });
});
