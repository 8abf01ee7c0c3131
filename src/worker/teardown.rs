//! The one teardown: removing what a run made, and listing what is left with the AWS CLI
//! command that removes it. Three callers use it:
//!
//! - the rollback of a failed creation (`rollback`), which undoes what the creation plan made
//!   (the user's steps, or the encryption set-up's role), in the order IAM requires;
//! - the discard of users made in this run whose secrets nobody can have ([`discard_users`]):
//!   when the wizard (or `iamwiz apply`) ends on a signal before any secret of the batch was
//!   shown, copied or saved, those users would be live accounts with credentials no one holds.
//!   What is attached is read from IAM rather than taken from the plan, so whatever the run made
//!   (a key a retried call made twice included) is found;
//! - `iamwiz apply`, which discards the users whose secrets could not be written anywhere, and
//!   on a second signal lists what may be left (see `crate::apply`).
//!
//! Each item is an [`Attachment`] ([`crate::aws::teardown`]): its removal and its leftover
//! command (shell-quoted) are written once there. A caller that may stop waiting is told of each
//! removal as it happens.
//!
//! A KMS key the same run made for the user (the encryption flow's new key) is removed after
//! the user, as a failed encryption run's rollback removes it: its alias deleted, the key
//! scheduled for deletion. The require-MFA policy goes after the users too, when the run that
//! made them made it (the policy and the users carry the same run mark) and nothing else has it
//! attached; one found in the account, or in use elsewhere, stays.

use futures::future::join_all;

use super::create::{Made, Reporter};
use crate::aws::iam::{
    user_access_key_ids, user_groups, user_inline_policy_names, user_policy_arns,
};
use crate::aws::patience::patiently;
use crate::aws::shell::arg;
pub use crate::aws::teardown::Attachment;
use crate::aws::teardown::{has_login_profile, policy_in_use, policy_run_mark, user_run_mark};
use crate::aws::{Clients, local_error};
use crate::model::mfa_policy::is_require_mfa_arn;
use crate::protocol::{
    AwsError, DiscardKey, DiscardedKey, DiscardedUser, Leftover, StepKind, StepStatus,
};

/// Discards every user of `users`, all at once; one entry per user, in the same order. Then the
/// require-MFA policy the same run made for them, once no one has it attached
/// ([`discard_run_policies`]): one more entry for it, named by its ARN.
pub async fn discard_users(c: &Clients, users: &[String]) -> Vec<DiscardedUser> {
    let none = |_: &Attachment| {};
    let (mut discarded, policies): (Vec<_>, Vec<_>) =
        join_all(users.iter().map(|u| discard_user_noting(c, u, &none)))
            .await
            .into_iter()
            .unzip();
    let users_left = discarded.iter().any(|d| !d.leftovers.is_empty());
    discarded.extend(discard_run_policies(c, policies, users_left, &none).await);
    discarded
}

/// Deletes each require-MFA policy of `policies` (as [`discard_user_noting`] noted them: made by
/// the run that made the user), once, after the users: only when no user, group or role has it
/// attached any more (`ListEntitiesForPolicy`). Each is reported as a [`DiscardedUser`] named by
/// the policy's ARN: deleted, or left with the command that deletes it; one that something else
/// still uses stays, with nothing deleted and nothing left. When `users_left` (something of the
/// run's users could not be removed, and may hold the policy), it is not attempted: it is left,
/// listed after them.
pub async fn discard_run_policies(
    c: &Clients,
    policies: Vec<Option<String>>,
    users_left: bool,
    removed: &(dyn Fn(&Attachment) + Sync),
) -> Vec<DiscardedUser> {
    let mut arns: Vec<String> = policies.into_iter().flatten().collect();
    arns.sort_unstable();
    arns.dedup();
    let mut reports = Vec::new();
    for arn in arns {
        let mut d = DiscardedUser {
            user: arn.clone(),
            deleted: Vec::new(),
            leftovers: Vec::new(),
        };
        let item = Attachment::Policy(arn.clone());
        if users_left {
            d.leftovers.push(item.leftover(""));
            reports.push(d);
            continue;
        }
        match policy_in_use(c, &arn).await {
            Ok(false) => {
                let sent = item.remove(c, "").await;
                record(&mut d, sent, removed, item);
            }
            Ok(true) => {
                tracing::info!(policy = %arn, "kept the policy this run made: something else has it attached");
                // Not the run's to remove any more.
                removed(&item);
            }
            Err(e) if e.code == "NoSuchEntity" => removed(&item),
            Err(e) => {
                tracing::warn!(policy = %arn, error = %e, "could not tell whether the policy is in use");
                d.leftovers.push(item.leftover(""));
            }
        }
        reports.push(d);
    }
    reports
}

