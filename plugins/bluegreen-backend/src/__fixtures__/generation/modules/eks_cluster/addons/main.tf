resource "terraform_data" "coredns" {
  input = "coredns"
}
