//! `iamwiz apply PLAN`: creates the users a plan file describes, without the wizard.
//!
//! (Past 600 lines: the run, its checks, exports and progress; the split by section belongs to
//! the move of the flows into modules of their own.)
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
//! 4. The creation, with the wizard's engine ([`crate::worker::plan::create_users`]) and its
//!    rollback; progress on stderr.
//! 5. The secrets go to the exports named. If an export cannot be written, everything created is
//!    deleted again (nobody would have the secrets).
//!
//! SIGINT, SIGTERM, SIGHUP and SIGQUIT never leave users whose secrets were written nowhere
//! (see [`signals`]).

mod signals;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use futures::{StreamExt, stream};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::aws::shell::{arg, quote as shell_quote};
use crate::aws::{self, AwsSettings, Clients, lookup};
// Every `eprint!`/`eprintln!` here removes terminal control and bidi characters
// (`term_text::clean`): AWS errors, ARNs and plan text are printed.
use crate::cli::ApplyArgs;
use crate::export;
use crate::planfile::{self, Plan, Problem};
use crate::protocol::{
    AwsError, CreatedUser, CreationResult, Event, Leftover, PasswordPolicy, StepKind, StepStatus,
    plan_steps, policy_name,
};
use crate::{eprint_clean as eprint, eprintln_clean as eprintln};
use signals::{Waited, Watch};

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

/// How many read-only checks run at once (IAM throttles bursts).
const CHECKS_AT_ONCE: usize = 8;

/// The error codes that mean AWS was not reached or would not take the credentials at all.
const UNREACHABLE_CODES: &[&str] = &[
    "EndpointUnreachable",
    "Timeout",
    "NoCredentials",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
];

