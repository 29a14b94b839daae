//! `--format html`: one self-contained page for people who did not run the scan. The
//! summary (score and compliance per 4C layer and per framework, charts of findings by
//! severity, layer and namespace as inline SVG) is plain HTML that reads without JavaScript;
//! the findings table (filters, search, sorting, a drill-down per finding with the source
//! line and the remediation) is built by a small inline script from the findings embedded as
//! JSON. Nothing is fetched: a Content-Security-Policy forbids every request, styles and the
//! script are inline. Text from the input only ever reaches the page escaped (the summary) or
//! through `textContent` (the table): a manifest cannot inject markup.

use std::collections::BTreeMap;
use std::io::{self, Write};

use palisade_diagnostics::{Severity, Subject};
use serde::Serialize;

use crate::Report;
use crate::compliance::{Status, compliance};
use crate::fleet::Fleet;
use crate::views::{Network, Views};

/// Text for HTML element content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON that may sit inside a `<script>` element: nothing in it can close the element or
/// start a comment.
fn script_json(value: &impl Serialize) -> io::Result<String> {
    let text = serde_json::to_string(value)?;
    Ok(text
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029"))
}

/// One finding as the page's script reads it.
#[derive(Serialize)]
struct Row {
    rule: String,
    title: String,
    severity: &'static str,
    layer: &'static str,
    cluster: String,
    namespace: String,
    object: String,
    container: String,
    place: String,
    field: String,
    message: String,
    remediation: String,
    frameworks: Vec<String>,
    snippet: Option<(u32, String)>,
    suppressed: bool,
}

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// A horizontal bar chart, as inline SVG with a text alternative.
fn bar_chart(title: &str, bars: &[(String, usize, &str)]) -> String {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let height = 22 * bars.len().max(1) + 8;
    let mut svg = format!(
        "<figure><figcaption>{}</figcaption><svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 420 {height}\" width=\"420\" height=\"{height}\">",
        esc(title),
        esc(&bars
            .iter()
            .map(|(l, n, _)| format!("{l}: {n}"))
            .collect::<Vec<_>>()
            .join(", "))
    );
    for (i, (label, n, color)) in bars.iter().enumerate() {
        let y = 4 + i * 22;
        let w = 250 * n / max;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" class=\"l\">{}</text><rect x=\"130\" y=\"{y}\" width=\"{w}\" height=\"16\" fill=\"{color}\"></rect><text x=\"{}\" y=\"{}\" class=\"n\">{n}</text>",
            y + 13,
            esc(label),
            136 + w,
            y + 13
        ));
    }
    svg.push_str("</svg></figure>");
    svg
}

fn color(severity: &str) -> &'static str {
    match severity {
        "critical" => "#8b1a1a",
        "high" => "#c2410c",
        "medium" => "#a16207",
        "low" => "#1d4ed8",
        _ => "#4b5563",
    }
}

