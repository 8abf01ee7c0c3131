//! An SDK interceptor that records every call made through a client and can fail chosen attempts
//! with an error response. Which attempt fails, and how, is the test's [`Decide`] rule; a
//! failed attempt is rewritten, after signing, into a harmless read (so moto never applies it)
//! unless the rule says it is applied, and moto's answer is replaced with the service's own
//! error format (IAM's query-protocol XML, KMS's JSON), which the SDK parses and classifies as it
//! would a real one.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextMut, BeforeSerializationInterceptorContextRef,
    BeforeTransmitInterceptorContextMut,
};
use aws_smithy_runtime_api::client::interceptors::{Intercept, SharedInterceptor};
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use iamwiz::aws::AwsSettings;

/// The error an attempt is answered with.
#[derive(Clone, Debug)]
pub struct Injection {
    pub status: u16,
    /// IAM's error type (`Sender` or `Receiver`); KMS's errors have none.
    pub kind: &'static str,
    pub code: &'static str,
    pub message: String,
    /// The attempt reaches moto (which applies it) and only its answer is replaced.
    pub applied: bool,
}

/// Asked once per attempt, with the operation's name and whether it is a KMS call: the error to
/// answer it with, or `None` to let it through.
pub type Decide = dyn Fn(&str, bool) -> Option<Injection> + Send + Sync;

/// The interceptor; clones share the rule and the record of calls.
#[derive(Clone)]
pub struct Faults {
    decide: Arc<Decide>,
    /// Every operation started through the client, in order (once per call, not per attempt).
    calls: Arc<Mutex<Vec<String>>>,
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faults")
            .field("calls", &self.calls)
            .finish()
    }
}

/// The injection of the current attempt, and whether the call is KMS's.
#[derive(Clone, Debug)]
struct Inject(Option<(Injection, bool)>);

impl Storable for Inject {
    type Storer = StoreReplace<Self>;
}

impl Faults {
    /// Fails the attempts `decide` picks, and records every call.
    pub fn new(decide: impl Fn(&str, bool) -> Option<Injection> + Send + Sync + 'static) -> Faults {
        Faults {
            decide: Arc::new(decide),
            calls: Arc::default(),
        }
    }

    /// Only records the calls.
    pub fn recording() -> Faults {
        Faults::new(|_, _| None)
    }

    /// The operations called so far, in order.
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    /// `base` with this interceptor as its only one.
    pub fn settings(&self, base: AwsSettings) -> AwsSettings {
        AwsSettings {
            interceptors: vec![SharedInterceptor::new(self.clone())],
            ..base
        }
    }
}

/// The operation name of the call `cfg` belongs to.
fn operation(cfg: &ConfigBag) -> String {
    cfg.load::<Metadata>()
        .map(|m| m.name().to_string())
        .unwrap_or_default()
}

impl Intercept for Faults {
    fn name(&self) -> &'static str {
        "tests::common::Faults"
    }

    fn read_before_serialization(
        &self,
        _: &BeforeSerializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.calls.lock().unwrap().push(operation(cfg));
        Ok(())
    }

    /// Runs once per attempt, after signing: asks the rule whether this attempt is failed and, if
    /// it is and is not to be applied, turns the request into a harmless read.
    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let kms = request.headers().get("x-amz-target").is_some();
        let inject = (self.decide)(&operation(cfg), kms);
        if inject.as_ref().is_some_and(|i| !i.applied) {
            let harmless = if kms {
                request
                    .headers_mut()
                    .insert("x-amz-target", "TrentService.ListKeys");
                "{}"
            } else {
                "Action=ListAccountAliases&Version=2010-05-08"
            };
            *request.body_mut() = SdkBody::from(harmless);
            request
                .headers_mut()
                .insert("content-length", harmless.len().to_string());
        }
        cfg.interceptor_state()
            .store_put(Inject(inject.map(|i| (i, kms))));
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(Inject(Some((i, kms)))) = cfg.load::<Inject>() {
            let Injection {
                status,
                kind,
                code,
                message,
                ..
            } = i;
            let (body, content_type) = if *kms {
                (
                    format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
                    "application/x-amz-json-1.1",
                )
            } else {
                (
                    format!(
                        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>\
                         <Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message>\
                         </Error><RequestId>fault-injected</RequestId></ErrorResponse>"
                    ),
                    "text/xml",
                )
            };
            let mut response = HttpResponse::new((*status).try_into()?, SdkBody::from(body));
            response.headers_mut().insert("content-type", content_type);
            *context.response_mut() = response;
        }
        Ok(())
    }
}
