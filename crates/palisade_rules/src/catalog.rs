//! The catalog as people read it: the rule table, each rule's documentation page, the index of
//! `docs/rules/`, the peer-suppression table and the JSON listing, all from the rules' own
//! declarations. Pure: it returns text and values, the front door prints them.

use palisade_diagnostics::{ArcStr, Fixable, FrameworkRef, Layer, RuleMeta, RuleStatus};
use palisade_engine::{Profile, Rule, SelectionError, Selector};
use serde::Serialize;

/// A filter of the listing that names nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// Not a profile, or a control no rule maps to.
    #[error(transparent)]
    Selection(#[from] SelectionError),
    /// Not a framework or a control.
    #[error(
        "`{0}` is not a framework or control (expected pss, cis, nsa, mitre, or a control such as cis:5.2.2, C-0057, mitre:T1611)"
    )]
    Framework(String),
    /// Not a layer.
    #[error("unknown layer `{0}` (expected cloud, cluster, container or code)")]
    Layer(String),
}

/// Rules whose id starts with, or whose name contains, `text`: suggestions for a rule that
/// does not exist.
pub fn similar(text: &str) -> Vec<&'static str> {
    let lower = text.to_ascii_lowercase();
    crate::registry()
        .iter()
        .filter(|r| {
            r.meta.id.to_ascii_lowercase().starts_with(&lower) || r.meta.name.contains(&lower)
        })
        .map(|&r| {
            let meta: &'static RuleMeta = &r.meta;
            meta.id.as_str()
        })
        .collect()
}

/// The frameworks a rule maps to, as `PSS baseline/privileged`, `CIS 5.2.2`, ...
pub fn framework_list(meta: &RuleMeta) -> Vec<String> {
    meta.frameworks
        .iter()
        .map(|f| match f {
            FrameworkRef::Pss(p) => format!("PSS {}/{}", p.level.as_str(), p.check),
            FrameworkRef::Cis(id) => format!("CIS {id}"),
            FrameworkRef::Nsa(id) => format!("NSA {id}"),
            FrameworkRef::Mitre(id) => format!("MITRE {id}"),
        })
        .collect()
}

/// The Pod Security Standards versions a rule applies at: `v1.N+`, and what it replaces.
pub fn pss_versions(rule: &Rule) -> Option<String> {
    let gate = rule.pss?;
    let mut s = format!("v1.{}+", gate.since_minor);
    for o in gate.overrides {
        s.push_str(&format!(
            "; replaces `{}` from v1.{}",
            o.check, o.since_minor
        ));
    }
    Some(s)
}

/// A rule as `palisade rules --format json` lists it.
#[derive(Debug, Serialize)]
pub struct RuleEntry {
    /// Id.
    pub id: ArcStr,
    /// Name.
    pub name: ArcStr,
    /// One-line title.
    pub title: ArcStr,
    /// Default severity.
    pub severity: &'static str,
    /// 4C layer.
    pub layer: &'static str,
    /// Lifecycle.
    pub status: RuleStatus,
    /// Opt-in.
    pub preview: bool,
    /// First version.
    pub since: &'static str,
    /// Front doors it runs at.
    pub inputs: &'static [palisade_diagnostics::Input],
    /// Framework mappings.
    pub frameworks: Vec<String>,
    /// The Pod Security Standards check it implements.
    pub pss: Option<palisade_diagnostics::PssCheck>,
    /// The PSS versions it applies at.
    pub pss_versions: Option<String>,
    /// How to fix.
    pub remediation: ArcStr,
    /// Whether findings carry a fix.
    pub fixable: bool,
    /// `safe` or `unsafe` (null without a fix).
    pub fix: Option<&'static str>,
    /// What an unsafe fix may break.
    pub fix_risk: Option<&'static str>,
}

impl RuleEntry {
    /// The entry of a rule.
    pub fn of(r: &Rule) -> Self {
        RuleEntry {
            id: r.meta.id.clone(),
            name: r.meta.name.clone(),
            title: r.meta.title.clone(),
            severity: r.meta.severity.as_str(),
            layer: r.meta.layer.as_str(),
            status: r.meta.status,
            preview: r.meta.status == RuleStatus::Preview,
            since: r.meta.since,
            inputs: r.meta.inputs,
            frameworks: framework_list(&r.meta),
            pss: r.meta.pss(),
            pss_versions: pss_versions(r),
            remediation: r.meta.remediation.clone(),
            fixable: r.meta.fixable.is_fixable(),
            fix: r.meta.fixable.label(),
            fix_risk: fix_risk(&r.meta),
        }
    }
}