/// Write the page.
pub(crate) fn render(
    report: &Report<'_>,
    fleet: Option<&Fleet>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut rows = Vec::new();
    let mut snippets = crate::text::Snippets::new(report.sources);
    let (mut by_severity, mut by_layer, mut by_namespace) = (
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::<String, usize>::new(),
    );
    for f in report.visible() {
        if f.superseded {
            continue;
        }
        let (cluster, namespace, object) = match &*f.subject {
            Subject::Object(o) => (
                o.cluster.as_deref().unwrap_or("").to_string(),
                o.namespace.as_deref().unwrap_or("").to_string(),
                o.display_name(),
            ),
            other => (String::new(), String::new(), other.display_name()),
        };
        if !f.suppressed {
            *by_severity.entry(f.severity.as_str()).or_insert(0usize) += 1;
            *by_layer.entry(f.rule.layer.as_str()).or_insert(0usize) += 1;
            let ns = if namespace.is_empty() {
                "(cluster-scoped)".to_string()
            } else {
                namespace.clone()
            };
            *by_namespace.entry(ns).or_default() += 1;
        }
        let place = match &f.location.span {
            Some(s) => format!("{}:{}:{}", s.path, s.line, s.column),
            None => String::new(),
        };
        let frameworks = f
            .rule
            .frameworks
            .iter()
            .map(|fw| match fw.id() {
                Some(id) => format!("{}:{id}", fw.key()),
                None => fw.key().to_string(),
            })
            .collect();
        rows.push(Row {
            rule: f.rule.id.to_string(),
            title: f.rule.title.to_string(),
            severity: f.severity.as_str(),
            layer: f.rule.layer.as_str(),
            cluster,
            namespace,
            object,
            container: f.container.as_deref().unwrap_or("").to_string(),
            place,
            field: f.location.pointer.to_string(),
            message: f.message.to_string(),
            remediation: f.rule.remediation.to_string(),
            frameworks,
            snippet: snippets.line(&f),
            suppressed: f.suppressed,
        });
    }
    let only = report.views.is_some_and(|v| v.only);
    let headline = match report.views {
        Some(v) if v.only => views_line(v),
        _ => crate::text::summary_line(report),
    };
    let title = "Palisade report";
    write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header><h1>{title}</h1><p id=\"summary-line\">{}</p></header>\n<main>\n",
        esc(&headline)
    )?;
    if !only {
        summary_sections(report, fleet, &by_severity, &by_layer, by_namespace, out)?;
    }
    if let Some(views) = report.views {
        write_views(views, out)?;
    }
    if only {
        return writeln!(out, "</main>\n</body>\n</html>");
    }
    // The table, built by the script.
    writeln!(
        out,
        "<section aria-labelledby=\"h-table\"><h2 id=\"h-table\">All findings</h2>\n<form id=\"filters\" role=\"search\" onsubmit=\"return false\">\n<label>Severity <select id=\"f-severity\"><option value=\"\">all</option>{}</select></label>\n<label>Rule <select id=\"f-rule\"><option value=\"\">all</option></select></label>\n<label>Namespace <select id=\"f-namespace\"><option value=\"\">all</option></select></label>\n<label>Layer <select id=\"f-layer\"><option value=\"\">all</option></select></label>\n<label>Framework <select id=\"f-framework\"><option value=\"\">all</option></select></label>\n<label>Search <input id=\"f-search\" type=\"search\" placeholder=\"rule, object, message\"></label>\n</form>\n<p id=\"shown\" aria-live=\"polite\"></p>\n<noscript><p>The findings table needs JavaScript; the summary above does not. The JSON report (<code>--format json</code>) has every finding.</p></noscript>\n<table id=\"findings\"><caption>Findings (select a row's details for the field, the source line and the fix)</caption><thead><tr>{}</tr></thead><tbody></tbody></table>\n</section>",
        SEVERITIES
            .iter()
            .map(|s| format!("<option value=\"{0}\">{0} and above</option>", s.as_str()))
            .collect::<String>(),
        [("severity", "Severity"), ("rule", "Rule"), ("object", "Object"), ("namespace", "Namespace"), ("message", "Finding")]
            .iter()
            .map(|(k, l)| format!("<th scope=\"col\" aria-sort=\"none\"><button type=\"button\" data-sort=\"{k}\">{l}</button></th>"))
            .collect::<String>()
    )?;
    writeln!(
        out,
        "</main>\n<script type=\"application/json\" id=\"data\">{}</script>\n<script>{SCRIPT}</script>\n</body>\n</html>",
        script_json(&rows)?
    )
}

