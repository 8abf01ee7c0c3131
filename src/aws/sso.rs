//! Whether the account has an IAM Identity Center instance (`sso:ListInstances`, the sso-admin
//! API), so that the users flow can say, when console access is chosen, that AWS recommends
//! Identity Center for people.
//!
//! The answer only adds a line of advice: no permission, any error, or no instance all mean "no
//! nudge", and are logged at debug level, never shown. The client is built here from the same
//! settings as the other clients (profile, credentials, region, endpoint, the interceptors tests
//! add), so that it reaches the same account the same way; Identity Center is regional, so the instance is
//! looked for in the region in use.

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_sdk_ssoadmin::config::Region;

use super::{Clients, map_sdk_error};
use crate::protocol::AwsError;

/// The sso-admin client for the account and region of `c`: its configuration loaded from the
/// same settings, with the same interceptors.
async fn client(c: &Clients) -> aws_sdk_ssoadmin::Client {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_timeout(Duration::from_secs(20))
        .build();
    let config = super::loader(&c.settings)
        .timeout_config(timeouts)
        .load()
        .await;
    let mut builder =
        aws_sdk_ssoadmin::config::Builder::from(&config).region(Region::new(c.region.clone()));
    for interceptor in &c.settings.interceptors {
        builder.push_interceptor(interceptor.clone());
    }
    aws_sdk_ssoadmin::Client::from_conf(builder.build())
}

/// Whether `sso:ListInstances` lists at least one instance.
pub async fn has_instance(c: &Clients) -> Result<bool, AwsError> {
    let out = client(c)
        .await
        .list_instances()
        .max_results(1)
        .send()
        .await
        .map_err(|e| map_sdk_error("sso:ListInstances", e))?;
    Ok(!out.instances.unwrap_or_default().is_empty())
}

/// Whether to recommend IAM Identity Center: only when the account has an instance. Every
/// error is logged at debug level and means no.
pub async fn recommends_identity_center(c: &Clients) -> bool {
    match has_instance(c).await {
        Ok(has) => {
            tracing::debug!(has_instance = has, "IAM Identity Center looked up");
            has
        }
        Err(e) => {
            tracing::debug!(error = %e, "IAM Identity Center not looked up: no nudge");
            false
        }
    }
}
