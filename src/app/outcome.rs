//! The screens every flow shares once a run starts: Creating (the calls as they run, and what a
//! failure undid), the one-time reveal of the credentials ([`super::reveal`]) and Done. Their
//! keys and help are here.

use crossterm::event::{KeyCode, KeyEvent};

use super::reveal::Prompt;
use super::{App, Command, Screen, reveal};
use crate::kit::keys::Help;

/// A key on Creating, Reveal or Done.
pub fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match app.screen {
        Screen::Creating => creating_key(app, key),
        Screen::Reveal => reveal::key(app, key),
        Screen::Done => done_key(app, key),
        _ => Vec::new(),
    }
}

fn creating_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let failed = app.creation.as_ref().is_some_and(|c| c.failure.is_some());
    if failed && matches!(key.code, KeyCode::Enter | KeyCode::Esc) {
        app.screen = app.flow.review();
        if let Some(f) = app.creation.as_ref().and_then(|c| c.failure.as_ref()) {
            let text = format!("{}: {}", f.error, f.error.hint);
            app.error(text);
        }
    }
    Vec::new()
}

fn done_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match key.code {
        KeyCode::Char('n') => super::start_over(app),
        KeyCode::Char('q') | KeyCode::Enter | KeyCode::Esc => vec![Command::Quit],
        _ => Vec::new(),
    }
}

/// The keys of Creating, Reveal or Done.
pub fn help(app: &App) -> Help {
    let mut h = Help::new(about(app));
    match app.screen {
        Screen::Creating if app.creation.as_ref().is_some_and(|c| c.failure.is_some()) => {
            h.key("Enter", "back to review");
        }
        Screen::Reveal => reveal_keys(app, &mut h),
        Screen::Done => {
            h.keys(&[("n", app.flow.again()), ("q", "quit")]);
        }
        _ => {}
    }
    h
}

fn reveal_keys(app: &App, h: &mut Help) {
    let r = app.reveal.as_ref();
    match r.and_then(|r| r.prompt.as_ref()) {
        Some(Prompt::ConfirmOverwrite(_)) => h.keys(&[("y", "replace"), ("n", "other name")]),
        Some(Prompt::Encrypt(_)) => {
            h.keys(&[
                ("Enter", "encrypt"),
                ("Tab", "what"),
                ("^A", "armor"),
                ("Esc", "cancel"),
            ]);
            return;
        }
        Some(_) => h.keys(&[("Enter", "save"), ("Esc", "cancel")]),
        None if r.is_some_and(|r| r.docs.is_some()) => {
            h.keys(&[
                ("c", "copy"),
                ("s", "show"),
                ("l", "lang"),
                ("d", "CSV"),
                ("e", "encrypt"),
                ("Enter", "done"),
            ]);
            h.more("a", "save an AWS profile")
        }
        None if r.is_some_and(|r| r.users.len() > 1) => h.keys(&[
            ("←→", "user"),
            ("c", "copy"),
            ("d", "CSV"),
            ("a", "profile"),
            ("e", "encrypt"),
            ("Enter", "done"),
        ]),
        None if r.is_some_and(|r| r.is_new_key()) => h.keys(&[
            ("c", "copy"),
            ("s", "show"),
            ("d", "CSV"),
            ("a", "profile"),
            ("e", "encrypt"),
            ("Enter", "done"),
        ]),
        None => h.keys(&[
            ("c", "copy"),
            ("s/p", "show"),
            ("d", "CSV"),
            ("a", "profile"),
            ("e", "encrypt"),
            ("Enter", "done"),
        ]),
    };
    if r.is_some_and(|r| r.prompt.is_none()) {
        h.more("↑↓", "row");
    }
}

fn about(app: &App) -> &'static [&'static str] {
    match app.screen {
        Screen::Creating => &[
            "Each call shows as it runs. If one fails, everything made",
            "is undone in the order IAM requires.",
        ],
        Screen::Reveal if app.reveal.as_ref().is_some_and(|r| r.docs.is_some()) => &[
            "The secret access key is shown only now; kmsProviders holds",
            "it too. s shows both; c copies the row under the cursor (a",
            "copied secret is cleared after a while); l and L change the",
            "snippet's language; PgUp/PgDn scroll it. d saves the CSV,",
            "a adds an AWS credentials profile; e encrypts kmsProviders",
            "or the CSV with age for the application's deploy key (an",
            "SSH public key or age1…), never showing it. Enter when done.",
        ],
        Screen::Reveal if app.reveal.as_ref().is_some_and(|r| r.is_new_key()) => &[
            "The new secret access key is shown only now. s shows it; c",
            "copies the row under the cursor (a copied secret is cleared",
            "after a while); d saves a CSV; a saves an AWS credentials",
            "profile (offering the one that holds the old key); e encrypts",
            "it with age for its owner (SSH public key or age1…). Enter",
            "when done: the old key is deactivated once the new one works.",
        ],
        Screen::Reveal => &[
            "The secret access key and password are shown only now.",
            "s and p reveal them; c copies the row under the cursor",
            "(a copied secret is cleared after a while); d saves the",
            "console's CSV; a adds an AWS credentials profile; m copies",
            "sign-in instructions without the password; e encrypts the",
            "CSV (or the password alone) with age for its owner, from their",
            "SSH public key or age1… recipient. Enter when done.",
        ],
        Screen::Done => &["The secrets are gone from iamwiz."],
        _ => &[],
    }
}
