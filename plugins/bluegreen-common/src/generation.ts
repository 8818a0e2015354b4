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

/**
 * The file of a cluster stack that sets its Kubernetes version, on one machine-owned line
 * (`kubernetes_version = "1.35"`): "Upgrade the idle cluster" rewrites that line and
 * nothing else.
 * @public
 */
export const KUBERNETES_VERSION_FILE = 'main.tf';

/**
 * The machine-owned version line of {@link KUBERNETES_VERSION_FILE}: group 1 is its
 * indentation, group 2 the version.
 * @public
 */
export const KUBERNETES_VERSION_LINE =
  /^(\s*)kubernetes_version\s*=\s*"(\d+\.\d+)"\s*$/;

/**
 * The Kubernetes version a stack's main.tf sets, or why it cannot be told: the file must
 * set it on exactly one machine-owned line.
 * @public
 */
export function kubernetesVersionIn(
  mainTf: string,
): { version: string; line: number } | { problem: string } {
  const lines = mainTf.split('\n');
  const found = lines.flatMap((line, index) => {
    const match = KUBERNETES_VERSION_LINE.exec(line);
    return match ? [{ version: match[2], line: index }] : [];
  });
  if (found.length !== 1) {
    return {
      problem: `sets kubernetes_version on ${found.length} lines of the form kubernetes_version = "<major>.<minor>" (expected exactly one)`,
    };
  }
  return found[0];
}

/**
 * main.tf with its machine-owned version line set to `version` (the rest unchanged).
 * @public
 */
export function withKubernetesVersion(mainTf: string, version: string): string {
  const found = kubernetesVersionIn(mainTf);
  if ('problem' in found) {
    throw new Error(`${KUBERNETES_VERSION_FILE} ${found.problem}`);
  }
  const lines = mainTf.split('\n');
  const indent = KUBERNETES_VERSION_LINE.exec(lines[found.line])![1];
  lines[found.line] = `${indent}kubernetes_version = "${version}"`;
  return lines.join('\n');
}