/// Whether the require-MFA policy `arn`, attached to `user`, was made by the same run as the
/// user: both carry the same run mark. Anything unreadable counts as not: the policy stays.
async fn made_with(c: &Clients, user: &str, arn: &str) -> bool {
    let marks = futures::future::join(user_run_mark(c, user), policy_run_mark(c, arn)).await;
    match marks {
        (Ok(Some(u)), Ok(Some(p))) => u == p,
        (Ok(_), Ok(_)) => false,
        (u, p) => {
            let error = u.err().or(p.err());
            tracing::warn!(
                user,
                policy = arn,
                ?error,
                "could not read the run marks: the policy stays"
            );
            false
        }
    }
}

/// Removes a KMS key made in the run whose users were discarded: its alias, then the key (see
/// `super::encryption::remove_key`).
pub async fn discard_key(c: &Clients, key: &DiscardKey) -> DiscardedKey {
    let kms = crate::aws::keys::RegionKms::new(c, &key.region);
    let id = key
        .key_arn
        .rsplit_once(":key/")
        .map_or(key.key_arn.as_str(), |(_, id)| id);
    let (leftovers, deletion) =
        super::encryption::remove_key(&kms, id, &key.key_arn, key.alias.as_deref(), |_, _| {})
            .await;
    DiscardedKey {
        deletion,
        leftovers,
    }
}

/// What one kind of attachment is, for the report: how its items are named when they could not
/// be read, and the AWS CLI command that lists them.
struct Kind {
    /// How the items of this kind are named when they could not be read.
    all: &'static str,
    list_command: &'static str,
}

/// Removes `user` and everything attached to it. An item that is already gone counts as
/// removed; the user is deleted only when nothing is left attached. `removed` is told of each
/// item as it goes (the user last), so that someone who stops waiting knows what is left.
pub async fn discard_user(
    c: &Clients,
    user: &str,
    removed: &(dyn Fn(&Attachment) + Sync),
) -> DiscardedUser {
    discard_user_noting(c, user, removed).await.0
}

/// [`discard_user`], and the require-MFA policy it had attached when the same run made that
/// policy (for [`discard_run_policies`], once every user of the run is gone).
pub async fn discard_user_noting(
    c: &Clients,
    user: &str,
    removed: &(dyn Fn(&Attachment) + Sync),
) -> (DiscardedUser, Option<String>) {
    let mut d = DiscardedUser {
        user: user.to_string(),
        deleted: Vec::new(),
        leftovers: Vec::new(),
    };

    const KEYS: Kind = Kind {
        all: "access keys",
        list_command: "list-access-keys",
    };
    let keys = patiently(|| user_access_key_ids(c, user)).await;
    let keys = listed(&mut d, &KEYS, keys);
    remove_each(c, &mut d, removed, keys, |id| {
        Attachment::AccessKey(Some(id))
    })
    .await;

    const LOGIN: Kind = Kind {
        all: "console password",
        list_command: "get-login-profile",
    };
    let login = has_login_profile(c, user)
        .await
        .map(|has| if has { vec![()] } else { Vec::new() });
    let login = listed(&mut d, &LOGIN, login);
    remove_each(c, &mut d, removed, login, |()| Attachment::LoginProfile).await;

    const MANAGED: Kind = Kind {
        all: "managed policies attached",
        list_command: "list-attached-user-policies",
    };
    let arns = patiently(|| user_policy_arns(c, user)).await;
    let arns = listed(&mut d, &MANAGED, arns);
    // Read while the user still carries its mark.
    let run_policy = match arns.iter().find(|a| is_require_mfa_arn(a)) {
        Some(arn) if made_with(c, user, arn).await => Some(arn.clone()),
        _ => None,
    };
    remove_each(c, &mut d, removed, arns, Attachment::ManagedPolicy).await;

    const INLINE: Kind = Kind {
        all: "inline policies",
        list_command: "list-user-policies",
    };
    let names = patiently(|| user_inline_policy_names(c, user)).await;
    let names = listed(&mut d, &INLINE, names);
    remove_each(c, &mut d, removed, names, Attachment::InlinePolicy).await;

    const GROUPS: Kind = Kind {
        all: "group memberships",
        list_command: "list-groups-for-user",
    };
    let groups = patiently(|| user_groups(c, user)).await;
    let groups = listed(&mut d, &GROUPS, groups);
    remove_each(c, &mut d, removed, groups, Attachment::Group).await;

    // IAM refuses DeleteUser (DeleteConflict) while anything is still attached: the user stays,
    // listed after what holds it.
    if !d.leftovers.is_empty() {
        d.leftovers.push(Attachment::User.leftover(user));
        return (d, run_policy);
    }
    remove_each(c, &mut d, removed, vec![()], |()| Attachment::User).await;
    (d, run_policy)
}

