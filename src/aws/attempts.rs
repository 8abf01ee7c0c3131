//! Counting the attempts of one call. The SDK retries a timeout or a dropped connection, and the
//! lost attempt may have been applied: the calls that are not idempotent (creating a user, a
//! login profile, an access key, a role, an instance profile, a KMS key or alias, and deleting
//! an alias or scheduling a key's deletion) need to know whether their answer may be a retry
//! meeting its own lost attempt's work.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Counts the attempts of the one call it is given to (`.customize().interceptor(…)`).
#[derive(Clone, Debug, Default)]
pub struct Attempts(Arc<AtomicU32>);

impl Attempts {
    /// Whether the SDK sent the call more than once.
    pub fn retried(&self) -> bool {
        self.0.load(Ordering::SeqCst) > 1
    }
}

impl Intercept for Attempts {
    fn name(&self) -> &'static str {
        "iamwiz::Attempts"
    }

    fn read_before_attempt(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}
