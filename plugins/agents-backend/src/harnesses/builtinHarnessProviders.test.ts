import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigPolicyResolver } from '../policy/ConfigPolicyResolver';
import { builtinHarnessProviders } from './builtinHarnessProviders';

const repoConfig = (file: string) =>
  parse(fs.readFileSync(path.resolve(__dirname, '../../../..', file), 'utf8'));

const entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'x' } };

describe('the demo harness', () => {
  it('is never available with the production configuration', async () => {
    const production = new ConfigReader(repoConfig('app-config.production.yaml'));
    expect(builtinHarnessProviders(production).map(p => p.name)).toEqual([
      'opencode',
      'claude-code',
      'codex',
    ]);
    const policy = await ConfigPolicyResolver.fromConfig(production).resolve({ entity });
    expect(policy.allowedHarnesses).not.toContain('demo');
  });

  it('is offered, and the default, in the development configuration', async () => {
    const development = new ConfigReader(repoConfig('app-config.yaml'));
    expect(builtinHarnessProviders(development).map(p => p.name)).toContain('demo');
    const policy = await ConfigPolicyResolver.fromConfig(development).resolve({ entity });
    expect(policy.defaultHarness).toBe('demo');
  });

  it('stops the backend when a policy allows it but it is not enabled', () => {
    const config = new ConfigReader({
      agents: { policies: { default: { allowedHarnesses: ['demo', 'opencode'] } } },
    });
    expect(() => ConfigPolicyResolver.fromConfig(config)).toThrow(
      'agents.policies.default allows the demo harness, which is for development only',
    );
  });
});

describe('builtinHarnessProviders', () => {
  it('passes the configured model and credentials Secret to the harness container', () => {
    const providers = builtinHarnessProviders(
      new ConfigReader({
        agents: {
          harnesses: { 'claude-code': { model: 'claude-sonnet-4-5', credentialsSecret: 'anthropic-api' } },
        },
      }),
    );
    const claude = providers.find(p => p.name === 'claude-code')!;
    expect(claude.containerSpec({} as any)).toEqual({
      env: { AGENTS_HARNESS_MODEL: 'claude-sonnet-4-5' },
      envFromSecrets: ['anthropic-api'],
    });
    expect(providers.find(p => p.name === 'opencode')!.containerSpec({} as any)).toEqual({
      env: {},
      envFromSecrets: undefined,
    });
  });
});
