//! The proof that a new access key works: `sts:GetCallerIdentity` signed with it, answered with
//! the ARN of the user it was made for.
//!
//! AWS takes from a few seconds to about a minute to accept a new key everywhere: until then it
//! answers `InvalidClientTokenId` (or `SignatureDoesNotMatch`, or `AuthFailure`). Those, and
//! failures that pass (throttling, AWS's 5xx, a time-out), are retried every
//! [`RETRY_EVERY`] until the admin's limit (`--prove-for`), each wait shown on stderr. Any
//! other error, or an identity that is not the user's, ends the proof at once.

use std::time::Duration;

use tokio::time::Instant;

use crate::aws::Clients;
use crate::aws::patience::Passing;
use crate::eprintln_clean as eprintln;
use crate::protocol::{AccessKeyPair, AwsError};

/// How long to wait between two tries.
pub const RETRY_EVERY: Duration = Duration::from_secs(2);

/// The answers of a key that AWS has not yet spread to every endpoint.
const NOT_YET: &[&str] = &[
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "AuthFailure",
    "UnrecognizedClientException",
];

/// How the proof ended.
#[derive(Debug)]
pub enum Proof {
    /// The key signed as the user, after this long.
    Works(Duration),
    /// It never worked within the limit; the last answer.
    TimedOut(AwsError),
    /// AWS answered something that waiting does not change.
    Failed(AwsError),
    /// It signed, but as someone else (the ARN AWS named).
    WrongIdentity(String),
}

/// Calls `sts:GetCallerIdentity` with `key` until it answers `user_arn`, for at most `limit`,
/// each wait shown on stderr.
pub async fn prove(c: &Clients, key: &AccessKeyPair, user_arn: &str, limit: Duration) -> Proof {
    let as_key = c.connect_as_key(key, &c.region).await;
    prove_as(&as_key, user_arn, limit, |waited, e| {
        eprintln!(
            "  the new key does not work yet ({}), waiting for it to propagate: {} s of \
             at most {} s",
            e.code,
            waited.as_secs(),
            limit.as_secs()
        );
    })
    .await
}

/// [`prove`] with clients that sign with the new key (`Clients::connect_as_key`), telling
/// `on_wait` how long it has waited and the last answer before each new try.
pub async fn prove_as(
    as_key: &Clients,
    user_arn: &str,
    limit: Duration,
    mut on_wait: impl FnMut(Duration, &AwsError),
) -> Proof {
    let start = Instant::now();
    loop {
        match crate::aws::iam::identity(as_key).await {
            Ok(id) if id.arn == user_arn => return Proof::Works(start.elapsed()),
            Ok(id) => return Proof::WrongIdentity(id.arn),
            Err(e) if NOT_YET.contains(&e.code.as_str()) || e.passing() => {
                let waited = start.elapsed();
                if waited + RETRY_EVERY > limit {
                    return Proof::TimedOut(e);
                }
                on_wait(waited, &e);
                tokio::time::sleep(RETRY_EVERY).await;
            }
            Err(e) => return Proof::Failed(e),
        }
    }
}
