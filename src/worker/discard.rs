//! Discarding users made in this run whose secrets nobody can have: when the wizard ends on a
//! signal before any secret of the batch was shown, copied or saved, those users would be live
//! accounts with credentials no one holds. Each is removed whole: what IAM lists as attached to
//! it, in the order IAM requires before `DeleteUser` succeeds (access keys, console password,
//! managed policies, inline policies, group memberships), then the user.
//!
//! What is attached is read from IAM rather than taken from the plan, so whatever the run made
//! (a key a retried call made twice included) is found.
//!
//! A KMS key the same run made for the user (the encryption flow's new key) is removed after
//! the user, as a failed encryption run's rollback removes it: its alias deleted, the key
//! scheduled for deletion.

use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use futures::future::join_all;

use crate::aws::iam::{
    user_access_key_ids, user_groups, user_inline_policy_names, user_policy_arns,
};
use crate::aws::patience::patiently;
use crate::aws::{Clients, map_sdk_error};
use crate::protocol::{AwsError, DiscardKey, DiscardedKey, DiscardedUser, Leftover, policy_name};

/// Discards every user of `users`, all at once; one entry per user, in the same order.
pub async fn discard_users(c: &Clients, users: &[String]) -> Vec<DiscardedUser> {
    join_all(users.iter().map(|u| discard_user(c, u))).await
}

/// Removes a KMS key made in the run whose users were discarded: its alias, then the key (see
/// [`super::encryption::remove_key`]).
pub async fn discard_key(c: &Clients, key: &DiscardKey) -> DiscardedKey {
    let kms = c.kms_in(&key.region);
    let id = key
        .key_arn
        .rsplit_once(":key/")
        .map_or(key.key_arn.as_str(), |(_, id)| id);
    let (leftovers, deletion) = super::encryption::remove_key(
        &kms,
        &key.region,
        id,
        &key.key_arn,
        key.alias.as_deref(),
        |_, _| {},
    )
    .await;
    DiscardedKey {
        deletion,
        leftovers,
    }
}

/// What one kind of attachment is, for the report: how its items are named when they could not
/// be read, the AWS CLI command that lists them, and the operation that deletes one.
struct Kind {
    /// How the items of this kind are named when they could not be read.
    all: &'static str,
    list_command: &'static str,
    /// The delete operation, for a failure to remove an item.
    delete_op: &'static str,
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
        all: "access keys",
        list_command: "list-access-keys",
        delete_op: "iam:DeleteAccessKey",
    };
    let keys = patiently(|| user_access_key_ids(c, user)).await;
    remove_each(
        &mut d,
        &KEYS,
        keys,
        |id| {
            (
                format!("access key {id} of user {user}"),
                format!("aws iam delete-access-key --user-name {user} --access-key-id {id}"),
            )
        },
        |id| async move {
            iam.delete_access_key()
                .user_name(user)
                .access_key_id(id)
                .send()
                .await
                .map(drop)
        },
    )
    .await;

    const LOGIN: Kind = Kind {
        all: "console password",
        list_command: "get-login-profile",
        delete_op: "iam:DeleteLoginProfile",
    };
    let login = match patiently(|| iam.get_login_profile().user_name(user).send()).await {
        Ok(_) => Ok(vec![()]),
        Err(e) if e.code() == Some("NoSuchEntity") => Ok(Vec::new()),
        Err(e) => Err(map_sdk_error("iam:GetLoginProfile", e)),
    };
    remove_each(
        &mut d,
        &LOGIN,
        login,
        |()| {
            (
                format!("console password of user {user}"),
                format!("aws iam delete-login-profile --user-name {user}"),
            )
        },
        |()| async move {
            iam.delete_login_profile()
                .user_name(user)
                .send()
                .await
                .map(drop)
        },
    )
    .await;

    const MANAGED: Kind = Kind {
        all: "managed policies attached",
        list_command: "list-attached-user-policies",
        delete_op: "iam:DetachUserPolicy",
    };
    let arns = patiently(|| user_policy_arns(c, user)).await;
    remove_each(
        &mut d,
        &MANAGED,
        arns,
        |arn| {
            (
                format!("policy {} attached to user {user}", policy_name(arn)),
                format!("aws iam detach-user-policy --user-name {user} --policy-arn {arn}"),
            )
        },
        |arn| async move {
            iam.detach_user_policy()
                .user_name(user)
                .policy_arn(arn)
                .send()
                .await
                .map(drop)
        },
    )
    .await;

    const INLINE: Kind = Kind {
        all: "inline policies",
        list_command: "list-user-policies",
        delete_op: "iam:DeleteUserPolicy",
    };
    let names = patiently(|| user_inline_policy_names(c, user)).await;
    remove_each(
        &mut d,
        &INLINE,
        names,
        |name| {
            (
                format!("inline policy {name} of user {user}"),
                format!("aws iam delete-user-policy --user-name {user} --policy-name {name}"),
            )
        },
        |name| async move {
            iam.delete_user_policy()
                .user_name(user)
                .policy_name(name)
                .send()
                .await
                .map(drop)
        },
    )
    .await;

    const GROUPS: Kind = Kind {
        all: "group memberships",
        list_command: "list-groups-for-user",
        delete_op: "iam:RemoveUserFromGroup",
    };
    let groups = patiently(|| user_groups(c, user)).await;
    remove_each(
        &mut d,
        &GROUPS,
        groups,
        |group| {
            (
                format!("membership of user {user} in group {group}"),
                format!("aws iam remove-user-from-group --user-name {user} --group-name {group}"),
            )
        },
        |group| async move {
            iam.remove_user_from_group()
                .user_name(user)
                .group_name(group)
                .send()
                .await
                .map(drop)
        },
    )
    .await;

    // IAM refuses DeleteUser (DeleteConflict) while anything is still attached: the user stays,
    // listed after what holds it.
    let what = format!("user {user}");
    let command = format!("aws iam delete-user --user-name {user}");
    if !d.leftovers.is_empty() {
        d.leftovers.push(Leftover { what, command });
        return d;
    }
    let sent = patiently(|| iam.delete_user().user_name(user).send()).await;
    record(&mut d, sent.map(drop), "iam:DeleteUser", what, command);
    d
}

/// Removes each listed item of one kind with `delete`, recording each as [`record`] does;
/// `describe` gives an item's description and the command that removes it by hand.
async fn remove_each<T: Clone, E, Fut>(
    d: &mut DiscardedUser,
    kind: &Kind,
    items: Result<Vec<T>, AwsError>,
    describe: impl Fn(&T) -> (String, String),
    delete: impl Fn(T) -> Fut,
) where
    Fut: Future<Output = Result<(), SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    for item in listed(d, kind, items) {
        let (what, command) = describe(&item);
        let sent = patiently(|| delete(item.clone())).await;
        record(d, sent, kind.delete_op, what, command);
    }
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

/// Records a delete: done, or already gone (`NoSuchEntity`), or left.
fn record<E>(
    d: &mut DiscardedUser,
    sent: Result<(), SdkError<E, HttpResponse>>,
    operation: &str,
    what: String,
    command: String,
) where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match sent {
        Ok(()) => d.deleted.push(what),
        Err(e) if e.code() == Some("NoSuchEntity") => {
            tracing::info!(user = %d.user, "already gone: {what}")
        }
        Err(e) => {
            let e = map_sdk_error(operation, e);
            tracing::warn!(user = %d.user, error = %e, "could not delete {what}");
            d.leftovers.push(Leftover { what, command });
        }
    }
}
