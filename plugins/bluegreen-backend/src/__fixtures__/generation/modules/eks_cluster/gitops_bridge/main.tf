resource "terraform_data" "argocd" {
  input = "argocd"
}
