import { ClusterColour } from './annotations';
import { GenerationStack } from './stacks';

/**
 * The machine-owned file in each cluster stack that holds its Route 53 weight, so that a
 * cutover edits this one small file and never hand-written HCL.
 * @public
 */
export const WEIGHT_FILE = 'traffic.auto.tfvars';

/**
 * The variable in {@link WEIGHT_FILE}: the weight of the cluster's weighted record.
 * @public
 */
export const WEIGHT_VARIABLE = 'route53_weight';

/**
 * The whole content of a stack's {@link WEIGHT_FILE}, as the generation template and
 * bluegreen:set-weight write it.
 * @public
 */
export function weightFileContent(weight: number): string {
  return `# Machine-owned: written by the bluegreen generation template and bluegreen:set-weight.\n# The Route 53 weight (0-255) of this cluster's records; change it with a cutover.\n${WEIGHT_VARIABLE} = ${weight}\n`;
}

/** @public */
export const CLUSTER_STACKS: Record<ClusterColour, GenerationStack> = {
  blue: 'eks-blue',
  green: 'eks-green',
};

/**
 * The colour of a cluster stack, or undefined for the environment stack.
 * @public
 */
export function stackColour(stack: GenerationStack): ClusterColour | undefined {
  if (stack === CLUSTER_STACKS.blue) {
    return 'blue';
  }
  if (stack === CLUSTER_STACKS.green) {
    return 'green';
  }
  return undefined;
}

/**
 * The cluster name of a colour in a generation, as the seed names them
 * (`<environment>-<colour>`, for example eks-blueprint-blue).
 * @public
 */
export function clusterName(
  environmentName: string,
  colour: ClusterColour,
): string {
  return `${environmentName}-${colour}`;
}

/**
 * The EKS cluster module of a cluster stack: while the state holds it, the cluster exists.
 * @public
 */
export const EKS_MODULE_ADDRESS = 'module.eks_cluster.module.eks';

/**
 * Module addresses of a cluster stack in the order they are destroyed, from the seed's
 * teardown: workloads' add-ons and teams first, then the GitOps Bridge, the add-ons
 * module, the IRSA roles, and the EKS cluster last. Entries a given state lacks (some
 * are leftovers of older module versions) are skipped.
 * @public
 */
export const CLUSTER_DESTROY_ORDER = [
  'module.eks_cluster.module.kubernetes_addons',
  'module.eks_cluster.module.eks_blueprints_platform_teams',
  'module.eks_cluster.module.eks_blueprints_dev_teams',
  'module.eks_cluster.module.eks_blueprints_ecsdemo_teams',
  'module.eks_cluster.module.gitops_bridge_bootstrap',
  'module.eks_cluster.module.gitops_bridge_metadata',
  'module.eks_cluster.module.eks_blueprints_addons',
  'module.eks_cluster.module.ebs_csi_driver_irsa',
  'module.eks_cluster.module.vpc_cni_irsa',
  EKS_MODULE_ADDRESS,
] as const;
