//! A request quota in front of moto, which never throttles: a proxy with a token bucket that
//! answers above its rate as AWS does, IAM and STS with the query protocol's XML `Throttling`
//! error, KMS with the JSON `ThrottlingException`. A refused request costs no token (it was never
//! served), and one bucket covers every API, which is stricter than IAM's bucket per API.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::proxy::{Proxy, Verdict};

/// A running quota proxy and its counts.
pub struct Throttle {
    /// `http://127.0.0.1:PORT`, to use as the endpoint URL.
    pub endpoint: String,
    counts: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    passed: AtomicU64,
    refused: AtomicU64,
    /// The actions passed, in order.
    actions: Mutex<Vec<String>>,
}

struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * self.rate).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

impl Throttle {
    /// A quota of `rate` requests a second with bursts of up to `burst`, starting full.
    pub fn start(rate: f64, burst: f64) -> Throttle {
        let counts = Arc::new(Counts::default());
        let bucket = Mutex::new(Bucket {
            rate,
            burst,
            tokens: burst,
            at: Instant::now(),
        });
        let seen = Arc::clone(&counts);
        let proxy = Proxy::start(move |action| {
            if bucket.lock().unwrap().take() {
                seen.passed.fetch_add(1, Ordering::SeqCst);
                seen.actions.lock().unwrap().push(action.to_string());
                return Verdict::Forward(Duration::ZERO);
            }
            seen.refused.fetch_add(1, Ordering::SeqCst);
            Verdict::Answer(throttling(action))
        });
        Throttle {
            endpoint: proxy.endpoint,
            counts,
        }
    }

    /// Requests served.
    pub fn passed(&self) -> u64 {
        self.counts.passed.load(Ordering::SeqCst)
    }

    /// Requests answered with throttling.
    pub fn refused(&self) -> u64 {
        self.counts.refused.load(Ordering::SeqCst)
    }

    /// The actions served, in order.
    pub fn actions(&self) -> Vec<String> {
        self.counts.actions.lock().unwrap().clone()
    }
}

/// The answer AWS gives a request above the quota.
pub fn throttling(action: &str) -> Vec<u8> {
    let (content_type, body) = if action.starts_with("TrentService.") {
        (
            "application/x-amz-json-1.1",
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.to_string(),
        )
    } else {
        (
            "text/xml",
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>\
             <Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>\
             </Error><RequestId>throttled</RequestId></ErrorResponse>"
                .to_string(),
        )
    };
    format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
