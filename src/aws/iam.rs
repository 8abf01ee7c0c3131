//! The read calls behind the wizard's lists: identity, groups, users, policies, and the permissions
//! of a user to copy from.

use futures::{StreamExt, TryStreamExt, stream};

use super::{Clients, map_sdk_error};
use crate::protocol::{
    AwsError, GroupInfo, Identity, InlinePolicy, PolicyInfo, PolicyScope, UserInfo, UserPermissions,
};

/// How many per-group or per-policy calls run at once (IAM throttles bursts).
const FAN_OUT: usize = 8;

pub async fn identity(c: &Clients) -> Result<Identity, AwsError> {
    let out = c
        .sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| map_sdk_error("sts:GetCallerIdentity", e))?;
    Ok(Identity {
        account: out.account().unwrap_or_default().to_string(),
        arn: out.arn().unwrap_or_default().to_string(),
        region: c.region.clone(),
    })
}

/// All groups, each with the names of its attached managed policies, sorted by name.
pub async fn groups(c: &Clients) -> Result<Vec<GroupInfo>, AwsError> {
    let names: Vec<String> = c
        .iam
        .list_groups()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map(|v| v.into_iter().map(|g| g.group_name).collect::<Vec<_>>())
        .map_err(|e| map_sdk_error("iam:ListGroups", e))?;
    let mut groups: Vec<GroupInfo> = stream::iter(names)
        .map(|name| async move {
            let policies: Vec<String> = c
                .iam
                .list_attached_group_policies()
                .group_name(&name)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map(|v| {
                    v.into_iter()
                        .map(|p| p.policy_name.unwrap_or_default())
                        .collect::<Vec<_>>()
                })
                .map_err(|e| map_sdk_error("iam:ListAttachedGroupPolicies", e))?;
            Ok::<_, AwsError>(GroupInfo { name, policies })
        })
        .buffered(FAN_OUT)
        .try_collect()
        .await?;
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(groups)
}

pub async fn users(c: &Clients) -> Result<Vec<UserInfo>, AwsError> {
    let mut users: Vec<UserInfo> = c
        .iam
        .list_users()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map(|v| {
            v.into_iter()
                .map(|u| UserInfo {
                    name: u.user_name,
                    path: u.path,
                })
                .collect::<Vec<_>>()
        })
        .map_err(|e| map_sdk_error("iam:ListUsers", e))?;
    users.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(users)
}

/// Whether `arn` names an AWS managed policy (`arn:<partition>:iam::aws:policy/…`).
pub fn is_aws_managed(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws")
}

/// Every managed policy the account can attach: AWS managed and customer managed, sorted by name.
pub async fn policies(c: &Clients) -> Result<Vec<PolicyInfo>, AwsError> {
    let mut policies: Vec<PolicyInfo> = c
        .iam
        .list_policies()
        .max_items(1000)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map(|v| {
            v.into_iter()
                .map(|p| {
                    let arn = p.arn.unwrap_or_default();
                    PolicyInfo {
                        name: p.policy_name.unwrap_or_default(),
                        scope: if is_aws_managed(&arn) {
                            PolicyScope::Aws
                        } else {
                            PolicyScope::Customer
                        },
                        description: p.description.unwrap_or_default(),
                        arn,
                    }
                })
                .collect::<Vec<_>>()
        })
        .map_err(|e| map_sdk_error("iam:ListPolicies", e))?;
    policies.sort_by_key(|p| p.name.to_lowercase());
    Ok(policies)
}

/// What "copy permissions" takes from `user`: groups, attached policies, inline policies (with
/// their documents) and the permissions boundary.
pub async fn user_permissions(c: &Clients, user: &str) -> Result<UserPermissions, AwsError> {
    let groups = async {
        c.iam
            .list_groups_for_user()
            .user_name(user)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map(|v| v.into_iter().map(|g| g.group_name).collect::<Vec<_>>())
            .map_err(|e| map_sdk_error("iam:ListGroupsForUser", e))
    };
    let policies = async {
        c.iam
            .list_attached_user_policies()
            .user_name(user)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map(|v| {
                v.into_iter()
                    .map(|p| p.policy_arn.unwrap_or_default())
                    .collect::<Vec<_>>()
            })
            .map_err(|e| map_sdk_error("iam:ListAttachedUserPolicies", e))
    };
    let inline = async {
        let names: Vec<String> = c
            .iam
            .list_user_policies()
            .user_name(user)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| map_sdk_error("iam:ListUserPolicies", e))?;
        stream::iter(names)
            .map(|name| async move {
                let out = c
                    .iam
                    .get_user_policy()
                    .user_name(user)
                    .policy_name(&name)
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("iam:GetUserPolicy", e))?;
                Ok::<_, AwsError>(InlinePolicy {
                    name,
                    document: decode_policy_document(&out.policy_document),
                })
            })
            .buffered(FAN_OUT)
            .try_collect::<Vec<_>>()
            .await
    };
    let boundary = async {
        let out = c
            .iam
            .get_user()
            .user_name(user)
            .send()
            .await
            .map_err(|e| map_sdk_error("iam:GetUser", e))?;
        Ok::<_, AwsError>(
            out.user
                .and_then(|u| u.permissions_boundary)
                .and_then(|b| b.permissions_boundary_arn),
        )
    };
    let (groups, policies, inline, boundary) =
        tokio::try_join!(groups, policies, inline, boundary)?;
    Ok(UserPermissions {
        groups,
        policies,
        inline,
        boundary,
    })
}

/// IAM returns policy documents URL-encoded; this gives back the JSON text.
pub fn decode_policy_document(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_managed_policies_are_told_apart_in_every_partition() {
        assert!(is_aws_managed("arn:aws:iam::aws:policy/ReadOnlyAccess"));
        assert!(is_aws_managed(
            "arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess"
        ));
        assert!(!is_aws_managed(
            "arn:aws:iam::123456789012:policy/aws-named"
        ));
    }

    #[test]
    fn policy_documents_are_url_decoded() {
        assert_eq!(
            decode_policy_document("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
    }
}