/// The compliance summary, the charts and the clusters of a multi-cluster scan: plain HTML.
fn summary_sections(
    report: &Report<'_>,
    fleet: Option<&Fleet>,
    by_severity: &BTreeMap<&str, usize>,
    by_layer: &BTreeMap<&str, usize>,
    by_namespace: BTreeMap<String, usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let summary = compliance(report.findings, report.rules, report.evaluated);
    // Scores: per layer and per framework.
    writeln!(
        out,
        "<section aria-labelledby=\"h-compliance\"><h2 id=\"h-compliance\">Compliance</h2><div class=\"cards\">"
    )?;
    for layer in &summary.layers {
        writeln!(
            out,
            "<div class=\"card\"><h3>{} layer</h3><p class=\"score\">{:.0}%</p><p>{} of {} rules without findings</p></div>",
            esc(layer.layer.as_str()),
            layer.score,
            layer.rules - layer.failed_rules,
            layer.rules
        )?;
    }
    writeln!(
        out,
        "</div><table><caption>Framework controls</caption><thead><tr><th scope=\"col\">Framework</th><th scope=\"col\">Score</th><th scope=\"col\">Passed</th><th scope=\"col\">Failed</th><th scope=\"col\">Not evaluated</th></tr></thead><tbody>"
    )?;
    for fw in &summary.frameworks {
        writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{:.0}%</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(fw.name),
            fw.score,
            fw.passed,
            fw.failed,
            fw.not_evaluated
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    let failing: Vec<String> = summary
        .frameworks
        .iter()
        .flat_map(|fw| {
            fw.controls
                .iter()
                .filter(|c| c.status == Status::Fail)
                .map(move |c| format!("{} {}", fw.framework, c.id))
        })
        .take(40)
        .collect();
    if !failing.is_empty() {
        writeln!(out, "<p>Failing controls: {}</p>", esc(&failing.join(", ")))?;
    }
    writeln!(out, "</section>")?;
    // Charts.
    let severity_bars: Vec<(String, usize, &str)> = SEVERITIES
        .iter()
        .map(|s| {
            (
                s.as_str().to_string(),
                by_severity.get(s.as_str()).copied().unwrap_or(0),
                color(s.as_str()),
            )
        })
        .collect();
    let layer_bars: Vec<(String, usize, &str)> = by_layer
        .iter()
        .map(|(l, n)| (l.to_string(), *n, "#334155"))
        .collect();
    let mut namespaces: Vec<(String, usize)> = by_namespace.into_iter().collect();
    namespaces.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let namespace_bars: Vec<(String, usize, &str)> = namespaces
        .into_iter()
        .take(10)
        .map(|(n, c)| (n, c, "#475569"))
        .collect();
    writeln!(
        out,
        "<section aria-labelledby=\"h-charts\"><h2 id=\"h-charts\">Findings</h2><div class=\"charts\">{}{}{}</div></section>",
        bar_chart("By severity", &severity_bars),
        bar_chart("By 4C layer", &layer_bars),
        bar_chart("Top namespaces", &namespace_bars)
    )?;
    if let Some(fleet) = fleet {
        writeln!(
            out,
            "<section aria-labelledby=\"h-clusters\"><h2 id=\"h-clusters\">Clusters</h2><table><caption>Findings by cluster</caption><thead><tr><th scope=\"col\">Cluster</th><th scope=\"col\">Server</th><th scope=\"col\">Objects</th>"
        )?;
        for s in SEVERITIES {
            write!(out, "<th scope=\"col\">{}</th>", s.as_str())?;
        }
        writeln!(out, "<th scope=\"col\">Not read</th></tr></thead><tbody>")?;
        for c in &fleet.clusters {
            write!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td>",
                esc(&c.name),
                esc(&c.server),
                c.objects
            )?;
            for s in SEVERITIES {
                write!(
                    out,
                    "<td>{}</td>",
                    c.by_severity.get(s.as_str()).copied().unwrap_or(0)
                )?;
            }
            let unread: Vec<String> = c
                .unread()
                .map(|r| format!("{} ({})", r.resource, r.state))
                .collect();
            writeln!(out, "<td>{}</td></tr>", esc(&unread.join(", ")))?;
        }
        writeln!(out, "</tbody></table></section>")?;
    }
    Ok(())
}

/// The headline of a page of views alone.
fn views_line(views: &Views) -> String {
    let workloads: usize = views.networks.iter().map(|n| n.workloads).sum();
    let classes: usize = views.networks.iter().map(|n| n.classes).sum();
    let connections: usize = views.networks.iter().map(|n| n.total_connections).sum();
    format!(
        "{workloads} workloads in {classes} classes; {connections} allowed connections between classes and address ranges"
    )
}

/// Rows of the risk table a page lists at most (the JSON and SARIF of `rbac risks` have all).
const RISK_ROWS: usize = 1_000;

