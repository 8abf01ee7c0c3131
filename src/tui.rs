//! The terminal loop: key events, worker events and a heartbeat go into `update`; what it returns
//! goes to the worker or is carried out here (the clipboard and the exports, which need the
//! terminal or the file system); the screen is redrawn after every message. A signal (or the
//! terminal going away) ends it: what is in flight finishes, and users made in the run whose
//! secrets nobody can have are deleted, before the process exits.

use std::collections::VecDeque;
use std::io::{Write, stdout};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event as TermEvent, EventStream,
};
use crossterm::execute;
use crossterm::terminal::{Clear, ClearType, EnterAlternateScreen};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::time::Instant;

use crate::app::reveal::{CopiedTo, Effect, Row, SaveError};
use crate::app::{App, Command, Msg, Options, update};
use crate::aws::AwsSettings;
use crate::clipboard::{ClearOutcome, Clipboard, Via};
use crate::export::{self, ExportError};
use crate::protocol::{Event, Request};
use crate::screen::Screen;
use crate::signals::{SIGHUP, Signals};
use crate::{ui, worker};

/// How long exiting waits for the worker to wind down: a creation in flight finishes or rolls
/// back first (each AWS call gives up after 60 s, so this covers a slow rollback too).
const WORKER_GRACE: Duration = Duration::from_secs(300);

/// The users of the credentials screen whose secrets nobody has seen (none elsewhere).
fn unseen_users(app: &App) -> Vec<String> {
    match &app.reveal {
        Some(r) if r.nobody_has_secrets() => r.users.iter().map(|u| u.name.clone()).collect(),
        _ => Vec::new(),
    }
}

/// How the wizard ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The admin quit.
    Quit,
    /// A signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT: see [`crate::signals`]) ended it; the process
    /// should exit with 128 + this number.
    Signal(i32),
}

/// Runs the wizard on the alternate screen, and always restores the terminal afterwards: the
/// screen is wiped before leaving it, and a secret iamwiz put on the clipboard is cleared.
pub async fn run(settings: AwsSettings, options: Options) -> color_eyre::Result<Exit> {
    let clipboard = Arc::new(Mutex::new(Clipboard::detect()));
    // Not `ratatui::init`: its panic hook would restore the terminal before iamwiz's could stop
    // the loop and wipe the screen (see `crate::panic`).
    crate::panic::wizard_started(Arc::clone(&clipboard));
    let mut terminal = match take_terminal() {
        Ok(terminal) => terminal,
        Err(e) => {
            crate::panic::restore_terminal();
            crate::panic::wizard_ended();
            return Err(e.into());
        }
    };
    let _ = execute!(stdout(), EnableBracketedPaste);
    let result = event_loop(&mut terminal, settings, options, &clipboard).await;
    {
        let _turn = crate::panic::terminal_turn();
        let _ = lock(&clipboard).clear_if_ours(terminal.backend_mut());
        // Wiped without asking the terminal anything: it may be gone (a dropped SSH connection),
        // and a question it cannot answer would be waited on.
        let _ = execute!(stdout(), Clear(ClearType::All), DisableBracketedPaste);
        if terminal.show_cursor().is_err() {
            // The terminal is gone: dropping the terminal would try again and report the failure
            // on it, which fails in turn.
            std::mem::forget(terminal);
        }
        crate::panic::restore_terminal();
        crate::panic::wizard_ended();
    }
    let (exit, report) = result?;
    // What happened after a signal, on the normal screen (after SIGHUP nobody may read it, and
    // writing may fail: that is fine).
    let mut err = std::io::stderr();
    for line in report {
        let _ = writeln!(err, "iamwiz: {}", crate::term_text::clean(&line));
    }
    Ok(exit)
}

/// The wizard's terminal: frames (and OSC 52 copies) go out through a [`Screen`], whose buffer
/// is wiped once written.
type WizardTerminal = Terminal<CrosstermBackend<Screen>>;

/// Raw mode, the alternate screen, and a terminal drawing on it.
fn take_terminal() -> std::io::Result<WizardTerminal> {
    crossterm::terminal::enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen)?;
    Terminal::new(CrosstermBackend::new(Screen::stdout()?))
}

