terraform {
  required_version = ">= 1.10"

  # Floors only: the cluster stacks (eks-blue, eks-green) pin the ranges.
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.28"
    }
    helm = {
      source  = "hashicorp/helm"
      version = ">= 3.1"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 3.0"
    }
  }
}
