variable "service_name" {
  type = string
}

variable "cluster_name" {
  type = string
}

variable "fail" {
  type = bool
}

variable "sleep_once_seconds" {
  type = number
}

module "eks" {
  source             = "./eks"
  cluster_name       = var.cluster_name
  fail               = var.fail
  sleep_once_seconds = var.sleep_once_seconds
}

module "eks_blueprints_addons" {
  source     = "./addons"
  depends_on = [module.eks]
}

module "gitops_bridge_bootstrap" {
  source     = "./gitops_bridge"
  depends_on = [module.eks_blueprints_addons]
}

output "cluster_name" {
  value = module.eks.cluster_name
}

output "cluster_endpoint" {
  value = module.eks.cluster_endpoint
}
