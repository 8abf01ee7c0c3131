//! The keys of the credentials screen, its save prompts, pastes into them, the clipboard's
//! timer, and the results of the effects (copy, save) the terminal loop carried out.

use super::*;
use crate::app::TICKS_PER_SECOND;
use crate::app::screens::{self};
use crate::app::{App, Command, Modal, NoticeKind};
use crate::kit::text::TextField;
use crossterm::event::{KeyCode, KeyEvent};
use std::path::PathBuf;

pub(crate) fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    if app.reveal.as_ref().is_some_and(|r| r.prompt.is_some()) {
        return prompt_key(app, key);
    }
    let ticks = app.ticks;
    let seconds = app.options.clipboard_seconds;
    let Some(r) = app.reveal.as_mut() else {
        return Vec::new();
    };
    let rows = r.rows();
    let at = rows.iter().position(|x| *x == r.focus).unwrap_or(0);
    match key.code {
        KeyCode::Down | KeyCode::Tab => r.focus = rows[(at + 1) % rows.len()],
        KeyCode::Up | KeyCode::BackTab => r.focus = rows[(at + rows.len() - 1) % rows.len()],
        KeyCode::Right | KeyCode::PageDown if r.current + 1 < r.users.len() => {
            r.current += 1;
            r.show_secret_key = false;
            r.show_password = false;
        }
        KeyCode::Left | KeyCode::PageUp if r.current > 0 => {
            r.current -= 1;
            r.show_secret_key = false;
            r.show_password = false;
        }
        KeyCode::Char('s') if r.user().access_key.is_some() => r.toggle_secret_key(),
        KeyCode::Char('p') if r.user().password.is_some() => r.toggle_password(),
        KeyCode::Char(' ') if matches!(r.focus, Row::SecretKey | Row::KmsProviders) => {
            r.toggle_secret_key()
        }
        KeyCode::Char('l') if r.docs.is_some() => {
            if let Some(d) = r.docs.as_mut() {
                d.next_language();
            }
        }
        KeyCode::Char('L') if r.docs.is_some() => {
            if let Some(d) = r.docs.as_mut() {
                d.prev_language();
            }
        }
        KeyCode::PageDown if r.docs.is_some() => {
            if let Some(d) = r.docs.as_mut() {
                d.scroll = d.scroll.saturating_add(5);
            }
        }
        KeyCode::PageUp if r.docs.is_some() => {
            if let Some(d) = r.docs.as_mut() {
                d.scroll = d.scroll.saturating_sub(5);
            }
        }
        KeyCode::Char(' ') if r.focus == Row::Password => r.toggle_password(),
        KeyCode::Char('c') => {
            let what = CopyWhat::Row(r.focus);
            if r.focus.is_secret() {
                r.expose(Exposure::Copied);
            }
            let clear_at = r
                .focus
                .is_secret()
                .then_some(ticks + seconds * TICKS_PER_SECOND);
            r.start_copy(Copied {
                what,
                to: None,
                clear_at,
            });
            return vec![Command::Copy(what)];
        }
        KeyCode::Char('m') if r.docs.is_none() && !r.is_new_key() => {
            r.start_copy(Copied {
                what: CopyWhat::Instructions,
                to: None,
                clear_at: None,
            });
            return vec![Command::Copy(CopyWhat::Instructions)];
        }
        KeyCode::Char('d') => {
            let path = r.default_csv_path();
            r.prompt = Some(Prompt::CsvPath(TextField::new(&path.to_string_lossy())));
        }
        KeyCode::Char('e') => super::handover::open(r),
        KeyCode::Char('a') if r.user().access_key.is_some() => {
            r.prompt = Some(Prompt::ProfileName(TextField::new(r.offered_profile())));
        }
        KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q') => {
            app.modal = Some(Modal::ConfirmLeaveReveal);
        }
        _ => {}
    }
    Vec::new()
}

fn prompt_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let Some(r) = app.reveal.as_mut() else {
        return Vec::new();
    };
    let Some(prompt) = r.prompt.as_mut() else {
        return Vec::new();
    };
    if key.code == KeyCode::Esc {
        r.prompt = None;
        return Vec::new();
    }
    if matches!(prompt, Prompt::Encrypt(_)) {
        return super::handover::key(app, key);
    }
    let (field, rule) = match prompt {
        Prompt::Encrypt(_) => return Vec::new(),
        Prompt::ConfirmOverwrite(name) => {
            let name = name.clone();
            return match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    r.prompt = None;
                    r.expose(Exposure::Saved);
                    vec![Command::SaveProfile {
                        name,
                        overwrite: true,
                    }]
                }
                KeyCode::Char('n') | KeyCode::Char('N') => {
                    r.prompt = Some(Prompt::ProfileName(TextField::new(&name)));
                    Vec::new()
                }
                _ => Vec::new(),
            };
        }
        Prompt::CsvPath(f) => (f, CSV_PATH),
        Prompt::ProfileName(f) => (f, PROFILE),
    };
    if key.code == KeyCode::Enter {
        let value = field.value().trim().to_string();
        if value.is_empty() {
            app.error("Enter a name first, or Esc to cancel.");
            return Vec::new();
        }
        let command = match prompt {
            Prompt::CsvPath(_) => Command::SaveCsv {
                path: PathBuf::from(value),
            },
            _ => Command::SaveProfile {
                name: value,
                overwrite: false,
            },
        };
        r.prompt = None;
        r.expose(Exposure::Saved);
        return vec![command];
    }
    if let Err(message) = screens::edit(field, rule, &key) {
        app.error(message);
    }
    Vec::new()
}

