# One cluster of the generation (blue or green). Both cluster stacks call this module; they
# differ only in service_name, kubernetes_version and route53_weight.
#
# Module names matter: bluegreen:destroy-ordered (CLUSTER_DESTROY_ORDER in
# bluegreen-common) destroys module.eks_cluster.module.<name> in this order before a final
# full destroy: eks_blueprints_platform_teams, eks_blueprints_dev_teams,
# gitops_bridge_bootstrap, eks_blueprints_addons, ebs_csi_driver_irsa, vpc_cni_irsa, eks.

locals {
  environment = var.environment_name
  service     = var.service_name
  name        = "${var.environment_name}-${var.service_name}"

  # IAM name prefixes are limited to 38 characters, so names derived from the cluster name
  # use a shortened, still per-colour, stem.
  iam_stem = "${substr(var.environment_name, 0, 20)}-${var.service_name}"

  eks_cluster_domain = "${var.environment_name}.${var.hosted_zone_name}" # external-dns domain filter

  gitops_workloads_url = "${var.gitops_workloads_org}/${var.gitops_workloads_repo}"
  gitops_addons_url    = "${var.gitops_addons_org}/${var.gitops_addons_repo}"

  # Argo CD chart installed by the GitOps Bridge (argo-cd 8.x = Argo CD 3.x). The bridge's
  # own default (6.6.0) is old, so it is always set here.
  argocd_chart_version = "8.5.0"

  admin_role_arn = try(data.aws_iam_role.eks_admin[0].arn, null)
  # The identity running Terraform gets its own access entry
  # (enable_cluster_creator_admin_permissions); a second entry for the same principal
  # would fail, so the admin role gets one only when it is someone else.
  admin_access_entries = {
    for k, v in {
      admin = {
        principal_arn = coalesce(local.admin_role_arn, "none")
        policy_associations = {
          admin = {
            policy_arn   = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
            access_scope = { type = "cluster" }
          }
        }
      }
    } : k => v if local.admin_role_arn != null && local.admin_role_arn != data.aws_iam_session_context.current.issuer_arn
  }

  ##############################################################################
  # Add-ons: these flags become labels of the Argo CD cluster secret; the add-ons
  # repository's ApplicationSets select clusters by them.
  ##############################################################################

  aws_addons = {
    enable_cert_manager                 = true
    enable_aws_ebs_csi_resources        = true # gp2/gp3 storage classes for the EBS CSI driver
    enable_aws_cloudwatch_metrics       = true
    enable_external_dns                 = true
    enable_external_secrets             = true
    enable_aws_load_balancer_controller = true
    enable_aws_for_fluentbit            = true
    enable_karpenter                    = true
  }
  oss_addons = {
    enable_ingress_nginx  = true
    enable_kyverno        = true
    enable_metrics_server = true
    # The GitOps Bridge labels every cluster enable_argocd=true, which makes the add-ons
    # repository's argo-cd ApplicationSet take Argo CD over with the chart version pinned
    # there (5.x in aws-samples/eks-blueprints-add-ons): a downgrade of the 8.x release
    # installed below. Terraform keeps owning Argo CD; set true only once the add-ons
    # repository pins a current chart.
    enable_argocd = false
  }
  addons = merge(local.aws_addons, local.oss_addons, { kubernetes_version = var.kubernetes_version })

  ##############################################################################
  # GitOps Bridge metadata: annotations of the Argo CD cluster secret, read by the
  # ApplicationSets in ../../bootstrap and in the add-ons repository.
  #
  # The traffic weight travels: traffic.auto.tfvars -> var.route53_weight -> annotation
  # route53_weight -> bootstrap/workloads.yaml (spec.ingress.route53_weight) -> the
  # workload's Ingress annotation external-dns.alpha.kubernetes.io/aws-weight ->
  # external-dns -> this cluster's weighted record (set identifier = cluster name).
  #
  # external-dns's txtOwnerId is the cluster name too: the add-ons repository's external-dns
  # ApplicationSet sets it from the aws_cluster_name annotation below, so that with
  # policy=sync each cluster only ever changes its own weighted record.
  #
  # No Argo CD password (or hash) here: annotations are readable by anyone who can read the
  # secret's metadata.
  ##############################################################################

  addons_metadata = merge(
    module.eks_blueprints_addons.gitops_metadata,
    {
      aws_cluster_name = module.eks.cluster_name
      aws_region       = var.aws_region
      aws_account_id   = data.aws_caller_identity.current.account_id
      aws_vpc_id       = data.aws_vpc.vpc.id
      cluster_endpoint = module.eks.cluster_endpoint
      env              = local.service
    },
    {
      aws_secret_manager_git_private_ssh_key_name = var.aws_secret_manager_git_private_ssh_key_name

      gitops_workloads_url      = local.gitops_workloads_url
      gitops_workloads_path     = var.gitops_workloads_path
      gitops_workloads_revision = var.gitops_workloads_revision

      addons_repo_url      = local.gitops_addons_url
      addons_repo_basepath = var.gitops_addons_basepath
      addons_repo_path     = var.gitops_addons_path
      addons_repo_revision = var.gitops_addons_revision
    },
    {
      eks_cluster_domain          = local.eks_cluster_domain
      external_dns_policy         = "sync"
      ingress_type                = var.ingress_type
      route53_weight              = tostring(var.route53_weight)
      record_ttl                  = tostring(var.record_ttl)
      ebs_csi_driver_iam_role_arn = module.ebs_csi_driver_irsa.arn
    },
  )

  # App of apps applied by the GitOps Bridge: one for the add-ons, one for the workloads.
  argocd_apps = {
    addons    = file("${path.module}/../../bootstrap/addons.yaml")
    workloads = file("${path.module}/../../bootstrap/workloads.yaml")
  }

  tags = {
    Blueprint              = local.name
    "bluegreen/generation" = local.environment
    "bluegreen/colour"     = local.service
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# The role behind the (possibly assumed-role) identity running Terraform.
data "aws_iam_session_context" "current" {
  arn = data.aws_caller_identity.current.arn
}

data "aws_iam_role" "eks_admin" {
  count = var.eks_admin_role_name != "" ? 1 : 0
  name  = var.eks_admin_role_name
}

################################################################################
# The environment stack's network and zone, found by name
################################################################################

data "aws_vpc" "vpc" {
  filter {
    name   = "tag:Name"
    values = [local.environment]
  }
}

data "aws_subnets" "private" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.vpc.id]
  }
  filter {
    name   = "tag:Name"
    values = ["${local.environment}-private-*"]
  }
}

