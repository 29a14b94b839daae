//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The help of every `-n/--namespace` option: one first sentence for every command (`scan`,
/// `fix`, `rbac`, `netpol`), then the default and what the option also means to that command.
macro_rules! namespace_help {
    ($rest:literal) => {
        concat!(
            "The namespace of objects that name none, as `kubectl apply -n` places them",
            $rest,
            "."
        )
    };
}
pub(crate) use namespace_help;

/// Examples at the end of `palisade --help`.
const EXAMPLES: &str = "\
Examples:
  # Scan the current directory; charts and kustomizations are rendered
  palisade scan

  # SARIF for GitHub code scanning, failing only on high and critical findings
  palisade scan . --format sarif -o palisade.sarif --fail-on high

  # Who may read Secrets in the namespace shop
  palisade rbac who-can get secrets -n shop deploy/

  # Shell completions
  palisade completions bash > ~/.local/share/bash-completion/completions/palisade";

const SCAN_EXAMPLES: &str = "\
Examples:
  # Scan a directory: YAML and JSON files, Helm charts and kustomizations
  palisade scan deploy/

  # Scan rendered output from standard input
  helm template charts/web | palisade scan -

  # CI: SARIF for code scanning, failing only on high and critical findings
  palisade scan . --format sarif -o palisade.sarif --fail-on high

  # Accept today's findings, then fail only on new ones
  palisade scan . --write-baseline palisade-baseline.json
  palisade scan . --baseline palisade-baseline.json

  # Pre-commit: the changed files, with palisade.toml's excludes still applied
  palisade scan --force-exclude deploy/api.yaml deploy/web.yaml";

const FIX_EXAMPLES: &str = "\
Examples:
  # Preview the fixes as a unified diff; nothing is written
  palisade fix deploy/ --diff

  # Apply them to the plain YAML files under deploy/
  palisade fix deploy/";

const RBAC_EXAMPLES: &str = "\
Examples:
  # Who may read Secrets in the namespace shop, and through which binding and role
  palisade rbac who-can get secrets -n shop deploy/

  # May this ServiceAccount exec into pods? (exit 0 yes, 1 no, 3 unknown)
  palisade rbac can-i --as system:serviceaccount:shop:api create pods/exec deploy/

  # Everything a subject is granted, and every dangerous power in the manifests
  palisade rbac permissions shop/api deploy/
  palisade rbac risks deploy/ --fail-on high

  # Least-privilege roles for what a ServiceAccount did, from an audit log
  palisade rbac generate --from-audit audit.log --serviceaccount shop/api";

const NETPOL_EXAMPLES: &str = "\
Examples:
  # May the web pods reach the database on port 5432?
  palisade netpol reach --from shop/web --to shop/db:5432 deploy/

  # Who can talk to whom, and how well NetworkPolicies cover the workloads
  palisade netpol matrix deploy/
  palisade netpol coverage deploy/

  # Propose default-deny and allow policies
  palisade netpol generate deploy/";

const CLUSTER_EXAMPLES: &str = "\
Examples:
  # Scan the current context's cluster, read-only
  palisade cluster scan

  # Scan every context of the kubeconfig at once, as JSON with a fleet summary
  palisade cluster scan --all-contexts --format json -o fleet.json

  # Two clusters, two namespaces each
  palisade cluster scan --context prod --context staging -n shop -n payments

  # Save a cluster for offline scans, then scan and analyse the snapshot
  palisade cluster snapshot --context prod -o prod.snapshot
  palisade scan prod.snapshot
  palisade rbac risks prod.snapshot

  # The least-privilege ClusterRole a scan needs
  palisade cluster rbac-manifest > palisade-reader.yaml
";

const ADMISSION_EXAMPLES: &str = "\
Examples:
  # Run the webhook (the certificate is reloaded when its files change)
  palisade admission serve --tls-cert-file tls.crt --tls-key-file tls.key

  # What would the webhook answer to this AdmissionReview?
  palisade admission review review.json

  # Deploy it: the manifests, with the CA that signed the serving certificate
  palisade admission manifests --ca-file ca.crt | kubectl apply -f -";

const AUDIT_EXAMPLES: &str = "\
Examples:
  # Alerts in a day of logs, rotated and gzipped files included
  palisade audit scan /var/log/kubernetes/audit/audit.log*

  # As JSON lines, for a SIEM; only the detections of secret access
  palisade audit scan audit.log --format json --select secret-read,secret-read-refused";

const NODE_EXAMPLES: &str = "\
Examples:
  # On a node, as root
  palisade node

  # The host's root mounted into a pod (hostPID: true), as JSON
  palisade node --root /host --format json";

