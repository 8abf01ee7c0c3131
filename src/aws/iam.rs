//! The read calls behind the wizard's lists: identity, groups, users, policies, and the permissions
//! of a user to copy from.

use futures::{StreamExt, TryStreamExt, stream};

use super::{Clients, map_sdk_error};
use crate::protocol::PasswordPolicy;
use crate::protocol::{
    AwsError, GroupInfo, Identity, InlinePolicy, NameKind, PolicyDocument, PolicyInfo, PolicyScope,
    UserInfo, UserPermissions,
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
///
/// Read with `GetAccountAuthorizationDetails` (groups only, 1,000 a page): an account's groups
/// cost a page, not a request per group, which under IAM's shared request quota matters. An
/// identity that may not call it gets the groups one by one as before.
pub async fn groups(c: &Clients) -> Result<Vec<GroupInfo>, AwsError> {
    let mut groups = match groups_in_pages(c).await {
        Err(e) if is_denied(&e.code) => groups_one_by_one(c).await?,
        read => read?,
    };
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(groups)
}

/// The names of all groups: one page of `GetAccountAuthorizationDetails` (1,000 groups), or
/// `ListGroups` for an identity that may not call it.
pub async fn group_names(c: &Clients) -> Result<Vec<String>, AwsError> {
    match groups_in_pages(c).await {
        Ok(groups) => Ok(groups.into_iter().map(|g| g.name).collect()),
        Err(e) if is_denied(&e.code) => list_group_names(c).await,
        Err(e) => Err(e),
    }
}

/// The names of all groups with `ListGroups`, 1,000 a page.
async fn list_group_names(c: &Clients) -> Result<Vec<String>, AwsError> {
    c.iam
        .list_groups()
        .max_items(1000)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map(|v| v.into_iter().map(|g| g.group_name).collect::<Vec<_>>())
        .map_err(|e| map_sdk_error("iam:ListGroups", e))
}

fn is_denied(code: &str) -> bool {
    matches!(
        code,
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation"
    )
}

async fn groups_in_pages(c: &Clients) -> Result<Vec<GroupInfo>, AwsError> {
    let pages: Vec<_> = c
        .iam
        .get_account_authorization_details()
        .filter(aws_sdk_iam::types::EntityType::Group)
        .max_items(1000)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| map_sdk_error("iam:GetAccountAuthorizationDetails", e))?;
    Ok(pages
        .into_iter()
        .flat_map(|page| page.group_detail_list.unwrap_or_default())
        .map(|g| GroupInfo {
            name: g.group_name.unwrap_or_default(),
            policies: g
                .attached_managed_policies
                .unwrap_or_default()
                .into_iter()
                .map(|p| p.policy_name.unwrap_or_default())
                .collect(),
        })
        .collect())
}

async fn groups_one_by_one(c: &Clients) -> Result<Vec<GroupInfo>, AwsError> {
    let names = list_group_names(c).await?;
    stream::iter(names)
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
        .await
}

