variable "route53_weight" {
  type = number
}

variable "argocd_kubeconfig" {
  description = "A kubeconfig of the cluster whose Argo CD cluster secret gets the weight; empty: none"
  type        = string
  default     = ""
}

variable "kubectl" {
  type    = string
  default = "kubectl"
}

resource "terraform_data" "argocd" {
  input = "argocd"
}

# The GitOps Bridge writes the cluster's metadata (route53_weight among it) as annotations
# of the in-cluster Argo CD cluster secret. The fixture does it with kubectl against the
# test's real kube-apiserver, when it is given one.
resource "terraform_data" "cluster_secret_weight" {
  count            = var.argocd_kubeconfig == "" ? 0 : 1
  triggers_replace = [var.route53_weight]
  provisioner "local-exec" {
    interpreter = [
      var.kubectl, "--kubeconfig", var.argocd_kubeconfig, "annotate", "secret",
      "--namespace", "argocd", "--selector", "argocd.argoproj.io/secret-type=cluster",
      "--overwrite",
    ]
    command = "route53_weight=${var.route53_weight}"
  }
}
