//! Reading every Kubernetes object under some paths into a model, for the front doors that
//! analyse a whole set of objects (RBAC, NetworkPolicy) rather than scan them rule by rule.

use std::path::PathBuf;

use palisade_diagnostics::InputError;
use palisade_inputs::render::RenderOptions;
use palisade_inputs::{DiscoverOptions, read_candidate, read_stdin};
use palisade_model::cluster::{ClusterIndex, IndexOptions, Indexed, ObjectKey};
use palisade_model::{Object, objects_in};
use palisade_source::{Limits, map_documents};
use rayon::prelude::*;

use palisade_config::{DEFAULT_MAX_FILE_SIZE, InputSettings, RenderErrors};

use crate::options::ScanOptions;
use crate::pipeline::{Inputs, inputs};

/// What [`collect`] read: the model, the input errors (sorted) and how much was read, for the
/// summaries that say so.
#[derive(Debug, Default)]
pub struct Collected<T> {
    /// The combined model.
    pub model: T,
    /// Input errors, sorted.
    pub errors: Vec<InputError>,
    /// Files read (standard input and each rendered template or resource count as one).
    pub files: usize,
    /// Kubernetes objects handed to the model.
    pub objects: usize,
    /// The snapshots read (as displayed) and their clusters: findings about their objects
    /// belong to a cluster rather than a place in a file ([`crate::place_in_clusters`]).
    pub clusters: Vec<(String, palisade_inputs::snapshot::ClusterInfo)>,
}

