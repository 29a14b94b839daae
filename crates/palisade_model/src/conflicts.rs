//! Combinations of pod spec fields that Kubernetes refuses: the API server rejects the object,
//! or the kubelet refuses to start the container. `palisade fix` checks every fixed object
//! against this catalogue, so that a fix never turns a manifest that deploys into one that
//! does not (`runAsNonRoot: true` beside `runAsUser: 0`, `allowPrivilegeEscalation: false`
//! beside `privileged: true`).
//!
//! The catalogue, with where Kubernetes enforces each:
//! - `runAsNonRoot: true` with `runAsUser: 0`, each taken from the container or else the pod:
//!   the kubelet refuses to start the container (`CreateContainerConfigError`);
//! - `allowPrivilegeEscalation: false` with `privileged: true` on one container: API server
//!   validation (`ValidateSecurityContext`);
//! - `allowPrivilegeEscalation: false` with `CAP_SYS_ADMIN` in `capabilities.add`: the same
//!   validation, which compares that exact spelling;
//! - Linux-only `securityContext` fields on a pod with `spec.os.name: windows`: API server
//!   validation (`validateWindows`);
//! - a seccomp profile field that disagrees with the deprecated seccomp annotation of the pod
//!   or container: API server validation of pods and pod templates;
//! - `localhostProfile` on a seccomp or AppArmor profile whose `type` is not `Localhost`: API
//!   server validation.

use palisade_source::NodeRef;

use crate::pod::{ContainerView, PodSpecView};

/// One combination Kubernetes refuses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Conflict {
    /// The JSON pointer (relative to the object) of the `securityContext` concerned.
    pub pointer: String,
    /// What is refused, by whom: `container "web": runAsNonRoot: true with runAsUser: 0 (the
    /// kubelet refuses to start it)`.
    pub message: String,
}

/// The deprecated annotation that sets the pod's seccomp profile.
const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
/// The prefix of the deprecated annotation that sets one container's seccomp profile.
const SECCOMP_CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// Container `securityContext` fields the API server forbids on a Windows pod.
const WINDOWS_FORBIDDEN_CONTAINER: &[&str] = &[
    "seLinuxOptions",
    "seccompProfile",
    "appArmorProfile",
    "capabilities",
    "readOnlyRootFilesystem",
    "privileged",
    "allowPrivilegeEscalation",
    "procMount",
    "runAsUser",
    "runAsGroup",
];

/// Pod `securityContext` fields the API server forbids on a Windows pod.
const WINDOWS_FORBIDDEN_POD: &[&str] = &[
    "seLinuxOptions",
    "seccompProfile",
    "appArmorProfile",
    "runAsUser",
    "runAsGroup",
    "supplementalGroups",
    "supplementalGroupsPolicy",
    "fsGroup",
    "fsGroupChangePolicy",
    "sysctls",
];

/// Every refused combination in a pod spec, in a stable order.
pub fn conflicts(pod: &PodSpecView<'_, '_>) -> Vec<Conflict> {
    let mut out = Vec::new();
    let windows = pod.is_windows();
    if windows {
        windows_fields(
            "pod",
            pod.spec.get("securityContext"),
            &pod.ptr("securityContext"),
            WINDOWS_FORBIDDEN_POD,
            &mut out,
        );
    }
    profile_types(
        "pod",
        pod.spec.get("securityContext"),
        &pod.ptr("securityContext"),
        &mut out,
    );
    if let Some(field) = pod
        .security_context(&["seccompProfile"])
        .filter(|n| !n.is_null())
        && let Some(annotation) = annotation(pod, SECCOMP_POD_ANNOTATION)
    {
        seccomp_annotation(
            "pod",
            field,
            SECCOMP_POD_ANNOTATION,
            annotation,
            &pod.ptr("securityContext"),
            &mut out,
        );
    }
    for c in pod.containers() {
        let who = format!("container {:?}", c.name);
        let at = c.ptr("securityContext");
        let sc = c.node.get("securityContext");
        if windows {
            windows_fields(&who, sc, &at, WINDOWS_FORBIDDEN_CONTAINER, &mut out);
        }
        profile_types(&who, sc, &at, &mut out);
        escalation(&who, c, &at, &mut out);
        let non_root = pod
            .effective_security_context(c, "runAsNonRoot")
            .and_then(|n| n.as_bool());
        let user = pod
            .effective_security_context(c, "runAsUser")
            .and_then(|n| n.as_i64());
        if non_root == Some(true) && user == Some(0) {
            out.push(Conflict {
                pointer: at.clone(),
                message: format!(
                    "{who}: runAsNonRoot: true with runAsUser: 0 (the kubelet refuses to start it)"
                ),
            });
        }
        let key = format!("{SECCOMP_CONTAINER_ANNOTATION}{}", c.name);
        if let Some(field) = c
            .security_context(&["seccompProfile"])
            .filter(|n| !n.is_null())
            && let Some(annotation) = annotation(pod, &key)
        {
            seccomp_annotation(&who, field, &key, annotation, &at, &mut out);
        }
    }
    out
}

