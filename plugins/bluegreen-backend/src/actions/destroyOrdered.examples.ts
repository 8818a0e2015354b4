import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Retire the blue cluster of the eks-blueprint generation (its weight must be 0)',
    example: yaml.stringify({
      steps: [
        {
          id: 'destroy-blue',
          action: 'bluegreen:destroy-ordered',
          name: 'Destroy eks-blue',
          input: {
            stack: 'eks-blue',
            confirmation: 'eks-blueprint-blue',
          },
        },
      ],
    }),
  },
  {
    description: 'Destroy the environment once both clusters are gone',
    example: yaml.stringify({
      steps: [
        {
          id: 'destroy-environment',
          action: 'bluegreen:destroy-ordered',
          name: 'Destroy the environment',
          input: {
            stack: 'environment',
            confirmation: 'eks-blueprint',
          },
        },
      ],
    }),
  },
];
