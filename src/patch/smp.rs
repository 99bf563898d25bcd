//! Strategic merge patch, with the Kubernetes v1.21.2 merge keys kustomize uses.
