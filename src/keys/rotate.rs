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
//! If step 2's creation, step 3 or step 4 fails, the new key is deleted again (a CSV holding it,
//! plain or encrypted, is removed) and the old key is left as it was: [`exit::UNDONE`]. What cannot be undone is
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

use super::checks::{Checked, Stop, check};
use super::exit;
use super::export::{self, Export, Saved};
use super::proof::{Proof, prove};
use crate::aws::patience::patiently;
use crate::aws::{self, AwsSettings, Clients, access_keys, shell};
use crate::cli::KeysRotateArgs;
use crate::kit::tags::validate_tag_value;
use crate::model::keys::AccessKeyInfo;
use crate::signals::{self, Signals};
use crate::{eprint_clean as eprint, eprintln_clean as eprintln};

/// Runs `iamwiz keys rotate` and returns its exit code (see [`exit`]).
pub async fn run(settings: &AwsSettings, args: &KeysRotateArgs) -> i32 {
    let user = args.user.as_str();
    let described = args.description.as_deref().map(validate_tag_value);
    let export = match (export::check(args), described) {
        (Ok(export), None | Some(Ok(()))) => export,
        (checked, described) => {
            let mut problems = checked.err().unwrap_or_default();
            if let Some(Err(e)) = described {
                problems.push(format!("--description: {e}"));
            }
            return refuse(user, exit::REFUSED, &problems);
        }
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
    if let Some(n) = watch.signals.arrived() {
        eprintln!(
            "iamwiz keys rotate: ended by {} before anything was changed: nothing was changed.",
            signals::name(n)
        );
        return 128 + n;
    }
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
        forget_description(c, user, r).await;
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
    let failed = match proof {
        Proof::Works(after) => {
            eprintln!(
                "✓ {id} works: it signs as {arn} (after {:.1} s).",
                after.as_secs_f64()
            );
            None
        }
        Proof::TimedOut(e) => Some(format!(
            "iamwiz keys rotate: {id} still did not work after {} s: {e}.\n  AWS usually \
             accepts a new key within a minute; if it never does, check the endpoint and \
             that nothing (an SCP, a proxy) refuses the key.",
            args.prove_for
        )),
        Proof::Failed(e) => Some(format!(
            "iamwiz keys rotate: the proof of {id} failed: {e}.\n  {}",
            e.hint
        )),
        Proof::WrongIdentity(other) => Some(format!(
            "iamwiz keys rotate: {id} signs as {other}, not as {arn}: the endpoint does not \
             know the key as {user}'s."
        )),
    };
    // A key that was not proven goes again; the old one stays as it was.
    if let Some(why) = failed {
        eprintln!("{why}");
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
    let mut code = finish_old(watch, c, args, old.as_ref()).await;
    let description = args.description.as_deref().or_else(|| {
        [&old, &replace]
            .into_iter()
            .flatten()
            .find_map(|k| k.description.as_deref())
    });
    if let Some(text) = description {
        match watch
            .during(access_keys::set_description(c, user, &id, text))
            .await
        {
            Ok(()) => eprintln!("Described {id}: {text}"),
            Err(e) => {
                eprintln!(
                    "iamwiz keys rotate: the new key works, but its description was not stored: \
                     {e}.\n  {}\nTo store it: aws iam tag-user{} --tags {}",
                    e.hint,
                    shell::arg("--user-name", user),
                    shell::quote(&format!("Key={id},Value={text}"))
                );
                code = exit::LEFT;
            }
        }
    }
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
            forget_description(c, user, old).await;
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
    // The undo has a deadline of its own for waiting out throttling.
    let deadline = Instant::now() + c.settings.run_timeout();
    let deleted =
        aws::rate::until(deadline, patiently(|| access_keys::delete_key(c, user, id))).await;
    match deleted {
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
                    Export::Csv(path) | Export::Age(path, _) => {
                        eprintln!("{} was removed.", path.display())
                    }
                    Export::Profile(file, name) => {
                        match crate::export::remove_profile(file, name, id) {
                            Ok(true) => {
                                eprintln!("Profile [{name}] was removed from {}.", file.display())
                            }
                            Ok(false) => eprintln!(
                                "Profile [{name}] in {} no longer holds the deleted key: left as it is.",
                                file.display()
                            ),
                            Err(e) => eprintln!(
                                "Profile [{name}] in {} holds the deleted key and could not be \
                             removed ({e}): remove that profile.",
                                file.display()
                            ),
                        }
                    }
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

/// Removes the description of the deleted key `k`, if it had one (as the console does). A
/// failure only leaves a tag that names no key: it is reported, not fatal.
async fn forget_description(c: &Clients, user: &str, k: &AccessKeyInfo) {
    if k.description.is_none() {
        return;
    }
    if let Err(e) = access_keys::remove_description(c, user, &k.id).await {
        eprintln!(
            "iamwiz keys rotate: warning: the description of the deleted key {} stays as a tag \
             of {user}: {e}. To remove it: aws iam untag-user{}{}",
            k.id,
            shell::arg("--user-name", user),
            shell::arg("--tag-keys", &k.id)
        );
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

/// Prints a refusal: every problem, and that nothing was changed.
fn refuse(user: &str, code: i32, lines: &[String]) -> i32 {
    let mut text = format!("iamwiz keys rotate {user}: refused; nothing was changed:\n");
    for line in lines {
        let _ = writeln!(text, "  {line}");
    }
    eprint!("{text}");
    code
}
