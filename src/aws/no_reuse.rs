//! Keeps the connection that carries a secret from being reused. A pooled HTTP connection keeps
//! its read buffer (and, over TLS, the decrypted record buffers) alive while it waits for the next
//! request, with the last response still in it: for `CreateAccessKey`, the new secret access key,
//! for as long as the connection sits in the pool. `Connection: close` on that one request has the
//! HTTP client close the connection once the response is read, and its buffers are freed (and, by
//! the global allocator, wiped).
//!
//! The header is added after signing, as the hop-by-hop header it is: a proxy may drop it, and a
//! signed one would then no longer match its signature.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Sends the request with `Connection: close`.
#[derive(Debug, Clone, Copy)]
pub struct CloseAfterResponse;

impl Intercept for CloseAfterResponse {
    fn name(&self) -> &'static str {
        "iamwiz::CloseAfterResponse"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        context
            .request_mut()
            .headers_mut()
            .insert("connection", "close");
        Ok(())
    }
}
