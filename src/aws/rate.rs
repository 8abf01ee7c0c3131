//! Rate control for every request iamwiz sends to AWS: a wrapper around the SDK's HTTP client
//! that paces requests, retries the ones AWS throttles, and says how fast it is going.
//!
//! (Past 600 lines because of its unit tests of the rate rules: one concern, kept in one file.)
//!
//! IAM, STS and KMS limit request rates with token buckets and answer `Throttling` (IAM, STS) or
//! `ThrottlingException` (KMS) above them. The SDK's own retry gives up after a few attempts and a
//! retry quota, which a throttled account exhausts in seconds; its adaptive mode keeps its rate to
//! itself. So each service's client gets a [`RateControl`] of its own (the quotas are per
//! service), which sits between the SDK and the network:
//!
//! - **Unlimited until AWS says otherwise.** Without throttling, requests go out at once: a
//!   creation keeps its two round trips.
//! - **AIMD on throttling.** The first `Throttling` answer sets the rate to a little under what
//!   got through in the last second, and the rate doubles each second until AWS throttles
//!   again; from then on each throttle (of a request sent after the last cut) cuts it by a
//!   fifth, and answers that get through raise it again by a fifth a second. After
//!   [`RECOVER_AFTER`] without throttling, the limit is lifted.
//! - **Throttled requests are sent again here**, the same signed request after a jittered
//!   backoff and its turn in the queue, so the SDK sees neither the throttling nor an extra
//!   attempt (a throttled request was refused, never applied: the creation's lost-answer checks
//!   stay exact). They are sent again until the deadline of the run they belong to ([`until`]),
//!   or [`SIGNATURE_WINDOW`] after signing (then the SDK signs anew and retries), or, outside a
//!   run, the client's default patience.
//! - **Said, not hidden.** Each throttle is logged with the rate chosen, and [`RateControl`]
//!   publishes its rate for the Creating screen and `iamwiz apply`'s progress.
//!
//! The per-attempt timeout lives here too (the SDK's own would count the time a request waits
//! for its turn).

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use tokio::sync::watch;
use tokio::time::Instant;

/// The lowest rate throttling can push a client to, in requests a second.
pub const MIN_RATE: f64 = 0.5;
/// How much of the rate a throttle leaves.
const CUT: f64 = 0.8;
/// How fast the rate grows back while requests get through: this share of it each second.
const GROWTH: f64 = 0.2;
/// How fast it grows after the first cut, until AWS throttles again: the first cut only knows
/// what got through in the last second, which at the start of a burst is little.
const FIRST_GROWTH: f64 = 1.0;
/// After this long without throttling, requests go unpaced again.
pub const RECOVER_AFTER: Duration = Duration::from_secs(30);
/// A signed request is sent again only this long after it was first sent; later, the SDK signs
/// it anew (AWS refuses signatures more than 15 minutes off).
pub const SIGNATURE_WINDOW: Duration = Duration::from_secs(240);
/// The longest backoff before a throttled request queues again.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// The error codes AWS uses for throttling, across the query (IAM, STS) and JSON (KMS)
/// protocols. (IAM's `LimitExceeded` is a quota on entities, not a rate: never retried.)
pub(super) const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
];

tokio::task_local! {
    /// The deadline of the run the current task works for (see [`until`]).
    static DEADLINE: Instant;
}

/// Runs `work` with `deadline` as the time until which its throttled requests are sent again.
/// A run (a creation, its rollback, a discard) sets its own; an inner call replaces an outer one.
pub async fn until<F: Future>(deadline: Instant, work: F) -> F::Output {
    DEADLINE.scope(deadline, work).await
}

/// The deadline [`until`] set for the current task, if any.
pub fn deadline() -> Option<Instant> {
    DEADLINE.try_with(|d| *d).ok()
}

pub use crate::model::rate::{RateStatus, time_left};