data "aws_subnets" "public" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.vpc.id]
  }
  filter {
    name   = "tag:Name"
    values = ["${local.environment}-public-*"]
  }
}

# Mark the shared subnets as usable by this cluster (load balancer controller discovery).
resource "aws_ec2_tag" "private_subnets" {
  for_each    = toset(data.aws_subnets.private.ids)
  resource_id = each.value
  key         = "kubernetes.io/cluster/${local.name}"
  value       = "shared"
}

resource "aws_ec2_tag" "public_subnets" {
  for_each    = toset(data.aws_subnets.public.ids)
  resource_id = each.value
  key         = "kubernetes.io/cluster/${local.name}"
  value       = "shared"
}

data "aws_route53_zone" "sub" {
  name         = local.eks_cluster_domain
  private_zone = false
}

################################################################################
# Secrets read from Secrets Manager
################################################################################

# Created by the environment stack: JSON { password, bcrypt_hash }. The hash was computed
# once there, so the Argo CD release below does not change from one run to the next.
data "aws_secretsmanager_secret_version" "argocd_admin" {
  secret_id = "${var.argocd_secret_manager_name_suffix}.${local.environment}"
}

# Prerequisite: the plain-text private SSH key for the GitOps repositories.
data "aws_secretsmanager_secret_version" "git_ssh_key" {
  secret_id = var.aws_secret_manager_git_private_ssh_key_name
}

