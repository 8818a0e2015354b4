variable "cluster_name" {
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

  provisioner "local-exec" {
    # Slow only the first time (a marker in the stack folder), like a stalled add-on
    # that goes through on the rerun.
    command = var.fail ? "echo 'cluster creation failed' >&2; exit 1" : "test -e .slowed-once || { touch .slowed-once; sleep ${var.sleep_once_seconds}; }"
  }
}

output "cluster_name" {
  value = terraform_data.cluster.output
}

output "cluster_endpoint" {
  value = "https://${terraform_data.cluster.output}.eks.example.com"
}