const PROBE_EXAMPLES: &str = "\
Examples:
  palisade probe kubelet --node 10.0.1.12
  palisade probe apiserver --server https://10.0.0.10:6443 --format json
  palisade probe etcd --endpoints 10.0.0.10:2379 --cacert ca.crt --cert client.crt --key client.key";

const POLICY_EXAMPLES: &str = "\
Examples:
  # Every Gatekeeper suite and Kyverno test under a directory
  palisade policy test policies/
  # The Rego of templates that also carry CEL, one record per case
  palisade policy test library/ --policy-engine rego --format json
  # Run the same policies in a scan, and at the gate
  palisade scan deploy/ --policy policies/
  palisade admission serve --tls-cert-file tls.crt --tls-key-file tls.key --policy policies/";

const RULES_EXAMPLES: &str = "\
Examples:
  palisade rules
  palisade rules --format json";

const RULE_EXAMPLES: &str = "\
Examples:
  palisade rule PSS003
  palisade rule privileged-container";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  palisade completions bash > ~/.local/share/bash-completion/completions/palisade
  palisade completions zsh > ~/.zfunc/_palisade
  palisade completions fish > ~/.config/fish/completions/palisade.fish
  palisade completions powershell >> $PROFILE";

/// Every example of the help texts (for the test that parses them).
pub const ALL_EXAMPLES: &[&str] = &[
    EXAMPLES,
    CLUSTER_EXAMPLES,
    SCAN_EXAMPLES,
    FIX_EXAMPLES,
    RBAC_EXAMPLES,
    NETPOL_EXAMPLES,
    RULES_EXAMPLES,
    RULE_EXAMPLES,
    COMPLETIONS_EXAMPLES,
];

/// Kubernetes security from the node up.
#[derive(Debug, Parser)]
#[command(
    name = "palisade",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = EXAMPLES
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan manifests (files, directories or `-` for stdin) for misconfigurations.
    #[command(after_help = SCAN_EXAMPLES)]
    Scan(Box<ScanArgs>),
    /// Apply the mechanical fixes of findings to plain YAML files (takes `scan`'s options);
    /// `--diff` previews them, `palisade fix -` fixes standard input to standard output.
    /// Fixes that may change what a workload does are applied only with `--unsafe-fixes`.
    #[command(after_help = FIX_EXAMPLES)]
    Fix(Box<ScanArgs>),
    /// Live clusters, read-only: scan one or many through kubeconfig contexts, write
    /// snapshots for offline scans, print the ClusterRole a scan needs.
    #[command(subcommand, after_help = CLUSTER_EXAMPLES)]
    Cluster(Box<crate::cluster_cmd::ClusterCommand>),
    /// RBAC analysis: who can do what, and through which binding and role.
    #[command(subcommand, after_help = RBAC_EXAMPLES)]
    Rbac(Box<crate::rbac_cmd::RbacCommand>),
    /// NetworkPolicy analysis: which connections are allowed, and by which rules.
    #[command(subcommand, after_help = NETPOL_EXAMPLES)]
    Netpol(Box<crate::netpol_cmd::NetpolCommand>),
    /// Admission control: the validating webhook that enforces the scan's rules at the API
    /// server, one review offline, and its deployment manifests.
    #[command(subcommand, after_help = ADMISSION_EXAMPLES)]
    Admission(Box<crate::admission_cmd::AdmissionCommand>),
    /// Threat detection on Kubernetes audit logs: the audit detections of the rule catalog,
    /// one alert per line.
    #[command(subcommand, after_help = AUDIT_EXAMPLES)]
    Audit(Box<crate::audit_cmd::AuditCommand>),
    /// From the node up: the CIS Benchmark's node and control-plane checks from a node's root
    /// (file permissions and owners, component flags, the kubelet's effective configuration).
    #[command(after_help = NODE_EXAMPLES)]
    Node(Box<crate::node_cmd::NodeArgs>),
    /// Ask a component's endpoint, as nobody, what it answers: the kubelet's API and
    /// read-only port, the API server. Only reads; only the address given.
    #[command(subcommand, after_help = PROBE_EXAMPLES)]
    Probe(Box<crate::probe_cmd::ProbeCommand>),
    /// Policy as code: run Gatekeeper suites and Kyverno tests against the same compiled
    /// policies that `scan --policy` and `admission serve --policy` run.
    #[command(subcommand, after_help = POLICY_EXAMPLES)]
    Policy(Box<crate::policy_cmd::PolicyCommand>),
    /// List every rule.
    #[command(after_help = RULES_EXAMPLES)]
    Rules(RulesArgs),
    /// Show one rule's documentation.
    #[command(after_help = RULE_EXAMPLES)]
    Rule(RuleArgs),
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
}