################################################################################
# EKS cluster (terraform-aws-modules/eks v21: access entries, no aws-auth ConfigMap)
################################################################################

#tfsec:ignore:aws-eks-enable-control-plane-logging
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.19"

  name                   = local.name
  kubernetes_version     = var.kubernetes_version
  endpoint_public_access = true

  vpc_id     = data.aws_vpc.vpc.id
  subnet_ids = data.aws_subnets.private.ids

  iam_role_name = "${local.iam_stem}-cluster"

  # Access entries only. The identity running Terraform becomes cluster admin, and so
  # does the admin role (when it is another principal); the teams' and Karpenter's
  # entries are below, outside this module.
  authentication_mode                      = "API"
  enable_cluster_creator_admin_permissions = true
  access_entries                           = local.admin_access_entries

  addons = {
    coredns = {}
    vpc-cni = {
      # Configured before any node starts, so that nodes come up with prefix delegation.
      before_compute           = true
      service_account_role_arn = module.vpc_cni_irsa.arn
      configuration_values = jsonencode({
        env = {
          ENABLE_PREFIX_DELEGATION = "true"
          WARM_PREFIX_TARGET       = "1"
        }
      })
    }
    kube-proxy = {}
  }

  eks_managed_node_groups = {
    initial = {
      instance_types = ["m5.large"]

      min_size     = 1
      max_size     = 5
      desired_size = 3

      # v21 lowers the IMDS hop limit to 1; pods that read instance metadata (the load
      # balancer controller without explicit region/VPC values) need 2.
      metadata_options = {
        http_endpoint               = "enabled"
        http_tokens                 = "required"
        http_put_response_hop_limit = 2
      }
    }
  }

  node_security_group_tags = {
    # Karpenter finds the node security group of this cluster by this tag.
    "karpenter.sh/discovery" = local.name
  }

  tags = local.tags
}

################################################################################
# Teams (namespaces, quotas, IAM roles); cluster access through access entries
################################################################################

module "eks_blueprints_platform_teams" {
  source  = "aws-ia/eks-blueprints-teams/aws"
  version = "~> 1.1"

  name = "team-platform"

  # Cluster admin: AmazonEKSClusterAdminPolicy through the access entry below.
  enable_admin = true

  # Who may assume the team's role.
  users = compact([
    data.aws_iam_session_context.current.issuer_arn,
    local.admin_role_arn,
  ])
  cluster_arn       = module.eks.cluster_arn
  oidc_provider_arn = module.eks.oidc_provider_arn

  labels = {
    "elbv2.k8s.aws/pod-readiness-gate-inject" = "enabled"
    "appName"                                 = "platform-team-app"
    "projectName"                             = "project-platform"
  }

  annotations = {
    team = "platform"
  }

  namespaces = {
    "team-platform" = {
      resource_quota = {
        hard = {
          "requests.cpu"    = "10000m"
          "requests.memory" = "20Gi"
          "limits.cpu"      = "20000m"
          "limits.memory"   = "50Gi"
          "pods"            = "20"
          "secrets"         = "20"
          "services"        = "20"
        }
      }

      limit_range = {
        limit = [
          {
            type = "Pod"
            max  = { cpu = "1000m", memory = "1Gi" }
            min  = { cpu = "10m", memory = "4Mi" }
          },
          {
            type = "PersistentVolumeClaim"
            min  = { storage = "24M" }
          },
        ]
      }
    }
  }

  tags = local.tags

  # Its Kubernetes objects need the cluster, its nodes and Terraform's own access entry.
  depends_on = [module.eks]
}

module "eks_blueprints_dev_teams" {
  source  = "aws-ia/eks-blueprints-teams/aws"
  version = "~> 1.1"

