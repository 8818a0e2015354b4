//go:build tools

// Package tools pins kube-apiserver and kubectl as dependencies of this build module.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
