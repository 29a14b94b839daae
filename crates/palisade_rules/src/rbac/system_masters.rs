//! RBAC028 system-masters.

use palisade_engine::prelude::*;
use x509_parser::prelude::{FromDer, X509CertificationRequest};

declare_rule! {
    /// ## What it does
    /// Flags uses of the `system:masters` group: RoleBindings and ClusterRoleBindings with the
    /// subject `Group system:masters` (other than the built-in `cluster-admin` binding), and
    /// CertificateSigningRequests whose PEM `spec.request` asks for the organization
    /// (`O=`) `system:masters`, the group a client certificate's organization becomes.
    ///
    /// ## Why is this bad?
    /// Members of `system:masters` bypass authorization entirely: no RBAC rule, webhook or
    /// admission policy applies to them, and removing a binding does not take the access away.
    /// A certificate issued for the group cannot be revoked; it is cluster-admin until it
    /// expires. Bindings to the group suggest it is being handed out.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: ops-admins
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    /// - kind: Group # expect: RBAC028
    ///   name: system:masters
    ///   apiGroup: rbac.authorization.k8s.io
    /// ```
    ///
    /// ## Remediation
    /// Keep `system:masters` to the break-glass credential kubeadm creates; give people and
    /// automation their own groups bound to least-privilege roles, and deny CSRs for the group.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.7: Avoid use of system:masters group
    /// - Kubernetes: RBAC good practices, avoid the system:masters group
    pub static RULE = {
        id: "RBAC028",
        name: "system-masters",
        title: "system:masters group in use",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("5.1.7"), Mitre("T1649")],
        remediation: "Use dedicated groups bound to least-privilege roles instead of system:masters.",
        hook: Hook::Object(check),
    }
}

const MASTERS: &str = "system:masters";

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind == "CertificateSigningRequest"
        && object.api_version.starts_with("certificates.k8s.io/")
    {
        check_request(object, ctx);
        return;
    }
    let role = |key: &str| object.root.path(&["roleRef", key]).and_then(|n| n.as_str());
    // The binding kubeadm and the API server create for the group itself.
    if object.kind == "ClusterRoleBinding"
        && object.name() == Some("cluster-admin")
        && role("kind") == Some("ClusterRole")
        && role("name") == Some("cluster-admin")
    {
        return;
    }
    super::report_subjects(
        object,
        ctx,
        |s| s.kind == "Group" && s.name == MASTERS,
        |kind, _, role| {
            format!("{kind} binds {role} to {MASTERS}, a group that bypasses authorization")
        },
    );
}

fn check_request(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    let Some(request) = object.root.path(&["spec", "request"]) else {
        return;
    };
    ctx.applicable();
    if requested_organizations(&request.scalar_text().unwrap_or_default())
        .iter()
        .any(|o| o == MASTERS)
    {
        ctx.report(
            "/spec/request",
            format!("CertificateSigningRequest asks for a certificate in the {MASTERS} group"),
        );
    }
}

/// The organizations (`O=`) of the subject of a base64-encoded PEM certificate request, as
/// `spec.request` holds it; empty when it does not decode.
pub(crate) fn requested_organizations(base64: &str) -> Vec<String> {
    let compact: String = base64.split_whitespace().collect();
    let Ok(pem) = data_encoding::BASE64.decode(compact.as_bytes()) else {
        return Vec::new();
    };
    let Ok((_, pem)) = x509_parser::pem::parse_x509_pem(&pem) else {
        return Vec::new();
    };
    let Ok((_, csr)) = X509CertificationRequest::from_der(&pem.contents) else {
        return Vec::new();
    };
    csr.certification_request_info
        .subject
        .iter_organization()
        .filter_map(|o| o.as_str().ok())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_requested_organizations() {
        // openssl req -new -subj "/O=developers/O=system:masters/CN=eve" (P-256 key)
        let request = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlINE1JR2VBZ0VBTUR3eEV6QVJCZ05WQkFvTUNtUmxkbVZzYjNCbGNuTXhGekFWQmdOVkJBb01Ebk41YzNSbApiVHB0WVhOMFpYSnpNUXd3Q2dZRFZRUUREQU5sZG1Vd1dUQVRCZ2NxaGtqT1BRSUJCZ2dxaGtqT1BRTUJCd05DCkFBUVNvWXg1R3ZWdjk2Z3M5Mld5a0FjK0RjV0lQd0VjeGJpalZaYS9FbkZJSnM1QjUzdE1zSW1lUWR5RzFyTzAKNlp1VjYzZTNEQ2lVVmNDVXRBL1ZYeXF3b0FBd0NnWUlLb1pJemowRUF3SURTUUF3UmdJaEFPQ0VSRFBUWmFyVwpXYnZsQUMwclNkdnl0NGQwK3lkd1BUc21jWWdpYkd4MUFpRUE5UGkzdXRNM29xQ042MFllWnNkams1SzJPMHJXCnJWbFNjbEF6MEJZZzRtaz0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==";
        assert_eq!(
            super::requested_organizations(request),
            ["developers", "system:masters"]
        );
        assert!(super::requested_organizations("bm90IGEgcmVxdWVzdA==").is_empty());
        assert!(super::requested_organizations("!!").is_empty());
    }
}
