output "cluster_name" {
  description = "Name of the EKS cluster (<environment_name>-<colour>); also its Route 53 set identifier and external-dns owner id"
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "Endpoint of the cluster's Kubernetes API"
  value       = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64-encoded certificate authority of the cluster's Kubernetes API"
  value       = module.eks.cluster_certificate_authority_data
}

output "kubernetes_version" {
  description = "Kubernetes version of the cluster"
  value       = module.eks.cluster_version
}

output "aws_region" {
  description = "AWS region of the cluster"
  value       = var.aws_region
}

output "route53_weight" {
  description = "Route 53 weight this cluster's workloads publish"
  value       = var.route53_weight
}

output "gitops_metadata" {
  description = "Annotations of the Argo CD cluster secret (GitOps Bridge metadata)"
  value       = local.addons_metadata
  sensitive   = true
}

output "configure_kubectl" {
  description = "Configure kubectl for this cluster (run it with a principal that has an access entry)"
  value       = "aws eks --region ${var.aws_region} update-kubeconfig --name ${module.eks.cluster_name} --alias ${module.eks.cluster_name}"
}

output "access_argocd" {
  description = "Print the Argo CD URL and the admin password"
  value       = <<-EOT
    kubectl --context ${module.eks.cluster_name} -n argocd get svc argo-cd-argocd-server -o jsonpath='{.status.loadBalancer.ingress[0].hostname}'; echo
    aws secretsmanager get-secret-value --region ${var.aws_region} --secret-id ${var.argocd_secret_manager_name_suffix}.${var.environment_name} --query SecretString --output text | jq -r .password
  EOT
}
