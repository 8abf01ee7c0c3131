//! `iamwiz apply PLAN`: creates the users a plan file describes, without the wizard.
//!
//! The order is what makes it safe to script:
//!
//! 1. The plan is read and checked against every rule, and the export choice against the plan
//!    (secrets need somewhere to go; `--csv` must not exist; profiles must be new). Every problem
//!    is listed at once, and nothing is asked of AWS ([`exit::REFUSED`]).
//! 2. `--dry-run` stops here and prints the equivalent AWS CLI commands.
//! 3. Read-only checks, all at once: the caller's identity, the password policy, every managed
//!    policy and the boundary (`GetPolicy`), every group (`GetGroup`; for several, the account's
//!    group list), every user name (`GetUser`; for several, the account's user list: a page for
//!    up to 1,000 users, instead of a request each). Any problem: [`exit::REFUSED`]; AWS
//!    unreachable or no credentials:
//!    [`exit::UNREACHABLE`]. Nothing is created.
//! 4. The creation, with the wizard's engine ([`crate::worker::create::create_users`]) and its
//!    rollback; progress on stderr.
//! 5. The secrets go to the exports named (the CSV possibly encrypted to its owners with age,
//!    `--age-recipient`: see `exports`). If an export cannot be written, everything created is
//!    deleted again (nobody would have the secrets).
//! 6. Each new access key is proven with `sts:GetCallerIdentity` (`proof`; `--no-proof` skips
//!    it). A key that does not work is reported, never deleted: its secret is saved.
//!
//! SIGINT, SIGTERM, SIGHUP and SIGQUIT never leave users whose secrets were written nowhere
//! (see `signals`).
//!
//! This module runs the steps in order; `exports` (steps 1 and 5), `dry_run` (step 2),
//! `checks` (step 3) and `progress` (step 4) hold each step's work; `json` the report of
//! `--output json`.

mod checks;
mod dry_run;
mod exports;
mod json;
mod progress;
mod proof;
mod signals;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::Path;

use tokio::sync::mpsc::unbounded_channel;

use crate::aws::{self, AwsSettings};
// Every `eprint!`/`eprintln!` here removes terminal control and bidi characters
// (`term_text::clean`): AWS errors, ARNs and plan text are printed.
use crate::cli::{ApplyArgs, Output};
use crate::export;
use crate::planfile::{self, Problem};
use crate::protocol::{CreationResult, Event, Leftover, StepKind, run_steps};
use crate::{eprint_clean as eprint, eprintln_clean as eprintln};
use signals::{Waited, Watch};

use checks::{Refusal, check_account};
pub use dry_run::dry_run_commands;
pub use exports::profile_names;
use exports::{check_exports, write_exports};
use progress::{apply_hint, code_and_message, show_progress, step_text};

/// The exit codes of `iamwiz apply`.
pub mod exit {
    /// Every user was created and the secrets are in the exports named.
    pub const CREATED: i32 = 0;
    /// A flag or argument is wrong (clap's own code).
    pub const USAGE: i32 = 2;
    /// The plan was refused: invalid, the account checks failed, or the export choice is unsafe.
    /// Nothing was created.
    pub const REFUSED: i32 = 3;
    /// The creation failed and everything made was undone.
    pub const ROLLED_BACK: i32 = 4;
    /// The creation failed and the rollback left something (listed with the commands that
    /// remove it).
    pub const LEFTOVERS: i32 = 5;
    /// AWS could not be reached, or there are no usable credentials. Nothing was created.
    pub const UNREACHABLE: i32 = 6;
}

/// Runs `iamwiz apply` and returns its exit code (see [`exit`]); with `--output json`, prints
/// the run's report on stdout at the end.
pub async fn run(settings: AwsSettings, args: &ApplyArgs) -> i32 {
    let mut report = json::Report::new(args.plan.display().to_string());
    let code = apply_plan(settings, args, &mut report).await;
    if args.output == Output::Json {
        let mut out = std::io::stdout().lock();
        let _ = out
            .write_all(report.finish(code).as_bytes())
            .and_then(|()| out.flush());
    }
    code
}