/// Runs `iamwiz apply` and returns its exit code (see [`exit`]).
pub async fn run(settings: AwsSettings, args: &ApplyArgs) -> i32 {
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

    if let Some(csv) = &args.csv {
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

    let specs = planfile::to_specs(&plan, &checked.password_policy, &checked.partition);
    let steps: Vec<Vec<StepKind>> = specs.iter().map(plan_steps).collect();
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
        Waited::Stopped(left) => return watch.stopped(&left),
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
                (users, written)
            });
            let Ok((users, written)) = watch.during(writing).await else {
                eprintln!(
                    "iamwiz apply: the users were created, but writing their secrets stopped \
                     unexpectedly; check the exports named, and delete the users if they lack \
                     the secrets."
                );
                return exit::LEFTOVERS;
            };
            match written {
                Ok(saved) => {
                    eprintln!("Created {}.", users_phrase(&plan.users));
                    for line in &saved {
                        eprintln!("Saved: {line}");
                    }
                    watch.kept(&plan.users, &saved);
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
                        Waited::Stopped(left) => return watch.stopped(&left),
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

// ---------------------------------------------------------------------------------------------
// Exports
// ---------------------------------------------------------------------------------------------

/// Where the secrets go, checked before anything is created.
#[derive(Debug, Default)]
struct Exports {
    csv: Option<PathBuf>,
    /// The credentials file and, per user (in plan order), the profile to save its key as.
    profiles: Option<(PathBuf, Vec<String>)>,
    stdout: bool,
}

/// The profile names `--profile-out NAME` gives: `NAME` for one user, `NAME-<user>` for several.
pub fn profile_names(name: &str, users: &[String]) -> Vec<String> {
    match users {
        [_] => vec![name.to_string()],
        many => many.iter().map(|u| format!("{name}-{u}")).collect(),
    }
}

/// Checks the export flags against the plan (when it could be read): every problem, or where
/// the secrets will go.
fn check_exports(plan: Option<&Plan>, args: &ApplyArgs) -> Result<Exports, Vec<String>> {
    let mut problems = Vec::new();
    let mut exports = Exports {
        stdout: args.secrets_stdout,
        ..Exports::default()
    };
    if let Some(plan) = plan {
        let secrets = plan.access_key || plan.console_password.is_some();
        let named = args.csv.is_some() || args.profile_out.is_some() || args.secrets_stdout;
        if secrets && !named && !args.dry_run {
            problems.push(
                "--csv, --profile-out, --secrets-stdout: none given, but the plan creates secrets \
                 (an access key or a console password) that can be read only once; name where \
                 they go, for example --csv new-users.csv"
                    .to_string(),
            );
        }
        if plan.console_password.is_some()
            && args.profile_out.is_some()
            && args.csv.is_none()
            && !args.secrets_stdout
            && !args.dry_run
        {
            problems.push(
                "--profile-out: a profile holds only the access key, and the plan also creates \
                 console passwords that would be lost; add --csv FILE or --secrets-stdout"
                    .to_string(),
            );
        }
        if args.profile_out.is_some() && !plan.access_key {
            problems.push(
                "--profile-out: the plan creates no access key to save as a profile; set \
                 \"access_key\": true, or use --csv for the console password"
                    .to_string(),
            );
        }
    }
    if args.secrets_stdout && !args.secrets_to_terminal && std::io::stdout().is_terminal() {
        problems.push(
            "--secrets-stdout: stdout is a terminal, where the secrets would stay in the \
             scrollback (and any recording of the session); pipe or redirect it (for example \
             > new-users.csv), or add --secrets-to-terminal to print them here anyway"
                .to_string(),
        );
    }
    if let Some(path) = &args.csv {
        if std::fs::symlink_metadata(path).is_ok() {
            problems.push(format!(
                "--csv: {} already exists; iamwiz never writes over a file: choose a new name",
                path.display()
            ));
        } else {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            if !parent.is_dir() {
                problems.push(format!(
                    "--csv: folder {} does not exist: create it first or choose another folder",
                    parent.display()
                ));
            }
        }
        exports.csv = Some(path.clone());
    }
    if let (Some(name), Some(plan)) = (&args.profile_out, plan)
        && plan.access_key
    {
        let names = profile_names(name, &plan.users);
        for n in &names {
            if let Err(e) = export::validate_profile_name(n) {
                problems.push(format!("--profile-out: {n}: {e}"));
            }
        }
        match export::credentials_file_path() {
            Err(e) => problems.push(format!("--profile-out: {e}")),
            Ok(file) => {
                match std::fs::read_to_string(&file) {
                    Ok(content) => {
                        for n in names.iter().filter(|n| export::profile_exists(&content, n)) {
                            problems.push(format!(
                                "--profile-out: profile [{n}] already exists in {}; choose \
                                 another name (iamwiz apply never replaces a profile)",
                                file.display()
                            ));
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => problems.push(format!(
                        "--profile-out: cannot read {}: {e}",
                        file.display()
                    )),
                }
                exports.profiles = Some((file, names));
            }
        }
    }
    if problems.is_empty() {
        Ok(exports)
    } else {
        Err(problems)
    }
}

/// Why the exports could not all be written, and the files already written.
struct ExportFailure {
    error: String,
    /// Files created before the failure.
    written: Vec<PathBuf>,
    /// The profiles saved before the failure, one line each.
    profiles_saved: Vec<String>,
}

/// Writes the secrets of `users` to every export named, in this order: the CSV file, the
/// profiles, stdout. Returns what was saved, one line each.
fn write_exports(users: &[CreatedUser], exports: &Exports) -> Result<Vec<String>, ExportFailure> {
    let mut failure = ExportFailure {
        error: String::new(),
        written: Vec::new(),
        profiles_saved: Vec::new(),
    };
    let rows = export::csv_rows(users);
    let mut saved = Vec::new();
    if let Some(path) = &exports.csv {
        if let Err(e) = export::write_new_file(path, &export::csv_content(&rows)) {
            failure.error = format!("the CSV could not be written: {e}");
            return Err(failure);
        }
        failure.written.push(path.clone());
        saved.push(format!("CSV file {} (mode 0600)", path.display()));
    }
    if let Some((file, names)) = &exports.profiles {
        for (user, profile) in users.iter().zip(names) {
            let Some(key) = &user.access_key else {
                continue;
            };
            if let Err(e) = export::save_profile(file, profile, &key.id, &key.secret, false) {
                failure.error = format!("profile [{profile}] could not be saved: {e}");
                return Err(failure);
            }
            let line = format!(
                "profile [{profile}] (user {}) in {}",
                user.name,
                file.display()
            );
            failure.profiles_saved.push(line.clone());
            saved.push(line);
        }
    }
    if exports.stdout {
        let content = export::csv_content(&rows);
        let mut out = std::io::stdout().lock();
        if let Err(e) = out
            .write_all(content.expose().as_bytes())
            .and_then(|()| out.flush())
        {
            failure.error = format!("the secrets could not be written to stdout: {e}");
            return Err(failure);
        }
        saved.push("the credentials CSV on stdout".to_string());
    }
    Ok(saved)
}

// ---------------------------------------------------------------------------------------------
// Read-only checks
// ---------------------------------------------------------------------------------------------

/// What the read-only checks learned, for the creation.
struct Checked {
    account: String,
    caller: String,
    /// `aws`, `aws-cn`, `aws-us-gov`…: for the ARN of `IAMUserChangePassword`.
    partition: String,
    password_policy: PasswordPolicy,
}

enum Refusal {
    /// AWS was not reached or refused the credentials: nothing else can be checked.
    Unreachable(AwsError),
    Problems(Vec<String>),
}

/// One read-only check's verdict: the problems with the plan (none: fine), or an AWS error.
type Verdict = Result<Vec<Problem>, AwsError>;

async fn check_policy(c: &Clients, at: String, arn: String) -> (String, Verdict) {
    let verdict = match lookup::policy_exists(c, &arn).await {
        Ok(true) => Ok(Vec::new()),
        Ok(false) => Ok(vec![Problem::new(
            at.clone(),
            format!(
                "no managed policy {arn} in this account: check the ARN, or create the policy \
                 first"
            ),
        )]),
        Err(e) => Err(e),
    };
    (at, verdict)
}

async fn check_group(c: &Clients, at: String, group: String) -> (String, Verdict) {
    let verdict = match lookup::group_exists(c, &group).await {
        Ok(true) => Ok(Vec::new()),
        Ok(false) => Ok(vec![no_such_group(at.clone(), &group)]),
        Err(e) => Err(e),
    };
    (at, verdict)
}

/// From how many groups or users the account's list is read instead of one request each.
const LISTED_FROM: usize = 2;

fn no_such_group(at: String, group: &str) -> Problem {
    Problem::new(
        at,
        format!(
            "no group named {group} in this account: create it first, or remove it from the plan"
        ),
    )
}

fn user_exists(at: String, existing: &str) -> Problem {
    Problem::new(
        at,
        format!(
            "a user named {existing} already exists in this account (names are unique ignoring \
             case): choose another name"
        ),
    )
}

/// Every group of `groups` against the account's group list (names ignoring case, as IAM
/// compares them).
async fn check_groups_listed(c: &Clients, groups: Vec<String>) -> (String, Verdict) {
    let verdict = aws::iam::group_names(c).await.map(|names| {
        let known: std::collections::HashSet<String> =
            names.iter().map(|n| n.to_lowercase()).collect();
        groups
            .iter()
            .enumerate()
            .filter(|(_, g)| !known.contains(&g.to_lowercase()))
            .map(|(i, g)| no_such_group(format!("groups[{i}]"), g))
            .collect()
    });
    ("groups".to_string(), verdict)
}

/// Every name of `users` against the account's user list (ignoring case, as IAM does).
async fn check_users_listed(c: &Clients, users: Vec<String>) -> (String, Verdict) {
    let verdict = aws::iam::users(c).await.map(|listed| {
        let taken: std::collections::HashMap<String, String> = listed
            .into_iter()
            .map(|u| (u.name.to_lowercase(), u.name))
            .collect();
        users
            .iter()
            .enumerate()
            .filter_map(|(i, u)| {
                let existing = taken.get(&u.to_lowercase())?;
                Some(user_exists(format!("users[{i}]"), existing))
            })
            .collect()
    });
    ("users".to_string(), verdict)
}

async fn check_user(c: &Clients, at: String, name: String) -> (String, Verdict) {
    let verdict = aws::iam::find_user(c, &name).await.map(|found| {
        found
            .map(|existing| user_exists(at.clone(), &existing))
            .into_iter()
            .collect()
    });
    (at, verdict)
}

/// The read-only checks, all at once: identity, password policy (for a console password), every
/// policy, group and user name. Returns every problem found.
async fn check_account(c: &Clients, plan: &Plan) -> Result<Checked, Refusal> {
    let mut checks: Vec<futures::future::BoxFuture<'_, (String, Verdict)>> = Vec::new();
    for (i, arn) in plan.managed_policies.iter().enumerate() {
        checks.push(Box::pin(check_policy(
            c,
            format!("managed_policies[{i}]"),
            arn.clone(),
        )));
    }
    if let Some(arn) = &plan.permissions_boundary {
        checks.push(Box::pin(check_policy(
            c,
            "permissions_boundary".to_string(),
            arn.clone(),
        )));
    }
    // Several groups or users are checked against the account's lists (a page each for most
    // accounts) rather than one request each: the checks share IAM's request quota with the
    // creation.
    if plan.groups.len() >= LISTED_FROM {
        checks.push(Box::pin(check_groups_listed(c, plan.groups.clone())));
    } else {
        for (i, g) in plan.groups.iter().enumerate() {
            checks.push(Box::pin(check_group(c, format!("groups[{i}]"), g.clone())));
        }
    }
    if plan.users.len() >= LISTED_FROM {
        checks.push(Box::pin(check_users_listed(c, plan.users.clone())));
    } else {
        for (i, u) in plan.users.iter().enumerate() {
            checks.push(Box::pin(check_user(c, format!("users[{i}]"), u.clone())));
        }
    }
    let password_policy = async {
        if plan.console_password.is_some() {
            aws::iam::password_policy(c).await
        } else {
            Ok(PasswordPolicy::aws_default())
        }
    };
    let (identity, password_policy, verdicts) = tokio::join!(
        aws::iam::identity(c),
        password_policy,
        stream::iter(checks)
            .buffered(CHECKS_AT_ONCE)
            .collect::<Vec<_>>(),
    );

    let unreachable = |e: &AwsError| UNREACHABLE_CODES.contains(&e.code.as_str());
    let mut errors: Vec<(String, AwsError)> = Vec::new();
    let identity = identity.map_err(|e| errors.push(("identity".to_string(), e)));
    let password_policy =
        password_policy.map_err(|e| errors.push(("password policy".to_string(), e)));
    let mut lines = Vec::new();
    for (at, verdict) in verdicts {
        match verdict {
            Ok(problems) => lines.extend(problems.iter().map(Problem::to_string)),
            Err(e) => errors.push((at, e)),
        }
    }
    if let Some((_, e)) = errors.iter().find(|(_, e)| unreachable(e)) {
        return Err(Refusal::Unreachable(e.clone()));
    }
    for (at, e) in &errors {
        lines.push(format!("{at}: {e}. {}", apply_hint(e)));
    }
    let (Ok(identity), Ok(password_policy)) = (identity, password_policy) else {
        return Err(Refusal::Problems(lines));
    };
    let partition = identity
        .arn
        .split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
        .to_string();
    let effective = planfile::effective_policies(plan, &password_policy, &partition);
    if effective.len() > crate::app::draft::MANAGED_POLICIES_MAX {
        lines.push(format!(
            "managed_policies: {} policies with {}, which iamwiz attaches because the users must \
             set a new password and the account's password policy does not let users change \
             their own; a user can have at most {}: remove one, or set \"require_reset\": false",
            effective.len(),
            planfile::CHANGE_PASSWORD_POLICY,
            crate::app::draft::MANAGED_POLICIES_MAX
        ));
    }
    if !lines.is_empty() {
        return Err(Refusal::Problems(lines));
    }
    Ok(Checked {
        account: identity.account,
        caller: identity.arn,
        partition,
        password_policy,
    })
}

// ---------------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------------

/// `alice: iam:AddUserToGroup developers`: the step of `user`, as progress lines show it.
fn step_text(user: &str, kind: &StepKind) -> String {
    let op = kind.operation();
    match kind {
        StepKind::AddToGroup(g) => format!("{user}: {op} {g}"),
        StepKind::AttachPolicy(arn) => format!("{user}: {op} {}", policy_name(arn)),
        StepKind::PutInlinePolicy(name) => format!("{user}: {op} {name}"),
        _ => format!("{user}: {op}"),
    }
}

/// The line for a step's new status, or `None` for one not worth a line (started, undoing).
fn status_line(user: &str, kind: &StepKind, status: &StepStatus) -> Option<String> {
    let step = step_text(user, kind);
    Some(match status {
        StepStatus::Pending | StepStatus::Running | StepStatus::Undoing => return None,
        StepStatus::Done => format!("{step} done"),
        StepStatus::Failed(e) => format!("{step} failed: {}", code_and_message(e)),
        StepStatus::Skipped => format!("{step} skipped"),
        StepStatus::Undone => format!("{step} undone ({})", kind.undo_operation()),
        StepStatus::UndoFailed(e) => {
            format!("{step} NOT undone: {} {}", e.operation, code_and_message(e))
        }
    })
}

/// `Code: message`, or the code alone.
fn code_and_message(e: &AwsError) -> String {
    if e.message.is_empty() {
        e.code.clone()
    } else {
        format!("{}: {}", e.code, e.message)
    }
}

/// What to do about `e`, for someone running a plan (the wizard's hints speak of its steps).
fn apply_hint(e: &AwsError) -> String {
    match e.code.as_str() {
        "MalformedPolicyDocument" | "InvalidInput" | "ValidationError" => {
            "AWS refused a value of the plan as invalid: correct it in the plan file and run \
             again."
                .to_string()
        }
        "NoSuchEntity" => "Something the plan names does not exist (any more) in the account: \
                           check the plan against the account and run again."
            .to_string(),
        "EntityAlreadyExists" => "A name in the plan is taken in the account: change it in the \
                                  plan and run again."
            .to_string(),
        _ => e.hint.clone(),
    }
}

/// Shows the steps as they finish: on a terminal, one progress bar updated in place (failures
/// and undos printed above it); otherwise one plain line per finished step.
async fn show_progress(
    mut events: UnboundedReceiver<Event>,
    users: Vec<String>,
    steps: Vec<Vec<StepKind>>,
    terminal: bool,
    deadline: tokio::time::Instant,
) {
    let total: usize = steps.iter().map(Vec::len).sum();
    let bar = terminal.then(|| {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} steps  {wide_msg}")
                .expect("a valid template")
                .progress_chars("█▉▊▋▌▍▎▏ "),
        );
        bar
    });
    while let Some(event) = events.recv().await {
        if let Event::Rate { service, status } = &event {
            if let Some(text) = status.describe(service) {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                let line = match status.per_second {
                    Some(_) => format!("{text} · {} (--timeout)", aws::rate::time_left(left)),
                    None => text,
                };
                match &bar {
                    Some(bar) => bar.println(line),
                    None => eprintln!("{line}"),
                }
            }
            continue;
        }
        let Event::Step {
            user,
            index,
            status,
            ..
        } = event
        else {
            continue;
        };
        let (Some(name), Some(kind)) =
            (users.get(user), steps.get(user).and_then(|s| s.get(index)))
        else {
            continue;
        };
        let Some(line) = status_line(name, kind, &status) else {
            continue;
        };
        let line = crate::term_text::clean(&line).into_owned();
        match &bar {
            Some(bar) => {
                if matches!(status, StepStatus::Done) {
                    bar.inc(1);
                    bar.set_message(line);
                } else {
                    bar.println(line);
                }
            }
            None => eprintln!("{line}"),
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

// ---------------------------------------------------------------------------------------------
// --dry-run
// ---------------------------------------------------------------------------------------------

/// The AWS CLI commands that do what applying `plan` does, one user after another, for a shell.
/// The console password is taken from `$IAMWIZ_PASSWORD`.
pub fn dry_run_commands(plan: &Plan, plan_path: &str) -> String {
    let mut out = format!(
        "# iamwiz apply --dry-run {}: the AWS CLI commands that create the same users.\n",
        shell_quote(plan_path)
    );
    if let Some(c) = &plan.console_password {
        out.push_str(
            "# Set IAMWIZ_PASSWORD to a password that meets the account's password policy first \
             (iamwiz apply generates one per user).\n",
        );
        if c.require_reset {
            let _ = writeln!(
                out,
                "# iamwiz apply also attaches {} when the account's password policy does not let \
                 users change their own password.",
                planfile::change_password_arn("aws")
            );
        }
    }
    for user in &plan.users {
        out.push('\n');
        let mut create = format!(
            "aws iam create-user{}{}",
            arg("--user-name", user),
            arg("--path", &plan.path)
        );
        if let Some(b) = &plan.permissions_boundary {
            create.push_str(&arg("--permissions-boundary", b));
        }
        if !plan.tags.is_empty() {
            let tags: Vec<serde_json::Value> = plan
                .tags
                .iter()
                .map(|t| serde_json::json!({"Key": t.key, "Value": t.value}))
                .collect();
            create.push_str(&arg("--tags", &serde_json::Value::Array(tags).to_string()));
        }
        let _ = writeln!(out, "{create}");
        let name = arg("--user-name", user);
        if let Some(c) = &plan.console_password {
            let _ = writeln!(
                out,
                "aws iam create-login-profile{name} --password \"$IAMWIZ_PASSWORD\" {}",
                if c.require_reset {
                    "--password-reset-required"
                } else {
                    "--no-password-reset-required"
                }
            );
        }
        if plan.access_key {
            let _ = writeln!(out, "aws iam create-access-key{name}");
        }
        for g in &plan.groups {
            let _ = writeln!(
                out,
                "aws iam add-user-to-group{name}{}",
                arg("--group-name", g)
            );
        }
        for arn in &plan.managed_policies {
            let _ = writeln!(
                out,
                "aws iam attach-user-policy{name}{}",
                arg("--policy-arn", arn)
            );
        }
        for p in &plan.inline_policies {
            let _ = writeln!(
                out,
                "aws iam put-user-policy{name}{}{}",
                arg("--policy-name", &p.name),
                arg("--policy-document", &p.document.to_string())
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_for_one_and_several_users() {
        assert_eq!(profile_names("ci", &["alice".into()]), ["ci"]);
        assert_eq!(
            profile_names("ci", &["alice".into(), "bob".into()]),
            ["ci-alice", "ci-bob"]
        );
    }
}
