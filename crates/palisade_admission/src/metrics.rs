//! The webhook's Prometheus metrics: requests by decision, kind, namespace and operation, a
//! latency histogram, rule hits by mode, errors by reason, certificate reloads. Label values
//! that come from requests (kinds, namespaces, rule ids) are bounded: past a cap, new values
//! are counted as `other`, so a client cannot grow the metrics without limit.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::AtomicI64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::review::Reviewed;

/// Distinct values kept per request-derived label.
const MAX_LABEL_VALUES: usize = 1_000;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    decision: &'static str,
    kind: String,
    namespace: String,
    operation: &'static str,
    dry_run: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    decision: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RuleLabels {
    rule: String,
    mode: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

/// Why a request got no AdmissionReview answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorReason {
    /// Not an AdmissionReview (HTTP 400).
    BadRequest,
    /// Over the body limit (HTTP 413).
    TooLarge,
    /// Not `application/json` (HTTP 415).
    MediaType,
    /// Past the deadline (HTTP 408 or 503).
    Timeout,
    /// The evaluation failed unexpectedly (HTTP 500).
    Internal,
}

impl ErrorReason {
    fn as_str(self) -> &'static str {
        match self {
            ErrorReason::BadRequest => "bad_request",
            ErrorReason::TooLarge => "too_large",
            ErrorReason::MediaType => "media_type",
            ErrorReason::Timeout => "timeout",
            ErrorReason::Internal => "internal",
        }
    }
}

type HistogramFamily = Family<DecisionLabels, Histogram, fn() -> Histogram>;

/// The webhook's metrics and their registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    hits: Family<RuleLabels, Counter>,
    errors: Family<ReasonLabels, Counter>,
    reloads: Family<ResultLabels, Counter>,
    in_flight: Gauge<i64, AtomicI64>,
    seen: Mutex<[HashSet<String>; 3]>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

fn latency_histogram() -> Histogram {
    // 25 µs to about 13 s.
    Histogram::new(exponential_buckets(0.000_025, 2.0, 20))
}

impl Metrics {
    /// Fresh metrics, registered under `palisade_admission_`.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("palisade_admission");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let hits = Family::<RuleLabels, Counter>::default();
        let errors = Family::<ReasonLabels, Counter>::default();
        let reloads = Family::<ResultLabels, Counter>::default();
        let in_flight = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "requests",
            "AdmissionReviews answered, by decision, kind, namespace and operation",
            requests.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time from the request's arrival to its answer, by decision",
            latency.clone(),
        );
        registry.register(
            "rule_hits",
            "Unsuppressed findings by rule and mode (enforce, warn, audit)",
            hits.clone(),
        );
        registry.register(
            "errors",
            "Requests answered with an HTTP error instead of a review, by reason",
            errors.clone(),
        );
        registry.register(
            "certificate_reloads",
            "Serving certificate reloads, by result",
            reloads.clone(),
        );
        registry.register(
            "in_flight_requests",
            "Requests being answered",
            in_flight.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            hits,
            errors,
            reloads,
            in_flight,
            seen: Mutex::default(),
        }
    }

    /// `value`, or `other` once `MAX_LABEL_VALUES` distinct values were seen for `label`.
    fn bounded(&self, label: usize, value: &str) -> String {
        let Ok(mut seen) = self.seen.lock() else {
            return "other".into();
        };
        let set = &mut seen[label];
        if set.contains(value) {
            return value.to_string();
        }
        if set.len() < MAX_LABEL_VALUES {
            set.insert(value.to_string());
            return value.to_string();
        }
        "other".into()
    }

    /// Count one answered review and how long it took.
    pub fn answered(&self, r: &Reviewed, seconds: f64) {
        let labels = RequestLabels {
            decision: r.decision.as_str(),
            kind: self.bounded(0, &r.kind),
            namespace: self.bounded(1, &r.namespace),
            operation: r.operation,
            dry_run: if r.dry_run { "true" } else { "false" },
        };
        self.requests.get_or_create(&labels).inc();
        self.observe(r.decision.as_str(), seconds);
        for (mode, rule) in &r.hits {
            let labels = RuleLabels {
                rule: self.bounded(2, rule),
                mode: mode.as_str(),
            };
            self.hits.get_or_create(&labels).inc();
        }
    }

    /// Count a request answered with an HTTP error.
    pub fn failed(&self, reason: ErrorReason, seconds: f64) {
        self.errors
            .get_or_create(&ReasonLabels {
                reason: reason.as_str(),
            })
            .inc();
        self.observe("error", seconds);
    }

    fn observe(&self, decision: &'static str, seconds: f64) {
        self.latency
            .get_or_create(&DecisionLabels { decision })
            .observe(seconds);
    }

    /// Count a certificate reload.
    pub fn reloaded(&self, ok: bool) {
        let result = if ok { "success" } else { "failure" };
        self.reloads.get_or_create(&ResultLabels { result }).inc();
    }

    /// A request started (`+1`) or ended (`-1`).
    pub fn in_flight(&self, delta: i64) {
        self.in_flight.inc_by(delta);
    }

    /// The metrics in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