/// The run itself: the checks, the creation, the exports and the proofs; the exit code.
async fn apply_plan(settings: AwsSettings, args: &ApplyArgs, report: &mut json::Report) -> i32 {
    let shown = args.plan.display().to_string();
    let text = match std::fs::read_to_string(&args.plan) {
        Ok(text) => text,
        Err(e) => {
            eprintln!(
                "iamwiz apply: cannot read the plan {shown}: {e}. Nothing was created; check the \
                 path."
            );
            return exit::REFUSED;
        }
    };
    let loaded = planfile::load(&text);
    let plan_problems = loaded.as_ref().err().cloned().unwrap_or_default();
    // The export choice is checked against the plan even when a rule refuses it, as long as its
    // fields could be read, so that every problem is listed at once.
    let readable = loaded
        .as_ref()
        .ok()
        .cloned()
        .or_else(|| planfile::parse(&text).ok());
    let export_problems = check_exports(readable.as_ref(), args);
    let (plan, exports) = match (loaded, export_problems) {
        (Ok(plan), Ok(exports)) => (plan, exports),
        (_, exports) => {
            let mut lines: Vec<String> = plan_problems.iter().map(Problem::to_string).collect();
            lines.extend(exports.err().unwrap_or_default());
            refuse(&format!("the plan {shown} is refused"), &lines);
            return exit::REFUSED;
        }
    };

    // An encrypted CSV is safe in a repository; a plain one is not.
    let encrypted = exports.age.is_some();
    if let Some(csv) = args.csv.as_ref().filter(|_| !encrypted) {
        let dir = csv
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if let Some(repo) = export::git_work_tree(dir) {
            eprintln!(
                "iamwiz apply: warning: {} is inside the git work tree {}: make sure it is never \
                 committed (for example *_credentials.csv in its .gitignore), or save it outside.",
                csv.display(),
                repo.display()
            );
        }
    }

    if args.dry_run {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(dry_run_commands(&plan, &shown).as_bytes());
        let _ = out.flush();
        return exit::CREATED;
    }

    let mut watch = match Watch::new() {
        Ok(watch) => watch,
        Err(e) => {
            eprintln!(
                "iamwiz apply: cannot take over SIGINT and SIGTERM, so a signal could leave users \
                 whose secrets were written nowhere: {e}. Nothing was created."
            );
            return exit::REFUSED;
        }
    };
    // Throttling is reported with the progress, from the checks on.
    let (events, rx) = unbounded_channel();
    let rate_events = events.clone();
    let deadline = tokio::time::Instant::now() + settings.run_timeout();
    let Some((clients, checked, rates)) = watch
        .before_creation(async {
            let clients = aws::connect(&settings).await;
            let rates = tokio::spawn(aws::rate::follow(
                clients.rates.clone(),
                move |service, status| rate_events.send(Event::Rate { service, status }).is_ok(),
            ));
            let checked = check_account(&clients, &plan).await;
            (clients, checked, rates)
        })
        .await
    else {
        return watch.code(exit::REFUSED);
    };
    let checked = match checked {
        Ok(checked) => checked,
        Err(Refusal::Unreachable(e)) => {
            eprintln!(
                "iamwiz apply: cannot reach AWS: {e}.\n  {}\nNothing was created.",
                e.hint
            );
            return exit::UNREACHABLE;
        }
        Err(Refusal::Problems(lines)) => {
            refuse(
                &format!("the plan {shown} cannot be applied to this account"),
                &lines,
            );
            return exit::REFUSED;
        }
    };

    let specs = planfile::to_specs(
        &plan,
        &checked.password_policy,
        &checked.partition,
        &checked.account,
    );
    let steps: Vec<Vec<StepKind>> = run_steps(&specs);
    report.will_create(&specs);
    eprintln!(
        "Creating {} as {} in account {}…",
        users_phrase(&plan.users),
        checked.caller,
        checked.account
    );
    let progress = tokio::spawn(show_progress(
        rx,
        plan.users.clone(),
        steps,
        std::io::stderr().is_terminal(),
        deadline,
    ));
    let waited = aws::rate::until(deadline, watch.create(&clients, specs, &events)).await;
    rates.abort();
    drop(events);
    let _ = progress.await;
    let result = match waited {
        Waited::Done(result) => result,
        Waited::Stopped(left) => {
            report.leftovers(&left);
            return watch.stopped(&left);
        }
    };

    match result {
        CreationResult::Created(users) if watch.signal().is_some() => {
            watch.created(&users);
            // Dropping them zeroes the secrets, which were written nowhere.
            drop(users);
            watch.discard_unsaved(&clients, &plan.users).await
        }
        CreationResult::Created(users) => {
            // Written off the runtime's threads, so that a signal meanwhile is noted.
            let writing = tokio::task::spawn_blocking(move || {
                let written = write_exports(&users, &exports);
                (users, written, exports)
            });
            let Ok((users, written, exports)) = watch.during(writing).await else {
                eprintln!(
                    "iamwiz apply: the users were created, but writing their secrets stopped \
                     unexpectedly; check the exports named, and delete the users if they lack \
                     the secrets."
                );
                return exit::LEFTOVERS;
            };
            match written {
                Ok(saved) => {
                    report.created(&users);
                    report.saved(&exports, &users);
                    eprintln!("Created {}.", users_phrase(&plan.users));
                    for line in &saved {
                        eprintln!("Saved: {line}");
                    }
                    watch.kept(&plan.users, &saved);
                    if !args.no_proof && watch.signal().is_none() {
                        // Read-only: a signal ends the waiting, and nothing is deleted.
                        let proven = watch
                            .unless_signal(proof::prove_keys(&clients, &users))
                            .await;
                        for (user, key_id, proof) in proven.iter().flatten() {
                            report.proof(user, key_id, proof);
                        }
                        if report.proofs.iter().any(|p| !p.works) {
                            eprintln!(
                                "Nothing was deleted: the secrets are saved as listed above. \
                                 Prove the key again before you hand it over (aws sts \
                                 get-caller-identity with it)."
                            );
                        }
                    }
                    watch.code(exit::CREATED)
                }
                Err(failure) => {
                    eprintln!(
                        "iamwiz apply: the users were created, but {}. Nobody has their secrets, so \
                     iamwiz deletes them again.",
                        failure.error
                    );
                    watch.created(&users);
                    drop(users);
                    // The deletion has a deadline of its own for waiting out throttling.
                    let undo_deadline = tokio::time::Instant::now() + settings.run_timeout();
                    let discarded =
                        aws::rate::until(undo_deadline, watch.discard(&clients, &plan.users)).await;
                    let leftovers = match discarded {
                        Waited::Done(left) => left,
                        Waited::Stopped(left) => {
                            report.leftovers(&left);
                            return watch.stopped(&left);
                        }
                    };
                    if leftovers.is_empty() {
                        for path in &failure.written {
                            // It holds only keys that no longer exist.
                            let _ = std::fs::remove_file(path);
                        }
                        eprintln!("Everything created was deleted: nothing was created.");
                        report_profiles_saved(&failure.profiles_saved, true);
                        watch.code(exit::ROLLED_BACK)
                    } else {
                        report_leftovers(&leftovers);
                        report.leftovers(&leftovers);
                        for path in &failure.written {
                            eprintln!(
                                "{} holds the secrets of what is left: delete it once that is removed.",
                                path.display()
                            );
                        }
                        report_profiles_saved(&failure.profiles_saved, false);
                        watch.code(exit::LEFTOVERS)
                    }
                }
            }
        }
        CreationResult::Failed {
            user,
            step,
            error,
            leftovers,
        } => {
            eprintln!(
                "iamwiz apply: {} failed: {}\n  {}",
                step_text(&user, &step),
                code_and_message(&error),
                apply_hint(&error)
            );
            if leftovers.is_empty() {
                eprintln!("Everything made was undone: nothing was created.");
            } else {
                report_leftovers(&leftovers);
                report.leftovers(&leftovers);
            }
            watch.ended_after_rollback();
            watch.code(if leftovers.is_empty() {
                exit::ROLLED_BACK
            } else {
                exit::LEFTOVERS
            })
        }
    }
}