/// `palisade completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// When writing to a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `palisade scan`.
#[derive(Debug, Clone, Args, Default)]
pub struct ScanArgs {
    /// Files and directories to scan (`-` reads standard input). Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format: text, compact, json, sarif, junit, html (one self-contained page),
    /// policyreport (PolicyReport resources) or openreports.
    #[arg(short, long, env = "PALISADE_FORMAT", value_name = "FORMAT")]
    pub format: Option<String>,

    /// Write the report to FILE instead of standard output (the summary line then goes to
    /// standard error).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write several reports in one run: FORMAT to standard output or FORMAT:FILE, repeatable,
    /// e.g. `--output-format sarif:palisade.sarif --output-format text`. Replaces --format.
    #[arg(long, value_name = "FORMAT[:FILE]", conflicts_with = "output")]
    pub output_format: Vec<String>,

    /// Print only the summary line (and input errors) in text and compact output.
    #[arg(short, long)]
    pub quiet: bool,

    /// Order of the findings: path (default), severity (most severe first) or rule.
    #[arg(long, env = "PALISADE_SORT", value_name = "ORDER")]
    pub sort: Option<String>,

    /// Rule set: all (default), pss-baseline, pss-restricted, cis, nsa or mitre.
    #[arg(long, env = "PALISADE_PROFILE", value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Only run rules matching these ids, names, id prefixes, globs (`PSS*`) or framework
    /// controls (`cis:5.2.2`, `C-0057`, `mitre:T1611`, `pss:privileged`); comma-separated,
    /// repeatable.
    #[arg(
        long,
        env = "PALISADE_SELECT",
        value_delimiter = ',',
        value_name = "RULES"
    )]
    pub select: Vec<String>,

    /// Never run rules matching these selectors (the forms `--select` takes); comma-separated,
    /// repeatable.
    #[arg(
        long,
        env = "PALISADE_IGNORE",
        value_delimiter = ',',
        value_name = "RULES"
    )]
    pub ignore: Vec<String>,

    /// Exit 1 when a finding is at least this severe: info, low (default), medium, high,
    /// critical, or never.
    #[arg(long, env = "PALISADE_FAIL_ON", value_name = "SEVERITY")]
    pub fail_on: Option<String>,

    /// Do not report findings below this severity.
    #[arg(long, env = "PALISADE_MIN_SEVERITY", value_name = "SEVERITY")]
    pub min_severity: Option<String>,

    /// Pod Security Standards policy version: v1.0 … v1.37 or latest (default).
    #[arg(long, env = "PALISADE_PSS_VERSION", value_name = "VERSION")]
    pub pss_version: Option<String>,

    /// Leave out files and directories matching this glob (repeatable; gitignore syntax,
    /// relative to the directory of palisade.toml, else to the scan root).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Apply --exclude (and `exclude` in palisade.toml) to paths named on the command line
    /// too, as a pre-commit hook that passes every changed file needs.
    #[arg(long)]
    pub force_exclude: bool,

    /// Do not read .gitignore, .ignore or .git/info/exclude files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Largest file to read, e.g. 16MiB (default), 512KiB or a number of bytes.
    #[arg(long, env = "PALISADE_MAX_FILE_SIZE", value_name = "SIZE")]
    pub max_file_size: Option<String>,

    /// Time limits, symbolic links and remote bases.
    #[command(flatten)]
    pub input: ReadingArgs,

    /// Report only findings that are not in this baseline file (the others count as
    /// suppressed).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Also run the policies in this file or directory: Gatekeeper ConstraintTemplates and
    /// constraints, ValidatingAdmissionPolicies with their bindings, Kyverno
    /// ValidatingPolicies (repeatable; replaces `policies` in palisade.toml).
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,

    /// Which engines of Gatekeeper templates run: auto (CEL where a template has it, else
    /// Rego), rego, cel or both.
    #[arg(long, env = "PALISADE_POLICY_ENGINE", value_name = "ENGINE")]
    pub policy_engine: Option<String>,

    /// Write the findings that remain unsuppressed to FILE as a baseline.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Print the compliance summary (per framework control and per 4C layer) in text output;
    /// implied by a framework profile. JSON output always has it.
    #[arg(long)]
    pub compliance: bool,

    /// Also list suppressed findings.
    #[arg(long)]
    pub show_suppressed: bool,

    /// Apply the mechanical fixes of findings to plain YAML files as minimal edits, then
    /// report what remains. Helm templates and Kustomize builds are never rewritten.
    #[arg(long)]
    pub fix: bool,

    /// Print the fixes as a unified diff that `git apply` takes, and change no file (exit 1
    /// when there is any).
    #[arg(long)]
    pub diff: bool,

    /// Also apply fixes that may change what a workload does (a read-only root filesystem,
    /// dropped capabilities, a non-root user…); review them. `palisade rules` says which
    /// rules' fixes are unsafe.
    #[arg(
        long,
        env = "PALISADE_UNSAFE_FIXES",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub unsafe_fixes: Option<bool>,

    /// Honour other scanners' suppression annotations (`checkov.io/skipN`,
    /// `ignore-check.kube-linter.io/<check>`, `kube-score/ignore`) for the Palisade rules
    /// equivalent to their checks, to keep reviewed exceptions when migrating.
    #[arg(
        long,
        env = "PALISADE_HONOR_PEER_SUPPRESSIONS",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub honor_peer_suppressions: Option<bool>,

    /// Use this configuration file instead of searching for palisade.toml.
    #[arg(
        long,
        env = "PALISADE_CONFIG",
        value_name = "FILE",
        conflicts_with = "no_config"
    )]
    pub config: Option<PathBuf>,

    /// Do not read any palisade.toml.
    #[arg(long)]
    pub no_config: bool,

    /// When to use colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Helm values file for the charts scanned (repeatable, later files win).
    #[arg(long, value_name = "FILE", help_heading = "Helm and Kustomize")]
    pub values: Vec<PathBuf>,

    /// Set a Helm value, as `helm template --set` (repeatable).
    #[arg(long, value_name = "KEY=VALUE", help_heading = "Helm and Kustomize")]
    pub set: Vec<String>,

    /// Set a Helm value as a string, as `helm template --set-string` (repeatable).
    #[arg(long, value_name = "KEY=VALUE", help_heading = "Helm and Kustomize")]
    pub set_string: Vec<String>,

    // The namespace of objects without one, and the Helm release namespace.
    #[arg(
        short,
        long,
        value_name = "NAMESPACE",
        help = namespace_help!(
            " (default: `default`); also the Helm release namespace (`helm template --namespace`). Without it, findings that only say \"this runs in the default namespace\" are not reported for charts, whose namespace is chosen at install time"
        )
    )]
    pub namespace: Option<String>,

    /// The helm binary (default: $PALISADE_HELM, else helm on PATH).
    #[arg(long, value_name = "PATH", help_heading = "Helm and Kustomize")]
    pub helm: Option<PathBuf>,

    /// The kubectl (or kustomize) binary (default: $PALISADE_KUBECTL, else kubectl on PATH).
    #[arg(long, value_name = "PATH", help_heading = "Helm and Kustomize")]
    pub kubectl: Option<PathBuf>,

    /// Do not render Helm charts or build kustomizations: chart templates are skipped and
    /// kustomization directories are scanned as plain files.
    #[arg(long, help_heading = "Helm and Kustomize")]
    pub no_render: bool,

    /// What a chart or kustomization that cannot be rendered does to the run: `warn`
    /// (default: reported as a warning, the exit code is left to the findings) or `error` (an
    /// input error, exit code 2).
    #[arg(
        long,
        env = "PALISADE_RENDER_ERRORS",
        value_name = "error|warn",
        help_heading = "Helm and Kustomize"
    )]
    pub render_errors: Option<String>,
}

