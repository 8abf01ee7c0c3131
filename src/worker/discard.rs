//! Discarding users made in this run whose secrets nobody can have: when the wizard ends on a
//! signal before any secret of the batch was shown, copied or saved, those users would be live
//! accounts with credentials no one holds. Each is removed whole: what IAM lists as attached to
//! it, in the order IAM requires before `DeleteUser` succeeds (access keys, console password,
//! managed policies, inline policies, group memberships), then the user.
//!
//! What is attached is read from IAM rather than taken from the plan, so whatever the run made
//! (a key a retried call made twice included) is found.

use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use futures::future::join_all;

use crate::aws::{Clients, map_sdk_error};
use crate::protocol::{AwsError, DiscardedUser, Leftover, policy_name};

/// Discards every user of `users`, all at once; one entry per user, in the same order.
pub async fn discard_users(c: &Clients, users: &[String]) -> Vec<DiscardedUser> {
    join_all(users.iter().map(|u| discard_user(c, u))).await
}

/// What one kind of attachment is, for the report: how to name an item, and the AWS CLI
/// commands that list and remove it.
struct Kind {
    /// The list (or get) operation, for a failure to read.
    list_op: &'static str,
    /// How the items of this kind are named when they could not be read.
    all: &'static str,
    list_command: &'static str,
}

/// Removes `user` and everything attached to it. An item that is already gone counts as
/// removed; the user is deleted only when nothing is left attached.
pub async fn discard_user(c: &Clients, user: &str) -> DiscardedUser {
    let mut d = DiscardedUser {
        user: user.to_string(),
        deleted: Vec::new(),
        leftovers: Vec::new(),
    };
    let iam = &c.iam;

    const KEYS: Kind = Kind {
        list_op: "iam:ListAccessKeys",
        all: "access keys",
        list_command: "list-access-keys",
    };
    let keys = iam
        .list_access_keys()
        .user_name(user)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map(|v| {
            v.into_iter()
                .filter_map(|k| k.access_key_id)
                .collect::<Vec<_>>()
        })
        .map_err(|e| map_sdk_error(KEYS.list_op, e));
    for id in listed(&mut d, &KEYS, keys) {
        let sent = iam
            .delete_access_key()
            .user_name(user)
            .access_key_id(&id)
            .send()
            .await;
        record(
            &mut d,
            sent.map(drop)
                .map_err(|e| (e.code() == Some("NoSuchEntity"), e)),
            "iam:DeleteAccessKey",
            format!("access key {id} of user {user}"),
            format!("aws iam delete-access-key --user-name {user} --access-key-id {id}"),
        );
    }

    const LOGIN: Kind = Kind {
        list_op: "iam:GetLoginProfile",
        all: "console password",
        list_command: "get-login-profile",
    };
    let login = match iam.get_login_profile().user_name(user).send().await {
        Ok(_) => Ok(vec![()]),
        Err(e) if e.code() == Some("NoSuchEntity") => Ok(Vec::new()),
        Err(e) => Err(map_sdk_error(LOGIN.list_op, e)),
    };
    for () in listed(&mut d, &LOGIN, login) {
        let sent = iam.delete_login_profile().user_name(user).send().await;
        record(
            &mut d,
            sent.map(drop)
                .map_err(|e| (e.code() == Some("NoSuchEntity"), e)),
            "iam:DeleteLoginProfile",
            format!("console password of user {user}"),
            format!("aws iam delete-login-profile --user-name {user}"),
        );
    }

    const MANAGED: Kind = Kind {
        list_op: "iam:ListAttachedUserPolicies",
        all: "managed policies attached",
        list_command: "list-attached-user-policies",
    };
    let arns = iam
        .list_attached_user_policies()
        .user_name(user)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map(|v| {
            v.into_iter()
                .filter_map(|p| p.policy_arn)
                .collect::<Vec<_>>()
        })
        .map_err(|e| map_sdk_error(MANAGED.list_op, e));
    for arn in listed(&mut d, &MANAGED, arns) {
        let sent = iam
            .detach_user_policy()
            .user_name(user)
            .policy_arn(&arn)
            .send()
            .await;
        record(
            &mut d,
            sent.map(drop)
                .map_err(|e| (e.code() == Some("NoSuchEntity"), e)),
            "iam:DetachUserPolicy",
            format!("policy {} attached to user {user}", policy_name(&arn)),
            format!("aws iam detach-user-policy --user-name {user} --policy-arn {arn}"),
        );
    }

    const INLINE: Kind = Kind {
        list_op: "iam:ListUserPolicies",
        all: "inline policies",
        list_command: "list-user-policies",
    };
    let names = iam
        .list_user_policies()
        .user_name(user)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| map_sdk_error(INLINE.list_op, e));
    for name in listed(&mut d, &INLINE, names) {
        let sent = iam
            .delete_user_policy()
            .user_name(user)
            .policy_name(&name)
            .send()
            .await;
        record(
            &mut d,
            sent.map(drop)
                .map_err(|e| (e.code() == Some("NoSuchEntity"), e)),
            "iam:DeleteUserPolicy",
            format!("inline policy {name} of user {user}"),
            format!("aws iam delete-user-policy --user-name {user} --policy-name {name}"),
        );
    }

    const GROUPS: Kind = Kind {
        list_op: "iam:ListGroupsForUser",
        all: "group memberships",
        list_command: "list-groups-for-user",
    };
    let groups = iam
        .list_groups_for_user()
        .user_name(user)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map(|v| v.into_iter().map(|g| g.group_name).collect::<Vec<_>>())
        .map_err(|e| map_sdk_error(GROUPS.list_op, e));
    for group in listed(&mut d, &GROUPS, groups) {
        let sent = iam
            .remove_user_from_group()
            .user_name(user)
            .group_name(&group)
            .send()
            .await;
        record(
            &mut d,
            sent.map(drop)
                .map_err(|e| (e.code() == Some("NoSuchEntity"), e)),
            "iam:RemoveUserFromGroup",
            format!("membership of user {user} in group {group}"),
            format!("aws iam remove-user-from-group --user-name {user} --group-name {group}"),
        );
    }

    // IAM refuses DeleteUser (DeleteConflict) while anything is still attached: the user stays,
    // listed after what holds it.
    let what = format!("user {user}");
    let command = format!("aws iam delete-user --user-name {user}");
    if !d.leftovers.is_empty() {
        d.leftovers.push(Leftover { what, command });
        return d;
    }
    let sent = iam.delete_user().user_name(user).send().await;
    record(
        &mut d,
        sent.map(drop)
            .map_err(|e| (e.code() == Some("NoSuchEntity"), e)),
        "iam:DeleteUser",
        what,
        command,
    );
    d
}

