//! NET017 ingress-nginx-snippet.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags the two halves of ingress-nginx's snippet injection (CVE-2021-25742): Ingresses
    /// that set a snippet annotation, `nginx.ingress.kubernetes.io/<name>-snippet`
    /// (`configuration-snippet`, `server-snippet`, `auth-snippet`, `modsecurity-snippet`,
    /// `stream-snippet`), to a non-empty value, and ConfigMaps that set
    /// `allow-snippet-annotations` to true (the key only means something to the
    /// ingress-nginx controller, which reads it as Go's `strconv.ParseBool` does).
    ///
    /// ## Why is this bad?
    /// A snippet is pasted verbatim into the controller's nginx configuration. Whoever can
    /// create or edit an Ingress can then make nginx serve files of the controller's pod,
    /// including its ServiceAccount token, which reads every Secret of the cluster. Controllers
    /// before v1.9.0 accept snippets unless `allow-snippet-annotations` is `"false"`; later ones
    /// accept them when it is `"true"` (from v1.12, also `annotations-risk-level: Critical`).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    ///   annotations:
    ///     nginx.ingress.kubernetes.io/configuration-snippet: | # expect: NET017
    ///       more_set_headers "X-Frame-Options: DENY";
    /// spec:
    ///   ingressClassName: nginx
    ///   rules:
    ///   - host: shop.example.com
    /// ```
    ///
    /// ## Remediation
    /// Express the configuration with dedicated annotations or in the controller ConfigMap,
    /// remove the snippet annotations, and set `allow-snippet-annotations: "false"` in the
    /// controller ConfigMap (Helm: `controller.allowSnippetAnnotations=false`).
    ///
    /// ## References
    /// - CVE-2021-25742: ingress-nginx custom snippets allow retrieval of ingress-nginx
    ///   ServiceAccount token and Secrets across all namespaces
    /// - kubescape C-0059 (NSA)
    /// - ingress-nginx: ConfigMap `allow-snippet-annotations`, annotation risk levels
    pub static RULE = {
        id: "NET017",
        name: "ingress-nginx-snippet",
        title: "ingress-nginx configuration snippets",
        severity: High,
        layer: Cluster,
        frameworks: [Nsa("C-0059"), Mitre("T1552.007")],
        remediation: "Remove nginx.ingress.kubernetes.io/*-snippet annotations and set allow-snippet-annotations: \"false\" in the ingress-nginx ConfigMap.",
        hook: Hook::Object(check),
    }
}

/// The prefix of ingress-nginx's annotations (its `--annotations-prefix` default).
const PREFIX: &str = "nginx.ingress.kubernetes.io/";

/// The ConfigMap key that lets Ingresses carry snippets.
const ALLOW: &str = "allow-snippet-annotations";

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    match &*object.kind {
        "Ingress" if is_ingress_api(&object.api_version) => ingress(object, ctx),
        "ConfigMap" if object.api_version == "v1" => config_map(object, ctx),
        _ => {}
    }
}

fn is_ingress_api(api_version: &str) -> bool {
    api_version.starts_with("networking.k8s.io/") || api_version.starts_with("extensions/")
}

fn ingress(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    ctx.applicable();
    let Some(annotations) = object.root.path(&["metadata", "annotations"]) else {
        return;
    };
    for (key, value) in annotations.entries() {
        let snippet = key
            .strip_prefix(PREFIX)
            .is_some_and(|name| name.ends_with("-snippet"));
        let set = value.scalar_text().is_some_and(|v| !v.trim().is_empty());
        if snippet && set {
            ctx.report(
                format!("/metadata/annotations/{}", escape_pointer_segment(key)),
                format!("Ingress sets {key}: ingress-nginx pastes it into its nginx configuration"),
            );
        }
    }
}

fn config_map(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    let Some(value) = object.root.path(&["data", ALLOW]) else {
        return;
    };
    ctx.applicable();
    let text = value.scalar_text().unwrap_or_default();
    // Go's strconv.ParseBool.
    if matches!(&*text, "1" | "t" | "T" | "true" | "TRUE" | "True") {
        ctx.report(
            format!("/data/{ALLOW}"),
            format!(
                "ConfigMap sets {ALLOW}: \"{text}\", so ingress-nginx accepts snippet annotations from every Ingress"
            ),
        );
    }
}
