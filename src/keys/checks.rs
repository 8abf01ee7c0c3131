//! The read-only checks of `iamwiz keys rotate`, before anything is changed: the caller (AWS
//! reachable, credentials usable), the user (its ARN, which the new key must sign as) and its
//! keys. A user with 2 keys (IAM's limit) is refused unless `--replace` names one of them; that
//! key, if active and used in the last 7 days, is deleted only with `--replace-in-use`.

use std::fmt::Write as _;

use super::{exit, now, refused_code};
use crate::aws::{self, AwsSettings, Clients, access_keys};
use crate::cli::KeysRotateArgs;
use crate::eprintln_clean as eprintln;
use crate::model::keys::{AccessKeyInfo, day};
use crate::protocol::AwsError;

/// What the read-only checks found.
pub(super) struct Checked {
    pub(super) c: Clients,
    /// The user's ARN: the identity the new key must sign as.
    pub(super) arn: String,
    /// The key `--replace` deletes first.
    pub(super) replace: Option<AccessKeyInfo>,
    /// The key the new one takes over from (the user's other key), if any.
    pub(super) old: Option<AccessKeyInfo>,
}

/// Why the run stops before anything was changed: the exit code and each problem.
pub(super) struct Stop(pub(super) i32, pub(super) Vec<String>);

/// Step 1: the caller, the user and the user's keys, read-only.
pub(super) async fn check(settings: &AwsSettings, args: &KeysRotateArgs) -> Result<Checked, Stop> {
    let user = args.user.as_str();
    let stop = |e: AwsError| Stop(refused_code(&e), vec![format!("{e}. {}", e.hint)]);
    let c = aws::connect(settings).await;
    let caller = aws::iam::identity(&c).await.map_err(stop)?;
    let Some(arn) = access_keys::user_arn(&c, user).await.map_err(stop)? else {
        return Err(Stop(
            exit::REFUSED,
            vec![format!(
                "there is no user named {user} in account {}: check the name",
                caller.account
            )],
        ));
    };
    let keys = access_keys::user_keys(&c, user).await.map_err(stop)?;
    let now = now();
    let replace = match &args.replace {
        None if keys.len() >= 2 => {
            let mut lines = vec![format!(
                "{user} has {} access keys, IAM's limit: name the one to delete first with \
                 --replace KEY_ID. Its keys:",
                keys.len()
            )];
            lines.extend(keys.iter().map(|k| format!("  {}", describe(k))));
            return Err(Stop(exit::REFUSED, lines));
        }
        None => None,
        Some(id) => {
            let Some(k) = keys.iter().find(|k| &k.id == id) else {
                let ids: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
                return Err(Stop(
                    exit::REFUSED,
                    vec![format!(
                        "--replace: {user} has no access key {id} (its keys: {})",
                        if ids.is_empty() {
                            "none".to_string()
                        } else {
                            ids.join(", ")
                        }
                    )],
                ));
            };
            if k.in_recent_use(now) && !args.replace_in_use {
                return Err(Stop(
                    exit::REFUSED,
                    vec![format!(
                        "--replace: {} is active and in use ({}); whatever uses it stops working \
                         once it is deleted: add --replace-in-use to delete it anyway, or \
                         deactivate it first and wait until nothing needs it",
                        k.id,
                        describe(k)
                    )],
                ));
            }
            Some(k.clone())
        }
    };
    let old = keys
        .into_iter()
        .find(|k| replace.as_ref().is_none_or(|r| r.id != k.id));
    eprintln!(
        "Rotating {user}'s access key as {} in account {}…",
        caller.arn, caller.account
    );
    Ok(Checked {
        c,
        arn,
        replace,
        old,
    })
}

/// `AKIA… Active, created 2026-01-02, last used 2026-03-04 (s3, eu-west-1)`.
fn describe(k: &AccessKeyInfo) -> String {
    let mut s = format!("{} {}", k.id, k.status);
    if let Some(created) = k.created {
        let _ = write!(s, ", created {}", day(created));
    }
    match &k.last_used {
        None => s.push_str(", never used"),
        Some(u) => {
            let _ = write!(s, ", last used {}", day(u.date));
            let place: Vec<&str> = [u.service.as_deref(), u.region.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            if !place.is_empty() {
                let _ = write!(s, " ({})", place.join(", "));
            }
        }
    }
    s
}
