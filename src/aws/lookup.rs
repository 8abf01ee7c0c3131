//! Who holds a name: the user, role or instance profile of a given name, with what the admin
//! needs to recognise it (its ARN, the day it was made, the roles an instance profile holds).
//! The encryption set-up checks every name it would take before it makes anything; `iamwiz apply`
//! checks that the policies and groups a plan names exist.

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

use super::{Clients, map_sdk_error};
use crate::protocol::AwsError;

/// An entity that holds a name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holder {
    /// Its name as IAM stores it.
    pub name: String,
    pub arn: String,
    /// The day it was made (`YYYY-MM-DD`, UTC).
    pub created: Option<String>,
    /// For an instance profile, the roles in it.
    pub roles: Vec<String>,
}

fn day(d: &DateTime) -> Option<String> {
    d.fmt(Format::DateTime)
        .ok()
        .and_then(|d| d.get(..10).map(str::to_string))
}

/// The user named `name` (`GetUser`), or `None` (`NoSuchEntity`).
pub async fn user(c: &Clients, name: &str) -> Result<Option<Holder>, AwsError> {
    match c.iam.get_user().user_name(name).send().await {
        Ok(out) => Ok(Some(
            out.user
                .map(|u| Holder {
                    created: day(&u.create_date),
                    name: u.user_name,
                    arn: u.arn,
                    roles: Vec::new(),
                })
                .unwrap_or_else(|| named(name)),
        )),
        Err(e) if e.code() == Some("NoSuchEntity") => Ok(None),
        Err(e) => Err(map_sdk_error("iam:GetUser", e)),
    }
}

/// The role named `name` (`GetRole`), or `None` (`NoSuchEntity`).
pub async fn role(c: &Clients, name: &str) -> Result<Option<Holder>, AwsError> {
    match c.iam.get_role().role_name(name).send().await {
        Ok(out) => Ok(Some(
            out.role
                .map(|r| Holder {
                    created: day(&r.create_date),
                    name: r.role_name,
                    arn: r.arn,
                    roles: Vec::new(),
                })
                .unwrap_or_else(|| named(name)),
        )),
        Err(e) if e.code() == Some("NoSuchEntity") => Ok(None),
        Err(e) => Err(map_sdk_error("iam:GetRole", e)),
    }
}

/// The instance profile named `name` (`GetInstanceProfile`), or `None` (`NoSuchEntity`).
pub async fn instance_profile(c: &Clients, name: &str) -> Result<Option<Holder>, AwsError> {
    let got = c.iam.get_instance_profile().instance_profile_name(name);
    match got.send().await {
        Ok(out) => Ok(Some(
            out.instance_profile
                .map(|p| Holder {
                    created: day(&p.create_date),
                    name: p.instance_profile_name,
                    arn: p.arn,
                    roles: p.roles.into_iter().map(|r| r.role_name).collect(),
                })
                .unwrap_or_else(|| named(name)),
        )),
        Err(e) if e.code() == Some("NoSuchEntity") => Ok(None),
        Err(e) => Err(map_sdk_error("iam:GetInstanceProfile", e)),
    }
}

/// A holder IAM answered for without details.
fn named(name: &str) -> Holder {
    Holder {
        name: name.to_string(),
        ..Holder::default()
    }
}

/// Whether the managed policy `arn` exists (`GetPolicy`; `NoSuchEntity` means not).
pub async fn policy_exists(c: &Clients, arn: &str) -> Result<bool, AwsError> {
    match c.iam.get_policy().policy_arn(arn).send().await {
        Ok(_) => Ok(true),
        Err(e) if e.code() == Some("NoSuchEntity") => Ok(false),
        Err(e) => Err(map_sdk_error("iam:GetPolicy", e)),
    }
}

/// Whether the group `name` exists (`GetGroup` of one member at most; `NoSuchEntity` means
/// not).
pub async fn group_exists(c: &Clients, name: &str) -> Result<bool, AwsError> {
    match c.iam.get_group().group_name(name).max_items(1).send().await {
        Ok(_) => Ok(true),
        Err(e) if e.code() == Some("NoSuchEntity") => Ok(false),
        Err(e) => Err(map_sdk_error("iam:GetGroup", e)),
    }
}
