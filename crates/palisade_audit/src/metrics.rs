//! Prometheus metrics of the audit front doors: events judged, batches the webhook backend
//! received (and refused, by reason), alerts by rule and severity, malformed input, the alert
//! sink's deliveries and drops, the queue and the lag behind the API server. Label values are
//! bounded: rule ids come from the catalog, severities and reasons are fixed.

use std::sync::atomic::{AtomicI64, AtomicU64};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AlertLabels {
    rule: String,
    severity: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

/// What the audit front doors count.
#[derive(Debug)]
pub struct AuditMetrics {
    registry: Registry,
    events: Counter,
    received: Counter,
    batches: Family<ResultLabels, Counter>,
    alerts: Family<AlertLabels, Counter>,
    malformed: Counter,
    sink: Family<ResultLabels, Counter>,
    queued: Gauge<i64, AtomicI64>,
    lag: Gauge<f64, AtomicU64>,
}

/// What became of a batch the webhook backend was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchResult {
    /// Queued for the detections.
    Accepted,
    /// The queue was full: answered 429 with `Retry-After`, which the API server retries.
    Throttled,
    /// Not an `EventList` (400).
    BadRequest,
    /// Over the body limit (413).
    TooLarge,
}

impl BatchResult {
    fn as_str(self) -> &'static str {
        match self {
            BatchResult::Accepted => "accepted",
            BatchResult::Throttled => "throttled",
            BatchResult::BadRequest => "bad_request",
            BatchResult::TooLarge => "too_large",
        }
    }
}

/// What became of an alert handed to the alert sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkResult {
    /// Delivered.
    Sent,
    /// Given up on after its retries.
    Failed,
    /// Dropped because the sink's queue was full.
    Dropped,
}

impl SinkResult {
    fn as_str(self) -> &'static str {
        match self {
            SinkResult::Sent => "sent",
            SinkResult::Failed => "failed",
            SinkResult::Dropped => "dropped",
        }
    }
}

impl Default for AuditMetrics {
    fn default() -> Self {
        AuditMetrics::new()
    }
}

impl AuditMetrics {
    /// Fresh metrics, registered under `palisade_audit_`.
    pub fn new() -> AuditMetrics {
        let mut registry = Registry::with_prefix("palisade_audit");
        let events = Counter::default();
        let received = Counter::default();
        let batches = Family::<ResultLabels, Counter>::default();
        let alerts = Family::<AlertLabels, Counter>::default();
        let malformed = Counter::default();
        let sink = Family::<ResultLabels, Counter>::default();
        let queued = Gauge::<i64, AtomicI64>::default();
        let lag = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "events",
            "Audit events judged by the detections",
            events.clone(),
        );
        registry.register(
            "received_events",
            "Audit events the webhook backend accepted",
            received.clone(),
        );
        registry.register(
            "batches",
            "EventList batches posted to the webhook backend, by result",
            batches.clone(),
        );
        registry.register("alerts", "Alerts by rule and severity", alerts.clone());
        registry.register(
            "malformed",
            "Lines or bodies that were not audit events",
            malformed.clone(),
        );
        registry.register(
            "alert_sink",
            "Alerts handed to the alert webhook, by result (sent, failed, dropped)",
            sink.clone(),
        );
        registry.register(
            "queued_batches",
            "Batches waiting for the detections",
            queued.clone(),
        );
        registry.register(
            "lag_seconds",
            "How far behind the API server the last judged event was (its stage timestamp to now)",
            lag.clone(),
        );
        AuditMetrics {
            registry,
            events,
            received,
            batches,
            alerts,
            malformed,
            sink,
            queued,
            lag,
        }
    }

    /// Count `n` events judged.
    pub fn judged(&self, n: u64) {
        self.events.inc_by(n);
    }

    /// Count a batch posted to the webhook backend, with its events when accepted.
    pub fn batch(&self, result: BatchResult, events: u64) {
        self.batches
            .get_or_create(&ResultLabels {
                result: result.as_str(),
            })
            .inc();
        if result == BatchResult::Accepted {
            self.received.inc_by(events);
        }
    }

    /// Count an alert of `rule` at `severity` (the catalog's id and severity name).
    pub fn alert(&self, rule: &str, severity: &'static str) {
        self.alerts
            .get_or_create(&AlertLabels {
                rule: rule.to_string(),
                severity,
            })
            .inc();
    }

    /// Count a malformed line or body.
    pub fn malformed(&self) {
        self.malformed.inc();
    }

    /// Count what became of an alert handed to the alert sink.
    pub fn sink(&self, result: SinkResult) {
        self.sink
            .get_or_create(&ResultLabels {
                result: result.as_str(),
            })
            .inc();
    }

    /// The batches waiting, as the queue reports them.
    pub fn queued(&self, batches: i64) {
        self.queued.set(batches);
    }

    /// The lag behind the API server, in seconds.
    pub fn lag(&self, seconds: f64) {
        self.lag.set(seconds);
    }

    /// Alerts the sink has counted with `result` so far.
    pub fn sink_count(&self, result: SinkResult) -> u64 {
        self.sink
            .get_or_create(&ResultLabels {
                result: result.as_str(),
            })
            .get()
    }

    /// The metrics in the OpenMetrics text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