/// The RBAC risk paths and the NetworkPolicy coverage and matrices: plain HTML.
fn write_views(views: &Views, out: &mut dyn Write) -> io::Result<()> {
    if !views.risks.is_empty() {
        let clusters = views.risks.iter().any(|r| !r.cluster.is_empty());
        writeln!(
            out,
            "<section aria-labelledby=\"h-risks\"><h2 id=\"h-risks\">RBAC risk paths</h2>\n<p>{} dangerous power{} held by subjects, most dangerous first{}: what each can do, where, through which binding and role, and the path by which it reaches that power.</p>\n<table id=\"risks\"><caption>Dangerous powers and their escalation paths</caption><thead><tr><th scope=\"col\">Severity</th>{}<th scope=\"col\">Subject</th><th scope=\"col\">Can</th><th scope=\"col\">Where</th><th scope=\"col\">Escalation path</th><th scope=\"col\">Through</th></tr></thead><tbody>",
            views.risks.len(),
            if views.risks.len() == 1 { "" } else { "s" },
            if views.risks.len() > RISK_ROWS {
                format!(
                    " (the first {RISK_ROWS} listed; `palisade rbac risks --format json` has all)"
                )
            } else {
                String::new()
            },
            if clusters {
                "<th scope=\"col\">Cluster</th>"
            } else {
                ""
            }
        )?;
        for r in views.risks.iter().take(RISK_ROWS) {
            let severity = r.severity.as_str();
            write!(
                out,
                "<tr><td><span class=\"sev {severity}\">{severity}</span></td>"
            )?;
            if clusters {
                write!(out, "<td>{}</td>", esc(&r.cluster))?;
            }
            write!(
                out,
                "<th scope=\"row\">{}</th><td>{}<br><small>{}</small></td><td>{}</td><td><ol class=\"path\">",
                esc(&r.subject),
                esc(&r.power),
                esc(&r.grant),
                if r.namespace.is_empty() {
                    "cluster-wide".to_string()
                } else {
                    format!("namespace {}", esc(&r.namespace))
                }
            )?;
            for step in &r.steps {
                write!(out, "<li>{}</li>", esc(step))?;
            }
            write!(out, "</ol>")?;
            if !r.held_by.is_empty() {
                write!(
                    out,
                    "<p>Held by the pods of {}</p>",
                    esc(&r.held_by.join(", "))
                )?;
            }
            writeln!(out, "</td><td>{}</td></tr>", esc(&r.via))?;
        }
        writeln!(out, "</tbody></table></section>")?;
    }
    for (i, n) in views.networks.iter().enumerate() {
        write_network(i, n, out)?;
    }
    Ok(())
}

