import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Link terraform.tfvars into the three stacks of a cluster generation (the default stacks)',
    example: yaml.stringify({
      steps: [
        {
          id: 'link-tfvars',
          action: 'bluegreen:link-tfvars',
          name: 'Link the shared terraform.tfvars into each stack',
        },
      ],
    }),
  },
  {
    description: 'Link terraform.tfvars into the named stacks only',
    example: yaml.stringify({
      steps: [
        {
          id: 'link-tfvars',
          action: 'bluegreen:link-tfvars',
          name: 'Link the shared terraform.tfvars into the cluster stacks',
          input: {
            stacks: ['eks-blue', 'eks-green'],
          },
        },
      ],
    }),
  },
];
