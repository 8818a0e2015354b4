resource "terraform_data" "coredns" {
  input = "coredns"

  # A test makes this destroy fail by creating the marker in the stack folder.
  provisioner "local-exec" {
    when    = destroy
    command = "test ! -e .fail-destroy-addons"
  }
}