pub async fn users(c: &Clients) -> Result<Vec<UserInfo>, AwsError> {
    // 1,000 a page (IAM's largest): an account at IAM's 5,000 users is 5 requests, not 50.
    let mut users: Vec<UserInfo> = c
        .iam
        .list_users()
        .max_items(1000)
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
                    let path = p
                        .path
                        .filter(|path| !path.is_empty())
                        .unwrap_or_else(|| policy_path(&arn).to_string());
                    PolicyInfo {
                        path,
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

/// The account alias, if there is one (an account has at most one).
pub async fn account_alias(c: &Clients) -> Result<Option<String>, AwsError> {
    let out = c
        .iam
        .list_account_aliases()
        .send()
        .await
        .map_err(|e| map_sdk_error("iam:ListAccountAliases", e))?;
    Ok(out.account_aliases.into_iter().next())
}

/// Whether a user named `name` exists: its name as IAM stores it, or `None`.
pub async fn find_user(c: &Clients, name: &str) -> Result<Option<String>, AwsError> {
    Ok(super::lookup::user(c, name).await?.map(|h| h.name))
}

/// Whether a role named `name` exists: its name as IAM stores it, or `None`.
pub async fn find_role(c: &Clients, name: &str) -> Result<Option<String>, AwsError> {
    Ok(super::lookup::role(c, name).await?.map(|h| h.name))
}

/// Whether an instance profile named `name` exists: its name as IAM stores it, or `None`.
pub async fn find_instance_profile(c: &Clients, name: &str) -> Result<Option<String>, AwsError> {
    Ok(super::lookup::instance_profile(c, name)
        .await?
        .map(|h| h.name))
}

/// Whether an entity of `kind` named `name` exists: its name as IAM stores it, or `None`.
pub async fn find_name(
    c: &Clients,
    kind: NameKind,
    name: &str,
) -> Result<Option<String>, AwsError> {
    match kind {
        NameKind::User => find_user(c, name).await,
        NameKind::Role => find_role(c, name).await,
        NameKind::InstanceProfile => find_instance_profile(c, name).await,
    }
}

/// The account's password policy. An account that sets none (`NoSuchEntity`) gets the AWS
/// default, [`PasswordPolicy::aws_default`].
pub async fn password_policy(c: &Clients) -> Result<PasswordPolicy, AwsError> {
    let out = match c.iam.get_account_password_policy().send().await {
        Ok(out) => out,
        Err(e) => {
            let e = map_sdk_error("iam:GetAccountPasswordPolicy", e);
            return if e.code == "NoSuchEntity" {
                Ok(PasswordPolicy::aws_default())
            } else {
                Err(e)
            };
        }
    };
    let Some(p) = out.password_policy else {
        return Ok(PasswordPolicy::aws_default());
    };
    Ok(PasswordPolicy {
        // A policy set without a minimum asks for 8 (the API's default).
        min_length: p
            .minimum_password_length
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(8),
        require_uppercase: p.require_uppercase_characters,
        require_lowercase: p.require_lowercase_characters,
        require_digit: p.require_numbers,
        require_symbol: p.require_symbols,
        allow_users_to_change_password: p.allow_users_to_change_password,
        is_default: false,
    })
}

/// The path part of a policy ARN (`arn:aws:iam::aws:policy/job-function/ViewOnlyAccess` →
/// `/job-function/`), for a listing that leaves the path out.
pub fn policy_path(arn: &str) -> &str {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    let rest = resource.strip_prefix("policy").unwrap_or_default();
    match rest.rfind('/') {
        Some(end) if rest.starts_with('/') => &rest[..=end],
        _ => "/",
    }
}

/// The default version of the managed policy `arn`: `GetPolicy` for its default version id and
/// description, then `GetPolicyVersion` for the document, pretty-printed.
pub async fn policy_document(c: &Clients, arn: &str) -> Result<PolicyDocument, AwsError> {
    let policy = c
        .iam
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .map_err(|e| map_sdk_error("iam:GetPolicy", e))?
        .policy;
    let (version, description) = policy
        .map(|p| (p.default_version_id, p.description))
        .unwrap_or_default();
    let version = version.unwrap_or_else(|| "v1".to_string());
    let text = version_document(c, arn, &version).await?;
    Ok(PolicyDocument {
        version,
        description: description.unwrap_or_default(),
        summary: summarize_policy(&text),
        document: pretty_json(&text),
    })
}

/// The document of version `version` of the managed policy `arn` (`GetPolicyVersion`), decoded
/// from the URL encoding IAM returns it in.
pub async fn version_document(c: &Clients, arn: &str, version: &str) -> Result<String, AwsError> {
    let out = c
        .iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(version)
        .send()
        .await
        .map_err(|e| map_sdk_error("iam:GetPolicyVersion", e))?;
    let raw = out
        .policy_version
        .and_then(|v| v.document)
        .unwrap_or_default();
    Ok(decode_policy_document(&raw))
}

/// One line on what a policy document grants: each statement's effect, how many actions and on
/// what (`Allow 1,521 actions on *; Deny iam:* on 2 resources`). Empty when it is not a policy.
pub fn summarize_policy(text: &str) -> String {
    use serde_json::Value;
    let Ok(doc) = serde_json::from_str::<Value>(text) else {
        return String::new();
    };
    let statements = match doc.get("Statement") {
        Some(Value::Array(v)) => v.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    let list = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    let things = |items: Vec<String>, what: &str| match items.as_slice() {
        [only] => only.clone(),
        _ => format!("{} {what}", thousands(items.len())),
    };
    statements
        .iter()
        .map(|st| {
            let effect = st.get("Effect").and_then(Value::as_str).unwrap_or("?");
            let actions = match st.get("NotAction") {
                Some(v) => format!("all actions but {}", things(list(Some(v)), "actions")),
                None => things(list(st.get("Action")), "actions"),
            };
            let resources = match st.get("NotResource") {
                Some(v) => format!("all but {}", things(list(Some(v)), "resources")),
                None => things(list(st.get("Resource")), "resources"),
            };
            let mut line = format!("{effect} {actions} on {resources}");
            if st.get("Condition").is_some() {
                line.push_str(" (with conditions)");
            }
            line
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `n` with thousands separators (`1,521`).
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `text` pretty-printed when it is JSON, else as it is.
pub fn pretty_json(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string())
}

/// The names of the groups `user` is a member of (`ListGroupsForUser`, all pages).
pub async fn user_groups(c: &Clients, user: &str) -> Result<Vec<String>, AwsError> {
    c.iam
        .list_groups_for_user()
        .user_name(user)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map(|v| v.into_iter().map(|g| g.group_name).collect())
        .map_err(|e| map_sdk_error("iam:ListGroupsForUser", e))
}

/// The ARNs of the managed policies attached to `user` (`ListAttachedUserPolicies`, all pages).
pub async fn user_policy_arns(c: &Clients, user: &str) -> Result<Vec<String>, AwsError> {
    c.iam
        .list_attached_user_policies()
        .user_name(user)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map(|v| v.into_iter().filter_map(|p| p.policy_arn).collect())
        .map_err(|e| map_sdk_error("iam:ListAttachedUserPolicies", e))
}

/// The names of `user`'s inline policies (`ListUserPolicies`, all pages).
pub async fn user_inline_policy_names(c: &Clients, user: &str) -> Result<Vec<String>, AwsError> {
    c.iam
        .list_user_policies()
        .user_name(user)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| map_sdk_error("iam:ListUserPolicies", e))
}

/// The IDs of `user`'s access keys (`ListAccessKeys`, all pages).
pub async fn user_access_key_ids(c: &Clients, user: &str) -> Result<Vec<String>, AwsError> {
    c.iam
        .list_access_keys()
        .user_name(user)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map(|v| v.into_iter().filter_map(|k| k.access_key_id).collect())
        .map_err(|e| map_sdk_error("iam:ListAccessKeys", e))
}

/// What "copy permissions" takes from `user`: groups, attached policies, inline policies (with
/// their documents) and the permissions boundary.
pub async fn user_permissions(c: &Clients, user: &str) -> Result<UserPermissions, AwsError> {
    let groups = user_groups(c, user);
    let policies = user_policy_arns(c, user);
    let inline = async {
        let names = user_inline_policy_names(c, user).await?;
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
    fn policy_paths_come_from_the_arn_when_not_listed() {
        assert_eq!(
            policy_path("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"),
            "/job-function/"
        );
        assert_eq!(policy_path("arn:aws:iam::aws:policy/ReadOnlyAccess"), "/");
        assert_eq!(
            policy_path("arn:aws:iam::123456789012:policy/a/b/Mine"),
            "/a/b/"
        );
    }

    #[test]
    fn policies_are_summarized_in_a_line() {
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"},
            {"Effect":"Deny","Action":"iam:*","Resource":["arn:a","arn:b"],
             "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}},
            {"Effect":"Allow","NotAction":["iam:*"],"Resource":"*"}]}"#;
        assert_eq!(
            summarize_policy(doc),
            "Allow 2 actions on *; Deny iam:* on 2 resources (with conditions); \
             Allow all actions but iam:* on *"
        );
        let many: Vec<String> = (0..1521).map(|i| format!("\"s:A{i}\"")).collect();
        let doc = format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":[{}],"Resource":"*"}}}}"#,
            many.join(",")
        );
        assert_eq!(summarize_policy(&doc), "Allow 1,521 actions on *");
        assert_eq!(summarize_policy("not json"), "");
    }

    #[test]
    fn policy_documents_are_url_decoded() {
        assert_eq!(
            decode_policy_document("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
    }
}