/// The clipboard's lock, whether or not a panic poisoned it.
fn lock(clipboard: &Mutex<Clipboard>) -> std::sync::MutexGuard<'_, Clipboard> {
    clipboard.lock().unwrap_or_else(|e| e.into_inner())
}

async fn event_loop(
    terminal: &mut WizardTerminal,
    settings: AwsSettings,
    options: Options,
    clipboard: &Mutex<Clipboard>,
) -> color_eyre::Result<(Exit, Vec<String>)> {
    let mut signals = Signals::new()?;
    #[cfg(feature = "crash-test")]
    let crash_test = crate::crash_test::CrashTest::from_env();
    let mut exit = Exit::Quit;
    let (events_tx, mut events_rx) = unbounded_channel();
    let worker = worker::spawn_with_cache(settings, events_tx, crate::cache::default_dir());
    #[cfg(feature = "crash-test")]
    let worker = worker::WorkerHandle {
        requests: crash_test.requests(worker.requests),
        task: worker.task,
    };
    let size = terminal.size()?;
    let (mut app, commands) = App::with_options((size.width, size.height), options);
    let mut quit = false;
    let mut pending: VecDeque<Command> = commands.into();
    let mut keys = EventStream::new();
    let mut tick =
        tokio::time::interval(Duration::from_millis(1000 / crate::app::TICKS_PER_SECOND));
    loop {
        // Carry out what `update` asked for; local effects answer at once with another message.
        while let Some(command) = pending.pop_front() {
            match command {
                Command::Worker(request) => {
                    tracing::debug!(request = %request_summary(&request), "to AWS");
                    let _ = worker.requests.send(request);
                }
                Command::Quit => quit = true,
                local => {
                    let effect = {
                        let _turn = crate::panic::terminal_turn();
                        carry_out(&app, local, &mut lock(clipboard), terminal.backend_mut())
                    };
                    tracing::debug!(?effect, "local effect");
                    pending.extend(update(&mut app, Msg::Effect(effect)));
                }
            }
        }
        if quit {
            break;
        }
        crate::panic::set_unseen_users(unseen_users(&app));
        let turn = crate::panic::terminal_turn();
        // A resize that happened before the event stream started listening is caught here.
        // A terminal that can no longer be asked or drawn on is gone: end as on SIGHUP, so that
        // what is in flight still finishes.
        let size = match terminal.size() {
            Ok(size) => size,
            Err(e) => {
                tracing::warn!(error = %e, "the terminal is gone");
                exit = Exit::Signal(SIGHUP);
                break;
            }
        };
        if (size.width, size.height) != app.size {
            pending.extend(update(&mut app, Msg::Resize(size.width, size.height)));
        }
        if let Err(e) = terminal.draw(|f| ui::view(&app, f)) {
            tracing::warn!(error = %e, "the terminal is gone");
            exit = Exit::Signal(SIGHUP);
            break;
        }
        drop(turn);
        #[cfg(feature = "crash-test")]
        crash_test.after_frame(&app);
        let msg = tokio::select! {
            ev = keys.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => Msg::Key(k),
                Some(Ok(TermEvent::Paste(text))) => Msg::Paste(text),
                Some(Ok(TermEvent::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                // The terminal is gone (the SSH connection dropped, SIGHUP follows): end as on
                // SIGHUP, so that what is in flight still finishes.
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "the terminal is gone");
                    exit = Exit::Signal(SIGHUP);
                    break;
                }
                None => {
                    tracing::warn!("the terminal is gone");
                    exit = Exit::Signal(SIGHUP);
                    break;
                }
            },
            Some(ev) = events_rx.recv() => {
                tracing::debug!(event = %event_summary(&ev), "from AWS");
                Msg::Worker(ev)
            }
            _ = tick.tick() => Msg::Tick,
            signal = signals.next() => {
                // Stop reading and drawing (after SIGHUP the terminal is gone); what is in flight
                // is finished or rolled back below, before the process exits.
                tracing::info!(signal, "ending on a signal");
                exit = Exit::Signal(signal);
                break;
            }
        };
        pending.extend(update(&mut app, msg));
    }
    let deadline = Instant::now() + WORKER_GRACE;
    let mut report = Vec::new();
    if let Exit::Signal(n) = exit {
        report.push(format!("ended by signal {n}"));
        report.extend(end_on_signal(&mut app, &worker.requests, &mut events_rx, deadline).await);
    }
    // Dropping the state zeroes any secret still held.
    drop(app);
    drop(worker.requests);
    // The worker returns once every creation in flight has finished or rolled back.
    let _ = tokio::time::timeout_at(deadline, worker.task).await;
    Ok((exit, report))
}

