//! AUDIT-D11 exec-into-pod: `kubectl exec` or `attach` into a running container.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports requests on the `exec` and `attach` subresources of pods (a POST, or the GET
    /// of a WebSocket client), at the stage `ResponseStarted` that a streaming request
    /// reaches (or `ResponseComplete` when the policy omits that stage), whatever their
    /// outcome. The command is shown with credentials masked.
    ///
    /// ## Why is this bad?
    /// A shell in a running container is how an attacker with the right to `create pods/exec`
    /// reads its secrets, tokens and data, and how a person changes production by hand. Each
    /// one should be expected.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D11
    /// apiVersion: audit.k8s.io/v1
    /// auditID: 6f0c2f1e-0011
    /// stage: ResponseStarted
    /// verb: create
    /// requestURI: /api/v1/namespaces/shop/pods/web-0/exec?command=sh&container=web&stdin=true&tty=true
    /// user: {username: alice, groups: ["system:authenticated"]}
    /// objectRef: {resource: pods, subresource: exec, namespace: shop, name: web-0, apiVersion: v1}
    /// responseStatus: {code: 101}
    /// ```
    ///
    /// ## Remediation
    /// Confirm who ran the command and why; remove `create` on `pods/exec` and `pods/attach`
    /// from roles that do not need it, and prefer ephemeral debug containers under policy.
    ///
    /// ## References
    /// - Falco k8saudit rules: Attach/Exec Pod
    /// - Microsoft Threat Matrix for Kubernetes: Exec into container (MS-TA9006)
    pub static RULE = {
        id: "AUDIT-D11",
        name: "exec-into-pod",
        title: "Exec or attach into a pod",
        severity: Low,
        layer: Cluster,
        frameworks: [Mitre("T1609"), Mitre("MS-TA9006")],
        remediation: "Confirm the session was expected; limit create on pods/exec and pods/attach to the people who need it.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, state: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if event.resource() != "pods" || !matches!(event.subresource(), "exec" | "attach") {
        return;
    }
    if !matches!(event.verb.as_str(), "create" | "get") {
        return;
    }
    if !super::first_response(event, state) {
        return;
    }
    ctx.applicable();
    let query = event.request_uri.split_once('?').map_or("", |(_, q)| q);
    let mut command = Vec::new();
    let mut container = "";
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("command", arg)) => {
                command.push(percent_encoding::percent_decode_str(arg).decode_utf8_lossy())
            }
            Some(("container", name)) => container = name,
            _ => {}
        }
    }
    let command = palisade_model::secrets::mask_credentials(&command.join(" ")).into_owned();
    let mut message = format!(
        "{} ran {} in pod {}/{}",
        super::who(event),
        event.subresource(),
        event.namespace(),
        event.name()
    );
    if !container.is_empty() {
        message.push_str(&format!(", container {container:?}"));
    }
    if !command.is_empty() {
        message.push_str(&format!(", command {command:?}"));
    }
    if event.failed() {
        message.push_str(&format!(" (refused: {})", event.code().unwrap_or_default()));
    }
    super::report(ctx, event, message);
}
