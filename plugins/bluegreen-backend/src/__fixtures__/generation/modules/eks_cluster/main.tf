variable "service_name" {
  type = string
}

variable "cluster_name" {
  type = string
}

variable "kubernetes_version" {
  type = string
}

variable "route53_weight" {
  type = number
}

variable "fail" {
  type = bool
}

variable "sleep_once_seconds" {
  type = number
}

variable "argocd_kubeconfig" {
  type = string
}

variable "kubectl" {
  type = string
}

module "eks" {
  source             = "./eks"
  cluster_name       = var.cluster_name
  kubernetes_version = var.kubernetes_version
  fail               = var.fail
  sleep_once_seconds = var.sleep_once_seconds
}

module "eks_blueprints_dev_teams" {
  source     = "./teams"
  depends_on = [module.eks]
}

module "vpc_cni_irsa" {
  source     = "./irsa"
  depends_on = [module.eks]
}

module "eks_blueprints_addons" {
  source     = "./addons"
  depends_on = [module.eks]
}

module "gitops_bridge_bootstrap" {
  source            = "./gitops_bridge"
  route53_weight    = var.route53_weight
  argocd_kubeconfig = var.argocd_kubeconfig
  kubectl           = var.kubectl
  depends_on        = [module.eks_blueprints_addons]
}

# Outside the ordered modules: removed by the final full destroy.
resource "terraform_data" "subnet_tags" {
  input = "kubernetes.io/cluster/${var.cluster_name}"
}

resource "terraform_data" "gitops_metadata" {
  input = { route53_weight = var.route53_weight }
}

output "cluster_name" {
  value = module.eks.cluster_name
}

output "cluster_endpoint" {
  value = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  value = module.eks.cluster_certificate_authority_data
}

output "kubernetes_version" {
  value = module.eks.kubernetes_version
}
