# Inputs of one cluster of the generation. The cluster stacks pass every shared setting
# through unchanged; only service_name, kubernetes_version and route53_weight differ
# between blue and green.

variable "service_name" {
  description = "Colour of this cluster: blue or green"
  type        = string

  validation {
    condition     = contains(["blue", "green"], var.service_name)
    error_message = "service_name must be blue or green."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes version of this cluster (<major>.<minor>, a version EKS supports)"
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version must look like 1.33."
  }
}

variable "route53_weight" {
  description = "Route 53 weight (0-255) of this cluster's weighted records"
  type        = number

  validation {
    condition     = var.route53_weight >= 0 && var.route53_weight <= 255 && floor(var.route53_weight) == var.route53_weight
    error_message = "route53_weight must be a whole number from 0 to 255."
  }
}

variable "aws_region" {
  description = "AWS region of the generation"
  type        = string
}

variable "environment_name" {
  description = "Name of the generation: names the VPC, the sub-zone <environment_name>.<hosted_zone_name> and the clusters <environment_name>-<colour>"
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", var.environment_name)) && length(var.environment_name) <= 40
    error_message = "environment_name must be a DNS label of at most 40 characters: lower-case letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "hosted_zone_name" {
  description = "Existing public Route 53 hosted zone the generation's sub-zone is delegated from, such as example.com"
  type        = string
}

variable "eks_admin_role_name" {
  description = "IAM role given cluster-admin access to both clusters through an EKS access entry (empty: none)"
  type        = string
  default     = ""
}

variable "aws_secret_manager_git_private_ssh_key_name" {
  description = "Secrets Manager secret whose value is the plain-text private SSH key Argo CD uses to read the GitOps repositories"
  type        = string
}

variable "gitops_workloads_org" {
  description = "Git organisation URL of the workloads repository, such as git@github.com:aws-samples"
  type        = string
}

variable "gitops_workloads_repo" {
  description = "Workloads repository name"
  type        = string
}

variable "gitops_workloads_revision" {
  description = "Branch, tag or commit of the workloads repository"
  type        = string
}

variable "gitops_workloads_path" {
  description = "Path of the workloads (app of apps) in the workloads repository, such as envs/dev"
  type        = string
}

variable "gitops_addons_org" {
  description = "Git organisation URL of the add-ons repository"
  type        = string
}

variable "gitops_addons_repo" {
  description = "Add-ons repository name"
  type        = string
}

variable "gitops_addons_basepath" {
  description = "Base path of the add-ons repository (prefix of its values files)"
  type        = string
}

variable "gitops_addons_path" {
  description = "Path of the add-on ApplicationSets in the add-ons repository"
  type        = string
}

variable "gitops_addons_revision" {
  description = "Branch, tag or commit of the add-ons repository"
  type        = string
}

variable "record_ttl" {
  description = "TTL in seconds the workloads put on their DNS records (alias records to a load balancer keep Route 53's fixed 60 s)"
  type        = number

  validation {
    condition     = var.record_ttl >= 1 && var.record_ttl <= 172800 && floor(var.record_ttl) == var.record_ttl
    error_message = "record_ttl must be a whole number of seconds from 1 to 172800."
  }
}

variable "argocd_secret_manager_name_suffix" {
  description = "Prefix of the Secrets Manager secret <prefix>.<environment_name> holding the Argo CD admin password"
  type        = string
  default     = "argocd-admin-secret"
}

variable "ingress_type" {
  description = "Ingress type the workloads use (passed to them through the GitOps Bridge metadata)"
  type        = string
  default     = "alb"
}
