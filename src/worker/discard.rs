//! Discarding users made in this run whose secrets nobody can have: when the wizard (or
//! `iamwiz apply`) ends on a signal before any secret of the batch was shown, copied or saved,
//! those users would be live accounts with credentials no one holds. Each is removed whole: what
//! IAM lists as attached to it, in the order IAM requires before `DeleteUser` succeeds (access
//! keys, console password, managed policies, inline policies, group memberships), then the user.
//!
//! What is attached is read from IAM rather than taken from the plan, so whatever the run made
//! (a key a retried call made twice included) is found.
//!
//! Each item is an [`Attachment`] value: what is left is reported with the AWS CLI command that
//! removes it (shell-quoted), and a caller that may stop waiting (`iamwiz apply` on a second
//! signal) is told of each removal as it happens. `iamwiz apply` uses the same discard when the
//! secrets of the users it made cannot be written anywhere.
//!
//! A KMS key the same run made for the user (the encryption flow's new key) is removed after
//! the user, as a failed encryption run's rollback removes it: its alias deleted, the key
//! scheduled for deletion.

use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use futures::future::join_all;

use crate::apply::shell_quote;
use crate::aws::iam::{
    user_access_key_ids, user_groups, user_inline_policy_names, user_policy_arns,
};
use crate::aws::patience::patiently;
use crate::aws::{Clients, map_sdk_error};
use crate::protocol::{AwsError, DiscardKey, DiscardedKey, DiscardedUser, Leftover, policy_name};

/// Discards every user of `users`, all at once; one entry per user, in the same order.
pub async fn discard_users(c: &Clients, users: &[String]) -> Vec<DiscardedUser> {
    join_all(
        users
            .iter()
            .map(|u| discard_user(c, u, &|_: &Attachment| {})),
    )
    .await
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

/// One thing of a user that a discard removes, as a value: what the creation plan made, read
/// back from IAM (or, for someone who stopped waiting, known from the creation itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attachment {
    /// An access key, by ID (`None` when it was made but its ID is not known yet).
    AccessKey(Option<String>),
    LoginProfile,
    /// A managed policy, by ARN.
    ManagedPolicy(String),
    /// An inline policy, by name.
    InlinePolicy(String),
    /// A group membership, by group name.
    Group(String),
    /// The user itself, removed last.
    User,
}

impl Attachment {
    /// Where this goes in the order IAM requires before `DeleteUser` succeeds.
    pub fn rank(&self) -> u8 {
        match self {
            Attachment::AccessKey(_) => 0,
            Attachment::LoginProfile => 1,
            Attachment::ManagedPolicy(_) => 2,
            Attachment::InlinePolicy(_) => 3,
            Attachment::Group(_) => 4,
            Attachment::User => 5,
        }
    }

    /// What this is, for `user`, and the AWS CLI command that removes it (its values
    /// shell-quoted).
    pub fn leftover(&self, user: &str) -> Leftover {
        let q = shell_quote;
        let u = q(user);
        let (what, command) = match self {
            Attachment::AccessKey(Some(id)) => (
                format!("access key {id} of user {user}"),
                format!(
                    "aws iam delete-access-key --user-name {u} --access-key-id {}",
                    q(id)
                ),
            ),
            Attachment::AccessKey(None) => (
                format!("the access key of user {user} (its ID was not known yet: list it)"),
                format!("aws iam list-access-keys --user-name {u}"),
            ),
            Attachment::LoginProfile => (
                format!("console password of user {user}"),
                format!("aws iam delete-login-profile --user-name {u}"),
            ),
            Attachment::ManagedPolicy(arn) => (
                format!("policy {} attached to user {user}", policy_name(arn)),
                format!(
                    "aws iam detach-user-policy --user-name {u} --policy-arn {}",
                    q(arn)
                ),
            ),
            Attachment::InlinePolicy(name) => (
                format!("inline policy {name} of user {user}"),
                format!(
                    "aws iam delete-user-policy --user-name {u} --policy-name {}",
                    q(name)
                ),
            ),
            Attachment::Group(group) => (
                format!("membership of user {user} in group {group}"),
                format!(
                    "aws iam remove-user-from-group --user-name {u} --group-name {}",
                    q(group)
                ),
            ),
            Attachment::User => (
                format!("user {user}"),
                format!("aws iam delete-user --user-name {u}"),
            ),
        };
        Leftover { what, command }
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
/// removed; the user is deleted only when nothing is left attached. `removed` is told of each
/// item as it goes (the user last), so that someone who stops waiting knows what is left.
pub async fn discard_user(
    c: &Clients,
    user: &str,
    removed: &(dyn Fn(&Attachment) + Sync),
) -> DiscardedUser {
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
        removed,
        |id| Attachment::AccessKey(Some(id.clone())),
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
        removed,
        |()| Attachment::LoginProfile,
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
        removed,
        |arn| Attachment::ManagedPolicy(arn.clone()),
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
        removed,
        |name| Attachment::InlinePolicy(name.clone()),
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
        removed,
        |group| Attachment::Group(group.clone()),
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
    if !d.leftovers.is_empty() {
        d.leftovers.push(Attachment::User.leftover(user));
        return d;
    }
    let sent = patiently(|| iam.delete_user().user_name(user).send()).await;
    record(
        &mut d,
        sent.map(drop),
        "iam:DeleteUser",
        removed,
        Attachment::User,
    );
    d
}

/// Removes each listed item of one kind with `delete`, recording each as [`record`] does;
/// `item` says what an item is.
async fn remove_each<T: Clone, E, Fut>(
    d: &mut DiscardedUser,
    kind: &Kind,
    items: Result<Vec<T>, AwsError>,
    removed: &(dyn Fn(&Attachment) + Sync),
    item: impl Fn(&T) -> Attachment,
    delete: impl Fn(T) -> Fut,
) where
    Fut: Future<Output = Result<(), SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    for listed in listed(d, kind, items) {
        let what = item(&listed);
        let sent = patiently(|| delete(listed.clone())).await;
        record(d, sent, kind.delete_op, removed, what);
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
                command: format!(
                    "aws iam {} --user-name {}",
                    kind.list_command,
                    shell_quote(&d.user)
                ),
            });
            Vec::new()
        }
    }
}

/// Records a delete: done, or already gone (`NoSuchEntity`), both told to `removed`; or left.
fn record<E>(
    d: &mut DiscardedUser,
    sent: Result<(), SdkError<E, HttpResponse>>,
    operation: &str,
    removed: &(dyn Fn(&Attachment) + Sync),
    item: Attachment,
) where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let Leftover { what, command } = item.leftover(&d.user);
    match sent {
        Ok(()) => {
            removed(&item);
            d.deleted.push(what)
        }
        Err(e) if e.code() == Some("NoSuchEntity") => {
            removed(&item);
            tracing::info!(user = %d.user, "already gone: {what}")
        }
        Err(e) => {
            let e = map_sdk_error(operation, e);
            tracing::warn!(user = %d.user, error = %e, "could not delete {what}");
            d.leftovers.push(Leftover { what, command });
        }
    }
}
