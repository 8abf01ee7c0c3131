//! Command-line flags.

use clap::Parser;

use crate::aws::AwsSettings;

/// Create AWS IAM users safely, the way the AWS console does, in your terminal.
///
/// Credentials come from the AWS default chain: environment variables, the shared config and
/// credentials files (AWS_PROFILE or --profile), SSO, and instance or container roles.
#[derive(Debug, Parser)]
#[command(name = "iamwiz", version)]
pub struct Cli {
    /// Named profile from ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, else
    /// "default").
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// AWS region for signing and the console URL (default: AWS_REGION or the profile's region;
    /// IAM itself is global).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Send every AWS request to this URL instead (default: AWS_ENDPOINT_URL). For LocalStack,
    /// moto or a VPC endpoint.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

impl Cli {
    pub fn aws_settings(&self) -> AwsSettings {
        AwsSettings {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            credentials: None,
            interceptors: Vec::new(),
        }
    }
}