/// Ending on a signal, without reading keys or drawing: lets a creation in flight finish (its
/// events still go through `update`), then, if the batch holds secrets nobody can have (none
/// shown, copied or saved), has the worker delete those users and waits for it, all before
/// `deadline`. Logs what was deleted or kept, and why, and returns the same in a few lines for
/// the admin.
async fn end_on_signal(
    app: &mut App,
    requests: &UnboundedSender<Request>,
    events: &mut UnboundedReceiver<Event>,
    deadline: Instant,
) -> Vec<String> {
    let mut report = Vec::new();
    let mut pending = update(app, Msg::Signal);
    loop {
        for command in pending.drain(..) {
            // Only the worker is still listened to; the screen and the keys are gone.
            if let Command::Worker(request) = command {
                tracing::info!(request = %request_summary(&request), "to AWS, before exiting");
                let _ = requests.send(request);
            }
        }
        if !app.finishing() {
            break;
        }
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(ev)) => {
                tracing::debug!(event = %event_summary(&ev), "from AWS");
                pending.extend(update(app, Msg::Worker(ev)));
            }
            Ok(None) => break,
            Err(_) => {
                tracing::warn!("gave up waiting for AWS before exiting");
                break;
            }
        }
    }
    let discard = app.ending.as_ref().and_then(|e| e.discard.as_ref());
    report.extend(crate::flows::ending_notes(app));
    match (discard, app.reveal.as_ref()) {
        (Some(d), _) if d.access_key.is_some() => new_key_report(d, &mut report),
        (Some(d), _) => match &d.result {
            Some(users) => {
                // After one entry per user, one per require-MFA policy the run made for them.
                let (users, policies) = users.split_at(d.users.len().min(users.len()));
                for u in users {
                    tracing::info!(
                        user = %u.user,
                        deleted = ?u.deleted,
                        "discarded a user made in this run: nobody had its secrets"
                    );
                    if u.leftovers.is_empty() {
                        report.push(format!(
                            "deleted user {} again: its new secrets were never shown, copied or \
                             saved",
                            u.user
                        ));
                    }
                    for left in &u.leftovers {
                        tracing::warn!(
                            user = %u.user,
                            left = %left.what,
                            command = %left.command,
                            "could not delete"
                        );
                        report.push(format!(
                            "could not delete {}; remove it with: {}",
                            left.what, left.command
                        ));
                    }
                }
                policy_report(policies, &mut report);
                if let Some(k) = &d.key_result {
                    tracing::info!(
                        key = ?d.key.as_ref().map(|k| &k.key_arn),
                        "the KMS key made in this run for them: {}",
                        k.deletion
                    );
                    report.push(k.deletion.clone());
                    for left in &k.leftovers {
                        tracing::warn!(
                            left = %left.what,
                            command = %left.command,
                            "could not delete"
                        );
                        report.push(format!(
                            "could not delete {}; remove it with: {}",
                            left.what, left.command
                        ));
                    }
                }
            }
            None => {
                tracing::warn!(
                    users = ?d.users,
                    key = ?d.key.as_ref().map(|k| &k.key_arn),
                    "the users whose secrets nobody has may not all be deleted: AWS did not \
                     answer in time"
                );
                report.push(format!(
                    "AWS did not answer in time: users {} may still exist with secrets nobody \
                     has; delete them",
                    d.users.join(", ")
                ));
                if let Some(k) = &d.key {
                    report.push(format!(
                        "the KMS key {} made for them in {} may still exist; schedule its \
                         deletion: aws kms schedule-key-deletion --key-id {} \
                         --pending-window-in-days {} --region {}",
                        k.key_arn,
                        k.region,
                        k.key_arn,
                        crate::worker::encryption::KEY_DELETION_DAYS,
                        k.region
                    ));
                }
            }
        },
        (None, Some(r)) if r.is_new_key() => {
            let why = r.exposed.map_or("it holds no secret", |e| e.describe());
            let id = r.value(Row::AccessKeyId).unwrap_or_default();
            tracing::info!(user = %r.user().name, key = id, "kept the new access key: {why}");
            report.push(format!(
                "kept {}'s new access key {id} ({why}); the old key is as it was",
                r.user().name
            ));
        }
        (None, Some(r)) => {
            let users: Vec<&str> = r.users.iter().map(|u| u.name.as_str()).collect();
            let why = r.exposed.map_or("they hold no secret", |e| e.describe());
            tracing::info!(?users, "kept the users made in this run: {why}");
            report.push(format!("kept users {} ({why})", users.join(", ")));
        }
        (None, None) => {}
    }
    report
}

