//! The access-key calls of `iamwiz keys`: a user's keys with their last use and the console's
//! description (`ListAccessKeys`, `GetAccessKeyLastUsed`, `ListUserTags`), a new key for an
//! existing user (`CreateAccessKey`), and the old key's end (`UpdateAccessKey`,
//! `DeleteAccessKey`).
//!
//! A retried `CreateAccessKey` may have made a key in a lost attempt whose secret nobody saw:
//! [`create_key`] deletes every key the user did not have before but the one it returns.

use futures::TryStreamExt;
use futures::future::try_join_all;
use futures::stream::{self, StreamExt};

use super::{Clients, local_error, map_sdk_error};
use crate::model::keys::{AccessKeyInfo, LastUse};
use crate::protocol::{AccessKeyPair, AwsError};
use aws_sdk_iam::types::StatusType;

/// How many users' keys are read at once (IAM throttles bursts).
const FAN_OUT: usize = 4;

/// Every user's name (`ListUsers`, 1,000 a page), sorted.
pub async fn user_names(c: &Clients) -> Result<Vec<String>, AwsError> {
    Ok(super::iam::users(c)
        .await?
        .into_iter()
        .map(|u| u.name)
        .collect())
}

/// The ARN of the user named `name` (`GetUser`), or `None` when there is no such user.
pub async fn user_arn(c: &Clients, name: &str) -> Result<Option<String>, AwsError> {
    Ok(super::lookup::user(c, name).await?.map(|h| h.arn))
}

/// `user`'s access keys, oldest first, each with its last use and description.
pub async fn user_keys(c: &Clients, user: &str) -> Result<Vec<AccessKeyInfo>, AwsError> {
    let listed: Vec<_> = c
        .iam
        .list_access_keys()
        .user_name(user)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| map_sdk_error("iam:ListAccessKeys", e))?;
    let tags: Vec<_> = c
        .iam
        .list_user_tags()
        .user_name(user)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| map_sdk_error("iam:ListUserTags", e))?;
    let keys = try_join_all(listed.into_iter().map(|k| {
        let tags = &tags;
        async move {
            let id = k.access_key_id.unwrap_or_default();
            let last_used = match last_use(c, &id).await {
                Ok(last_used) => last_used,
                // Deleted since it was listed (by another admin, or a rotation): not a key of
                // the user any more.
                Err(e) if e.code == "NoSuchEntity" => return Ok(None),
                Err(e) => return Err(e),
            };
            let description = tags.iter().find(|t| t.key == id).map(|t| t.value.clone());
            Ok::<_, AwsError>(Some(AccessKeyInfo {
                user: user.to_string(),
                status: k.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
                created: k.create_date.map(|d| d.secs()),
                last_used,
                description,
                id,
            }))
        }
    }))
    .await?;
    let mut keys: Vec<AccessKeyInfo> = keys.into_iter().flatten().collect();
    keys.sort_by_key(|k| k.created);
    Ok(keys)
}

/// The keys of each of `users`, in their order.
pub async fn users_keys(c: &Clients, users: &[String]) -> Result<Vec<AccessKeyInfo>, AwsError> {
    let per_user: Vec<Vec<AccessKeyInfo>> = stream::iter(users)
        .map(|u| async move {
            match user_keys(c, u).await {
                // Deleted since the users were listed: no keys to show.
                Err(e) if e.code == "NoSuchEntity" => Ok(Vec::new()),
                other => other,
            }
        })
        .buffered(FAN_OUT)
        .try_collect()
        .await?;
    Ok(per_user.into_iter().flatten().collect())
}

/// `GetAccessKeyLastUsed`: `None` when the key was never used.
async fn last_use(c: &Clients, id: &str) -> Result<Option<LastUse>, AwsError> {
    let out = c
        .iam
        .get_access_key_last_used()
        .access_key_id(id)
        .send()
        .await
        .map_err(|e| map_sdk_error("iam:GetAccessKeyLastUsed", e))?;
    Ok(out.access_key_last_used.and_then(|u| {
        let known = |s: String| Some(s).filter(|s| !s.is_empty() && s != "N/A");
        u.last_used_date.map(|d| LastUse {
            date: d.secs(),
            service: known(u.service_name),
            region: known(u.region),
        })
    }))
}

/// `CreateAccessKey` for `user`, who had the keys `before`. A retry that meets its own lost
/// attempt's key deletes it (nobody saw its secret).
pub async fn create_key(
    c: &Clients,
    user: &str,
    before: &[String],
) -> Result<AccessKeyPair, AwsError> {
    let (pair, retried) = super::users::send_create_access_key(c, user).await?;
    if retried {
        for other in super::iam::user_access_key_ids(c, user).await? {
            if other != pair.id && !before.contains(&other) {
                delete_key(c, user, &other).await?;
            }
        }
    }
    Ok(pair)
}

/// `UpdateAccessKey`: `Active` or `Inactive`.
pub async fn set_key_active(
    c: &Clients,
    user: &str,
    id: &str,
    active: bool,
) -> Result<(), AwsError> {
    let status = if active {
        StatusType::Active
    } else {
        StatusType::Inactive
    };
    c.iam
        .update_access_key()
        .user_name(user)
        .access_key_id(id)
        .status(status)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| map_sdk_error("iam:UpdateAccessKey", e))
}

/// `DeleteAccessKey`.
pub async fn delete_key(c: &Clients, user: &str, id: &str) -> Result<(), AwsError> {
    c.iam
        .delete_access_key()
        .user_name(user)
        .access_key_id(id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| map_sdk_error("iam:DeleteAccessKey", e))
}

/// `TagUser`: `text` as the description of `user`'s key `id`, the console's way (the tag's key
/// is the access key ID).
pub async fn set_description(
    c: &Clients,
    user: &str,
    id: &str,
    text: &str,
) -> Result<(), AwsError> {
    let op = "iam:TagUser";
    let tag = aws_sdk_iam::types::Tag::builder()
        .key(id)
        .value(text)
        .build()
        .map_err(|e| local_error(op, &e.to_string()))?;
    c.iam
        .tag_user()
        .user_name(user)
        .tags(tag)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| map_sdk_error(op, e))
}

/// `UntagUser`: the description of `user`'s deleted key `id`.
pub async fn remove_description(c: &Clients, user: &str, id: &str) -> Result<(), AwsError> {
    c.iam
        .untag_user()
        .user_name(user)
        .tag_keys(id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| map_sdk_error("iam:UntagUser", e))
}