/// `allowPrivilegeEscalation: false` beside what always escalates.
fn escalation(who: &str, c: &ContainerView<'_, '_>, at: &str, out: &mut Vec<Conflict>) {
    if c.security_context(&["allowPrivilegeEscalation"])
        .and_then(|n| n.as_bool())
        != Some(false)
    {
        return;
    }
    let refused = |what: &str| Conflict {
        pointer: at.to_string(),
        message: format!(
            "{who}: allowPrivilegeEscalation: false with {what} (the API server rejects it)"
        ),
    };
    if c.security_context(&["privileged"])
        .and_then(|n| n.as_bool())
        == Some(true)
    {
        out.push(refused("privileged: true"));
    }
    let adds_sys_admin = c
        .security_context(&["capabilities", "add"])
        .is_some_and(|add| add.items().any(|i| i.as_str() == Some("CAP_SYS_ADMIN")));
    if adds_sys_admin {
        out.push(refused("CAP_SYS_ADMIN in capabilities.add"));
    }
}

/// Linux-only fields set on a Windows pod.
fn windows_fields(
    who: &str,
    sc: Option<NodeRef<'_, '_>>,
    at: &str,
    forbidden: &[&str],
    out: &mut Vec<Conflict>,
) {
    let Some(sc) = sc else { return };
    for key in forbidden {
        if sc.get(key).is_some_and(|n| !n.is_null()) {
            out.push(Conflict {
                pointer: at.to_string(),
                message: format!(
                    "{who}: securityContext.{key} on a pod with spec.os.name: windows (the API server rejects it)"
                ),
            });
        }
    }
}

/// `localhostProfile` on a seccomp or AppArmor profile of another type.
fn profile_types(who: &str, sc: Option<NodeRef<'_, '_>>, at: &str, out: &mut Vec<Conflict>) {
    let Some(sc) = sc else { return };
    for key in ["seccompProfile", "appArmorProfile"] {
        let Some(profile) = sc.get(key).filter(|n| n.is_map()) else {
            continue;
        };
        let kind = profile.get("type").and_then(|t| t.as_str()).unwrap_or("");
        if kind != "Localhost"
            && profile
                .get("localhostProfile")
                .is_some_and(|n| !n.is_null())
        {
            out.push(Conflict {
                pointer: at.to_string(),
                message: format!(
                    "{who}: {key}.localhostProfile with type {kind:?} (the API server rejects it: only type Localhost takes a profile)"
                ),
            });
        }
    }
}

/// A seccomp profile field that the deprecated annotation contradicts.
fn seccomp_annotation(
    who: &str,
    field: NodeRef<'_, '_>,
    key: &str,
    annotation: &str,
    at: &str,
    out: &mut Vec<Conflict>,
) {
    let kind = field.get("type").and_then(|t| t.as_str()).unwrap_or("");
    let agrees = match kind {
        "Unconfined" => annotation == "unconfined",
        "RuntimeDefault" => matches!(annotation, "runtime/default" | "docker/default"),
        "Localhost" => annotation
            .strip_prefix("localhost/")
            .is_some_and(|profile| {
                field.get("localhostProfile").and_then(|p| p.as_str()) == Some(profile)
            }),
        // Other types are invalid on their own; the annotation adds nothing to that.
        _ => true,
    };
    if !agrees {
        out.push(Conflict {
            pointer: at.to_string(),
            message: format!(
                "{who}: seccompProfile.type {kind} with annotation {key}: {annotation} (the API server rejects a field and an annotation that disagree)"
            ),
        });
    }
}

