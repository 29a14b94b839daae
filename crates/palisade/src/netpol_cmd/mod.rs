//! `palisade netpol`: who can talk to whom under the NetworkPolicies of some manifests or a
//! snapshot, and why; coverage findings; generated least-privilege policies.

mod generate;
mod matrix;
mod reach;

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use palisade_model::cluster::{IndexOptions, Parts};
use palisade_model::netpol::Model;

/// `palisade netpol` subcommands.
#[derive(Debug, Subcommand)]
pub enum NetpolCommand {
    /// Say whether a connection is allowed (exit 0 yes, 1 no) and which rules decide it.
    Reach(reach::ReachArgs),
    /// Print the connectivity of every workload, grouped into classes of pods that policies
    /// treat alike.
    Matrix(matrix::MatrixArgs),
    /// Report NetworkPolicy coverage: `palisade scan` with the coverage rules only.
    Coverage(Box<crate::cli::ScanArgs>),
    /// Propose NetworkPolicies: default-deny per namespace, plus allow rules for the
    /// Services' ports and for observed flows.
    Generate(generate::GenerateArgs),
}

/// The rules `netpol coverage` runs: namespaces without default-deny, allow-all rules,
/// metadata egress, policies selecting nothing, workloads left out by partial policy sets,
/// peers selecting nothing, policies the API server rejects or that a later one replaces.
pub const COVERAGE_RULES: [&str; 10] = [
    "NET002", "NET003", "NET005", "NET009", "NET011", "NET014", "NET015", "NET016", "NET019",
    "NET020",
];

/// The inputs every `netpol` command reads.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Files and directories holding the workloads, Pods, Namespaces, Services and
    /// NetworkPolicies (`-` for standard input). Default: `.`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    // The namespace of objects without one, and of endpoints given without one.
    #[arg(
        short = 'n',
        long = "namespace",
        visible_alias = "default-namespace",
        value_name = "NAMESPACE",
        help = crate::cli::namespace_help!(
            " (default: `default`); also the namespace of endpoints given without one"
        )
    )]
    namespace: Option<String>,

    /// Do not render Helm charts or build kustomizations.
    #[arg(long)]
    no_render: bool,

    /// Time limits, symbolic links and remote bases.
    #[command(flatten)]
    reading: crate::cli::ReadingArgs,
}

impl InputArgs {
    /// The namespace of objects without one.
    fn default_namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("default")
    }

    /// Read the model, printing input errors on stderr; `true` when there were some. Pods and
    /// ReplicaSets of a snapshot fold into their controllers.
    fn load(&self) -> Result<(Model, bool)> {
        let settings = crate::config::input_settings(&self.reading)?;
        let (model, errors) = load(
            &self.paths,
            self.default_namespace(),
            !self.no_render,
            &settings,
        );
        let mut err = std::io::stderr().lock();
        for e in &errors {
            writeln!(err, "error: {}", crate::input_error_line(e))?;
        }
        Ok((model, !errors.is_empty()))
    }
}

/// Read the NetworkPolicy model of `paths` (objects without a namespace go to `namespace`),
/// with the input errors; Pods and ReplicaSets of a snapshot fold into their controllers.
pub fn load(
    paths: &[PathBuf],
    namespace: &str,
    render: bool,
    input: &palisade_config::InputSettings,
) -> (Model, Vec<palisade_diagnostics::InputError>) {
    let read = palisade_scan::collect_index(
        paths,
        render,
        input,
        crate::progress::Progress::for_stderr(),
        IndexOptions {
            default_namespace: Some(namespace.to_string()),
            parts: Parts {
                facts: false,
                rbac: false,
                netpol: true,
            },
            builtin_policy: false,
        },
    );
    (read.model.into_netpol(), read.errors)
}

/// Run a subcommand.
pub fn command(cmd: &NetpolCommand) -> Result<u8> {
    match cmd {
        NetpolCommand::Reach(a) => reach::run(a),
        NetpolCommand::Matrix(a) => matrix::run(a),
        NetpolCommand::Generate(a) => generate::run(a),
        NetpolCommand::Coverage(args) => {
            if !args.select.is_empty() {
                bail!(
                    "`netpol coverage` runs the coverage rules ({}); use `palisade scan --select` for others",
                    COVERAGE_RULES.join(", ")
                );
            }
            let mut args = args.clone();
            args.select = COVERAGE_RULES.iter().map(|s| s.to_string()).collect();
            crate::scan::command(&args)
        }
    }
}
