resource "terraform_data" "team_burnham" {
  input = "team-burnham"
}
