# The environment of a cluster generation: everything blue and green share. Apply it first
# and destroy it last (after both cluster stacks are gone).

provider "aws" {
  region = var.aws_region
}

locals {
  name        = var.environment_name
  sub_zone    = "${var.environment_name}.${var.hosted_zone_name}"
  azs         = slice(data.aws_availability_zones.available.names, 0, min(length(data.aws_availability_zones.available.names), 3))
  secret_name = "${var.argocd_secret_manager_name_suffix}.${var.environment_name}"

  tags = {
    Blueprint              = local.name
    "bluegreen/stack"      = "environment"
    "bluegreen/generation" = local.name
  }
}

# Regular availability zones only (no Local or Wavelength Zones).
data "aws_availability_zones" "available" {
  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

################################################################################
# VPC shared by both clusters. The cluster stacks find it by its Name tag
# (<environment_name>) and its subnets by <environment_name>-private-* / -public-*.
################################################################################

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 6.6"

  name = local.name
  cidr = var.vpc_cidr

  azs             = local.azs
  public_subnets  = [for k, v in local.azs : cidrsubnet(var.vpc_cidr, 6, k)]
  private_subnets = [for k, v in local.azs : cidrsubnet(var.vpc_cidr, 6, k + 10)]

  enable_nat_gateway = true
  single_nat_gateway = true

  public_subnet_tags = {
    "kubernetes.io/role/elb" = 1
  }

  private_subnet_tags = {
    "kubernetes.io/role/internal-elb" = 1
  }

  tags = local.tags
}

################################################################################
# Route 53: the sub-zone <environment_name>.<hosted_zone_name>, delegated from the existing
# parent zone. external-dns in each cluster writes the weighted records here.
################################################################################

data "aws_route53_zone" "root" {
  name         = var.hosted_zone_name
  private_zone = false
}

resource "aws_route53_zone" "sub" {
  name = local.sub_zone

  tags = local.tags
}

resource "aws_route53_record" "ns" {
  zone_id = data.aws_route53_zone.root.zone_id
  name    = local.sub_zone
  type    = "NS"
  ttl     = 30
  records = aws_route53_zone.sub.name_servers
}

################################################################################
# ACM certificate for the sub-zone and its wildcard, validated through DNS in the sub-zone.
# The load balancer controller picks it up by host name for the workloads' ingresses.
################################################################################

module "acm" {
  source  = "terraform-aws-modules/acm/aws"
  version = "~> 6.3"

  domain_name               = local.sub_zone
  subject_alternative_names = ["*.${local.sub_zone}"]

  zone_id             = aws_route53_zone.sub.zone_id
  validation_method   = "DNS"
  wait_for_validation = true

  tags = merge(local.tags, { Name = local.sub_zone })

  # The validation records need the delegation to resolve.
  depends_on = [aws_route53_record.ns]
}

################################################################################
# Argo CD admin password, shared by both clusters, in Secrets Manager as JSON:
#   { "password": "<plain text>", "bcrypt_hash": "<bcrypt of it>" }
# The bcrypt hash is random_password's own bcrypt_hash attribute: computed once when the
# password is created and kept in state, so it never changes between runs. (The seed called
# bcrypt() in the cluster stacks, which salts anew on every run and so changed the Argo CD
# release and the cluster secret on every plan.) The cluster stacks read the hash from here.
################################################################################

resource "random_password" "argocd" {
  length           = 16
  special          = true
  override_special = "!#$%&*()-_=+[]{}<>:?"
}

#tfsec:ignore:aws-ssm-secret-use-customer-key
resource "aws_secretsmanager_secret" "argocd" {
  name        = local.secret_name
  description = "Argo CD admin password of the ${local.name} cluster generation (JSON: password, bcrypt_hash)"

  # Deleted at once on destroy, so that a generation of the same name can be created again.
  recovery_window_in_days = 0

  tags = local.tags
}

resource "aws_secretsmanager_secret_version" "argocd" {
  secret_id = aws_secretsmanager_secret.argocd.id
  secret_string = jsonencode({
    password    = random_password.argocd.result
    bcrypt_hash = random_password.argocd.bcrypt_hash
  })
}