/// The rules a listing keeps: in `profile`, mapped to `framework` (a framework key or a
/// control), in `layer`; every rule when none is given.
pub fn filtered(
    profile: Option<&str>,
    framework: Option<&str>,
    layer: Option<&str>,
) -> Result<Vec<&'static Rule>, CatalogError> {
    let profile = profile.map(str::parse::<Profile>).transpose()?;
    let framework = framework.map(framework_filter).transpose()?;
    let layer = layer.map(parse_layer).transpose()?;
    Ok(crate::registry()
        .iter()
        .copied()
        .filter(|r| profile.is_none_or(|p| p.includes(r)))
        .filter(|r| framework.as_ref().is_none_or(|f| f.matches(r)))
        .filter(|r| layer.is_none_or(|l| r.meta.layer == l))
        .collect())
}

/// `--framework`: a framework key alone (every rule mapped to it) or a control selector.
fn framework_filter(value: &str) -> Result<Selector, CatalogError> {
    let key = value.trim().to_ascii_lowercase();
    let selector = if matches!(key.as_str(), "pss" | "cis" | "nsa" | "mitre" | "kubescape") {
        Selector::new(&format!("{key}:*"))
    } else {
        Selector::new(value)
    };
    if !selector.is_control() {
        return Err(CatalogError::Framework(value.to_string()));
    }
    selector.check(crate::registry())?;
    Ok(selector)
}

fn parse_layer(value: &str) -> Result<Layer, CatalogError> {
    [Layer::Cloud, Layer::Cluster, Layer::Container, Layer::Code]
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(value.trim()))
        .ok_or_else(|| CatalogError::Layer(value.to_string()))
}

fn fix_risk(meta: &RuleMeta) -> Option<&'static str> {
    match meta.fixable {
        Fixable::Unsafe(risk) => Some(risk),
        Fixable::No | Fixable::Safe => None,
    }
}

