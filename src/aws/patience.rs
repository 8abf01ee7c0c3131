//! Calls that must not give up early: the undo of a failed creation and the discard of users
//! nobody can use. The SDK tries a call three times; a rollback that stops there leaves a
//! half-made user behind. [`patiently`] calls again while the failure is one that passes
//! (throttling, AWS's own 5xx errors, a time-out, a connection that failed), with a jittered
//! backoff, until the deadline of the run it belongs to ([`super::rate::until`]). Only then is
//! what remains listed, with the commands that remove it.

use std::future::Future;
use std::time::Duration;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use tokio::time::Instant;

use crate::protocol::AwsError;

/// Error codes of failures that pass, besides throttling ([`super::rate`]'s codes): AWS's
/// internal errors, and what [`super::map_sdk_error`] calls a time-out, an unreachable endpoint
/// or an unreadable answer.
const PASSING_CODES: &[&str] = &[
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "ServiceFailure",
    "InternalFailure",
    "InternalError",
    "InternalServerError",
    "KMSInternalException",
    "DependencyTimeoutException",
    "Timeout",
    "EndpointUnreachable",
    "InvalidResponse",
];

/// A failure that may pass if the call is made again later.
pub trait Passing {
    fn passing(&self) -> bool;
}

fn passing_code(code: &str) -> bool {
    PASSING_CODES.contains(&code) || super::rate::THROTTLING_CODES.contains(&code)
}

impl Passing for AwsError {
    fn passing(&self) -> bool {
        passing_code(&self.code)
    }
}

impl<E: ProvideErrorMetadata> Passing for SdkError<E, HttpResponse> {
    fn passing(&self) -> bool {
        match self {
            SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
            SdkError::DispatchFailure(d) => d.is_io() || d.is_timeout(),
            SdkError::ServiceError(s) => {
                s.raw().status().is_server_error() || s.err().code().is_some_and(passing_code)
            }
            _ => false,
        }
    }
}

/// Calls `call` until it succeeds, fails for good, or the run's deadline would pass before the
/// next try (outside a run: once). Returns the last result.
pub async fn patiently<T, E, Fut>(mut call: impl FnMut() -> Fut) -> Result<T, E>
where
    Fut: Future<Output = Result<T, E>>,
    E: Passing + std::fmt::Debug,
{
    let deadline = super::rate::deadline();
    let mut tries = 0u32;
    loop {
        let result = call().await;
        let Err(error) = &result else {
            return result;
        };
        tries += 1;
        let wait = pause(tries);
        let in_time = deadline.is_some_and(|d| Instant::now() + wait < d);
        if !error.passing() || !in_time {
            return result;
        }
        tracing::info!(
            tries,
            wait_ms = wait.as_millis() as u64,
            ?error,
            "trying again"
        );
        tokio::time::sleep(wait).await;
    }
}

/// Half a second doubled each time, at most 10 s, with jitter (between half and all of it).
fn pause(tries: u32) -> Duration {
    let cap = Duration::from_millis(500)
        .saturating_mul(1 << tries.min(5))
        .min(Duration::from_secs(10));
    let fraction = getrandom::u32().unwrap_or(u32::MAX) as f64 / u32::MAX as f64;
    cap.mul_f64(0.5 + fraction / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn error(code: &str) -> AwsError {
        AwsError {
            operation: "iam:DeleteUser".into(),
            code: code.into(),
            message: String::new(),
            hint: String::new(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_passing_failure_is_tried_again_until_it_succeeds() {
        let calls = AtomicU32::new(0);
        let deadline = Instant::now() + Duration::from_secs(300);
        let result = super::super::rate::until(deadline, async {
            patiently(|| async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0..=5 => Err(error("ServiceUnavailable")),
                    _ => Ok(()),
                }
            })
            .await
        })
        .await;
        assert_eq!(result, Ok(()));
        assert_eq!(calls.load(Ordering::SeqCst), 7);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_for_good_is_returned_at_once() {
        let calls = AtomicU32::new(0);
        let deadline = Instant::now() + Duration::from_secs(300);
        let result: Result<(), AwsError> = super::super::rate::until(deadline, async {
            patiently(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(error("AccessDenied"))
            })
            .await
        })
        .await;
        assert_eq!(result.unwrap_err().code, "AccessDenied");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn tries_stop_at_the_deadline() {
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let deadline = start + Duration::from_secs(60);
        let result: Result<(), AwsError> = super::super::rate::until(deadline, async {
            patiently(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(error("Timeout"))
            })
            .await
        })
        .await;
        assert_eq!(result.unwrap_err().code, "Timeout");
        assert!(Instant::now() <= deadline, "waited past the deadline");
        assert!(
            Instant::now() - start > Duration::from_secs(40),
            "gave up long before the deadline"
        );
        assert!(calls.load(Ordering::SeqCst) > 5);
    }

    #[tokio::test(start_paused = true)]
    async fn outside_a_run_a_call_is_made_once() {
        let calls = AtomicU32::new(0);
        let result: Result<(), AwsError> = patiently(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(error("Timeout"))
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
