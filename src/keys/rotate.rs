//! `iamwiz keys rotate USER`: a new access key for USER, proven before the old one goes.
//!
//! The order is what keeps a rotation from ever being half-done:
//!
//! 1. The export is checked ([`super::export`]), then the account, read-only: the caller, the
//!    user, the user's keys. A user with 2 keys (IAM's limit) is refused unless `--replace`
//!    names the key to delete first; an active key used in the last 7 days is deleted only with
//!    `--replace-in-use` as well. Any refusal: [`exit::REFUSED`], nothing changed.
//! 2. `--replace`'s key is deleted, then `CreateAccessKey`.
//! 3. The secret is written to the one export named, and nowhere else.
//! 4. The proof ([`super::proof`]): `sts:GetCallerIdentity` signed with the new key answers the
//!    user's ARN, retried while the key propagates, up to `--prove-for`.
//! 5. Only then the old key is deactivated (`--deactivate-old`) or deleted (`--delete-old`).
//!
//! If step 2's creation, step 3 or step 4 fails, the new key is deleted again (a CSV holding it
//! is removed) and the old key is left as it was: [`exit::UNDONE`]. What cannot be undone is
//! listed with the AWS CLI command that finishes it: [`exit::LEFT`].
//!
//! Signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT, see [`crate::signals`]) are handled as
//! `iamwiz apply` handles them: before anything is changed, the run stops at once; a call in
//! flight is let finish; a new key that is not yet proven is deleted again, the old key left as
//! it was; once the new key is proven, the old key's step is finished. The exit code is then
//! `128 + n`.

use std::fmt::Write as _;
use std::time::Duration;

use tokio::time::Instant;

use super::export::{self, Export, Saved};
use super::proof::{Proof, prove};
use super::{exit, now, refused_code};
use crate::aws::patience::patiently;
use crate::aws::{self, AwsSettings, Clients, access_keys, shell};
use crate::cli::KeysRotateArgs;
use crate::model::keys::{AccessKeyInfo, day};
use crate::protocol::AwsError;
use crate::signals::{self, Signals};
use crate::{eprint_clean as eprint, eprintln_clean as eprintln};

/// What the read-only checks found.
struct Checked {
    c: Clients,
    /// The user's ARN: the identity the new key must sign as.
    arn: String,
    /// The key `--replace` deletes first.
    replace: Option<AccessKeyInfo>,
    /// The key the new one takes over from (the user's other key), if any.
    old: Option<AccessKeyInfo>,
}

/// Why the run stops before anything was changed: the exit code and each problem.
struct Stop(i32, Vec<String>);

/// Runs `iamwiz keys rotate` and returns its exit code (see [`exit`]).
pub async fn run(settings: &AwsSettings, args: &KeysRotateArgs) -> i32 {
    let user = args.user.as_str();
    let export = match export::check(args) {
        Ok(export) => export,
        Err(problems) => return refuse(user, exit::REFUSED, &problems),
    };
    if let Export::Csv(path) = &export {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(repo) = export::in_git_work_tree(dir) {
            eprintln!(
                "iamwiz keys rotate: warning: {} is inside the git work tree {}: make sure it is \
                 never committed, or save it outside.",
                path.display(),
                repo.display()
            );
        }
    }
    let mut watch = match Signals::new() {
        Ok(signals) => Watch {
            signals,
            first: None,
        },
        Err(e) => {
            let line = format!(
                "cannot take over SIGINT and SIGTERM, so a signal could leave a key whose \
                 secret is nowhere: {e}"
            );
            return refuse(user, exit::REFUSED, &[line]);
        }
    };
    let checked = tokio::select! {
        checked = check(settings, args) => checked,
        n = watch.signals.next() => {
            eprintln!(
                "iamwiz keys rotate: ended by {} before anything was changed: nothing was changed.",
                signals::name(n)
            );
            return 128 + n;
        }
    };
    let Checked {
        c,
        arn,
        replace,
        old,
    } = match checked {
        Ok(checked) => checked,
        Err(Stop(code, lines)) => return refuse(user, code, &lines),
    };
    let deadline = Instant::now() + settings.run_timeout();
    aws::rate::until(
        deadline,
        rotate(&mut watch, &c, args, &export, &arn, replace, old),
    )
    .await
}

/// The run's signals and the first that arrived.
struct Watch {
    signals: Signals,
    first: Option<i32>,
}

impl Watch {
    /// Waits for `work` (a call that changes the account: never dropped halfway), noting a
    /// signal that comes meanwhile.
    async fn during<T>(&mut self, work: impl Future<Output = T>) -> T {
        tokio::pin!(work);
        loop {
            tokio::select! {
                done = &mut work => {
                    if self.first.is_none() {
                        self.first = self.signals.arrived();
                    }
                    return done;
                }
                n = self.signals.next() => {
                    self.first.get_or_insert(n);
                }
            }
        }
    }
}