/// The items a list returned; when it failed, the whole kind is left, with the command that
/// lists it.
fn listed<T>(d: &mut DiscardedUser, kind: &Kind, items: Result<Vec<T>, AwsError>) -> Vec<T> {
    match items {
        Ok(items) => items,
        // The user itself is gone (deleted elsewhere): nothing of it is left.
        Err(e) if e.code == "NoSuchEntity" => Vec::new(),
        Err(e) => {
            tracing::warn!(user = %d.user, error = %e, "could not read {}", kind.all);
            d.leftovers.push(Leftover {
                what: format!("{} of user {} (not read: {})", kind.all, d.user, e.code),
                command: format!("aws iam {} --user-name {}", kind.list_command, d.user),
            });
            Vec::new()
        }
    }
}

/// Records a delete: done, or already gone (`true` with the error), or left.
fn record<E>(
    d: &mut DiscardedUser,
    sent: Result<(), (bool, SdkError<E, HttpResponse>)>,
    operation: &str,
    what: String,
    command: String,
) where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match sent {
        Ok(()) => d.deleted.push(what),
        Err((true, _)) => tracing::info!(user = %d.user, "already gone: {what}"),
        Err((false, e)) => {
            let e = map_sdk_error(operation, e);
            tracing::warn!(user = %d.user, error = %e, "could not delete {what}");
            d.leftovers.push(Leftover { what, command });
        }
    }
}
