//! What a scan produced.

use palisade_config::FailOn;
use palisade_diagnostics::{Finding, FindingList, InputError, Summary};
use palisade_model::secrets::mask_credentials;
use palisade_report::Sources;

/// Everything a scan produced.
#[derive(Debug, Default)]
pub struct ScanOutcome {
    /// Findings in output order, suppressed ones included (flagged).
    pub findings: FindingList,
    /// Input errors, sorted.
    pub errors: Vec<InputError>,
    /// Inputs not fully scanned that do not fail the run, sorted.
    pub warnings: Vec<InputError>,
    /// Notes about skipped input.
    pub notes: Vec<String>,
    /// Counts.
    pub summary: Summary,
    /// Text of files with findings, when kept.
    pub sources: Sources,
    /// Ids of the rules that found something to evaluate (for the compliance summary).
    pub evaluated: std::collections::BTreeSet<palisade_diagnostics::ArcStr>,
    /// Display paths of files whose name is not valid UTF-8 (shown lossily): `fix` does not
    /// rewrite them, since the display may name another file.
    pub non_utf8_names: std::collections::BTreeSet<String>,
    /// Copies of findings folded into another: the same line of a base file built through
    /// several overlays. Not listed or counted, but a baseline written from the scan holds
    /// them, so that it serves a scan of each overlay on its own too.
    pub folded: Vec<Finding>,
    /// The RBAC risk paths and NetworkPolicy coverage of the objects scanned, when the rule
    /// set keeps them ([`palisade_engine::RuleSet::keep_views`]: for the HTML report).
    pub views: Option<palisade_report::views::Views>,
}

impl ScanOutcome {
    /// Sort findings into output order and count them (again, after waivers or a baseline).
    pub fn count(&mut self) {
        palisade_report::sort_findings(&mut self.findings, palisade_report::SortOrder::Path);
        let summary = &mut self.summary;
        summary.findings = 0;
        summary.suppressed = 0;
        summary.by_severity.clear();
        // A superseded finding is folded into the stricter one: counted as neither.
        for f in self.findings.refs().filter(|f| !f.superseded) {
            if f.suppressed {
                summary.suppressed += 1;
            } else {
                summary.findings += 1;
                *summary.by_severity.entry(f.severity.as_str()).or_default() += 1;
            }
        }
        summary.errors = self.errors.len();
        summary.warnings = self.warnings.len();
    }

    /// The outcome of an analysis that makes its own findings (`rbac risks`): sorted and
    /// counted, with `read` holding the files and objects read, messages masked, and the
    /// text of each file with a finding when `keep_sources` (for a text report).
    pub fn of_findings(
        findings: Vec<Finding>,
        mut errors: Vec<InputError>,
        read: Summary,
        keep_sources: bool,
    ) -> ScanOutcome {
        mask_messages(&mut errors, &mut []);
        let mut outcome = ScanOutcome {
            findings: FindingList::from(findings),
            errors,
            summary: read,
            ..ScanOutcome::default()
        };
        outcome.count();
        outcome.evaluated = outcome.findings.refs().map(|f| f.rule.id.clone()).collect();
        if keep_sources {
            for f in outcome.findings.refs() {
                let Some(path) = f.path() else {
                    continue;
                };
                if !outcome.sources.contains_key(path)
                    && let Ok(text) = palisade_inputs::read_regular(
                        std::path::Path::new(path),
                        palisade_config::DEFAULT_MAX_FILE_SIZE,
                    )
                {
                    let source = crate::source_of(text.into(), &palisade_source::Limits::default());
                    outcome.sources.insert(path.to_string(), source);
                }
            }
        }
        outcome
    }

    /// Whether an unsuppressed finding is at or above the failure threshold.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        match fail_on {
            FailOn::Never => false,
            FailOn::AtLeast(min) => self
                .findings
                .refs()
                .any(|f| !f.suppressed && f.severity >= min),
        }
    }
}

/// Hide credentials in well-known formats in error messages and notes, whatever produced them
/// (a chart's `fail` message quoting a DSN, a tool echoing its input): they are printed in
/// every format.
pub fn mask_messages(errors: &mut [InputError], notes: &mut [String]) {
    let messages = errors
        .iter_mut()
        .map(|e| &mut e.message)
        .chain(notes.iter_mut());
    for message in messages {
        if let std::borrow::Cow::Owned(masked) = mask_credentials(message) {
            *message = masked;
        }
    }
}