/// Prints a refusal: the headline and every problem.
fn refuse(headline: &str, lines: &[String]) {
    let mut text = format!(
        "iamwiz apply: {headline} ({} problem{}); nothing was created:\n",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" }
    );
    for line in lines {
        let _ = writeln!(text, "  {line}");
    }
    eprint!("{text}");
}

/// Names the profiles written before an export failed: they hold keys of users that were then
/// deleted (`undone`) or are among what is left, and iamwiz does not edit the file again.
fn report_profiles_saved(lines: &[String], undone: bool) {
    let key = if undone {
        "its key no longer exists"
    } else {
        "its key goes once what is left is removed"
    };
    for line in lines {
        eprintln!("Saved before the failure: {line}; {key}: remove that profile from the file.");
    }
}

fn report_leftovers(leftovers: &[Leftover]) {
    let mut text = String::from(
        "The rollback could not remove everything. Left in the account, with the command that \
         removes each (run them in this order):\n",
    );
    for l in leftovers {
        let _ = writeln!(text, "  {}: {}", l.what, l.command);
    }
    eprint!("{text}");
}

fn users_phrase(users: &[String]) -> String {
    match users {
        [one] => format!("user {one}"),
        many => format!("{} users: {}", many.len(), many.join(", ")),
    }
}