/// One cluster's (or the files') NetworkPolicy coverage and connectivity.
fn write_network(i: usize, n: &Network, out: &mut dyn Write) -> io::Result<()> {
    let of = if n.cluster.is_empty() {
        String::new()
    } else {
        format!(": cluster {}", esc(&n.cluster))
    };
    writeln!(
        out,
        "<section aria-labelledby=\"h-net{i}\"><h2 id=\"h-net{i}\">NetworkPolicy coverage{of}</h2>\n<p>{} workloads in {} classes of pods that policies treat alike; {} allowed connections between classes and address ranges.</p>\n<table class=\"coverage\"><caption>Workloads isolated by a NetworkPolicy, per namespace (an isolated workload accepts only what a policy allows)</caption><thead><tr><th scope=\"col\">Namespace</th><th scope=\"col\">Workloads</th><th scope=\"col\">Isolated for ingress</th><th scope=\"col\">Isolated for egress</th><th scope=\"col\">Policies</th></tr></thead><tbody>",
        n.workloads, n.classes, n.total_connections
    )?;
    for c in &n.namespaces {
        let cell = |isolated: usize| {
            let class = if c.workloads == 0 || isolated == c.workloads {
                "ok"
            } else {
                "gap"
            };
            format!("<td class=\"{class}\">{isolated} of {}</td>", c.workloads)
        };
        writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td>{}{}<td>{}</td></tr>",
            esc(&c.namespace),
            c.workloads,
            cell(c.ingress_isolated),
            cell(c.egress_isolated),
            c.policies
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    if n.connections.is_empty() {
        return writeln!(out, "<p>No connection is allowed.</p></section>");
    }
    if n.grid {
        // A grid: sources down, destinations across, the ports allowed in each cell.
        let mut cells = vec![vec![None; n.ends.len()]; n.ends.len()];
        for (from, to, ports) in &n.connections {
            cells[*from][*to] = Some(ports.as_str());
        }
        write!(
            out,
            "<div class=\"scroll\"><table class=\"grid\"><caption>Allowed connections: from the row to the column (classes named by their first workload)</caption><thead><tr><th scope=\"col\">From \\ To</th>"
        )?;
        for end in &n.ends {
            write!(out, "<th scope=\"col\">{}</th>", esc(end))?;
        }
        writeln!(out, "</tr></thead><tbody>")?;
        for (from, row) in cells.iter().enumerate() {
            write!(out, "<tr><th scope=\"row\">{}</th>", esc(&n.ends[from]))?;
            for cell in row {
                match cell {
                    Some(ports) => write!(out, "<td class=\"allow\">{}</td>", esc(ports))?,
                    None => write!(out, "<td class=\"deny\">—</td>")?,
                }
            }
            writeln!(out, "</tr>")?;
        }
        writeln!(out, "</tbody></table></div>")?;
    } else {
        writeln!(
            out,
            "<table class=\"connections\"><caption>Allowed connections{}</caption><thead><tr><th scope=\"col\">From</th><th scope=\"col\">To</th><th scope=\"col\">Allowed</th></tr></thead><tbody>",
            if n.total_connections > n.connections.len() {
                format!(
                    " (the first {} of {}; `palisade netpol matrix --format json` has all)",
                    n.connections.len(),
                    n.total_connections
                )
            } else {
                String::new()
            }
        )?;
        for (from, to, ports) in &n.connections {
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&n.ends[*from]),
                esc(&n.ends[*to]),
                esc(ports)
            )?;
        }
        writeln!(out, "</tbody></table>")?;
    }
    writeln!(out, "</section>")
}