/// What became of the require-MFA policy a discarded run made, deleted after its users (one
/// that something else has attached stays, and is not the run's to mention).
fn policy_report(policies: &[crate::protocol::DiscardedUser], report: &mut Vec<String>) {
    for p in policies {
        if !p.deleted.is_empty() {
            tracing::info!(policy = %p.user, "deleted the policy this run made");
            report.push(format!(
                "deleted the policy {} again: this run made it for those users and nothing else \
                 has it attached",
                crate::protocol::policy_name(&p.user)
            ));
        }
        for left in &p.leftovers {
            tracing::warn!(left = %left.what, command = %left.command, "could not delete");
            report.push(format!(
                "could not delete {}; remove it with: {}",
                left.what, left.command
            ));
        }
    }
}

/// What became of a rotation's new key that nobody had, deleted on the way out.
fn new_key_report(d: &crate::app::Discard, report: &mut Vec<String>) {
    let Some(key) = &d.access_key else { return };
    let (user, id) = (&key.user, &key.id);
    match d.result.as_ref().and_then(|r| r.first()) {
        Some(u) if u.leftovers.is_empty() => {
            tracing::info!(user = %user, key = %id, "deleted the new access key: nobody had its secret");
            report.push(format!(
                "deleted {user}'s new access key {id} again: its secret was never shown, copied \
                 or saved; {user}'s other keys are as they were"
            ));
        }
        Some(u) => {
            for left in &u.leftovers {
                tracing::warn!(left = %left.what, command = %left.command, "could not delete");
                report.push(format!(
                    "could not delete {}; remove it with: {}",
                    left.what, left.command
                ));
            }
        }
        None => {
            tracing::warn!(user = %user, key = %id, "AWS did not answer in time");
            report.push(format!(
                "AWS did not answer in time: {user}'s new access key {id} may still exist, with \
                 a secret nobody has; delete it: aws iam delete-access-key{}{}",
                crate::aws::shell::arg("--user-name", user),
                crate::aws::shell::arg("--access-key-id", id)
            ));
        }
    }
}