impl ScanArgs {
    /// The paths to scan: those given, else the current directory.
    pub fn roots(&self) -> Vec<PathBuf> {
        if self.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            self.paths.clone()
        }
    }
}

/// How untrusted input is read: time limits, symbolic links and remote bases. Shared by every
/// command that reads manifests.
#[derive(Debug, Clone, Args, Default)]
pub struct ReadingArgs {
    /// Longest to wait for standard input (or a named pipe given as a path) to end, counted
    /// from when reading starts, e.g. 60s (default), 5m.
    #[arg(long, env = "PALISADE_STDIN_TIMEOUT", value_name = "DURATION")]
    pub stdin_timeout: Option<String>,

    /// Follow symbolic links that lead outside the scanned directories. By default such links
    /// are skipped with a note, and charts and kustomizations that hold one are not rendered.
    #[arg(
        long,
        env = "PALISADE_FOLLOW_SYMLINKS",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub follow_symlinks: Option<bool>,

    /// Longest `helm template` or `kubectl kustomize` may run for one chart or kustomization,
    /// e.g. 2m (default), 30s.
    #[arg(
        long,
        env = "PALISADE_RENDER_TIMEOUT",
        value_name = "DURATION",
        help_heading = "Helm and Kustomize"
    )]
    pub render_timeout: Option<String>,

    /// Let kustomize fetch remote bases and resources (URLs, git repositories). By default a
    /// kustomization that names one is refused before kubectl runs.
    #[arg(
        long,
        env = "PALISADE_ALLOW_REMOTE_BASES",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new(),
        help_heading = "Helm and Kustomize"
    )]
    pub allow_remote_bases: Option<bool>,
}

