//! The creation plan's calls for one user: `CreateUser` (carrying the tags, the run's mark and the
//! permissions boundary), `CreateLoginProfile`, `CreateAccessKey`, `AddUserToGroup`,
//! `AttachUserPolicy` and `PutUserPolicy`.
//!
//! The three that are not idempotent tell a retry that meets its own lost attempt's work from a
//! clash: a user is this run's only if it carries the run's mark and is as sent; a login profile
//! on a user that is ours and new is the one the lost attempt set; and after a retried
//! `CreateAccessKey`, every other key made since the run started is an orphan whose secret
//! nobody saw, and is deleted.

use aws_sdk_iam::error::ProvideErrorMetadata;

use super::attempts::Attempts;
use super::mark::{RunMark, TAG_KEY};
use super::no_reuse::CloseAfterResponse;
use super::{Clients, local_error, map_sdk_error};
use crate::protocol::{AccessKeyPair, AwsError, StepKind, UserSpec};
use crate::secret::Secret;

/// `CreateUser` for `spec`, tagged with the run's mark: the new user's ARN. A retry that meets a
/// user of that name adopts it only if `made_as_sent`; else it is a clash.
pub async fn create_user(c: &Clients, spec: &UserSpec, mark: &RunMark) -> Result<String, AwsError> {
    let op = StepKind::CreateUser.operation();
    let mut tags = spec
        .tags
        .iter()
        .map(|(k, v)| aws_sdk_iam::types::Tag::builder().key(k).value(v).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| local_error(op, &e.to_string()))?;
    tags.push(mark.iam_tag());
    let attempts = Attempts::default();
    let sent = c
        .iam
        .create_user()
        .user_name(&spec.name)
        .path(&spec.path)
        .set_tags(Some(tags))
        .set_permissions_boundary(spec.boundary.clone())
        .customize()
        .interceptor(attempts.clone())
        .send()
        .await;
    match sent {
        Ok(out) => Ok(out.user.map(|u| u.arn).unwrap_or_default()),
        // A retry after an attempt whose response was lost: that attempt may have made the user.
        // It is ours only if it carries this run's mark and is as that attempt would have made
        // it; a user someone else created meanwhile is a clash, never given a key, never deleted.
        Err(e) if attempts.retried() && e.code() == Some("EntityAlreadyExists") => {
            let found = c
                .iam
                .get_user()
                .user_name(&spec.name)
                .send()
                .await
                .map_err(|e| map_sdk_error("iam:GetUser", e))?
                .user;
            match found {
                Some(u) if made_as_sent(&u, spec, mark) => Ok(u.arn),
                _ => Err(map_sdk_error(op, e)),
            }
        }
        Err(e) => Err(map_sdk_error(op, e)),
    }
}

/// Whether `found` is the user this run's `CreateUser` of `spec` made: it carries the run's
/// mark, was made since the run started, and has the path, tags and permissions boundary sent.
fn made_as_sent(found: &aws_sdk_iam::types::User, spec: &UserSpec, mark: &RunMark) -> bool {
    let created = Some(found.create_date().secs());
    if !mark.is_on(found.tags().iter().map(|t| (t.key(), t.value())), created) {
        return false;
    }
    let mut tags: Vec<(&str, &str)> = found
        .tags()
        .iter()
        .map(|t| (t.key(), t.value()))
        .filter(|(k, _)| *k != TAG_KEY)
        .collect();
    let mut sent: Vec<(&str, &str)> = spec
        .tags
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    tags.sort_unstable();
    sent.sort_unstable();
    let boundary = found
        .permissions_boundary()
        .and_then(|b| b.permissions_boundary_arn());
    found.path() == spec.path && tags == sent && boundary == spec.boundary.as_deref()
}

