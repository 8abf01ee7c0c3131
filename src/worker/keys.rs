//! The worker side of the keys flow: a user's access keys as the flow lists them, the one
//! change the admin confirmed to one key (activate, deactivate, delete), and a rotation's new
//! key (made, described, then proven in the background). Every AWS call is one of
//! [`crate::aws::access_keys`]'s.

use tokio::sync::mpsc::UnboundedSender;

use super::create::{Proofs, prove_in_background};
use crate::aws::patience::patiently;
use crate::aws::teardown::Attachment;
use crate::aws::{Clients, access_keys};
use crate::model::keys::{AccessKeyInfo, KeyRef, RotateFailure, Rotated};
use crate::protocol::{AwsError, CreatedUser, DiscardedUser, Event, KeyChange};

/// `user`'s keys, oldest first, and when they were read (seconds since the Unix epoch).
pub async fn load(c: &Clients, user: &str) -> (i64, Result<Vec<AccessKeyInfo>, AwsError>) {
    let result = access_keys::user_keys(c, user).await;
    (now(), result)
}

/// Applies `change` to `user`'s key `id`. A deleted key's description (the console's user tag
/// named after it) goes with it: a tag that cannot be removed fails the change with
/// `iam:UntagUser`, the key itself being gone.
pub async fn change(c: &Clients, user: &str, id: &str, change: KeyChange) -> Result<(), AwsError> {
    match change {
        KeyChange::Activate => access_keys::set_key_active(c, user, id, true).await,
        KeyChange::Deactivate => access_keys::set_key_active(c, user, id, false).await,
        KeyChange::Delete => {
            access_keys::delete_key(c, user, id).await?;
            access_keys::remove_description(c, user, id).await
        }
    }
}

/// What a rotation is asked to do (see [`crate::protocol::Request::RotateAccessKey`]).
pub struct RotateAsk {
    pub user: String,
    pub replace: Option<String>,
    pub old: Option<String>,
    pub description: Option<String>,
}

/// A rotation's key, up to the reveal: deletes `replace` first (and its description), makes
/// the new key, stores `description` on it, finds the profile of the admin's credentials file
/// that holds `old`, and sends [`Event::AccessKeyRotated`]; then proves the new key in the
/// background under `run`.
pub async fn rotate(
    c: &Clients,
    run: u64,
    ask: RotateAsk,
    events: &UnboundedSender<Event>,
    proofs: &Proofs,
) {
    let RotateAsk {
        user,
        replace,
        old,
        description,
    } = ask;
    let made = make_rotated(c, &user, replace.as_deref(), description).await;
    let signer = match &made {
        Ok(r) => match &r.key.access_key {
            Some(key) => Some((
                user.clone(),
                r.key.arn.clone(),
                c.connect_as_key(key, &c.region).await,
            )),
            None => None,
        },
        Err(_) => None,
    };
    let result = match made {
        Ok(mut r) => {
            r.old_profile = match old {
                Some(old) => profile_holding(old).await,
                None => None,
            };
            Ok(r)
        }
        Err(e) => Err(e),
    };
    let _ = events.send(Event::AccessKeyRotated { run, user, result });
    prove_in_background(run, signer.into_iter().collect(), events, proofs);
}

async fn make_rotated(
    c: &Clients,
    user: &str,
    replace: Option<&str>,
    description: Option<String>,
) -> Result<Rotated, RotateFailure> {
    let failed = |replaced_gone| {
        move |error| RotateFailure {
            error,
            replaced_gone,
            leftover: None,
        }
    };
    let arn = access_keys::user_arn(c, user)
        .await
        .map_err(failed(false))?;
    let Some(arn) = arn else {
        return Err(failed(false)(crate::aws::local_error(
            "iam:GetUser",
            &format!("the user {user} no longer exists"),
        )));
    };
    if let Some(id) = replace {
        access_keys::delete_key(c, user, id)
            .await
            .map_err(failed(false))?;
        // The deleted key's description is a stale tag, not a reason to stop: the rotation goes
        // on, as `iamwiz keys rotate` does.
        if let Err(e) = access_keys::remove_description(c, user, id).await {
            tracing::info!(error = %e, key = id, "the replaced key's description stays");
        }
    }
    let gone = replace.is_some();
    let before = crate::aws::iam::user_access_key_ids(c, user)
        .await
        .map_err(failed(gone))?;
    let key = access_keys::create_key(c, user, &before)
        .await
        .map_err(failed(gone))?;
    // The description is part of the new key: if it cannot be stored, the key goes again.
    if let Some(text) = &description
        && let Err(error) = access_keys::set_description(c, user, &key.id, text).await
    {
        let undone = patiently(|| access_keys::delete_key(c, user, &key.id)).await;
        return Err(RotateFailure {
            error,
            replaced_gone: gone,
            leftover: undone
                .err()
                .map(|_| Attachment::AccessKey(Some(key.id.clone())).leftover(user)),
        });
    }
    Ok(Rotated {
        key: CreatedUser {
            name: user.to_string(),
            arn,
            access_key: Some(key),
            password: None,
            require_reset: false,
            sign_in_url: String::new(),
        },
        description,
        old_profile: None,
    })
}

/// The profile of the admin's credentials file whose access key ID is `id`, if the file can be
/// read and one is (read off the runtime's threads).
async fn profile_holding(id: String) -> Option<String> {
    tokio::task::spawn_blocking(move || crate::export::profile_holding(&id))
        .await
        .ok()
        .flatten()
}

/// Deletes a rotation's new key whose secret nobody has (the wizard is ending): the key and its
/// description, as [`DiscardedUser`] of its user (what was deleted, or the command that
/// finishes it).
pub async fn discard_key(c: &Clients, key: &KeyRef) -> DiscardedUser {
    let attachment = Attachment::AccessKey(Some(key.id.clone()));
    let mut report = DiscardedUser {
        user: key.user.clone(),
        deleted: Vec::new(),
        leftovers: Vec::new(),
    };
    match access_keys::delete_key(c, &key.user, &key.id).await {
        Ok(()) => report
            .deleted
            .push(attachment.leftover(&key.user).what.to_string()),
        Err(e) if e.code == "NoSuchEntity" => {}
        Err(_) => {
            report.leftovers.push(attachment.leftover(&key.user));
            return report;
        }
    }
    if access_keys::remove_description(c, &key.user, &key.id)
        .await
        .is_err()
    {
        report.leftovers.push(crate::protocol::Leftover {
            what: format!(
                "the description of access key {} (a tag of user {})",
                key.id, key.user
            ),
            command: format!(
                "aws iam untag-user{}{}",
                crate::aws::shell::arg("--user-name", &key.user),
                crate::aws::shell::arg("--tag-keys", &key.id)
            ),
        });
    }
    report
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
