# Fixture shaped like the generation's environment stack, made only of terraform_data.
variable "environment_name" {
  type = string
}

resource "terraform_data" "vpc" {
  input = "vpc-${var.environment_name}"
}

resource "terraform_data" "route53_zone" {
  input = "${var.environment_name}.example.com"
}

output "vpc_id" {
  value = terraform_data.vpc.output
}

output "argocd_admin_password" {
  value     = "not-for-the-log"
  sensitive = true
}