/// Which rules run and which configuration file holds their options: the flags every front
/// door that runs a fixed part of the catalog (audit detections, node checks) shares.
#[derive(Debug, Clone, Args)]
pub struct SelectionArgs {
    /// Only run rules matching these selectors (ids, names, prefixes such as `AUDIT-D1` or
    /// `NODE`); comma-separated, repeatable.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,

    /// Never run rules matching these selectors; comma-separated, repeatable.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Use this configuration file instead of searching for palisade.toml (its
    /// `[rule-options]` hold the rules' options and allow-lists).
    #[arg(long, value_name = "FILE", env = "PALISADE_CONFIG")]
    pub config: Option<std::path::PathBuf>,

    /// Use no configuration file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

impl SelectionArgs {
    /// The configuration overrides these flags make.
    pub fn overrides(&self) -> palisade_config::Overrides {
        palisade_config::Overrides {
            config: self.config.clone(),
            no_config: self.no_config,
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            ..palisade_config::Overrides::default()
        }
    }
}

/// `palisade rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// table (default) or json.
    #[arg(short, long, default_value = "table")]
    pub format: String,

    /// Only the rules of this profile: all, pss-baseline, pss-restricted, cis, nsa or mitre.
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Only rules mapped to this framework (pss, cis, nsa, mitre) or control (`cis:5.2`,
    /// `C-0057`, `mitre:T1611`, `pss:privileged`).
    #[arg(long, value_name = "FRAMEWORK")]
    pub framework: Option<String>,

    /// Only rules of this 4C layer: cloud, cluster, container or code.
    #[arg(long, value_name = "LAYER")]
    pub layer: Option<String>,
}

/// `palisade rule`.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Rule id or name, e.g. PSS003 or privileged-container.
    pub rule: String,
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    /// Every subcommand's arguments are consistent (unique names and groups), which clap only
    /// checks when that subcommand is built.
    #[test]
    fn arguments_are_consistent() {
        super::Cli::command().debug_assert();
    }

    /// Every command that takes `-n` documents it with the same first sentence and the same
    /// value name.
    #[test]
    fn namespace_is_documented_alike_everywhere() {
        fn visit(cmd: &clap::Command, path: &str, found: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                if arg.get_id() == "namespace" {
                    let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                    assert_eq!(arg.get_short(), Some('n'), "{path}");
                    assert_eq!(arg.get_long(), Some("namespace"), "{path}");
                    let names: Vec<_> = arg.get_value_names().unwrap_or_default().to_vec();
                    assert_eq!(names, ["NAMESPACE"], "{path}");
                    assert!(
                        help.starts_with(
                            "The namespace of objects that name none, as `kubectl apply -n` places them"
                        ),
                        "{path}: {help}"
                    );
                    found.push(path.to_string());
                }
            }
            for sub in cmd.get_subcommands() {
                visit(sub, &format!("{path} {}", sub.get_name()), found);
            }
        }
        let mut found = Vec::new();
        visit(&super::Cli::command(), "palisade", &mut found);
        for expected in [
            "palisade scan",
            "palisade fix",
            "palisade rbac who-can",
            "palisade rbac can-i",
            "palisade rbac permissions",
            "palisade rbac risks",
            "palisade rbac generate",
            "palisade netpol reach",
            "palisade netpol matrix",
            "palisade netpol coverage",
        ] {
            assert!(found.iter().any(|f| f == expected), "{expected}: {found:?}");
        }
    }

    /// The examples in the help texts are real commands: each parses.
    #[test]
    fn help_examples_parse() {
        let mut count = 0;
        for block in super::ALL_EXAMPLES {
            assert!(block.starts_with("Examples:\n"), "{block}");
            for line in block.lines().map(str::trim) {
                let Some(at) = line.find("palisade ") else {
                    continue;
                };
                if line.starts_with('#') {
                    continue;
                }
                // The command, without a shell redirection after it.
                let command = line[at..].split(['>', '|']).next().unwrap_or_default();
                let args: Vec<&str> = command.split_whitespace().collect();
                if let Err(e) = super::Cli::try_parse_from(&args) {
                    panic!("`{command}` does not parse: {e}");
                }
                count += 1;
            }
        }
        assert!(count >= 20, "{count} examples");
    }
}