/// The value of one pod (template) annotation.
fn annotation<'d>(pod: &PodSpecView<'d, '_>, key: &str) -> Option<&'d str> {
    pod.annotations()
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects_in;
    use palisade_source::{Limits, parse_stream};

    fn messages(text: &str) -> Vec<String> {
        let docs = parse_stream(text, &Limits::default());
        let doc = docs[0].as_ref().unwrap();
        let objects = objects_in(doc);
        let pod = objects.objects[0].pod_spec().unwrap();
        conflicts(pod).into_iter().map(|c| c.message).collect()
    }

    fn pod(spec: &str) -> String {
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{spec}")
    }

    #[test]
    fn run_as_non_root_with_user_zero_is_refused_through_inheritance() {
        // Pod-level runAsNonRoot meets a container-level runAsUser: 0.
        let m = messages(&pod(
            "  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: a\n    securityContext: {runAsUser: 0}\n  - name: b\n",
        ));
        assert_eq!(
            m,
            [
                "container \"a\": runAsNonRoot: true with runAsUser: 0 (the kubelet refuses to start it)"
            ]
        );
        // Container-level runAsNonRoot meets a pod-level runAsUser: 0; a container's own user wins.
        let m = messages(&pod(
            "  securityContext: {runAsUser: 0}\n  containers:\n  - name: a\n    securityContext: {runAsNonRoot: true}\n  - name: b\n    securityContext: {runAsNonRoot: true, runAsUser: 1000}\n",
        ));
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].starts_with("container \"a\""), "{m:?}");
        // A container's runAsNonRoot: false overrides the pod's true.
        assert!(messages(&pod("  securityContext: {runAsNonRoot: true, runAsUser: 0}\n  containers:\n  - name: a\n    securityContext: {runAsNonRoot: false}\n")).is_empty());
    }

    #[test]
    fn no_escalation_beside_privileged_or_sys_admin_is_refused() {
        let m = messages(&pod(
            "  containers:\n  - name: a\n    securityContext:\n      allowPrivilegeEscalation: false\n      privileged: true\n      capabilities: {add: [CAP_SYS_ADMIN]}\n  - name: b\n    securityContext: {allowPrivilegeEscalation: true, privileged: true}\n",
        ));
        assert_eq!(
            m,
            [
                "container \"a\": allowPrivilegeEscalation: false with privileged: true (the API server rejects it)",
                "container \"a\": allowPrivilegeEscalation: false with CAP_SYS_ADMIN in capabilities.add (the API server rejects it)",
            ]
        );
    }

    #[test]
    fn linux_fields_on_windows_pods_are_refused() {
        let m = messages(&pod(
            "  os: {name: windows}\n  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - name: a\n    securityContext: {readOnlyRootFilesystem: true, runAsNonRoot: true}\n",
        ));
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(
            m[0].starts_with("pod: securityContext.seccompProfile"),
            "{m:?}"
        );
        assert!(
            m[1].starts_with("container \"a\": securityContext.readOnlyRootFilesystem"),
            "{m:?}"
        );
        // The same fields on a Linux pod are fine.
        assert!(messages(&pod("  securityContext: {seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - name: a\n    securityContext: {readOnlyRootFilesystem: true}\n")).is_empty());
    }

    #[test]
    fn seccomp_fields_must_agree_with_annotations_and_types() {
        let annotated = |value: &str, field: &str| {
            messages(&format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: {value}\n    container.seccomp.security.alpha.kubernetes.io/a: unconfined\nspec:\n  securityContext: {{seccompProfile: {field}}}\n  containers:\n  - name: a\n"
            ))
        };
        assert!(annotated("runtime/default", "{type: RuntimeDefault}").is_empty());
        assert!(annotated("docker/default", "{type: RuntimeDefault}").is_empty());
        assert!(
            annotated(
                "localhost/p.json",
                "{type: Localhost, localhostProfile: p.json}"
            )
            .is_empty()
        );
        let m = annotated("unconfined", "{type: RuntimeDefault}");
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].contains("disagree"), "{m:?}");
        assert_eq!(
            annotated(
                "localhost/q.json",
                "{type: Localhost, localhostProfile: p.json}"
            )
            .len(),
            1
        );
        // The container annotation only matters when the container sets the field.
        let m = messages(&pod(
            "  containers:\n  - name: a\n    securityContext: {seccompProfile: {type: RuntimeDefault, localhostProfile: x.json}}\n",
        ));
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].contains("only type Localhost takes a profile"),
            "{m:?}"
        );
    }
}
