output "vpc_id" {
  description = "ID of the generation's VPC"
  value       = module.vpc.vpc_id
}

output "private_subnets" {
  description = "IDs of the private subnets (the clusters' nodes)"
  value       = module.vpc.private_subnets
}

output "public_subnets" {
  description = "IDs of the public subnets (internet-facing load balancers)"
  value       = module.vpc.public_subnets
}

output "route53_zone_id" {
  description = "ID of the sub-zone holding the weighted records"
  value       = aws_route53_zone.sub.zone_id
}

output "route53_zone_name" {
  description = "Name of the sub-zone holding the weighted records"
  value       = aws_route53_zone.sub.name
}

output "acm_certificate_arn" {
  description = "ARN of the certificate for the sub-zone and its wildcard"
  value       = module.acm.acm_certificate_arn
}

output "aws_acm_certificate_status" {
  description = "Status of the certificate"
  value       = module.acm.acm_certificate_status
}

output "argocd_admin_secret_name" {
  description = "Secrets Manager secret with the Argo CD admin password (JSON key password)"
  value       = aws_secretsmanager_secret.argocd.name
}

output "argocd_admin_password" {
  description = "Argo CD admin password of both clusters"
  value       = random_password.argocd.result
  sensitive   = true
}
