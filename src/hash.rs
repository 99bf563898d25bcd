//! The generated-name hash suffix, as kustomize computes it.
