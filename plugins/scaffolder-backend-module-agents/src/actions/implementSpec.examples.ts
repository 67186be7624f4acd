import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const implementSpecExamples: TemplateExample[] = [
  {
    description:
      'Start one agent session per open [ASYNC] task of specs/001-ledger/tasks.md, in waves merged into specs/001-ledger/integration; tasks waiting for an open human task are listed, not started.',
    example: yaml.stringify({
      steps: [
        {
          id: 'implement',
          action: 'agents:speckit:implement',
          name: 'Implement the spec',
          input: {
            entityRef: 'component:default/payments-service',
            feature: '001-ledger',
          },
        },
      ],
    }),
  },
  {
    description:
      'Also hand the [P] tasks to agents, with a chosen harness and a cap on the number of sessions.',
    example: yaml.stringify({
      steps: [
        {
          id: 'implement',
          action: 'agents:speckit:implement',
          name: 'Implement the spec in parallel',
          input: {
            repoUrl: 'github.com?owner=example-org&repo=payments-service',
            feature: '001-ledger',
            includeParallel: true,
            harness: 'opencode',
            maxTasks: 10,
            integrationBranch: 'agents/{feature}',
          },
        },
      ],
    }),
  },
  {
    description:
      'Start every open [ASYNC] task at once from the base branch, without waves or an integration branch.',
    example: yaml.stringify({
      steps: [
        {
          id: 'implement',
          action: 'agents:speckit:implement',
          name: 'Implement the spec, all at once',
          input: {
            entityRef: 'component:default/payments-service',
            feature: '001-ledger',
            waves: false,
          },
        },
      ],
    }),
  },
];
