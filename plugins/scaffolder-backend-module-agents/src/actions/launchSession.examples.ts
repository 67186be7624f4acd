import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const launchSessionExamples: TemplateExample[] = [
  {
    description: 'Start an agent session on a component and return at once.',
    example: yaml.stringify({
      steps: [
        {
          id: 'agent',
          action: 'agents:session:launch',
          name: 'Start an agent',
          input: {
            entityRef: 'component:default/payments-service',
            prompt: 'Add a subtract function next to add, with tests.',
          },
        },
      ],
    }),
  },
  {
    description:
      "Start an agent with a chosen harness on the repository picked in the form, and wait until it runs.",
    example: yaml.stringify({
      steps: [
        {
          id: 'agent',
          action: 'agents:session:launch',
          name: 'Fix the issue',
          input: {
            repoUrl: 'github.com?owner=example-org&repo=payments-service',
            prompt: 'The total is wrong when a refund is applied twice; fix it and add a regression test.',
            harness: 'opencode',
            wait: 'started',
            timeoutMinutes: 10,
          },
        },
      ],
    }),
  },
  {
    description: 'Run an agent to the end and link its pull request in the task output.',
    example: yaml.stringify({
      steps: [
        {
          id: 'agent',
          action: 'agents:session:launch',
          name: 'Upgrade dependencies',
          input: {
            entityRef: 'component:default/payments-service',
            prompt: 'Upgrade the test framework to its latest major version and fix what breaks.',
            wait: 'finished',
            timeoutMinutes: 60,
          },
        },
      ],
      output: {
        links: [
          { title: 'Agent session', url: '${{ steps.agent.output.sessionUrl }}' },
          { title: 'Pull request', url: '${{ steps.agent.output.prUrl }}' },
        ],
      },
    }),
  },
];
