//! The Inline policy pane of the Permissions step: a name field above a multi-line JSON editor.
//! Enter inserts a line break in the editor, so Ctrl-S or F2 finishes the step; Tab and Shift-Tab
//! leave the pane (←→ move the cursor here).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{FieldRule, edit_focused};
use crate::app::{App, Command, PermPane, Screen, is_ctrl};
use crate::flows::users::inline_policy::{POLICY_NAME_MAX, POLICY_NAME_RULE, is_policy_name_char};

pub const INLINE_NAME: FieldRule = FieldRule {
    secret: false,
    what: "a policy name",
    allowed: is_policy_name_char,
    chars: POLICY_NAME_RULE,
    max: POLICY_NAME_MAX,
};

/// Ctrl-S / F2: on to the boundary when the inline policy is valid (or absent).
fn done(app: &mut App) -> Vec<Command> {
    match app.inline_check().error() {
        Some(e) => app.error(e),
        None => app.screen = Screen::Boundary,
    }
    Vec::new()
}

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match key.code {
        KeyCode::Tab => {
            app.focus.pane = PermPane::Groups;
            return Vec::new();
        }
        KeyCode::BackTab => {
            app.focus.pane = PermPane::Policies;
            return Vec::new();
        }
        KeyCode::F(2) => return done(app),
        _ if is_ctrl(&key, 's') => return done(app),
        _ => {}
    }
    if app.focus.inline_on_name {
        if matches!(key.code, KeyCode::Enter | KeyCode::Down) {
            app.focus.inline_on_name = false;
        } else {
            edit_focused(app, &key);
        }
        return Vec::new();
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    if key.code == KeyCode::Up && app.draft.inline_doc.cursor().0 == 0 {
        app.focus.inline_on_name = true;
        return Vec::new();
    }
    let area = &mut app.draft.inline_doc;
    let result = match key.code {
        KeyCode::Char(c) if !ctrl && !alt => area.insert_char(c),
        KeyCode::Enter => area.newline(),
        _ => {
            match key.code {
                KeyCode::Backspace => area.backspace(),
                KeyCode::Delete => area.delete(),
                KeyCode::Left => area.left(),
                KeyCode::Right => area.right(),
                KeyCode::Up => area.up(),
                KeyCode::Down => area.down(),
                KeyCode::PageUp => area.page_up(),
                KeyCode::PageDown => area.page_down(),
                KeyCode::Home => area.home(),
                KeyCode::End => area.end(),
                _ => {}
            }
            Ok(())
        }
    };
    if let Err(e) = result {
        app.error(e);
    }
    Vec::new()
}

/// A paste while the editor has the focus goes into it, whole or not at all. Returns false when
/// the editor does not have the focus.
pub fn paste(app: &mut App, text: &str) -> bool {
    if !app.inline_editor_focused() {
        return false;
    }
    if let Err(e) = app.draft.inline_doc.insert_str(text) {
        app.error(format!("Paste refused. {e}"));
    }
    true
}
