//! APIs that Kubernetes stopped serving, and what replaces them: the
//! messages for an `apiVersion`/`kind` the chosen release does not serve.
//!
//! Removals before the oldest embedded release come from [`REMOVED`], a
//! table kept by hand from the Kubernetes deprecation guide; removals (and
//! additions) within the embedded releases come from the schemas
//! themselves, which say which releases serve each type.

use super::schema::{builtin_types, releases};

/// What replaces PodSecurityPolicy: no API.
const NO_PSP: &str =
    "Pod Security Admission (namespace labels): PodSecurityPolicy has no replacement API";

/// (apiVersion, kind or `*` for every kind of the group version, release
/// that removed it, what replaces it).
#[rustfmt::skip]
const REMOVED: &[(&str, &str, &str, &str)] = &[
    ("extensions/v1beta1", "Ingress", "1.22", "networking.k8s.io/v1 Ingress"),
    ("extensions/v1beta1", "DaemonSet", "1.16", "apps/v1 DaemonSet"),
    ("extensions/v1beta1", "Deployment", "1.16", "apps/v1 Deployment"),
    ("extensions/v1beta1", "ReplicaSet", "1.16", "apps/v1 ReplicaSet"),
    ("extensions/v1beta1", "NetworkPolicy", "1.16", "networking.k8s.io/v1 NetworkPolicy"),
    ("extensions/v1beta1", "PodSecurityPolicy", "1.16", NO_PSP),
    ("apps/v1beta1", "*", "1.16", "apps/v1"),
    ("apps/v1beta2", "*", "1.16", "apps/v1"),
    ("admissionregistration.k8s.io/v1beta1", "*", "1.22", "admissionregistration.k8s.io/v1"),
    ("apiextensions.k8s.io/v1beta1", "*", "1.22", "apiextensions.k8s.io/v1"),
    ("apiregistration.k8s.io/v1beta1", "*", "1.22", "apiregistration.k8s.io/v1"),
    ("authentication.k8s.io/v1beta1", "*", "1.22", "authentication.k8s.io/v1"),
    ("authorization.k8s.io/v1beta1", "*", "1.22", "authorization.k8s.io/v1"),
    ("certificates.k8s.io/v1beta1", "*", "1.22", "certificates.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", "*", "1.22", "coordination.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "Ingress", "1.22", "networking.k8s.io/v1 Ingress"),
    ("networking.k8s.io/v1beta1", "IngressClass", "1.22", "networking.k8s.io/v1 IngressClass"),
    ("rbac.authorization.k8s.io/v1beta1", "*", "1.22", "rbac.authorization.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1alpha1", "*", "1.22", "rbac.authorization.k8s.io/v1"),
    ("scheduling.k8s.io/v1beta1", "*", "1.22", "scheduling.k8s.io/v1"),
    ("scheduling.k8s.io/v1alpha1", "*", "1.22", "scheduling.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "CSIDriver", "1.22", "storage.k8s.io/v1 CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode", "1.22", "storage.k8s.io/v1 CSINode"),
    ("storage.k8s.io/v1beta1", "StorageClass", "1.22", "storage.k8s.io/v1 StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment", "1.22", "storage.k8s.io/v1 VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.27", "storage.k8s.io/v1 CSIStorageCapacity"),
    ("batch/v1beta1", "CronJob", "1.25", "batch/v1 CronJob"),
    ("batch/v2alpha1", "CronJob", "1.21", "batch/v1 CronJob"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice", "1.25", "discovery.k8s.io/v1 EndpointSlice"),
    ("events.k8s.io/v1beta1", "Event", "1.25", "events.k8s.io/v1 Event"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.25", "autoscaling/v2 HorizontalPodAutoscaler"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.26", "autoscaling/v2 HorizontalPodAutoscaler"),
    ("policy/v1beta1", "PodDisruptionBudget", "1.25", "policy/v1 PodDisruptionBudget"),
    ("policy/v1beta1", "PodSecurityPolicy", "1.25", NO_PSP),
    ("node.k8s.io/v1beta1", "RuntimeClass", "1.25", "node.k8s.io/v1 RuntimeClass"),
    ("node.k8s.io/v1alpha1", "RuntimeClass", "1.22", "node.k8s.io/v1 RuntimeClass"),
    ("flowcontrol.apiserver.k8s.io/v1alpha1", "*", "1.21", "flowcontrol.apiserver.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "*", "1.26", "flowcontrol.apiserver.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "*", "1.29", "flowcontrol.apiserver.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta3", "*", "1.32", "flowcontrol.apiserver.k8s.io/v1"),
];

/// The API group of an apiVersion (empty for the core group).
pub(crate) fn group_of(api_version: &str) -> &str {
    api_version.split_once('/').map(|(g, _)| g).unwrap_or("")
}

/// True when `group` is a Kubernetes API group (served by some embedded
/// release, or listed as removed): resources of such a group are never
/// custom resources.
pub(crate) fn is_builtin_group(group: &str) -> bool {
    builtin_types().any(|(av, _, _)| group_of(av) == group)
        || REMOVED.iter().any(|(av, _, _, _)| group_of(av) == group)
}

/// Why `apiVersion`/`kind` is not served by release `release` (an index of
/// [`releases`]), for a type that is no embedded type of that release:
/// when it was removed or will be added, and what to use instead. `served`
/// is the type's mask of embedded releases, 0 for none.
pub(crate) fn not_served_message(
    api_version: &str,
    kind: &str,
    served: u32,
    release: usize,
) -> String {
    let all = releases();
    let chosen = all[release];
    let id = format!("{api_version} {kind}");
    if served != 0 {
        let later = served >> (release + 1);
        if served & ((1u32 << release) - 1) != 0 && later == 0 {
            // Served by older embedded releases only.
            let last = 31 - (served & ((1u32 << release) - 1)).leading_zeros();
            let removed_in = all.get(last as usize + 1).copied().unwrap_or(chosen);
            return format!(
                "{id} is not served by Kubernetes {chosen}: removed in {removed_in}; use {}",
                replacement(api_version, kind, release)
            );
        }
        if later != 0 {
            let first = release + 1 + later.trailing_zeros() as usize;
            return format!(
                "{id} is not served by Kubernetes {chosen}: it is served from Kubernetes {}{}",
                all[first],
                match served_alternative(api_version, kind, release) {
                    Some(alt) => format!("; Kubernetes {chosen} serves {alt}"),
                    None => String::new(),
                }
            );
        }
    }
    if let Some((_, _, removed_in, instead)) = REMOVED
        .iter()
        .find(|(av, k, _, _)| *av == api_version && (*k == kind || *k == "*"))
    {
        let instead = if instead.contains(' ') {
            instead.to_string()
        } else {
            format!("{instead} {kind}")
        };
        return format!(
            "{id} is not served by Kubernetes {chosen}: removed in {removed_in}; use {instead}"
        );
    }
    match served_alternative(api_version, kind, release) {
        Some(alt) => format!("{id} is not served by Kubernetes {chosen}; use {alt}"),
        None => match same_kind_other_case(api_version, kind, release) {
            Some(alt) => format!("{id} is not a type of Kubernetes {chosen}; did you mean {alt}?"),
            None => format!("{id} is not a type of Kubernetes {chosen}"),
        },
    }
}

/// A type served by `release` whose kind differs from `kind` only by case
/// (`deployment` → `apps/v1 Deployment`), from the same group first.
fn same_kind_other_case(api_version: &str, kind: &str, release: usize) -> Option<String> {
    let group = group_of(api_version);
    builtin_types()
        .filter(|(_, k, served)| served & (1 << release) != 0 && k.eq_ignore_ascii_case(kind))
        .min_by_key(|(av, _, _)| (group_of(av) != group, *av != api_version))
        .map(|(av, k, _)| format!("{av} {k}"))
}

/// What replaces `apiVersion`/`kind`: the table's answer, or another
/// version of the kind served by `release`.
fn replacement(api_version: &str, kind: &str, release: usize) -> String {
    if let Some(alt) = served_alternative(api_version, kind, release) {
        return alt;
    }
    if let Some((_, _, _, instead)) = REMOVED
        .iter()
        .find(|(av, k, _, _)| *av == api_version && (*k == kind || *k == "*"))
    {
        return instead.to_string();
    }
    "nothing: no other version of it is served".to_string()
}

/// The `apiVersion kind` of the same kind that `release` serves, from the
/// same group first (stable versions before beta and alpha), then from any
/// group.
fn served_alternative(api_version: &str, kind: &str, release: usize) -> Option<String> {
    let group = group_of(api_version);
    let mut best: Option<(u8, &str)> = None;
    for (av, k, served) in builtin_types() {
        if k != kind || served & (1 << release) == 0 || av == api_version {
            continue;
        }
        let version = av.rsplit('/').next().unwrap_or(av);
        let stability = if version.contains("alpha") {
            2
        } else if version.contains("beta") {
            1
        } else {
            0
        };
        let rank = stability + if group_of(av) == group { 0 } else { 3 };
        if best.is_none_or(|(r, b)| (rank, av) < (r, b)) {
            best = Some((rank, av));
        }
    }
    best.map(|(_, av)| format!("{av} {kind}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn newest() -> usize {
        releases().len() - 1
    }

    #[test]
    fn removed_before_the_embedded_releases() {
        assert_eq!(
            not_served_message("extensions/v1beta1", "Ingress", 0, newest()),
            format!(
                "extensions/v1beta1 Ingress is not served by Kubernetes {}: removed in 1.22; use networking.k8s.io/v1 Ingress",
                releases()[newest()]
            )
        );
        let m = not_served_message("batch/v1beta1", "CronJob", 0, 0);
        assert!(m.ends_with("removed in 1.25; use batch/v1 CronJob"), "{m}");
        let m = not_served_message("apps/v1beta2", "StatefulSet", 0, 0);
        assert!(
            m.ends_with("removed in 1.16; use apps/v1 StatefulSet"),
            "{m}"
        );
        let m = not_served_message("policy/v1beta1", "PodSecurityPolicy", 0, 0);
        assert!(
            m.contains("removed in 1.25; use Pod Security Admission"),
            "{m}"
        );
        let m = not_served_message("apps/v1", "deployment", 0, 0);
        assert!(m.ends_with("did you mean apps/v1 Deployment?"), "{m}");
    }

    #[test]
    fn removed_within_the_embedded_releases() {
        let t = super::super::schema::builtin_type(
            "flowcontrol.apiserver.k8s.io/v1beta3",
            "FlowSchema",
        )
        .expect("v1beta3 FlowSchema is in 1.30");
        assert!(t.served & 1 != 0 && t.served & (1 << newest()) == 0);
        let m = not_served_message(
            "flowcontrol.apiserver.k8s.io/v1beta3",
            "FlowSchema",
            t.served,
            newest(),
        );
        assert!(
            m.ends_with("removed in 1.32; use flowcontrol.apiserver.k8s.io/v1 FlowSchema"),
            "{m}"
        );
    }

    #[test]
    fn groups() {
        assert!(is_builtin_group(""));
        assert!(is_builtin_group("apps"));
        assert!(is_builtin_group("extensions"));
        assert!(!is_builtin_group("cert-manager.io"));
    }
}
