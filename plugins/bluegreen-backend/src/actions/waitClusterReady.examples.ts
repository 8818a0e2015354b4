import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Wait up to 45 minutes until both clusters of a generation are ready after an apply',
    example: yaml.stringify({
      steps: [
        {
          id: 'ready',
          action: 'bluegreen:wait-cluster-ready',
          name: 'Wait until the clusters are ready',
          input: {
            generation: 'system:default/eks-blueprint',
            colours: ['blue', 'green'],
            timeoutMinutes: 45,
          },
        },
      ],
    }),
  },
];