/// Carries out a clipboard, export or plan file command, reading the secrets from the credentials
/// screen's state, the only place they live.
fn carry_out(
    app: &App,
    command: Command,
    clipboard: &mut Clipboard,
    out: &mut dyn Write,
) -> Effect {
    match command {
        Command::Copy(what) => {
            // Built from the state at this moment: the credentials screen's secrets, or the role
            // result's documents.
            let Some(text) = app.copy_text(what) else {
                return Effect::Copied(Err("That is no longer available to copy.".to_string()));
            };
            return Effect::Copied(clipboard.copy(&text, out).map(|via| match via {
                Via::System => CopiedTo::System,
                Via::Osc52 => CopiedTo::Terminal,
                Via::Tmux => CopiedTo::Tmux,
                Via::Screen => CopiedTo::Screen,
            }));
        }
        Command::ClearClipboard => {
            return Effect::ClipboardCleared(
                clipboard
                    .clear_if_ours(out)
                    .map(|o| o == ClearOutcome::Cleared),
            );
        }
        Command::SavePlan { path, json } => {
            // A plan holds no secret: a new file with the usual permissions.
            return Effect::PlanSaved(
                crate::planfile::write_new(&path, &json)
                    .map(|()| path)
                    .map_err(|e| e.to_string()),
            );
        }
        _ => {}
    }
    let Some(reveal) = app.reveal.as_ref() else {
        return Effect::Saved(Err(SaveError::Failed(
            "The credentials are no longer available.".to_string(),
        )));
    };
    let user = reveal.user();
    match command {
        Command::Copy(_) | Command::ClearClipboard | Command::SavePlan { .. } => {
            unreachable!("carried out above")
        }
        Command::SaveEncrypted {
            recipient,
            what,
            armor,
        } => Effect::Saved(
            export::handover::seal(reveal, what)
                .ok_or_else(|| "There is nothing of that kind to encrypt.".to_string())
                .and_then(|sealed| {
                    export::handover::write(&reveal.csv_dir, &recipient, armor, sealed)
                })
                .map_err(SaveError::Failed),
        ),
        Command::SaveCsv { path } => {
            // One row per user of the batch, as the console's download has.
            let rows = export::csv_rows(&reveal.users);
            // Console-only users have nothing for `aws configure import`; users with a key are
            // warned when the AWS CLI would misread the file.
            let warning = user
                .access_key
                .as_ref()
                .and_then(|_| export::aws_cli_import_problem(&rows));
            let content = export::csv_content(&rows);
            Effect::Saved(
                export::write_new_file(&path, &content)
                    .map(|()| match warning {
                        Some(w) => format!("CSV file {} (note: {w})", path.display()),
                        None => format!("CSV file {}", path.display()),
                    })
                    .map_err(|e| SaveError::Failed(e.to_string())),
            )
        }
        Command::SaveProfile { name, overwrite } => {
            let Some(key) = user.access_key.as_ref() else {
                return Effect::Saved(Err(SaveError::Failed(
                    "This user has no access key to save.".to_string(),
                )));
            };
            if let Err(e) = export::validate_profile_name(&name) {
                return Effect::Saved(Err(SaveError::Failed(e)));
            }
            let result = export::credentials_file_path().and_then(|path| {
                export::save_profile(&path, &name, &key.id, &key.secret, overwrite).map(|outcome| {
                    let how = match outcome {
                        export::SaveOutcome::Replaced => " (replaced)",
                        export::SaveOutcome::Created | export::SaveOutcome::Added => "",
                    };
                    format!("profile {name} in {}{how}", path.display())
                })
            });
            Effect::Saved(result.map_err(|e| match e {
                ExportError::ProfileExists(n) => SaveError::ProfileExists(n),
                other => SaveError::Failed(other.to_string()),
            }))
        }
        Command::Worker(_) | Command::Quit => unreachable!("handled by the loop"),
    }
}

/// A one-line description of a request for the log.
fn request_summary(request: &Request) -> String {
    match request {
        Request::Create { run, specs } => format!("create run {run}: {specs:?}"),
        other => format!("{other:?}"),
    }
}

/// A one-line description of an event for the log: lists by their length, the rest in full
/// (secrets print as [REDACTED]).
fn event_summary(event: &Event) -> String {
    fn count<T, E: std::fmt::Display>(what: &str, r: &Result<Vec<T>, E>) -> String {
        match r {
            Ok(v) => format!("{what}: {} loaded", v.len()),
            Err(e) => format!("{what}: {e}"),
        }
    }
    match event {
        Event::Groups { result, .. } => count("groups", result),
        Event::Users { result, .. } => count("users", result),
        Event::Policies { result, .. } => count("policies", result),
        Event::CachedPolicies {
            account,
            age_secs,
            policies,
            ..
        } => format!(
            "saved policies: {} of account {account}, {age_secs} s old",
            policies.len()
        ),
        Event::PolicyDocument { arn, result, .. } => match result {
            Ok(d) => format!(
                "policy document {arn} {}: {} bytes",
                d.version,
                d.document.len()
            ),
            Err(e) => format!("policy document {arn}: {e}"),
        },
        other => format!("{other:?}"),
    }
}
