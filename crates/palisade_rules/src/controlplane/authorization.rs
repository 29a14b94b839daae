//! The API server's authorizer chain, shared by the rules about it (CP006, CP007, CP008): the
//! modes of `--authorization-mode`, or, with structured authorization (`--authorization-config`,
//! GA in 1.32 and exclusive with `--authorization-mode`), the `authorizers` of an
//! `AuthorizationConfiguration` file. That file is evaluated where it is in the scan, as the
//! `AdmissionConfiguration` of CP039 is; an API server that names one is not evaluated on its
//! flags, so without the file in the scan its controls are reported as not evaluated.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, check_one};

/// What the chain must satisfy, for one authorizer type (`AlwaysAllow`, `Node`, `RBAC`).
#[derive(Clone, Copy)]
pub(crate) enum Requirement {
    /// No authorizer of this type.
    Lacks(&'static str),
    /// At least one authorizer of this type.
    Includes(&'static str),
}

impl Requirement {
    /// The same requirement on `--authorization-mode` (whose default is `AlwaysAllow`).
    fn mode_check(self) -> Check {
        match self {
            Requirement::Lacks(item) => Check::Lacks {
                flag: "authorization-mode",
                item,
                default_has: item == "AlwaysAllow",
            },
            Requirement::Includes(item) => Check::Contains {
                flag: "authorization-mode",
                item,
                unset_ok: false,
            },
        }
    }
}

/// Evaluate `requirement` on an API server static pod (its `--authorization-mode`) or on an
/// `AuthorizationConfiguration`; any other object is not applicable.
pub(crate) fn evaluate(object: &Object<'_, '_>, ctx: &mut Ctx<'_>, requirement: Requirement) {
    if is_authorization_configuration(object) {
        ctx.applicable();
        check_configuration(object, ctx, requirement);
        return;
    }
    let Some(pod) = object.pod_spec() else {
        return;
    };
    let check = requirement.mode_check();
    for c in pod
        .components()
        .iter()
        .filter(|c| c.component == Component::ApiServer)
        .filter(|c| c.value("authorization-config").is_none_or(str::is_empty))
    {
        ctx.applicable();
        if let Some((pointer, message)) = check_one(c, &check) {
            ctx.report(pointer, message);
        }
    }
}

fn is_authorization_configuration(object: &Object<'_, '_>) -> bool {
    object.kind == "AuthorizationConfiguration"
        && object.api_version.split('/').next() == Some("apiserver.config.k8s.io")
}

fn check_configuration(object: &Object<'_, '_>, ctx: &mut Ctx<'_>, requirement: Requirement) {
    let authorizers: Vec<(usize, &str, &str)> = object
        .root
        .get("authorizers")
        .into_iter()
        .flat_map(|list| list.items())
        .enumerate()
        .map(|(i, a)| {
            let text = |key: &str| a.get(key).and_then(|n| n.as_str()).unwrap_or("");
            (i, text("type"), text("name"))
        })
        .collect();
    match requirement {
        Requirement::Lacks(kind) => {
            for (i, _, name) in authorizers.iter().filter(|(_, t, _)| *t == kind) {
                ctx.report(
                    format!("/authorizers/{i}/type"),
                    format!(
                        "AuthorizationConfiguration authorizer {name:?} is of type {kind}: every request no earlier authorizer decides is allowed"
                    ),
                );
            }
        }
        Requirement::Includes(kind) => {
            if !authorizers.iter().any(|(_, t, _)| *t == kind) {
                let pointer = if object.root.get("authorizers").is_some() {
                    "/authorizers"
                } else {
                    ""
                };
                ctx.report(
                    pointer,
                    format!("AuthorizationConfiguration has no authorizer of type {kind}"),
                );
            }
        }
    }
}