  for_each = {
    burnham = {
      labels = {
        "elbv2.k8s.aws/pod-readiness-gate-inject" = "enabled"
        "appName"                                 = "burnham-team-app"
        "projectName"                             = "project-burnham"
      }
    }
  }

  name = "team-${each.key}"

  users             = [data.aws_iam_session_context.current.issuer_arn]
  cluster_arn       = module.eks.cluster_arn
  oidc_provider_arn = module.eks.oidc_provider_arn

  labels = merge({ team = each.key }, each.value.labels)

  annotations = {
    team = each.key
  }

  namespaces = {
    "team-${each.key}" = {
      labels = merge({ team = each.key }, each.value.labels)

      resource_quota = {
        hard = {
          "requests.cpu"    = "100"
          "requests.memory" = "20Gi"
          "limits.cpu"      = "200"
          "limits.memory"   = "50Gi"
          "pods"            = "100"
          "secrets"         = "10"
          "services"        = "20"
        }
      }

      limit_range = {
        limit = [
          {
            type = "Pod"
            max  = { cpu = "2", memory = "1Gi" }
            min  = { cpu = "10m", memory = "4Mi" }
          },
          {
            type = "PersistentVolumeClaim"
            min  = { storage = "24M" }
          },
          {
            type    = "Container"
            default = { cpu = "50m", memory = "24Mi" }
          },
        ]
      }
    }
  }

  tags = local.tags

  depends_on = [module.eks]
}

# Access entries of the teams. They live outside module.eks so that the teams can wait for
# the whole cluster module without a dependency cycle; destroying a team removes them first.
resource "aws_eks_access_entry" "platform_team" {
  cluster_name  = module.eks.cluster_name
  principal_arn = module.eks_blueprints_platform_teams.iam_role_arn

  tags = local.tags
}

resource "aws_eks_access_policy_association" "platform_team" {
  cluster_name  = module.eks.cluster_name
  principal_arn = aws_eks_access_entry.platform_team.principal_arn
  policy_arn    = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}

# Dev teams map to the Kubernetes group the teams module binds in their namespaces.
resource "aws_eks_access_entry" "dev_teams" {
  for_each = module.eks_blueprints_dev_teams

  cluster_name      = module.eks.cluster_name
  principal_arn     = each.value.iam_role_arn
  kubernetes_groups = [each.value.rbac_group]

  tags = local.tags
}

################################################################################
# EKS Blueprints Addons: IAM roles and metadata only. Argo CD installs the charts
# (create_kubernetes_resources = false), the GitOps Bridge passes the metadata.
################################################################################

module "eks_blueprints_addons" {
  source  = "aws-ia/eks-blueprints-addons/aws"
  version = "~> 1.24.3"

  cluster_name      = module.eks.cluster_name
  cluster_endpoint  = module.eks.cluster_endpoint
  cluster_version   = module.eks.cluster_version
  oidc_provider_arn = module.eks.oidc_provider_arn

  create_kubernetes_resources = false

  enable_cert_manager                   = local.aws_addons.enable_cert_manager
  cert_manager_route53_hosted_zone_arns = [data.aws_route53_zone.sub.arn]
  enable_aws_cloudwatch_metrics         = local.aws_addons.enable_aws_cloudwatch_metrics
  enable_external_dns                   = local.aws_addons.enable_external_dns
  external_dns_route53_zone_arns        = [data.aws_route53_zone.sub.arn]
  enable_external_secrets               = local.aws_addons.enable_external_secrets
  enable_aws_load_balancer_controller   = local.aws_addons.enable_aws_load_balancer_controller
  aws_load_balancer_controller = {
    service_account_name = "aws-lb-sa"
  }
  enable_aws_for_fluentbit = local.aws_addons.enable_aws_for_fluentbit
  enable_karpenter         = local.aws_addons.enable_karpenter
  karpenter_node = {
    # Default would be karpenter-<cluster name>-, too long for an IAM name prefix.
    iam_role_name = "karpenter-${local.iam_stem}"
  }

