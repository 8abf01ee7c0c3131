//! The only module that talks to the AWS SDK: building clients from the default credential chain,
//! the read calls the wizard's screens need, and turning SDK errors into [`AwsError`]s an admin can
//! act on.

pub mod access_keys;
pub mod attempts;
mod errors;
pub mod groups;
pub mod iam;
pub mod keys;
pub mod kms;
pub mod lookup;
pub mod mark;
pub mod mfa;
pub mod no_reuse;
pub mod patience;
pub mod rate;
pub mod roles;
pub mod shell;
pub mod sso;
pub mod teardown;
pub mod users;

use std::sync::Arc;
use std::time::Duration;

use aws_config::stalled_stream_protection::StalledStreamProtectionConfig;
use aws_config::{BehaviorVersion, Region, timeout::TimeoutConfig};
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;

pub use errors::{UNREACHABLE_CODES, hint_for, local_error, map_sdk_error};

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
    /// How long a run (a creation, its rollback, a discard) keeps sending requests that AWS
    /// throttles: `--timeout`; [`DEFAULT_RUN_TIMEOUT`] when not set.
    pub run_timeout: Option<Duration>,
}

/// How long a run waits out throttling unless `--timeout` says otherwise.
pub use crate::model::rate::DEFAULT_RUN_TIMEOUT;

impl AwsSettings {
    /// How long a run keeps sending requests that AWS throttles.
    pub fn run_timeout(&self) -> Duration {
        self.run_timeout.unwrap_or(DEFAULT_RUN_TIMEOUT)
    }
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
    /// The rate control of each service (see [`rate`]), shared with [`Clients::connect_as`]'s
    /// clients: AWS's quotas are the account's.
    pub rates: Rates,
}

/// One [`rate::RateControl`] a service.
#[derive(Clone, Debug)]
pub struct Rates {
    pub iam: Arc<rate::RateControl>,
    pub sts: Arc<rate::RateControl>,
    pub kms: Arc<rate::RateControl>,
}

impl Rates {
    fn new(timeouts: &TimeoutConfig) -> Rates {
        let per_send = timeouts.operation_attempt_timeout();
        let patience = timeouts
            .operation_timeout()
            .unwrap_or(Duration::from_secs(60));
        let control = |service| Arc::new(rate::RateControl::new(service, per_send, patience));
        Rates {
            iam: control("iam"),
            sts: control("sts"),
            kms: control("kms"),
        }
    }

    /// Every service's control, for following their rates.
    pub fn all(&self) -> [Arc<rate::RateControl>; 3] {
        [self.iam.clone(), self.sts.clone(), self.kms.clone()]
    }
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

    /// Clients signed with the access key `key` (a new user's), in `region`, as
    /// [`Clients::connect_as`].
    pub async fn connect_as_key(
        &self,
        key: &crate::protocol::AccessKeyPair,
        region: &str,
    ) -> Clients {
        let credentials = aws_credential_types::Credentials::new(
            &key.id,
            key.secret.expose(),
            None,
            None,
            "iamwiz-verify",
        );
        self.connect_as(credentials, region).await
    }

    /// Clients signed with `credentials` instead of the admin's, in `region`, reaching the same
    /// endpoint through the same interceptors and timeouts.
    pub async fn connect_as(
        &self,
        credentials: aws_credential_types::Credentials,
        region: &str,
    ) -> Clients {
        let settings = AwsSettings {
            profile: None,
            region: Some(region.to_string()),
            endpoint_url: self.endpoint_url.clone(),
            credentials: Some(credentials),
            ..self.settings.clone()
        };
        connect_with(&settings, Some(self.rates.clone())).await
    }
}

/// IAM is a global service: when nothing names a region, requests are signed for this one.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Resolves the configuration (profile files, environment, flags) and builds the clients. Nothing
/// here waits on the network; credentials are fetched lazily by the first call.
pub async fn connect(settings: &AwsSettings) -> Clients {
    connect_with(settings, None).await
}

async fn connect_with(settings: &AwsSettings, rates: Option<Rates>) -> Clients {
    let timeouts = settings.timeouts.clone().unwrap_or_else(default_timeouts);
    let rates = rates.unwrap_or_else(|| Rates::new(&timeouts));
    // The per-attempt and whole-operation bounds move into the rate control: the SDK's would
    // count the time a request waits for its turn, and cut a throttled run short.
    let mut sdk_timeouts = TimeoutConfig::builder()
        .disable_operation_timeout()
        .disable_operation_attempt_timeout();
    sdk_timeouts
        .set_connect_timeout(timeouts.connect_timeout())
        .set_read_timeout(timeouts.read_timeout());
    let sdk_timeouts = sdk_timeouts.build();
    // The SDK's check that a request body keeps moving would time out a request waiting for its
    // turn (its small body is read only when it is sent); answers are still watched.
    let stalled = StalledStreamProtectionConfig::enabled()
        .upload_enabled(false)
        .build();
    let config = loader(settings).timeout_config(timeouts).load().await;
    let region = config
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| DEFAULT_REGION.to_string());

    let http = https_client();
    let controlled =
        |control: &Arc<rate::RateControl>| rate::Controlled::new(http.clone(), Arc::clone(control));
    let mut iam = aws_sdk_iam::config::Builder::from(&config)
        .region(Region::new(region.clone()))
        .timeout_config(sdk_timeouts.clone())
        .stalled_stream_protection(stalled.clone())
        .http_client(controlled(&rates.iam));
    let mut sts = aws_sdk_sts::config::Builder::from(&config)
        .region(Region::new(region.clone()))
        .timeout_config(sdk_timeouts.clone())
        .stalled_stream_protection(stalled.clone())
        .http_client(controlled(&rates.sts));
    let mut kms = aws_sdk_kms::config::Builder::from(&config)
        .region(Region::new(region.clone()))
        .timeout_config(sdk_timeouts)
        .stalled_stream_protection(stalled)
        .http_client(controlled(&rates.kms));
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
        rates,
    }
}

/// The configuration `settings` name (profile, region, endpoint, credentials), to load: the
/// clients here, and the few read by a module of their own ([`sso`]), resolve it one way.
pub(crate) fn loader(settings: &AwsSettings) -> aws_config::ConfigLoader {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
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
    loader
}

/// The SDK's default HTTPS client (hyper 1 with rustls on aws-lc, proxies from the
/// environment), built here so that the rate control can sit in front of it.
fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::{Builder, ConnectorBuilder, proxy::ProxyConfig, tls};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut conn = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ));
        conn.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            conn.set_sleep_impl(components.sleep_impl());
        }
        conn.set_proxy_config(Some(ProxyConfig::from_env()));
        conn.build()
    })
}
