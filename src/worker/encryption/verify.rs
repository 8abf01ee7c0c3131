//! The check that closes the encryption set-up for a user: its new access key wraps and unwraps a
//! data key with the KMS key, as a MongoDB driver will, waiting out the seconds a new key takes
//! to work everywhere.

use std::time::{Duration, Instant};

use crate::aws::Clients;
use crate::aws::keys::round_trip;
use crate::protocol::{AwsError, Verification};

/// Wraps and unwraps a random data key with `key_arn` (`Encrypt`, then `Decrypt` of the
/// ciphertext), as a MongoDB driver does, signed as `as_user`. Retries what a new access key
/// answers before it is usable everywhere (`UnrecognizedClientException`,
/// `InvalidSignatureException`, `AccessDeniedException`, throttling) with a bounded backoff
/// (1, 2, 4, then 5 s) while the next attempt would start within `budget`, calling `waiting` with
/// the attempt that failed, the seconds waited so far and the error before each wait. Any other
/// error fails at once.
pub async fn verify(
    as_user: &Clients,
    key_arn: &str,
    budget: Duration,
    waiting: impl Fn(u32, u64, &AwsError),
) -> Verification {
    let start = Instant::now();
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let error = match round_trip(as_user, key_arn).await {
            Ok(()) => {
                return Verification::Verified {
                    attempts,
                    seconds: start.elapsed().as_secs(),
                };
            }
            Err(e) => e,
        };
        let waited = start.elapsed();
        let delay = Duration::from_secs(match attempts {
            1 => 1,
            2 => 2,
            3 => 4,
            _ => 5,
        });
        if !waits_mend(&error.code) || waited + delay > budget {
            return Verification::Failed {
                attempts,
                seconds: waited.as_secs(),
                error,
            };
        }
        waiting(attempts, waited.as_secs(), &error);
        tokio::time::sleep(delay).await;
    }
}

/// Errors a new access key gives until IAM has propagated it (or KMS is busy).
fn waits_mend(code: &str) -> bool {
    matches!(
        code,
        "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "InvalidSignatureException"
            | "AccessDeniedException"
            | "AccessDenied"
            | "ThrottlingException"
            | "Throttling"
    )
}
