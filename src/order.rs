//! Output order: kustomize's legacy kind order and fifo.
