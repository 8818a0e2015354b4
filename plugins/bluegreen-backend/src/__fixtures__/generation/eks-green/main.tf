# Fixture shaped like a cluster stack: module.eks_cluster.module.<name> of terraform_data.
variable "environment_name" {
  type = string
}

variable "route53_weight" {
  description = "Weight of this cluster's record (set in traffic.auto.tfvars)"
  type        = number
}

variable "fail" {
  description = "Make one resource fail on creation"
  type        = bool
  default     = false
}

variable "sleep_once_seconds" {
  description = "Make one resource slow on its first creation attempt in this stack"
  type        = number
  default     = 0
}

variable "argocd_kubeconfig" {
  description = "Tests: a kubeconfig of the cluster whose Argo CD cluster secret gets the weight"
  type        = string
  default     = ""
}

variable "kubectl" {
  type    = string
  default = "kubectl"
}

module "eks_cluster" {
  source             = "../modules/eks_cluster"
  service_name       = "green"
  kubernetes_version = "1.34"
  cluster_name       = "${var.environment_name}-green"
  fail               = var.fail
  sleep_once_seconds = var.sleep_once_seconds
  route53_weight     = var.route53_weight
  argocd_kubeconfig  = var.argocd_kubeconfig
  kubectl            = var.kubectl
}

output "cluster_name" {
  value = module.eks_cluster.cluster_name
}

output "cluster_endpoint" {
  value = module.eks_cluster.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  value = module.eks_cluster.cluster_certificate_authority_data
}

output "kubernetes_version" {
  value = module.eks_cluster.kubernetes_version
}
