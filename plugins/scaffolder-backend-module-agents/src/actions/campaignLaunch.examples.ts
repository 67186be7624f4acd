import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const campaignLaunchExamples: TemplateExample[] = [
  {
    description:
      'Upgrade every production Java component to Java 21: one agent session and pull request per component, grouped under one campaign fan-out on the template.',
    example: yaml.stringify({
      steps: [
        {
          id: 'campaign',
          action: 'agents:campaign:launch',
          name: 'Run the campaign',
          input: {
            filter: 'kind=component,spec.lifecycle=production,metadata.tags=java',
            prompt: 'Upgrade the build to Java 21 and fix what breaks.',
          },
        },
      ],
    }),
  },
  {
    description:
      "A structured filter (a key's list matches any of its values), a harness, a cap, and the fan-out on the owning group.",
    example: yaml.stringify({
      steps: [
        {
          id: 'campaign',
          action: 'agents:campaign:launch',
          name: 'Rotate the logging library',
          input: {
            filter: { kind: 'component', 'spec.owner': 'group:default/team-a' },
            prompt: 'Replace log4j with logback.',
            harness: 'opencode',
            maxSessions: 5,
            groupEntityRef: 'group:default/team-a',
          },
        },
      ],
    }),
  },
];
