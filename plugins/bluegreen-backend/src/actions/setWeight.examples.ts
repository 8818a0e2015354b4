import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "GitOps mode: write green 100 / blue 0 into the cluster stacks' weight files of the fetched generation, logging what Route 53 holds",
    example: yaml.stringify({
      steps: [
        {
          id: 'set-weight',
          action: 'bluegreen:set-weight',
          name: 'Send all traffic to green',
          input: {
            entityRef: 'component:default/burnham',
            hostname: 'burnham.eks-blueprint.example.com',
            clusters: {
              blue: 'eks-blueprint-blue',
              green: 'eks-blueprint-green',
            },
            weights: { blue: 0, green: 100 },
            hostedZone: 'eks-blueprint.example.com',
          },
        },
      ],
    }),
  },
  {
    description:
      'Route 53 mode: split traffic evenly with one compare-and-swap change batch, failing if the weights are no longer 100/0',
    example: yaml.stringify({
      steps: [
        {
          id: 'set-weight',
          action: 'bluegreen:set-weight',
          name: 'Split traffic 50/50',
          input: {
            entityRef: 'component:default/burnham',
            hostname: 'burnham.eks-blueprint.example.com',
            clusters: {
              blue: 'eks-blueprint-blue',
              green: 'eks-blueprint-green',
            },
            weights: { blue: 100, green: 100 },
            mode: 'route53',
            hostedZone: 'eks-blueprint.example.com',
            expected: { blue: 100, green: 0 },
          },
        },
      ],
    }),
  },
];