/// Pasting into an open prompt.
pub(crate) fn paste(app: &mut App, text: &str) {
    let Some(Some(prompt)) = app.reveal.as_mut().map(|r| r.prompt.as_mut()) else {
        return;
    };
    let (field, rule) = match prompt {
        Prompt::CsvPath(f) => (f, CSV_PATH),
        Prompt::ProfileName(f) => (f, PROFILE),
        Prompt::ConfirmOverwrite(_) => return,
        Prompt::Encrypt(_) => return super::handover::paste(app, text),
    };
    if let Err(e) = screens::paste_into(field, rule, text) {
        app.error(e);
    }
}

/// The heartbeat: clears a copied secret when its time is up.
pub(crate) fn tick(app: &mut App) -> Vec<Command> {
    let now = app.ticks;
    let Some(r) = app.reveal.as_mut() else {
        return Vec::new();
    };
    match &r.copied {
        Some(Copied {
            clear_at: Some(at), ..
        }) if now >= *at => {
            r.copied = None;
            vec![Command::ClearClipboard]
        }
        _ => Vec::new(),
    }
}

pub(crate) fn effect(app: &mut App, effect: Effect) -> Vec<Command> {
    let seconds = app.options.clipboard_seconds;
    match effect {
        Effect::Copied(Ok(to)) => {
            let copied = match app.reveal.as_mut() {
                Some(r) => {
                    r.replaced = None;
                    r.copied.as_mut()
                }
                None => app.enc.role.as_mut().and_then(|r| r.copied.as_mut()),
            };
            let what = match copied {
                Some(c) => {
                    c.to = Some(to);
                    c.what
                }
                None => return Vec::new(),
            };
            let name = match what {
                CopyWhat::Row(row) => row.label(),
                CopyWhat::Instructions => "Sign-in instructions (no password)",
            };
            let secret = matches!(what, CopyWhat::Row(r) if r.is_secret());
            let text = match (to, secret) {
                (CopiedTo::System, true) => {
                    format!("{name} copied; iamwiz clears the clipboard in {seconds} s.")
                }
                (CopiedTo::Terminal, true) => {
                    format!("{name} → terminal (OSC 52): the terminal, not iamwiz, now holds it.")
                }
                (CopiedTo::Tmux, true) => format!(
                    "{name} → tmux buffer (paste: prefix =), and your terminal's clipboard if \
                     tmux passes it on; iamwiz deletes and blanks both in {seconds} s, on leaving \
                     this screen and at exit."
                ),
                (CopiedTo::Screen, true) => format!(
                    "{name} → terminal via GNU screen (OSC 52); iamwiz asks the terminal to clear \
                     it in {seconds} s. What you copy in screen's copy mode stays in screen."
                ),
                (CopiedTo::System, false) => format!("{name} copied."),
                (CopiedTo::Terminal, false) => {
                    format!("{name} sent to your terminal's clipboard (OSC 52).")
                }
                (CopiedTo::Tmux, false) => {
                    format!("{name} → tmux buffer (paste: prefix =), deleted at exit.")
                }
                (CopiedTo::Screen, false) => {
                    format!("{name} sent through GNU screen to your terminal's clipboard (OSC 52).")
                }
            };
            app.info(text);
        }
        Effect::Copied(Err(message)) => {
            // What was on the clipboard before is still there, with its timed clear.
            if let Some(r) = app.reveal.as_mut() {
                r.copied = r.replaced.take();
            }
            if let Some(r) = app.enc.role.as_mut() {
                r.copied = None;
            }
            app.error(message);
        }
        Effect::ClipboardCleared(Ok(true)) => app.info("Clipboard cleared."),
        Effect::ClipboardCleared(Ok(false)) => {
            app.info("The clipboard holds something else now; iamwiz left it alone.")
        }
        Effect::ClipboardCleared(Err(message)) => {
            app.error(format!("Could not clear the clipboard: {message}"))
        }
        Effect::Saved(Ok(what)) => {
            app.info(format!("Saved: {what}."));
            if let Some(r) = app.reveal.as_mut() {
                r.saved.push(what);
            }
        }
        Effect::Saved(Err(SaveError::ProfileExists(name))) => {
            if let Some(r) = app.reveal.as_mut() {
                r.prompt = Some(Prompt::ConfirmOverwrite(name.clone()));
            }
            app.notice = Some(crate::app::Notice {
                kind: NoticeKind::Error,
                text: format!("Profile {name} already exists in the credentials file."),
            });
        }
        Effect::Saved(Err(SaveError::Failed(message))) => app.error(message),
        Effect::PlanSaved(result) => return crate::flows::users::save_plan::saved(app, result),
    }
    Vec::new()
}
