//! Keys the core handles itself before the screen on show: quitting, the too-small terminal,
//! the modals and the help, then routing to the shared screens or to the flow.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::*;

pub(crate) fn is_ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    if is_ctrl(&key, 'c') {
        return request_quit(app);
    }
    if app.too_small() {
        return Vec::new();
    }
    if let Some(modal) = app.modal {
        return on_modal_key(app, modal, key);
    }
    app.notice = None;
    if let Some(cmds) = crate::flows::form_key(app, &key) {
        return cmds;
    }
    if key.code == KeyCode::F(1) || (key.code == KeyCode::Char('?') && !crate::flows::typing(app)) {
        app.modal = Some(Modal::Help);
        return Vec::new();
    }
    match app.screen {
        Screen::Creating | Screen::Reveal | Screen::Done => outcome::key(app, key),
        _ => crate::flows::key(app, key),
    }
}

/// The keys of the screen on show, with their help: the flow's, or the shared screens'; the
/// keys that work everywhere (help, quit) close the bar.
pub fn help(app: &App) -> crate::kit::keys::Help {
    if let Some(form) = crate::flows::form_help(app) {
        return form;
    }
    let mut h = match app.screen {
        Screen::Creating | Screen::Reveal | Screen::Done => outcome::help(app),
        _ => crate::flows::help(app),
    };
    // In the inline policy editor '?' is text: F1 opens help.
    h.key(
        if app.inline_editor_focused() {
            "F1"
        } else {
            "?"
        },
        "help",
    );
    h.key("^C", "quit");
    h
}

fn on_modal_key(app: &mut App, modal: Modal, key: KeyEvent) -> Vec<Command> {
    let yes = matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y'));
    let no = matches!(
        key.code,
        KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc
    );
    match modal {
        Modal::Help => {
            if matches!(
                key.code,
                KeyCode::Esc
                    | KeyCode::Enter
                    | KeyCode::Char('?')
                    | KeyCode::Char('q')
                    | KeyCode::F(1)
            ) {
                app.modal = None;
            }
            Vec::new()
        }
        Modal::ConfirmQuit if yes => {
            app.modal = None;
            let mut cmds = crate::flows::on_quit(app);
            app.reveal = None;
            cmds.push(Command::Quit);
            cmds
        }
        Modal::ConfirmLeaveReveal if yes => {
            app.modal = None;
            // Dropping the reveal state zeroes the secrets; nothing else holds them. A secret
            // still on the clipboard goes with them.
            let (copied, proof_run) = app
                .reveal
                .take()
                .map_or((None, None), |r| (r.copied, r.proof_run));
            // A flow that goes on after the reveal (a rotation, to its old key) needs its proof;
            // otherwise a proof still going holds a copy of the new secret key to sign with,
            // and ends too.
            let mut cmds = match crate::flows::after_reveal(app) {
                Some(cmds) => cmds,
                None => {
                    app.screen = Screen::Done;
                    proof_run
                        .map(|run| Command::Worker(Request::EndProof { run }))
                        .into_iter()
                        .collect()
                }
            };
            if copied.is_some_and(|c| c.clear_at.is_some()) {
                cmds.push(Command::ClearClipboard);
            }
            cmds
        }
        _ if no => {
            app.modal = None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn request_quit(app: &mut App) -> Vec<Command> {
    if app.creation_running() {
        app.modal = None;
        app.info("Creation is running: wait until it has finished (or rolled back), then quit.");
        return Vec::new();
    }
    if app.modal == Some(Modal::ConfirmQuit) || !app.has_unsaved_work() {
        let mut cmds = crate::flows::on_quit(app);
        app.reveal = None;
        cmds.push(Command::Quit);
        return cmds;
    }
    app.modal = Some(Modal::ConfirmQuit);
    Vec::new()
}
