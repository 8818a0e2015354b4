output "cluster_name" {
  description = "Name of the EKS cluster; also its Route 53 set identifier and external-dns owner id"
  value       = module.eks_cluster.cluster_name
}

output "cluster_endpoint" {
  description = "Endpoint of the cluster's Kubernetes API"
  value       = module.eks_cluster.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64-encoded certificate authority of the cluster's Kubernetes API"
  value       = module.eks_cluster.cluster_certificate_authority_data
}

output "kubernetes_version" {
  description = "Kubernetes version of the cluster"
  value       = module.eks_cluster.kubernetes_version
}

output "aws_region" {
  description = "AWS region of the cluster"
  value       = module.eks_cluster.aws_region
}

output "route53_weight" {
  description = "Route 53 weight this cluster's workloads publish"
  value       = module.eks_cluster.route53_weight
}

output "gitops_metadata" {
  description = "Annotations of the Argo CD cluster secret (GitOps Bridge metadata)"
  value       = module.eks_cluster.gitops_metadata
  sensitive   = true
}

output "configure_kubectl" {
  description = "Configure kubectl for this cluster"
  value       = module.eks_cluster.configure_kubectl
}

output "access_argocd" {
  description = "Print the Argo CD URL and the admin password"
  value       = module.eks_cluster.access_argocd
}
