//! JSON 6902 patches with kustomize's quirks.
