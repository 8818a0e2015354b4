variable "cluster_name" {
  type = string
}

variable "kubernetes_version" {
  type = string
}

variable "fail" {
  type = bool
}

variable "sleep_once_seconds" {
  type = number
}

resource "terraform_data" "cluster" {
  input = var.cluster_name
  # A new version rebuilds the cluster, as the idle colour's upgrade does.
  triggers_replace = [var.kubernetes_version]

  provisioner "local-exec" {
    # Slow only the first time (a marker in the stack folder), like a stalled add-on
    # that goes through on the rerun.
    command = var.fail ? "echo 'cluster creation failed' >&2; exit 1" : var.sleep_once_seconds > 0 ? "test -e .slowed-once || { touch .slowed-once; sleep ${var.sleep_once_seconds}; }" : "true"
  }
}

output "cluster_name" {
  value = terraform_data.cluster.output
}

output "cluster_endpoint" {
  value = "https://${terraform_data.cluster.output}.gr7.us-west-2.eks.amazonaws.com"
}

output "cluster_certificate_authority_data" {
  value = base64encode("fixture CA of ${terraform_data.cluster.output}")
}

output "kubernetes_version" {
  value = var.kubernetes_version
}
