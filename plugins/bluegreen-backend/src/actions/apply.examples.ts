import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Apply the environment, then the green cluster stack, of the eks-blueprint generation fetched into the workspace (the initiator needs bluegreen.apply on it)',
    example: yaml.stringify({
      steps: [
        {
          id: 'apply',
          action: 'bluegreen:apply',
          name: 'Apply environment and eks-green',
          input: {
            generation: 'system:default/eks-blueprint',
            stacks: ['environment', 'eks-green'],
          },
        },
      ],
    }),
  },
  {
    description:
      'Apply both cluster stacks with OpenTofu, overriding one variable and bounding the time',
    example: yaml.stringify({
      steps: [
        {
          id: 'apply',
          action: 'bluegreen:apply',
          name: 'Apply both clusters',
          input: {
            generation: 'system:default/eks-blueprint',
            stacks: ['eks-blue', 'eks-green'],
            binary: 'tofu',
            variables: { argocd_route53_weight: '0' },
            timeoutMinutes: 90,
          },
        },
      ],
    }),
  },
];
