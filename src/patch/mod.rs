//! Patches: strategic merge and JSON 6902.

pub mod json6902;
pub mod smp;