/// Walk `paths` (default `.`; `-` is standard input), render charts and kustomizations when
/// `render` (`progress` hears about it), and hand every object to `add` on a per-file model; the per-file models are then
/// combined with `merge`. `input` bounds reading and rendering as for `scan`. Input errors are
/// returned, sorted; the rest is still read.
pub fn collect<T, A, M>(
    paths: &[PathBuf],
    render: bool,
    input: &InputSettings,
    progress: crate::Progress,
    add: A,
    merge: M,
) -> Collected<T>
where
    T: Default + Send,
    A: Fn(&mut T, &Object<'_, '_>, &palisade_diagnostics::ArcStr, u32) + Sync,
    M: Fn(&mut T, T),
{
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let opts = ScanOptions {
        discover: DiscoverOptions {
            render,
            respect_ignore_files: true,
            follow_symlinks: input.follow_symlinks,
            ..DiscoverOptions::default()
        },
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        stdin_timeout: input.stdin_timeout,
        keep_sources: false,
        limits: Limits::default(),
        render: RenderOptions {
            timeout: input.render_timeout,
            allow_remote: input.allow_remote_bases,
            ..RenderOptions::default()
        },
        // Unused here: an analysis of a whole set of objects (RBAC, NetworkPolicy) can be
        // wrong without the objects of a chart, so rendering failures stay input errors.
        render_errors: RenderErrors::Error,
        stdin_text: None,
        progress,
    };
    let Inputs {
        discovery,
        renderings,
        stdin,
    } = inputs(&paths, &opts);
    let of_text = |display: &str, text: &str| -> Collected<T> {
        let mut model = T::default();
        let mut errors = Vec::new();
        let mut objects = 0;
        let path = palisade_diagnostics::ArcStr::from(display);
        for doc in map_documents(text, &opts.limits, |d| d) {
            match doc {
                Ok(doc) => {
                    for object in objects_in(&doc).objects {
                        objects += 1;
                        add(&mut model, &object, &path, doc.index);
                    }
                }
                Err(e) => errors.push(InputError {
                    path: display.to_string(),
                    line: Some(e.line),
                    column: Some(e.column),
                    message: e.message,
                }),
            }
        }
        Collected {
            model,
            errors,
            files: 1,
            objects,
            clusters: Vec::new(),
        }
    };
    let unread = |e: palisade_inputs::ReadError| Collected {
        errors: vec![e.into()],
        ..Collected::default()
    };
    let units: Vec<_> = renderings.rendered.iter().flat_map(|r| &r.units).collect();
    // A snapshot's objects, one document per line (numbered by it, as the scan numbers them).
    let of_snapshot = |c: &palisade_inputs::Candidate| -> Collected<T> {
        let mut reader = match palisade_inputs::snapshot::SnapshotReader::open(
            &c.path,
            &c.display,
            opts.max_file_size,
        ) {
            Ok(r) => r,
            Err(e) => {
                return Collected {
                    errors: vec![e.into_input_error()],
                    ..Collected::default()
                };
            }
        };
        let mut part = Collected {
            files: 1,
            clusters: vec![(c.display.clone(), reader.header().cluster.clone())],
            ..Collected::default()
        };
        let path = palisade_diagnostics::ArcStr::from(c.display.as_str());
        loop {
            let chunk = reader.chunk(crate::objects::CHUNK);
            if chunk.is_empty() {
                break;
            }
            for (line, text) in chunk {
                let doc = text.as_deref().map_err(Clone::clone).and_then(|t| {
                    palisade_source::Document::from_json_str(t, opts.limits.max_depth)
                        .map_err(|e| e.message)
                });
                match doc {
                    Ok(mut doc) => {
                        doc.index = line;
                        for object in objects_in(&doc).objects {
                            part.objects += 1;
                            add(&mut part.model, &object, &path, line);
                        }
                    }
                    Err(message) => part.errors.push(InputError {
                        path: c.display.clone(),
                        line: Some(line),
                        column: None,
                        message,
                    }),
                }
            }
        }
        part
    };
    let mut parts: Vec<Collected<T>> = discovery
        .files
        .par_iter()
        .map(|c| {
            if c.path.is_file() && palisade_inputs::snapshot::is_gzip(&c.path) {
                return of_snapshot(c);
            }
            match read_candidate(c, &opts.read_limits()) {
                Ok(text) => of_text(&c.display, &text),
                Err(e) => unread(e),
            }
        })
        .chain(units.par_iter().map(|u| of_text(&u.display, &u.text)))
        .collect();
    if stdin {
        parts.push(match read_stdin(&opts.read_limits()) {
            Ok(text) => of_text("-", &text),
            Err(e) => unread(e),
        });
    }
    let mut all = Collected {
        errors: discovery.errors,
        ..Collected::default()
    };
    all.errors.extend(renderings.errors);
    for part in parts {
        merge(&mut all.model, part.model);
        all.errors.extend(part.errors);
        all.files += part.files;
        all.objects += part.objects;
        all.clusters.extend(part.clusters);
    }
    all.errors.sort();
    all
}

/// Index every object under `paths` in the one cluster model ([`ClusterIndex`]), each keyed by
/// where it is written and with the records `options` asks for, read in parallel as
/// [`collect`] reads; the front doors that analyse a whole set (`palisade rbac`, `palisade
/// netpol`) read its views.
pub fn collect_index(
    paths: &[PathBuf],
    render: bool,
    input: &InputSettings,
    progress: crate::Progress,
    options: IndexOptions,
) -> Collected<ClusterIndex> {
    /// One file's records, their strings shared.
    #[derive(Default)]
    struct Gathered {
        records: Vec<Indexed>,
        strings: palisade_diagnostics::Interner,
    }
    let read = collect(
        paths,
        render,
        input,
        progress,
        |g: &mut Gathered, object, path, document| {
            let key = ObjectKey::placed(object, path, document);
            let record = options.record(object, key, path, document, &mut g.strings);
            g.records.push(record);
        },
        |all: &mut Gathered, mut more: Gathered| all.records.append(&mut more.records),
    );
    Collected {
        model: ClusterIndex::of_records(options.clone(), read.model.records),
        errors: read.errors,
        files: read.files,
        objects: read.objects,
        clusters: read.clusters,
    }
}
