//! The only module that talks to the AWS SDK: building clients from the default credential chain,
//! the read calls the wizard's screens need, and turning SDK errors into [`AwsError`]s an admin can
//! act on.

mod errors;
pub mod groups;
pub mod iam;
pub mod kms;

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, timeout::TimeoutConfig};
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;

pub use errors::{hint_for, map_sdk_error};

/// Where and as whom to connect: the `--profile`, `--region` and `--endpoint-url` flags.
#[derive(Clone, Debug, Default)]
pub struct AwsSettings {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// An access key to use instead of the default credential chain (for checking what a newly
    /// created key may do). Its `Debug` output redacts the secret.
    pub credentials: Option<aws_credential_types::Credentials>,
    /// Extra SDK interceptors on every client (tests use them to record requests and inject faults).
    pub interceptors: Vec<SharedInterceptor>,
    /// Timeouts to use instead of [`default_timeouts`] (tests shorten them to exercise timeouts).
    pub timeouts: Option<TimeoutConfig>,
}

/// Connect within 5 s, each attempt within 20 s, the whole operation (retries included) within 60 s.
pub fn default_timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_attempt_timeout(Duration::from_secs(20))
        .operation_timeout(Duration::from_secs(60))
        .build()
}

/// The SDK clients, built once in the worker.
#[derive(Clone, Debug)]
pub struct Clients {
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
    pub kms: aws_sdk_kms::Client,
    /// The region in use, as resolved from flags, environment or profile.
    pub region: String,
    /// The custom endpoint in use (`--endpoint-url` or `AWS_ENDPOINT_URL`), if any.
    pub endpoint_url: Option<String>,
    /// What these clients were built from, so that clients for another identity
    /// ([`Clients::connect_as`]) reach the same endpoint through the same interceptors.
    pub settings: AwsSettings,
}

impl Clients {
    /// A KMS client for `region` (KMS keys live in one region; the admin's may differ), with the
    /// same credentials, endpoint, timeouts and interceptors as [`Clients::kms`].
    pub fn kms_in(&self, region: &str) -> aws_sdk_kms::Client {
        aws_sdk_kms::Client::from_conf(
            self.kms
                .config()
                .to_builder()
                .region(Region::new(region.to_string()))
                .build(),
        )
    }

    /// Clients signed with `credentials` instead of the admin's, in `region`, reaching the same
    /// endpoint through the same interceptors and timeouts.
    pub async fn connect_as(
        &self,
        credentials: aws_credential_types::Credentials,
        region: &str,
    ) -> Clients {
        connect(&AwsSettings {
            profile: None,
            region: Some(region.to_string()),
            endpoint_url: self.endpoint_url.clone(),
            credentials: Some(credentials),
            ..self.settings.clone()
        })
        .await
    }
}

/// IAM is a global service: when nothing names a region, requests are signed for this one.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Resolves the configuration (profile files, environment, flags) and builds the clients. Nothing
/// here waits on the network; credentials are fetched lazily by the first call.
pub async fn connect(settings: &AwsSettings) -> Clients {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(settings.timeouts.clone().unwrap_or_else(default_timeouts));
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(endpoint) = &settings.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    if let Some(credentials) = &settings.credentials {
        loader = loader.credentials_provider(credentials.clone());
    }
    let config = loader.load().await;
    let region = config
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| DEFAULT_REGION.to_string());

    let mut iam = aws_sdk_iam::config::Builder::from(&config).region(Region::new(region.clone()));
    let mut sts = aws_sdk_sts::config::Builder::from(&config).region(Region::new(region.clone()));
    let mut kms = aws_sdk_kms::config::Builder::from(&config).region(Region::new(region.clone()));
    for interceptor in &settings.interceptors {
        iam.push_interceptor(interceptor.clone());
        sts.push_interceptor(interceptor.clone());
        kms.push_interceptor(interceptor.clone());
    }
    Clients {
        iam: aws_sdk_iam::Client::from_conf(iam.build()),
        sts: aws_sdk_sts::Client::from_conf(sts.build()),
        kms: aws_sdk_kms::Client::from_conf(kms.build()),
        region,
        endpoint_url: config.endpoint_url().map(str::to_string),
        settings: settings.clone(),
    }
}
