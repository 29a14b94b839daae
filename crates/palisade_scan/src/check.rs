//! One in-memory object, checked without touching the filesystem: what a front door that
//! sees objects one at a time (an admission webhook, a watch) runs. The rules and their
//! verdicts are those of a scan; only the rules whose declared inputs include the settings'
//! front door run, and cross-object rules do not (one object is not a set).

use palisade_diagnostics::{Finding, InputError, Interner};
use palisade_engine::{RuleSet, SelectionError, Settings};
use palisade_model::request::Request;
use palisade_source::{Document, Limits, map_documents};

/// What checking one object found.
#[derive(Debug, Default)]
pub struct Checked {
    /// Findings in document order (line, column, rule), suppressed ones included (flagged).
    pub findings: Vec<Finding>,
    /// Ids of the rules that found something to evaluate.
    pub evaluated: Vec<palisade_diagnostics::ArcStr>,
    /// The object was not a Kubernetes object (no apiVersion and kind).
    pub skipped: bool,
}

/// An object that cannot be checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The text is not one well-formed document within the loader's limits.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// The text holds no document, or more than one.
    #[error("expected one object, found {0} documents")]
    Documents(usize),
    /// The object is refused as input (e.g. a pod spec over the container bound).
    #[error("{}", .0.message)]
    Refused(InputError),
    /// The JSON value could not be written out for loading (a non-string map key).
    #[error("the object cannot be read as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The rules of one front door, ready to check objects one at a time.
#[derive(Debug)]
pub struct Checker {
    rules: RuleSet,
    limits: Limits,
}

impl Checker {
    /// The built-in rules selected by `settings` for its front door (`settings.input`).
    pub fn new(settings: Settings) -> Result<Self, SelectionError> {
        Ok(Checker {
            rules: RuleSet::new(palisade_rules::registry(), settings)?,
            limits: Limits::default(),
        })
    }

    /// The built-in rules and loaded policies (`rules`), selected by `settings`.
    pub fn with_rules(
        rules: impl IntoIterator<Item = palisade_engine::RuleHandle>,
        settings: Settings,
    ) -> Result<Self, SelectionError> {
        Ok(Checker {
            rules: RuleSet::with_rules(rules, settings)?,
            limits: Limits::default(),
        })
    }

    /// The rules that run.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Check one object given as YAML or JSON text; findings name `label` as their file.
    pub fn check_text(&self, label: &str, text: &str) -> Result<Checked, CheckError> {
        let mut reports = map_documents(text, &self.limits, |doc| {
            doc.map(|doc| {
                self.rules
                    .scan_document(&doc, label, &mut Interner::default())
            })
        });
        if reports.len() != 1 {
            return Err(CheckError::Documents(reports.len()));
        }
        let report = match reports.remove(0) {
            Ok(report) => report,
            Err(e) => {
                return Err(CheckError::Syntax {
                    line: e.line,
                    column: e.column,
                    message: e.message,
                });
            }
        };
        if let Some(e) = report.errors.into_iter().next() {
            return Err(CheckError::Refused(e));
        }
        let mut findings = report.findings;
        findings.sort_by(|a, b| {
            let key = |f: &Finding| {
                let span = f.location.span.as_ref();
                (span.map(|s| (s.line, s.column)), f.rule.id.clone())
            };
            key(a).cmp(&key(b))
        });
        Ok(Checked {
            findings,
            evaluated: report.evaluated,
            skipped: report.skipped,
        })
    }

    /// Check one object held as a JSON value (an AdmissionReview's `request.object`). The
    /// object is read as JSON, with no YAML in between: its scalars keep the types the API
    /// server gave them. It was read from no file, so its findings have no span, only the
    /// offending field; they come in the rules' order.
    pub fn check(&self, object: &serde_json::Value) -> Result<Checked, CheckError> {
        self.check_in(object, None)
    }

    /// [`Checker::check`] of an object that arrives in an admission request: loaded policies
    /// see the operation, the user and the old object.
    pub fn check_request(
        &self,
        object: &serde_json::Value,
        request: &Request,
    ) -> Result<Checked, CheckError> {
        self.check_in(object, Some(request))
    }

    fn check_in(
        &self,
        object: &serde_json::Value,
        request: Option<&Request>,
    ) -> Result<Checked, CheckError> {
        let doc =
            Document::from_json(object, self.limits.max_depth).map_err(|e| CheckError::Syntax {
                line: 1,
                column: 1,
                message: e.to_string(),
            })?;
        let mut strings = Interner::default();
        let report = match request {
            Some(r) => self.rules.scan_request(&doc, "object", &mut strings, r),
            None => self.rules.scan_document(&doc, "object", &mut strings),
        };
        if let Some(e) = report.errors.into_iter().next() {
            return Err(CheckError::Refused(e));
        }
        let mut findings = report.findings;
        for f in &mut findings {
            f.location.span = None;
        }
        Ok(Checked {
            findings,
            evaluated: report.evaluated,
            skipped: report.skipped,
        })
    }

    /// [`Checker::check`] of an object written as JSON text.
    pub fn check_json(&self, json: &str) -> Result<Checked, CheckError> {
        self.check(&serde_json::from_str(json)?)
    }
}

/// Check one in-memory object with `settings`: [`Checker::check`] for a single call (build a
/// [`Checker`] once to check many).
pub fn check_object(
    settings: &Settings,
    object: &serde_json::Value,
) -> Result<Checked, CheckFailure> {
    let checker = Checker::new(settings.clone())?;
    Ok(checker.check(object)?)
}

/// Why [`check_object`] could not check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckFailure {
    /// The settings select rules that do not exist.
    #[error(transparent)]
    Selection(#[from] SelectionError),
    /// The object cannot be checked.
    #[error(transparent)]
    Object(#[from] CheckError),
}
