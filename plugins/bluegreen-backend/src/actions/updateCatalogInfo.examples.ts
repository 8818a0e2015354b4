import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Register the green cluster's API server in catalog-info.yaml from its stack's outputs after the apply",
    example: yaml.stringify({
      steps: [
        {
          id: 'catalog-info',
          action: 'bluegreen:update-catalog-info',
          name: 'Fill in the cluster annotations',
          input: {
            colour: 'green',
            outputs: "${{ steps.apply.output.outputs['eks-green'] }}",
          },
        },
      ],
    }),
  },
];