/// Sends every change of each service's rate to `send` (as the service's name and its status)
/// until `send` returns false. Runs until then: abort it when the run ends.
pub async fn follow(
    rates: super::Rates,
    send: impl Fn(&'static str, RateStatus) -> bool + Clone + Send + 'static,
) {
    let followers = rates.all().map(|control| {
        let send = send.clone();
        async move {
            let mut changes = control.subscribe();
            while changes.changed().await.is_ok() {
                let status = *changes.borrow_and_update();
                if !send(control.service(), status) {
                    return;
                }
            }
        }
    });
    futures::future::join_all(followers).await;
}

/// One service's rate: shared by every client of that service that [`super::connect`] makes
/// for one set of settings.
#[derive(Debug)]
pub struct RateControl {
    service: &'static str,
    state: Mutex<State>,
    /// Requests wait for their turn in order (tokio's mutex is fair).
    turn: tokio::sync::Mutex<()>,
    status: watch::Sender<RateStatus>,
    /// The longest one request may take on the wire before it counts as timed out.
    per_send: Option<Duration>,
    /// How long throttled requests are sent again outside a run's [`until`].
    patience: Duration,
}

#[derive(Debug)]
struct State {
    rate: Option<f64>,
    tokens: f64,
    refilled: Instant,
    /// When the rate was last cut: throttles of requests sent before then are already answered.
    cut_at: Option<Instant>,
    /// How many times the rate was cut since it was last unlimited.
    cuts: u32,
    grown_at: Instant,
    last_throttle: Option<Instant>,
    /// When each answer that got through in the last second came.
    recent: VecDeque<Instant>,
    throttles: u64,
}

impl RateControl {
    pub fn new(service: &'static str, per_send: Option<Duration>, patience: Duration) -> Self {
        RateControl {
            service,
            state: Mutex::new(State::unlimited(Instant::now())),
            turn: tokio::sync::Mutex::new(()),
            status: watch::channel(RateStatus::default()).0,
            per_send,
            patience,
        }
    }

    /// The service this controls (`iam`, `sts`, `kms`).
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// Follows the rate as it changes.
    pub fn subscribe(&self) -> watch::Receiver<RateStatus> {
        self.status.subscribe()
    }

    /// Waits until the rate lets one more request go.
    async fn wait_turn(&self) {
        let _turn = self.turn.lock().await;
        loop {
            let wait = self.lock().admit(Instant::now());
            match wait {
                None => return,
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// An answer that was not throttling.
    fn answered(&self) {
        let changed = self.lock().answered(Instant::now());
        if changed {
            self.publish();
        }
    }

    /// A throttling answer to a request sent at `sent_at`; returns the rate now.
    fn throttled(&self, sent_at: Instant) -> f64 {
        let rate = self.lock().throttled(sent_at, Instant::now());
        self.publish();
        rate
    }

    fn publish(&self) {
        let now = {
            let state = self.lock();
            RateStatus {
                per_second: state.rate,
                throttles: state.throttles,
            }
        };
        self.status.send_if_modified(|old| {
            // Screens show whole requests a second: smaller changes are not news.
            let news = old.throttles != now.throttles
                || old.per_second.map(f64::round) != now.per_second.map(f64::round);
            if news {
                *old = now;
            }
            news
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl State {
    /// Unpaced, as a client starts.
    fn unlimited(now: Instant) -> State {
        State {
            rate: None,
            tokens: 1.0,
            refilled: now,
            cut_at: None,
            cuts: 0,
            grown_at: now,
            last_throttle: None,
            recent: VecDeque::new(),
            throttles: 0,
        }
    }

    /// `None`: send now (a token is taken). `Some(wait)`: ask again after `wait`.
    fn admit(&mut self, now: Instant) -> Option<Duration> {
        let rate = self.rate?;
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.refilled = now;
        self.tokens = (self.tokens + elapsed * rate).min(1.0);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            None
        } else {
            Some(Duration::from_secs_f64((1.0 - self.tokens) / rate))
        }
    }

    /// Returns whether the rate changed.
    fn answered(&mut self, now: Instant) -> bool {
        self.recent.push_back(now);
        while self
            .recent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) > Duration::from_secs(1))
        {
            self.recent.pop_front();
        }
        let Some(rate) = self.rate else {
            return false;
        };
        if self
            .last_throttle
            .is_some_and(|t| now.saturating_duration_since(t) >= RECOVER_AFTER)
        {
            self.rate = None;
            self.cuts = 0;
            return true;
        }
        // Growth is paid for by answers: an idle client does not drift back to a burst.
        let elapsed = now
            .saturating_duration_since(self.grown_at)
            .min(Duration::from_secs(1));
        self.grown_at = now;
        let growth = if self.cuts > 1 { GROWTH } else { FIRST_GROWTH };
        self.rate = Some(rate + rate.max(1.0) * growth * elapsed.as_secs_f64());
        true
    }

    fn throttled(&mut self, sent_at: Instant, now: Instant) -> f64 {
        self.throttles += 1;
        self.last_throttle = Some(now);
        if self.cut_at.is_some_and(|cut| sent_at < cut) {
            // Sent at the rate before the last cut: that cut already answered it.
            return self.rate.unwrap_or(MIN_RATE);
        }
        let base = self
            .rate
            .unwrap_or_else(|| (self.recent.len() as f64).max(2.0));
        let rate = (base * CUT).max(MIN_RATE);
        self.rate = Some(rate);
        self.cuts += 1;
        self.cut_at = Some(now);
        self.grown_at = now;
        self.tokens = self.tokens.min(0.0);
        self.refilled = now;
        rate
    }
}

/// The SDK's HTTP client with a [`RateControl`] in front of it.
#[derive(Clone, Debug)]
pub struct Controlled {
    inner: SharedHttpClient,
    control: Arc<RateControl>,
}

impl Controlled {
    pub fn new(inner: SharedHttpClient, control: Arc<RateControl>) -> Self {
        Controlled { inner, control }
    }
}

impl HttpClient for Controlled {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(ControlledConnector {
            inner: self.inner.http_connector(settings, components),
            control: Arc::clone(&self.control),
        })
    }
}

#[derive(Debug)]
struct ControlledConnector {
    inner: SharedHttpConnector,
    control: Arc<RateControl>,
}

impl HttpConnector for ControlledConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let control = Arc::clone(&self.control);
        HttpConnectorFuture::new(send(inner, control, request))
    }
}

async fn send(
    inner: SharedHttpConnector,
    control: Arc<RateControl>,
    mut request: HttpRequest,
) -> Result<HttpResponse, ConnectorError> {
    let first = Instant::now();
    let give_up = deadline()
        .unwrap_or(first + control.patience)
        .min(first + SIGNATURE_WINDOW);
    let operation = operation_of(&request);
    let mut throttled = 0u32;
    loop {
        control.wait_turn().await;
        let again = request.try_clone();
        let sent_at = Instant::now();
        let answer = inner.call(request);
        let response = match control.per_send {
            Some(limit) => tokio::time::timeout(limit, answer).await.map_err(|_| {
                tracing::info!(service = control.service, operation = %operation, "no answer in time");
                ConnectorError::timeout(
                    format!("no answer within {} s", limit.as_secs_f64()).into(),
                )
            })??,
            None => answer.await?,
        };
        let (response, code) = error_code(response).await;
        let Some(code) = code.filter(|c| THROTTLING_CODES.contains(&c.as_str())) else {
            control.answered();
            return Ok(response);
        };
        throttled += 1;
        let rate = control.throttled(sent_at);
        let wait = backoff(throttled);
        let resend = again.filter(|_| Instant::now() + wait < give_up);
        tracing::warn!(
            service = control.service,
            operation = %operation,
            code = %code,
            rate_per_second = format!("{rate:.1}"),
            attempt = throttled,
            sending_again = resend.is_some(),
            "throttled"
        );
        match resend {
            Some(again) => {
                tokio::time::sleep(wait).await;
                request = again;
            }
            None => return Ok(response),
        }
    }
}

/// A backoff with full jitter: up to 100 ms doubled each time, at most [`MAX_BACKOFF`].
fn backoff(attempt: u32) -> Duration {
    let cap = Duration::from_millis(100)
        .saturating_mul(1 << attempt.min(10))
        .min(MAX_BACKOFF);
    let fraction = getrandom::u32().unwrap_or(u32::MAX / 2) as f64 / u32::MAX as f64;
    cap.mul_f64(fraction)
}

/// The error code of an answer that may be an error (its body is read and put back), or `None`.
async fn error_code(response: HttpResponse) -> (HttpResponse, Option<String>) {
    let status = response.status().as_u16();
    if !matches!(status, 400 | 429 | 503) {
        return (response, None);
    }
    let header = response
        .headers()
        .get("x-amzn-errortype")
        .map(|t| t.split(':').next().unwrap_or_default().trim().to_string());
    let (parts, body) = split(response);
    let bytes = match ByteStream::new(body).collect().await {
        Ok(bytes) => bytes.into_bytes(),
        Err(_) => return (parts(SdkBody::empty()), header),
    };
    let code = header
        .filter(|c| !c.is_empty())
        .or_else(|| code_in_body(&bytes));
    (parts(SdkBody::from(bytes)), code)
}

/// The response's body, and a function that puts a body back into the same response.
fn split(mut response: HttpResponse) -> (impl FnOnce(SdkBody) -> HttpResponse, SdkBody) {
    let body = response.take_body();
    (
        move |body| {
            *response.body_mut() = body;
            response
        },
        body,
    )
}

/// The error code in a query-protocol XML body (`<Code>`) or a JSON one (`__type`, possibly
/// with a namespace before `#`).
fn code_in_body(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    if let Some(start) = text.find("<Code>") {
        let rest = &text[start + "<Code>".len()..];
        return rest
            .find("</Code>")
            .map(|end| rest[..end].trim().to_string());
    }
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    let kind = json.get("__type").or_else(|| json.get("code"))?.as_str()?;
    Some(kind.rsplit('#').next().unwrap_or(kind).to_string())
}

/// The operation a request asks for, for the log: `Action=` of a query-protocol form body, or
/// the `X-Amz-Target` of a JSON one.
fn operation_of(request: &HttpRequest) -> String {
    if let Some(target) = request.headers().get("x-amz-target") {
        return target.rsplit('.').next().unwrap_or(target).to_string();
    }
    request
        .body()
        .bytes()
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|body| body.split('&').find_map(|kv| kv.strip_prefix("Action=")))
        .unwrap_or("?")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State::unlimited(Instant::now())
    }

    #[test]
    fn without_throttling_nothing_waits() {
        let mut s = state();
        let now = Instant::now();
        for _ in 0..1000 {
            assert_eq!(s.admit(now), None);
        }
    }

    #[test]
    fn the_first_throttle_paces_a_little_under_what_got_through() {
        let mut s = state();
        let now = Instant::now();
        for _ in 0..10 {
            s.answered(now);
        }
        let rate = s.throttled(now, now);
        assert!((rate - 8.0).abs() < 1e-9, "{rate}");
        // One request per 1/8 s from now on.
        let wait = s.admit(now).expect("paced");
        assert!((wait.as_secs_f64() - 0.125).abs() < 1e-6, "{wait:?}");
    }

    #[test]
    fn throttles_of_requests_sent_before_a_cut_do_not_cut_again() {
        let mut s = state();
        let t0 = Instant::now();
        for _ in 0..10 {
            s.answered(t0);
        }
        let sent = t0;
        let first = s.throttled(sent, t0 + Duration::from_millis(10));
        for _ in 0..50 {
            assert_eq!(s.throttled(sent, t0 + Duration::from_millis(20)), first);
        }
        assert_eq!(s.throttles, 51);
        // A request sent after the cut that is throttled cuts again.
        let second = s.throttled(
            t0 + Duration::from_millis(30),
            t0 + Duration::from_millis(40),
        );
        assert!(second < first);
    }

    #[test]
    fn the_rate_never_falls_below_the_floor() {
        let mut s = state();
        let mut t = Instant::now();
        for _ in 0..100 {
            t += Duration::from_millis(10);
            s.throttled(t, t);
        }
        assert_eq!(s.rate, Some(MIN_RATE));
    }

    #[test]
    fn answers_grow_the_rate_and_quiet_lifts_the_limit() {
        let mut s = state();
        let t0 = Instant::now();
        let cut = s.throttled(t0, t0);
        let mut t = t0;
        for _ in 0..10 {
            t += Duration::from_secs(1);
            s.answered(t);
        }
        let grown = s.rate.expect("still paced");
        assert!(grown > cut * 1.5, "{cut} -> {grown}");
        s.answered(t0 + RECOVER_AFTER);
        assert_eq!(s.rate, None);
    }

    #[test]
    fn throttling_codes_are_read_from_xml_and_json_bodies() {
        let xml = b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>\
                    <Message>Rate exceeded</Message></Error></ErrorResponse>";
        assert_eq!(code_in_body(xml).as_deref(), Some("Throttling"));
        let json = br#"{"__type":"com.amazonaws.kms#ThrottlingException","message":"x"}"#;
        assert_eq!(code_in_body(json).as_deref(), Some("ThrottlingException"));
        let limit = b"<ErrorResponse><Error><Code>LimitExceeded</Code></Error></ErrorResponse>";
        let code = code_in_body(limit).unwrap();
        assert!(!THROTTLING_CODES.contains(&code.as_str()));
    }

    #[test]
    fn backoff_is_jittered_and_bounded() {
        for attempt in 0..40 {
            assert!(backoff(attempt) <= MAX_BACKOFF);
        }
        let draws: std::collections::HashSet<u128> =
            (0..20).map(|_| backoff(5).as_nanos()).collect();
        assert!(draws.len() > 10, "backoffs are not jittered: {draws:?}");
    }
}
