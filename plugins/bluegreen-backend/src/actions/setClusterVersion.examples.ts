import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Rebuild the idle blue cluster of a generation at Kubernetes 1.35: set its version line, then apply its stack',
    example: yaml.stringify({
      steps: [
        {
          id: 'set-version',
          action: 'bluegreen:set-cluster-version',
          name: 'Set the version of the idle cluster',
          input: {
            generation: 'system:default/eks-blueprint',
            colour: 'blue',
            kubernetesVersion: '1.35',
          },
        },
        {
          id: 'apply',
          action: 'bluegreen:apply',
          name: 'Rebuild it',
          input: {
            generation: 'system:default/eks-blueprint',
            stacks: ['eks-blue'],
          },
        },
      ],
    }),
  },
];