/// The rules as an aligned text table: FIX says `safe` or `unsafe` (applied only with
/// `--unsafe-fixes`), PREVIEW marks opt-in rules.
pub fn table(rules: &[&Rule]) -> String {
    let rows: Vec<[String; 7]> = rules
        .iter()
        .map(|r| {
            [
                r.meta.id.to_string(),
                r.meta.name.to_string(),
                r.meta.severity.to_string(),
                r.meta.layer.as_str().to_string(),
                r.meta.fixable.label().unwrap_or("-").to_string(),
                if r.meta.status == RuleStatus::Preview {
                    "yes"
                } else {
                    "-"
                }
                .to_string(),
                r.meta.title.to_string(),
            ]
        })
        .collect();
    let header = ["ID", "NAME", "SEVERITY", "LAYER", "FIX", "PREVIEW", "TITLE"].map(String::from);
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .chain(std::iter::once(&header))
                .map(|r| r[i].len())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// A rule's documentation page (what `palisade rule` prints and `docs/rules/ID.md` holds).
pub fn markdown(rule: &Rule) -> String {
    let m = &rule.meta;
    let mut out = format!("# {} {}: {}\n\n", m.id, m.name, m.title);
    out.push_str(&format!(
        "- Severity: {}\n- Layer: {}\n",
        m.severity,
        m.layer.as_str()
    ));
    let frameworks = framework_list(m);
    if !frameworks.is_empty() {
        out.push_str(&format!("- Frameworks: {}\n", frameworks.join(", ")));
    }
    if let Some(v) = pss_versions(rule) {
        out.push_str(&format!("- Pod Security Standards versions: {v}\n"));
    }
    if !m.superseded_by.is_empty() {
        out.push_str(&format!(
            "- Superseded by: {} (hidden when that rule reports the same container)\n",
            m.superseded_by.join(", ")
        ));
    }
    match m.fixable {
        Fixable::No => {}
        Fixable::Safe => out.push_str(
            "- Fix: safe: `palisade fix` applies it to plain YAML files; it cannot change what the workload does\n",
        ),
        Fixable::Unsafe(risk) => out.push_str(&format!(
            "- Fix: unsafe: applied by `palisade fix --unsafe-fixes` only, since {risk}.\n"
        )),
    }
    if m.status == palisade_diagnostics::RuleStatus::Preview {
        out.push_str("- Status: preview (opt-in: runs only when selected by id or name)\n");
    }
    out.push_str(&format!("- Since: {}\n\n", m.since));
    out.push_str(&m.documentation());
    out.push('\n');
    out
}

/// `docs/rules/README.md`: the index of every rule.
pub fn index_markdown(rules: &[&Rule]) -> String {
    let mut out = String::from(
        "# Rules\n\nGenerated from the rule declarations by `cargo test -p palisade` \
         (`PALISADE_BLESS=1` rewrites it); do not edit by hand.\n\n\
         | ID | Name | Severity | Layer | Fix | Frameworks | Title |\n|---|---|---|---|---|---|---|\n",
    );
    for r in rules {
        out.push_str(&format!(
            "| [{id}]({id}.md) | `{}` | {} | {} | {} | {} | {} |\n",
            r.meta.name,
            r.meta.severity,
            r.meta.layer.as_str(),
            r.meta.fixable.label().unwrap_or(""),
            framework_list(&r.meta).join(", "),
            r.meta.title,
            id = r.meta.id,
        ));
    }
    out
}

/// `docs/peer-suppressions.md`: which of other scanners' checks stand for which Palisade rules
/// when their suppression annotations are honoured, from the one table in
/// `palisade_engine::peer`.
pub fn peer_markdown() -> String {
    use palisade_engine::peer::{EQUIVALENTS, Peer};
    let mut out = String::from(
        "# Other scanners' suppressions\n\n\
         Generated from `crates/palisade_engine/src/peer.rs` by `cargo test -p palisade --test docs` \
         (`PALISADE_BLESS=1` rewrites it); do not edit by hand.\n\n\
         A repository moving to Palisade from Checkov, KubeLinter or kube-score keeps the exceptions \
         it has already reviewed: with `--honor-peer-suppressions` (or \
         `honor-peer-suppressions = true` in `palisade.toml`, or \
         `PALISADE_HONOR_PEER_SUPPRESSIONS=true`), those tools' suppression annotations suppress the \
         findings of the Palisade rules listed below, and the annotation is the suppression reason \
         (`suppression_reason` in JSON, `suppressed:` in text). It is off by default: a Palisade \
         exception is `palisade.dev/ignore` with a reason, and the annotations below are meant to be \
         rewritten to it over time.\n\n\
         | Tool | Annotation |\n|---|---|\n",
    );
    for peer in Peer::ALL {
        out.push_str(&format!("| {} | {} |\n", peer.name(), peer.syntax()));
    }
    out.push_str(
        "\nThe annotations are read from the object's `metadata.annotations` (kube-score's also from \
         the pod template). A peer check suppresses only the rules that report the same weakness. \
         When one Palisade rule covers several of a tool's checks, all of them must be skipped \
         (POD002 reports missing CPU and memory limits, so Checkov's CKV_K8S_11 and CKV_K8S_13 \
         together suppress it): honouring a tool's exception never hides more than that tool did. \
         A row with a field suppresses only the findings at that field. Checks with no Palisade \
         equivalent are ignored, and `palisade.dev/ignore`, `[per-path-ignores]`, waivers and \
         baselines apply as usual.\n\n\
         | Tool | Skipped checks (all of) | Suppressed Palisade rules |\n|---|---|---|\n",
    );
    for e in EQUIVALENTS {
        let checks: Vec<String> = e.checks.iter().map(|c| format!("`{c}`")).collect();
        let rules: Vec<String> = e
            .rules
            .iter()
            .map(|id| match crate::find_rule(id) {
                Some(r) => format!("[{id}](rules/{id}.md) `{}`", r.meta.name),
                None => id.to_string(),
            })
            .collect();
        let field = e
            .field
            .map(|f| format!(" (the `{f}` finding)"))
            .unwrap_or_default();
        out.push_str(&format!(
            "| {} | {} | {}{field} |\n",
            e.peer.name(),
            checks.join(", "),
            rules.join(", ")
        ));
    }
    out
}
