import {
  GenerationValues,
  supportedEksVersions,
} from '@bluegreen/plugin-bluegreen-common';

/**
 * The values of a new generation as the seed pattern sets them (the input of
 * bluegreen:validate-generation). Versions default to the two newest EKS supports today.
 */
export function seedGenerationValues(
  versions?: GenerationValues['kubernetes_versions'],
): GenerationValues {
  const [older, newer] = supportedEksVersions(new Date())
    .slice(-2)
    .map(v => v.version);
  return {
    aws_region: 'us-west-2',
    environment_name: 'eks-blueprint',
    hosted_zone_name: 'example.com',
    eks_admin_role_name: 'Admin',
    aws_secret_manager_git_private_ssh_key_name: 'github-blueprint-ssh-key',
    gitops_workloads_org: 'git@github.com:aws-samples',
    gitops_workloads_repo: 'eks-blueprints-workloads',
    gitops_workloads_revision: 'main',
    gitops_workloads_path: 'envs/dev',
    gitops_addons_org: 'git@github.com:aws-samples',
    gitops_addons_repo: 'eks-blueprints-add-ons',
    gitops_addons_basepath: 'argocd/',
    gitops_addons_path: 'argocd/bootstrap/control-plane/addons',
    gitops_addons_revision: 'main',
    kubernetes_versions: versions ?? { blue: older, green: newer },
    initial_weights: { blue: 100, green: 0 },
    record_ttl: 60,
    state_bucket: 'acme-terraform-state',
    state_key_prefix: 'eks-blueprint',
    state_region: 'us-west-2',
    owner: 'group:default/team-burnham',
    repoUrl: 'github.com?owner=example&repo=eks-blueprint-generation',
  };
}
