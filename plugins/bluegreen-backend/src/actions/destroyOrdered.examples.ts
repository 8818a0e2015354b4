import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Retire the blue cluster of the eks-blueprint generation fetched into the workspace (its weight must be 0; the initiator needs bluegreen.retire on the generation)',
    example: yaml.stringify({
      steps: [
        {
          id: 'destroy-blue',
          action: 'bluegreen:destroy-ordered',
          name: 'Destroy eks-blue',
          input: {
            generation: 'system:default/eks-blueprint',
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
            generation: 'system:default/eks-blueprint',
            stack: 'environment',
            confirmation: 'eks-blueprint',
          },
        },
      ],
    }),
  },
];
