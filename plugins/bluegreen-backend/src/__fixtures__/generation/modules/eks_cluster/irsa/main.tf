resource "terraform_data" "role" {
  input = "vpc-cni"
}
