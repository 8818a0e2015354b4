environment_name = "eks-blueprint"
