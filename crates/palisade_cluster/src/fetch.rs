//! One GET against the API server, with a timeout and retries: throttling (429, honouring
//! `Retry-After`), server errors (500, 502, 503, 504), timeouts and dropped connections are
//! retried with exponential backoff; any other answer is returned as it is.

use std::time::Duration;

use kube::client::Body;

/// How requests are bounded and retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Retries after the first attempt.
    pub retries: u32,
    /// The first backoff; each retry doubles it.
    pub backoff: Duration,
    /// The longest wait between attempts (a larger `Retry-After` is cut to it).
    pub max_backoff: Duration,
    /// The longest one request may take, body included.
    pub timeout: Duration,
}

/// What the API server answered.
#[derive(Debug)]
pub(crate) enum Answer {
    /// 200, with the body.
    Ok(Vec<u8>),
    /// Another status, with the message of its `Status` body.
    Status(u16, String),
}

/// Why no answer came, after every retry.
#[derive(Debug)]
pub(crate) struct Failed(pub String);

fn retryable(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// `Retry-After` in seconds (the API server sends seconds, never a date).
fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The `message` of a `Status` body (the API server's words, which name resources, never
/// their content); any other body is only counted, since it could hold anything.
fn message_of(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Status {
        message: Option<String>,
    }
    match serde_json::from_slice::<Status>(body) {
        Ok(Status { message: Some(m) }) => m,
        _ => format!("an answer of {} bytes that is not a Status", body.len()),
    }
}

/// Where and what kind of error a JSON document has, without serde's message: a type error
/// quotes the value it met, which could be anything the server or a file holds.
pub(crate) fn json_error(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "a read error",
        serde_json::error::Category::Syntax => "a syntax error",
        serde_json::error::Category::Data => "an unexpected value",
        serde_json::error::Category::Eof => "an early end",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

async fn once(
    client: &kube::Client,
    path: &str,
) -> Result<(u16, http::HeaderMap, Vec<u8>), String> {
    let request = http::Request::get(path)
        .header(http::header::ACCEPT, "application/json")
        .body(Body::empty())
        .map_err(|e| e.to_string())?;
    let response = client.send(request).await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect_bytes()
        .await
        .map_err(|e| e.to_string())?;
    Ok((status, headers, body.to_vec()))
}

/// GET `path` (with its query), retrying as [`Retry`] says.
pub(crate) async fn get(
    client: &kube::Client,
    path: &str,
    retry: &Retry,
) -> Result<Answer, Failed> {
    let mut attempt = 0;
    loop {
        let outcome = tokio::time::timeout(retry.timeout, once(client, path)).await;
        let (wait, why) = match outcome {
            Ok(Ok((200, _, body))) => return Ok(Answer::Ok(body)),
            Ok(Ok((status, headers, body))) if retryable(status) => (
                retry_after(&headers),
                format!("{status}: {}", message_of(&body)),
            ),
            Ok(Ok((status, _, body))) => return Ok(Answer::Status(status, message_of(&body))),
            Ok(Err(e)) => (None, e),
            Err(_) => (
                None,
                format!("no answer within {}s", retry.timeout.as_secs_f64()),
            ),
        };
        if attempt >= retry.retries {
            let tries = attempt + 1;
            return Err(Failed(format!(
                "{why} (after {tries} attempt{})",
                if tries == 1 { "" } else { "s" }
            )));
        }
        let backoff = retry.backoff.saturating_mul(1 << attempt.min(16));
        tokio::time::sleep(wait.unwrap_or(backoff).min(retry.max_backoff)).await;
        attempt += 1;
    }
}
