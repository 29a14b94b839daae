//! What a scan reads and how: the walk, bounds, rendering, and progress of slow steps.

use std::sync::Arc;

use palisade_config::RenderErrors;
use palisade_inputs::render::RenderOptions;
use palisade_inputs::{DiscoverOptions, ReadLimits};
use palisade_source::Limits;

/// What to read and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Walk options.
    pub discover: DiscoverOptions,
    /// Largest file to read.
    pub max_file_size: u64,
    /// Longest to wait for standard input (or a named pipe) to end.
    pub stdin_timeout: std::time::Duration,
    /// Keep the text of files with findings (for snippets).
    pub keep_sources: bool,
    /// Loader limits.
    pub limits: Limits,
    /// How to render Helm charts and kustomizations.
    pub render: RenderOptions,
    /// Whether charts and kustomizations that do not render are input errors or warnings.
    pub render_errors: RenderErrors,
    /// Standard input, when it was read before the scan: fixing standard input needs its
    /// text again, and a stream can be read only once.
    pub stdin_text: Option<Arc<str>>,
    /// Told about slow steps, for a front door to show.
    pub progress: Progress,
}

/// What a front door adds to the configuration for a scan of files: the walk's switches and
/// how charts are rendered (tools, values, the release namespace).
#[derive(Debug, Clone, Default)]
pub struct ScanRequest {
    /// Honour `.gitignore` and `.palisadeignore`.
    pub respect_ignore_files: bool,
    /// Render Helm charts and build kustomizations.
    pub render: bool,
    /// Palisade's own outputs (reports, baselines), never read back.
    pub skip: Vec<std::path::PathBuf>,
    /// Tools, values files, `--set` values and the release namespace of rendering.
    pub rendering: RenderOptions,
    /// Standard input, when already read.
    pub stdin_text: Option<Arc<str>>,
}

impl Default for ScanOptions {
    /// A plain read of files: the default walk and limits, sources not kept, charts that do
    /// not render an input error (an analysis missing a chart's objects would be wrong), no
    /// progress shown.
    fn default() -> Self {
        ScanOptions {
            discover: DiscoverOptions::default(),
            max_file_size: palisade_config::DEFAULT_MAX_FILE_SIZE,
            stdin_timeout: palisade_inputs::DEFAULT_STREAM_TIMEOUT,
            keep_sources: false,
            limits: Limits::default(),
            render: RenderOptions::default(),
            render_errors: RenderErrors::Error,
            stdin_text: None,
            progress: Progress::default(),
        }
    }
}

impl ScanOptions {
    /// The options of a scan with `resolved` settings: limits, time bounds, links and remote
    /// bases from the configuration, the rest from the request. Sources are kept for text and
    /// HTML reports (their snippets).
    pub fn new(
        resolved: &palisade_config::Resolved,
        request: ScanRequest,
        progress: Progress,
    ) -> Self {
        // Text and HTML show the offending source line.
        let text = resolved.outputs.iter().any(|o| {
            matches!(
                o.format,
                palisade_report::Format::Text | palisade_report::Format::Html
            )
        });
        ScanOptions {
            discover: DiscoverOptions {
                excludes: resolved.excludes.clone(),
                respect_ignore_files: request.respect_ignore_files,
                render: request.render,
                follow_symlinks: resolved.input.follow_symlinks,
                force_exclude: resolved.force_exclude,
                project: resolved.project.clone(),
                skip: request.skip,
            },
            max_file_size: resolved.max_file_size,
            stdin_timeout: resolved.input.stdin_timeout,
            keep_sources: text,
            limits: Limits::default(),
            render: RenderOptions {
                max_output: resolved.max_file_size.max(64 << 20),
                timeout: resolved.input.render_timeout,
                allow_remote: resolved.input.allow_remote_bases,
                ..request.rendering
            },
            render_errors: resolved.render_errors,
            stdin_text: request.stdin_text,
            progress,
        }
    }

    /// The bounds on reading one input.
    pub fn read_limits(&self) -> ReadLimits {
        ReadLimits {
            max_size: self.max_file_size,
            stream_timeout: self.stdin_timeout,
        }
    }
}

/// Counts the finished items of one slow step; dropped when the step ends.
pub trait Tick: Sync {
    /// One more item is done.
    fn tick(&self);
}

/// What starts a step's progress: its label and number of items. The library never prints;
/// a front door that wants a progress line passes one in.
type StartStep = dyn Fn(&'static str, usize) -> Box<dyn Tick> + Send + Sync;

/// How a scan reports the progress of slow steps (rendering charts and overlays): nowhere,
/// by default.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<StartStep>>);

impl Progress {
    /// Progress handed to `start` at the beginning of each slow step.
    pub fn new(
        start: impl Fn(&'static str, usize) -> Box<dyn Tick> + Send + Sync + 'static,
    ) -> Self {
        Progress(Some(Arc::new(start)))
    }

    /// A step of `total` items begins.
    pub(crate) fn step(&self, label: &'static str, total: usize) -> Option<Box<dyn Tick>> {
        self.0.as_ref().map(|start| start(label, total))
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(shown)"
        } else {
            "Progress(hidden)"
        })
    }
}