/// `CreateLoginProfile`: `password` as `user`'s console password.
pub async fn create_login_profile(
    c: &Clients,
    user: &str,
    password: &Secret,
    require_reset: bool,
) -> Result<(), AwsError> {
    let attempts = Attempts::default();
    let sent = c
        .iam
        .create_login_profile()
        .user_name(user)
        .password(password.expose())
        .password_reset_required(require_reset)
        .customize()
        .interceptor(attempts.clone())
        .send()
        .await;
    match sent {
        Ok(_) => Ok(()),
        // The user is ours and new: a login profile it already has is the one a lost attempt of
        // this very call set.
        Err(e) if attempts.retried() && e.code() == Some("EntityAlreadyExists") => Ok(()),
        Err(e) => Err(map_sdk_error(StepKind::CreateLoginProfile.operation(), e)),
    }
}

/// `CreateAccessKey` for `user`, sent once (the SDK may retry it), and whether it was retried:
/// then a lost attempt may have made a key whose secret nobody saw, which the caller removes by
/// its own rule.
pub(super) async fn send_create_access_key(
    c: &Clients,
    user: &str,
) -> Result<(AccessKeyPair, bool), AwsError> {
    let op = StepKind::CreateAccessKey.operation();
    let attempts = Attempts::default();
    let out = c
        .iam
        .create_access_key()
        .user_name(user)
        .customize()
        .interceptor(attempts.clone())
        // The response carries the secret: no pooled connection keeps it in its buffer.
        .interceptor(CloseAfterResponse)
        .send()
        .await
        .map_err(|e| map_sdk_error(op, e))?;
    let key = out
        .access_key
        .ok_or_else(|| local_error(op, "the response carried no access key"))?;
    let pair = AccessKeyPair {
        id: key.access_key_id,
        secret: Secret::new(key.secret_access_key),
    };
    Ok((pair, attempts.retried()))
}

/// `CreateAccessKey` for `user`, ours and new (see the module header for a retried call).
pub async fn create_access_key(
    c: &Clients,
    user: &str,
    mark: &RunMark,
) -> Result<AccessKeyPair, AwsError> {
    let (pair, retried) = send_create_access_key(c, user).await?;
    if retried {
        // A lost attempt may have made a key whose secret nobody saw: the user is ours and new,
        // so every other key is such an orphan.
        remove_other_keys(c, user, &pair.id, mark).await?;
    }
    Ok(pair)
}

/// Deletes every access key of `user` made since the run started but `keep` (orphans of a lost
/// `CreateAccessKey` attempt: the user is this run's, marked and new).
async fn remove_other_keys(
    c: &Clients,
    user: &str,
    keep: &str,
    mark: &RunMark,
) -> Result<(), AwsError> {
    let keys = c
        .iam
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .map_err(|e| map_sdk_error("iam:ListAccessKeys", e))?;
    for id in keys
        .access_key_metadata
        .into_iter()
        .filter(|k| mark.made_since_start(k.create_date.map(|d| d.secs())))
        .filter_map(|k| k.access_key_id)
        .filter(|id| id != keep)
    {
        c.iam
            .delete_access_key()
            .user_name(user)
            .access_key_id(&id)
            .send()
            .await
            .map_err(|e| map_sdk_error("iam:DeleteAccessKey", e))?;
    }
    Ok(())
}

/// `AddUserToGroup`.
pub async fn add_user_to_group(c: &Clients, user: &str, group: &str) -> Result<(), AwsError> {
    c.iam
        .add_user_to_group()
        .user_name(user)
        .group_name(group)
        .send()
        .await
        .map(drop)
        .map_err(|e| map_sdk_error("iam:AddUserToGroup", e))
}

/// `AttachUserPolicy`: the managed policy `arn`.
pub async fn attach_user_policy(c: &Clients, user: &str, arn: &str) -> Result<(), AwsError> {
    c.iam
        .attach_user_policy()
        .user_name(user)
        .policy_arn(arn)
        .send()
        .await
        .map(drop)
        .map_err(|e| map_sdk_error("iam:AttachUserPolicy", e))
}

/// `PutUserPolicy`: the inline policy `name` with `document`.
pub async fn put_user_policy(
    c: &Clients,
    user: &str,
    name: &str,
    document: &str,
) -> Result<(), AwsError> {
    c.iam
        .put_user_policy()
        .user_name(user)
        .policy_name(name)
        .policy_document(document)
        .send()
        .await
        .map(drop)
        .map_err(|e| map_sdk_error("iam:PutUserPolicy", e))
}