  tags = local.tags
}

# Nodes Karpenter launches join through an EC2_LINUX access entry (aws-auth is gone).
resource "aws_eks_access_entry" "karpenter_node" {
  cluster_name  = module.eks.cluster_name
  principal_arn = module.eks_blueprints_addons.karpenter.node_iam_role_arn
  type          = "EC2_LINUX"

  tags = local.tags
}

################################################################################
# IRSA roles (terraform-aws-modules/iam v6: iam-role-for-service-accounts)
################################################################################

# For the EBS CSI driver; its ARN is passed in the GitOps metadata
# (ebs_csi_driver_iam_role_arn). The EKS add-on itself is left out as in the seed: it takes
# about 15 minutes to become active.
module "ebs_csi_driver_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts"
  version = "~> 6.5"

  name = "${local.iam_stem}-ebs-csi"

  attach_ebs_csi_policy = true

  oidc_providers = {
    main = {
      provider_arn               = module.eks.oidc_provider_arn
      namespace_service_accounts = ["kube-system:ebs-csi-controller-sa"]
    }
  }

  tags = local.tags
}

module "vpc_cni_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts"
  version = "~> 6.5"

  name = "${local.iam_stem}-vpc-cni"

  attach_vpc_cni_policy = true
  vpc_cni_enable_ipv4   = true

  oidc_providers = {
    main = {
      provider_arn               = module.eks.oidc_provider_arn
      namespace_service_accounts = ["kube-system:aws-node"]
    }
  }

  tags = local.tags
}

################################################################################
# Argo CD: namespace, repository credentials, and the GitOps Bridge bootstrap
################################################################################

resource "kubernetes_namespace_v1" "argocd" {
  metadata {
    name = "argocd"
  }

  depends_on = [module.eks, module.eks_blueprints_addons]
}

# Credential templates (repo-creds) matched by URL prefix: one per GitOps repository, both
# with the SSH key from Secrets Manager. For public https:// repositories, drop
# sshPrivateKey. The key ends up in this stack's state: keep the state bucket private.
resource "kubernetes_secret_v1" "git_secrets" {
  for_each = {
    git-addons = {
      type          = "git"
      url           = local.gitops_addons_url
      sshPrivateKey = data.aws_secretsmanager_secret_version.git_ssh_key.secret_string
    }
    git-workloads = {
      type          = "git"
      url           = local.gitops_workloads_url
      sshPrivateKey = data.aws_secretsmanager_secret_version.git_ssh_key.secret_string
    }
  }

  metadata {
    name      = each.key
    namespace = kubernetes_namespace_v1.argocd.metadata[0].name
    labels = {
      "argocd.argoproj.io/secret-type" = "repo-creds"
    }
  }

  data = each.value
}

module "gitops_bridge_bootstrap" {
  # The helm-provider-3 capable GitOps Bridge (set / set_sensitive as attributes), pinned to
  # a commit: no release tag containing it could be confirmed.
  source = "github.com/gitops-bridge-dev/terraform-helm-gitops-bridge?ref=714c425d3db0dfdb4aeb98c536657c43b4f84435"

  cluster = {
    cluster_name = module.eks.cluster_name
    environment  = local.environment
    metadata     = local.addons_metadata
    addons       = local.addons
  }

  apps = local.argocd_apps

  argocd = {
    namespace        = kubernetes_namespace_v1.argocd.metadata[0].name
    create_namespace = false
    chart_version    = local.argocd_chart_version

    set = [
      {
        name  = "server.service.type"
        value = "LoadBalancer"
      },
    ]
    # The stable hash from the environment stack (see its main.tf): no diff on every run.
    set_sensitive = [
      {
        name  = "configs.secret.argocdServerAdminPassword"
        value = jsondecode(data.aws_secretsmanager_secret_version.argocd_admin.secret_string).bcrypt_hash
      },
    ]
  }

  depends_on = [kubernetes_secret_v1.git_secrets]
}