/// Removes each listed item, `item` saying what it is, recording each as [`record`] does.
async fn remove_each<T>(
    c: &Clients,
    d: &mut DiscardedUser,
    removed: &(dyn Fn(&Attachment) + Sync),
    items: Vec<T>,
    item: impl Fn(T) -> Attachment,
) {
    for listed in items {
        let what = item(listed);
        let sent = what.remove(c, &d.user).await;
        record(d, sent, removed, what);
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
                    "aws iam {}{}",
                    kind.list_command,
                    arg("--user-name", &d.user)
                ),
            });
            Vec::new()
        }
    }
}

/// Records a removal: done, or already gone (`NoSuchEntity`), both told to `removed`; or left.
fn record(
    d: &mut DiscardedUser,
    sent: Result<(), AwsError>,
    removed: &(dyn Fn(&Attachment) + Sync),
    item: Attachment,
) {
    let left = item.leftover(&d.user);
    match sent {
        Ok(()) => {
            removed(&item);
            d.deleted.push(left.what)
        }
        Err(e) if e.code == "NoSuchEntity" => {
            removed(&item);
            tracing::info!(user = %d.user, "already gone: {}", left.what)
        }
        Err(e) => {
            tracing::warn!(user = %d.user, error = %e, "could not delete {}", left.what);
            d.leftovers.push(left);
        }
    }
}

/// Undoes everything in `made` for the user (or role) `owner`, reported as group `u` of the
/// plan `steps`, in the order IAM requires, and returns what could not be undone.
pub(super) async fn rollback(
    c: &Clients,
    owner: &str,
    u: usize,
    steps: &[StepKind],
    mut made: Vec<(usize, Made)>,
    report: &Reporter<'_>,
) -> Vec<Leftover> {
    made.sort_by_key(|(i, _)| (steps[*i].undo_rank(), *i));
    let mut leftovers: Vec<Leftover> = Vec::new();
    for (i, m) in made {
        let kind = &steps[i];
        let item = match (kind, &m) {
            (StepKind::CreateAccessKey, Made::AccessKey(key)) => {
                Some(Attachment::AccessKey(Some(key.id.clone())))
            }
            (StepKind::EnsurePolicy(_), Made::Policy { arn, created: true }) => {
                Some(Attachment::Policy(arn.clone()))
            }
            // A policy this run found, not made: it stays as it was.
            (StepKind::EnsurePolicy(_), _) => continue,
            _ => Attachment::of_step(kind),
        };
        report.status(u, i, StepStatus::Undoing);
        let Some(item) = item else {
            match kind {
                // A check makes nothing.
                StepKind::Verify => report.status(u, i, StepStatus::Undone),
                // A key is undone by scheduling its deletion, which has a date to report:
                // `super::encryption` does it, and reports it with its ID and region.
                _ => {
                    let e = local_error(
                        kind.undo_operation(),
                        "a KMS key is undone by the encryption set-up",
                    );
                    report.status(u, i, StepStatus::UndoFailed(e));
                    leftovers.push(Leftover {
                        what: format!("{} for {owner}", kind.label(owner)),
                        command: String::new(),
                    });
                }
            }
            continue;
        };
        // IAM refuses DeleteUser, DeleteRole and DeleteInstanceProfile (DeleteConflict) while
        // anything an earlier undo failed to remove is still attached; moto would delete them
        // anyway and leave the list wrong. Either way they stay: say so rather than make a call
        // that cannot succeed.
        let undone = if item.holds_others() && !leftovers.is_empty() {
            Err(AwsError {
                operation: item.operation().to_string(),
                code: "DeleteConflict".to_string(),
                message: format!(
                    "not attempted: first remove {}",
                    leftovers
                        .iter()
                        .map(|l| l.what.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                hint: format!(
                    "Remove what is listed as left, then delete the {}.",
                    match item {
                        Attachment::Role => "role",
                        Attachment::InstanceProfile => "instance profile",
                        _ => "user",
                    }
                ),
            })
        } else {
            match item.remove(c, owner).await {
                // Gone already (a lost answer's earlier try, or someone else): undone.
                Err(e) if e.code == "NoSuchEntity" => Ok(()),
                undone => undone,
            }
        };
        match undone {
            Ok(()) => report.status(u, i, StepStatus::Undone),
            Err(e) => {
                report.status(u, i, StepStatus::UndoFailed(e));
                leftovers.push(item.leftover(owner));
            }
        }
    }
    leftovers
}