const STYLE: &str = r#"
:root{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#111827;background:#fff}
body{margin:0 auto;max-width:1200px;padding:1rem 1.5rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d1d5db}
table{border-collapse:collapse;width:100%;margin:.5rem 0}caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #e5e7eb;padding:.35rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f3f4f6}th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:#111827}
th button:focus-visible,select:focus-visible,input:focus-visible,summary:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #d1d5db;border-radius:6px;padding:.5rem 1rem;min-width:11rem}
.card h3{margin:.2rem 0;font-size:1rem;text-transform:capitalize}.score{font-size:1.8rem;font-weight:700;margin:.2rem 0}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}figure{margin:0}figcaption{font-weight:600}
svg .l,svg .n{font-size:12px;fill:#111827}
form{display:flex;flex-wrap:wrap;gap:.6rem 1rem;margin:.6rem 0}label{font-weight:600}select,input{font:inherit;margin-left:.3rem}
.sev{display:inline-block;padding:0 .4rem;border-radius:4px;color:#fff;font-weight:600}
.critical{background:#8b1a1a}.high{background:#c2410c}.medium{background:#854d0e}.low{background:#1d4ed8}.info{background:#4b5563}
pre{background:#f3f4f6;padding:.4rem;overflow-x:auto;white-space:pre-wrap}details summary{cursor:pointer;color:#1e3a8a}
.suppressed{opacity:.75}
ol.path{margin:0;padding-left:1.2rem}td.gap{color:#8b1a1a;font-weight:600}td.ok{color:#166534}
.scroll{overflow-x:auto}table.grid td,table.grid th{font-size:.85rem;white-space:nowrap}td.allow{background:#fef3c7}td.deny{color:#6b7280;text-align:center}
"#;

const SCRIPT: &str = r#"
(function(){
'use strict';
var rows=JSON.parse(document.getElementById('data').textContent);
var order=['critical','high','medium','low','info'];
var body=document.querySelector('#findings tbody');
var shown=document.getElementById('shown');
var sortKey='severity', sortUp=true;
function el(tag,text,cls){var e=document.createElement(tag);if(text!==undefined&&text!==null)e.textContent=text;if(cls)e.className=cls;return e;}
function fill(id,values){var s=document.getElementById(id);values.forEach(function(v){var o=el('option',v===''?'(cluster-scoped)':v);o.value=v;s.appendChild(o);});}
function uniq(f){var seen={},out=[];rows.forEach(function(r){[].concat(f(r)).forEach(function(v){if(!(v in seen)){seen[v]=1;out.push(v);}});});return out.sort();}
fill('f-rule',uniq(function(r){return r.rule;}));
fill('f-namespace',uniq(function(r){return r.namespace;}));
fill('f-layer',uniq(function(r){return r.layer;}));
fill('f-framework',uniq(function(r){return r.frameworks.map(function(f){return f.split(':')[0];});}));
function value(id){return document.getElementById(id).value;}
function row(r){
 var tr=el('tr',null,r.suppressed?'suppressed':'');
 var sev=el('td');sev.appendChild(el('span',r.severity,'sev '+r.severity));tr.appendChild(sev);
 var rule=el('td');rule.appendChild(el('strong',r.rule));rule.appendChild(document.createTextNode(' '+r.title));tr.appendChild(rule);
 tr.appendChild(el('td',r.object+(r.container?' / '+r.container:'')+(r.cluster?' ('+r.cluster+')':'')));
 tr.appendChild(el('td',r.namespace));
 var msg=el('td');msg.appendChild(el('div',r.message+(r.suppressed?' (suppressed)':'')));
 var d=el('details');d.appendChild(el('summary','Details'));
 var dl=el('dl');
 function item(k,v){if(!v)return;dl.appendChild(el('dt',k));dl.appendChild(el('dd',v));}
 item('Where',r.place);item('Field',r.field);item('Layer',r.layer);item('Frameworks',r.frameworks.join(', '));item('Fix',r.remediation);
 d.appendChild(dl);
 if(r.snippet){d.appendChild(el('pre',r.snippet[0]+' | '+r.snippet[1]));}
 msg.appendChild(d);tr.appendChild(msg);return tr;}
function render(){
 var sev=value('f-severity'),rule=value('f-rule'),ns=value('f-namespace'),layer=value('f-layer'),fw=value('f-framework');
 var q=document.getElementById('f-search').value.toLowerCase();
 var max=sev?order.indexOf(sev):order.length;
 var list=rows.filter(function(r){
  if(sev&&order.indexOf(r.severity)>max)return false;
  if(rule&&r.rule!==rule)return false;
  if(document.getElementById('f-namespace').selectedIndex>0&&r.namespace!==ns)return false;
  if(layer&&r.layer!==layer)return false;
  if(fw&&!r.frameworks.some(function(f){return f.split(':')[0]===fw;}))return false;
  if(q&&(r.rule+' '+r.title+' '+r.object+' '+r.namespace+' '+r.message).toLowerCase().indexOf(q)<0)return false;
  return true;});
 list.sort(function(a,b){var x,y;if(sortKey==='severity'){x=order.indexOf(a.severity);y=order.indexOf(b.severity);}else{x=a[sortKey];y=b[sortKey];}
  var c=x<y?-1:x>y?1:0;return sortUp?c:-c;});
 var frag=document.createDocumentFragment();
 list.slice(0,2000).forEach(function(r){frag.appendChild(row(r));});
 body.replaceChildren(frag);
 shown.textContent=list.length+' of '+rows.length+' findings'+(list.length>2000?' (the first 2000 shown; narrow the filters)':'');}
['f-severity','f-rule','f-namespace','f-layer','f-framework'].forEach(function(id){document.getElementById(id).addEventListener('change',render);});
document.getElementById('f-search').addEventListener('input',render);
document.querySelectorAll('th button[data-sort]').forEach(function(b){b.addEventListener('click',function(){
 var k=b.getAttribute('data-sort');if(sortKey===k){sortUp=!sortUp;}else{sortKey=k;sortUp=true;}
 document.querySelectorAll('#findings th').forEach(function(th){th.setAttribute('aria-sort','none');});
 b.parentNode.setAttribute('aria-sort',sortUp?'ascending':'descending');render();});});
render();
// When the table first stood complete: what the browser test reads as time to first render.
if(window.performance&&performance.mark)performance.mark('palisade-table-rendered');
})();
"#;
