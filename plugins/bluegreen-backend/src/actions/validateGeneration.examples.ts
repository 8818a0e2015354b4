import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Check the form values of a new generation before rendering anything',
    example: yaml.stringify({
      steps: [
        {
          id: 'validate',
          action: 'bluegreen:validate-generation',
          name: 'Check the values',
          input: {
            aws_region: '${{ parameters.aws_region }}',
            environment_name: '${{ parameters.environment_name }}',
            hosted_zone_name: '${{ parameters.hosted_zone_name }}',
            eks_admin_role_name: 'Admin',
            aws_secret_manager_git_private_ssh_key_name:
              'github-blueprint-ssh-key',
            gitops_workloads_org: 'git@github.com:aws-samples',
            gitops_workloads_repo: 'eks-blueprints-workloads',
            gitops_workloads_revision: 'main',
            gitops_workloads_path: 'envs/dev',
            gitops_addons_org: 'git@github.com:aws-samples',
            gitops_addons_repo: 'eks-blueprints-add-ons',
            gitops_addons_basepath: 'argocd/',
            gitops_addons_path: 'argocd/bootstrap/control-plane/addons',
            gitops_addons_revision: 'main',
            kubernetes_versions: { blue: '1.33', green: '1.34' },
            initial_weights: { blue: 100, green: 0 },
            record_ttl: 60,
            state_bucket: 'my-terraform-state',
            state_key_prefix: 'eks-blueprint',
            state_region: 'us-west-2',
            owner: '${{ parameters.owner }}',
            repoUrl: '${{ parameters.repoUrl }}',
          },
        },
      ],
    }),
  },
];