/// Steps 2 to 5 (see the module header).
async fn rotate(
    watch: &mut Watch,
    c: &Clients,
    args: &KeysRotateArgs,
    export: &Export,
    arn: &str,
    replace: Option<AccessKeyInfo>,
    old: Option<AccessKeyInfo>,
) -> i32 {
    let user = args.user.as_str();
    let mut before: Vec<String> = old.iter().map(|k| k.id.clone()).collect();
    if let Some(r) = &replace {
        eprintln!("Deleting {user}'s key {} first (--replace)…", r.id);
        if let Err(e) = watch.during(access_keys::delete_key(c, user, &r.id)).await {
            eprintln!(
                "iamwiz keys rotate: {e}.\n  {}\nNothing was changed.",
                e.hint
            );
            return exit::UNDONE;
        }
        eprintln!("Deleted {}.", r.id);
        if let Some(n) = watch.first {
            eprintln!(
                "iamwiz keys rotate: ended by {} after deleting {}: no new key was made.",
                signals::name(n),
                r.id
            );
            return 128 + n;
        }
    }
    before.sort();
    eprintln!("Creating a new access key for {user}…");
    let key = match watch
        .during(access_keys::create_key(c, user, &before))
        .await
    {
        Ok(key) => key,
        Err(e) => {
            eprintln!("iamwiz keys rotate: {e}.\n  {}", e.hint);
            eprintln!("No new key was made; {}", old_phrase(&old, &replace));
            return exit::UNDONE;
        }
    };
    let id = key.id.clone();
    eprintln!("Created {id}.");
    if let Some(n) = watch.first {
        eprintln!(
            "iamwiz keys rotate: ended by {} before the secret was saved.",
            signals::name(n)
        );
        return undo(c, user, &id, None, export, &old, &replace, 128 + n).await;
    }

    // Written off the runtime's threads, so that a signal meanwhile is noted.
    let writing = {
        let (export, user) = (export.clone(), user.to_string());
        tokio::task::spawn_blocking(move || {
            let saved = export::write(&export, &user, &key);
            (key, saved)
        })
    };
    let Ok((key, saved)) = watch.during(writing).await else {
        eprintln!("iamwiz keys rotate: writing the secret stopped unexpectedly.");
        return undo(c, user, &id, None, export, &old, &replace, exit::UNDONE).await;
    };
    let saved = match saved {
        Ok(saved) => saved,
        Err(why) => {
            eprintln!("iamwiz keys rotate: {why}.");
            return undo(c, user, &id, None, export, &old, &replace, exit::UNDONE).await;
        }
    };
    eprintln!("Saved: {}", saved.line);
    if let Some(n) = watch.first {
        eprintln!(
            "iamwiz keys rotate: ended by {} before the new key was proven.",
            signals::name(n)
        );
        return undo(c, user, &id, Some(&saved), export, &old, &replace, 128 + n).await;
    }

    eprintln!("Proving {id}: sts:GetCallerIdentity signed with it…");
    let limit = Duration::from_secs(args.prove_for);
    let proof = tokio::select! {
        proof = prove(c, &key, arn, limit) => proof,
        n = watch.signals.next() => {
            watch.first = Some(n);
            eprintln!(
                "iamwiz keys rotate: ended by {} before the new key was proven.",
                signals::name(n)
            );
            drop(key);
            return undo(c, user, &id, Some(&saved), export, &old, &replace, 128 + n).await;
        }
    };
    drop(key);
    match proof {
        Proof::Works(after) => eprintln!(
            "✓ {id} works: it signs as {arn} (after {:.1} s).",
            after.as_secs_f64()
        ),
        Proof::TimedOut(e) => {
            eprintln!(
                "iamwiz keys rotate: {id} still did not work after {} s: {e}.\n  AWS usually \
                 accepts a new key within a minute; if it never does, check the endpoint and \
                 that nothing (an SCP, a proxy) refuses the key.",
                args.prove_for
            );
            return undo(
                c,
                user,
                &id,
                Some(&saved),
                export,
                &old,
                &replace,
                exit::UNDONE,
            )
            .await;
        }
        Proof::Failed(e) => {
            eprintln!(
                "iamwiz keys rotate: the proof of {id} failed: {e}.\n  {}",
                e.hint
            );
            return undo(
                c,
                user,
                &id,
                Some(&saved),
                export,
                &old,
                &replace,
                exit::UNDONE,
            )
            .await;
        }
        Proof::WrongIdentity(other) => {
            eprintln!(
                "iamwiz keys rotate: {id} signs as {other}, not as {arn}: the endpoint does not \
                 know the key as {user}'s."
            );
            return undo(
                c,
                user,
                &id,
                Some(&saved),
                export,
                &old,
                &replace,
                exit::UNDONE,
            )
            .await;
        }
    }
    let code = finish_old(watch, c, args, old.as_ref()).await;
    eprintln!("Rotated {user}'s access key: {id} is saved and works.");
    watch.first.map_or(code, |n| {
        eprintln!(
            "iamwiz keys rotate: {} arrived once the new key was proven; the rotation was finished.",
            signals::name(n)
        );
        128 + n
    })
}

