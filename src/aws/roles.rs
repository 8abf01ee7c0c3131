//! The IAM calls of the encryption set-up's role: `CreateRole` (tagged with the run's mark),
//! `PutRolePolicy`, and for a role trusted by EC2 `CreateInstanceProfile` and
//! `AddRoleToInstanceProfile`.
//!
//! A retry that meets its own lost attempt's work counts as done only when it is this run's: a
//! role or instance profile that carries the run's mark, an instance profile that holds this very
//! role. Anything else is a clash.

use aws_sdk_iam::error::ProvideErrorMetadata;

use super::attempts::Attempts;
use super::mark::RunMark;
use super::{Clients, local_error, map_sdk_error};
use crate::protocol::{AwsError, StepKind};

/// `CreateRole` named `name` at path `/`, trusting what `trust_policy` says, tagged with `tags`
/// and the run's mark: the role's ARN.
pub async fn create_role(
    c: &Clients,
    name: &str,
    trust_policy: String,
    tags: &[(String, String)],
    mark: &RunMark,
) -> Result<String, AwsError> {
    let op = StepKind::CreateRole.operation();
    let tags = tags
        .iter()
        .map(|(k, v)| aws_sdk_iam::types::Tag::builder().key(k).value(v).build())
        .chain(std::iter::once(Ok(mark.iam_tag())))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| local_error(op, &e.to_string()))?;
    let attempts = Attempts::default();
    match c
        .iam
        .create_role()
        .role_name(name)
        .path("/")
        .assume_role_policy_document(trust_policy)
        .set_tags(Some(tags))
        .customize()
        .interceptor(attempts.clone())
        .send()
        .await
    {
        Ok(out) => Ok(out.role.map(|r| r.arn).unwrap_or_default()),
        // A retry after an attempt whose answer was lost: that attempt may have made the role.
        // It is ours only if it carries this run's mark; else someone else made one meanwhile,
        // and it is a clash.
        Err(e) if attempts.retried() && e.code() == Some("EntityAlreadyExists") => {
            match c.iam.get_role().role_name(name).send().await {
                Ok(out) => match out.role {
                    Some(r)
                        if mark.is_on(
                            r.tags().iter().map(|t| (t.key(), t.value())),
                            Some(r.create_date.secs()),
                        ) =>
                    {
                        Ok(r.arn)
                    }
                    _ => Err(map_sdk_error(op, e)),
                },
                Err(e) => Err(map_sdk_error("iam:GetRole", e)),
            }
        }
        Err(e) => Err(map_sdk_error(op, e)),
    }
}

/// `PutRolePolicy`: the inline policy `policy_name` with `document` on role `role`.
pub async fn put_role_policy(
    c: &Clients,
    role: &str,
    policy_name: &str,
    document: String,
) -> Result<(), AwsError> {
    c.iam
        .put_role_policy()
        .role_name(role)
        .policy_name(policy_name)
        .policy_document(document)
        .send()
        .await
        .map(drop)
        .map_err(|e| map_sdk_error("iam:PutRolePolicy", e))
}

/// `CreateInstanceProfile` named `name` at path `/`, tagged with the run's mark.
pub async fn create_instance_profile(
    c: &Clients,
    name: &str,
    mark: &RunMark,
) -> Result<(), AwsError> {
    let op = StepKind::CreateInstanceProfile.operation();
    let attempts = Attempts::default();
    match c
        .iam
        .create_instance_profile()
        .instance_profile_name(name)
        .path("/")
        .tags(mark.iam_tag())
        .customize()
        .interceptor(attempts.clone())
        .send()
        .await
    {
        Ok(_) => Ok(()),
        // The lost attempt of this very call made it if it carries this run's mark; else it is
        // someone else's, and a clash.
        Err(e) if attempts.retried() && e.code() == Some("EntityAlreadyExists") => {
            let found = c
                .iam
                .get_instance_profile()
                .instance_profile_name(name)
                .send()
                .await;
            match found.ok().and_then(|out| out.instance_profile) {
                Some(p)
                    if mark.is_on(
                        p.tags().iter().map(|t| (t.key(), t.value())),
                        Some(p.create_date.secs()),
                    ) =>
                {
                    Ok(())
                }
                _ => Err(map_sdk_error(op, e)),
            }
        }
        Err(e) => Err(map_sdk_error(op, e)),
    }
}

/// `AddRoleToInstanceProfile`: role `name` into the instance profile of the same name.
pub async fn add_role_to_instance_profile(c: &Clients, name: &str) -> Result<(), AwsError> {
    let op = StepKind::AddRoleToInstanceProfile.operation();
    let attempts = Attempts::default();
    match c
        .iam
        .add_role_to_instance_profile()
        .instance_profile_name(name)
        .role_name(name)
        .customize()
        .interceptor(attempts.clone())
        .send()
        .await
    {
        Ok(_) => Ok(()),
        // An instance profile holds one role: after a lost attempt, the retry finds it full. It
        // is done if the role in it is this one.
        Err(e) if attempts.retried() && e.code() == Some("LimitExceeded") => {
            match c
                .iam
                .get_instance_profile()
                .instance_profile_name(name)
                .send()
                .await
            {
                Ok(out)
                    if out
                        .instance_profile
                        .as_ref()
                        .is_some_and(|p| p.roles.iter().any(|r| r.role_name == name)) =>
                {
                    Ok(())
                }
                _ => Err(map_sdk_error(op, e)),
            }
        }
        Err(e) => Err(map_sdk_error(op, e)),
    }
}