/// Step 5: the old key, as the flags ask. [`exit::DONE`], or [`exit::LEFT`] when the call failed.
async fn finish_old(
    watch: &mut Watch,
    c: &Clients,
    args: &KeysRotateArgs,
    old: Option<&AccessKeyInfo>,
) -> i32 {
    let user = args.user.as_str();
    let Some(old) = old else {
        return exit::DONE;
    };
    let command = |end: &str| {
        format!(
            "aws iam {end}{}{}",
            shell::arg("--user-name", user),
            shell::arg("--access-key-id", &old.id)
        )
    };
    let (done, failed) = if args.delete_old {
        (
            watch
                .during(access_keys::delete_key(c, user, &old.id))
                .await,
            command("delete-access-key"),
        )
    } else if args.deactivate_old {
        (
            watch
                .during(access_keys::set_key_active(c, user, &old.id, false))
                .await,
            command("update-access-key --status Inactive"),
        )
    } else {
        eprintln!(
            "The old key {} stays {}: once everything uses the new key, deactivate it: {}",
            old.id,
            old.status,
            command("update-access-key --status Inactive")
        );
        return exit::DONE;
    };
    match done {
        Ok(()) if args.delete_old => {
            eprintln!("Deleted the old key {}.", old.id);
            exit::DONE
        }
        Ok(()) => {
            eprintln!("Deactivated the old key {}.", old.id);
            exit::DONE
        }
        Err(e) => {
            eprintln!(
                "iamwiz keys rotate: the new key works, but {e}.\n  {}\nThe old key {} is still \
                 {}; to finish: {failed}",
                e.hint, old.id, old.status
            );
            exit::LEFT
        }
    }
}

/// Deletes the new key `id` again (patiently: within the run's deadline), removes a file that
/// holds only it, says what the old key is, and returns `code`, or [`exit::LEFT`] when the key
/// could not be deleted.
#[allow(clippy::too_many_arguments)]
async fn undo(
    c: &Clients,
    user: &str,
    id: &str,
    saved: Option<&Saved>,
    export: &Export,
    old: &Option<AccessKeyInfo>,
    replace: &Option<AccessKeyInfo>,
    code: i32,
) -> i32 {
    match patiently(|| access_keys::delete_key(c, user, id)).await {
        Ok(()) => {
            if let Some(file) = saved.and_then(|s| s.file.as_ref()) {
                // It holds only the key just deleted.
                let _ = std::fs::remove_file(file);
            }
            eprintln!(
                "The new key {id} was deleted again; {}",
                old_phrase(old, replace)
            );
            if saved.is_some() {
                match export {
                    Export::Csv(path) => eprintln!("{} was removed.", path.display()),
                    Export::Profile(file, name) => eprintln!(
                        "Profile [{name}] in {} holds the deleted key: remove that profile.",
                        file.display()
                    ),
                    Export::Stdout => eprintln!("The CSV printed on stdout holds the deleted key."),
                }
            }
            code
        }
        Err(e) => {
            eprintln!(
                "iamwiz keys rotate: the new key {id} could not be deleted again: {e}.\n  Left in \
                 the account, with the command that removes it:\n  access key {id} of {user}: aws \
                 iam delete-access-key{}{}",
                shell::arg("--user-name", user),
                shell::arg("--access-key-id", id)
            );
            exit::LEFT
        }
    }
}

/// What became of the old key, for a run that made no lasting new key.
fn old_phrase(old: &Option<AccessKeyInfo>, replace: &Option<AccessKeyInfo>) -> String {
    let mut s = match old {
        Some(old) => format!("the old key {} is as it was ({}).", old.id, old.status),
        None => "the user has no other key.".to_string(),
    };
    if let Some(r) = replace {
        let _ = write!(s, " The key {} was deleted by --replace.", r.id);
    }
    s
}

/// Step 1: the caller, the user and the user's keys, read-only.
async fn check(settings: &AwsSettings, args: &KeysRotateArgs) -> Result<Checked, Stop> {
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

/// Prints a refusal: every problem, and that nothing was changed.
fn refuse(user: &str, code: i32, lines: &[String]) -> i32 {
    let mut text = format!("iamwiz keys rotate {user}: refused; nothing was changed:\n");
    for line in lines {
        let _ = writeln!(text, "  {line}");
    }
    eprint!("{text}");
    code
}
