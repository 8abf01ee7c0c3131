//! Step 1: the names of the users to create (1 to 10) and their shared path. Enter goes on only
//! once each name is known to be free, by the account's user list or by its own check with AWS:
//! while neither has answered it waits, and goes on by itself when the answer is in.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Edit, edit_focused};
use crate::app::{App, Command, Screen};
use crate::flows::users::draft::{USERS_MAX, validate_path, validate_user_names};
use crate::kit::text::TextField;

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let names = app.draft.names.len();
    // Rows: the names, then the path.
    let rows = names + 1;
    let on_name = app.focus.details < names;
    match key.code {
        KeyCode::Tab | KeyCode::Down => app.focus.details = (app.focus.details + 1) % rows,
        KeyCode::BackTab | KeyCode::Up => app.focus.details = (app.focus.details + rows - 1) % rows,
        KeyCode::Char('n') if ctrl => {
            if names >= USERS_MAX {
                app.error(format!(
                    "At most {USERS_MAX} users at a time, as in the console."
                ));
            } else {
                app.draft.names.push(TextField::default());
                app.focus.details = names;
            }
        }
        KeyCode::Char('d') if ctrl => {
            if on_name && names > 1 {
                app.draft.names.remove(app.focus.details);
                app.focus.details = app.focus.details.min(names - 2);
                app.name_changed();
            }
        }
        KeyCode::Enter => return enter(app),
        _ => {
            if let Edit::Changed = edit_focused(app, &key)
                && on_name
            {
                app.name_changed();
            }
        }
    }
    Vec::new()
}

/// Enter: checks the names and the path, then goes on to Access type, or waits for the names'
/// checks with AWS (sent now if typing had not rested yet).
fn enter(app: &mut App) -> Vec<Command> {
    app.set_enter_when_checked(false);
    let names = app.draft.names.len();
    if let Err((row, e)) = validate_user_names(&app.draft.names) {
        app.focus.details = row;
        app.error(e);
    } else if let Some((row, taken)) = app.taken_names().into_iter().next() {
        app.focus.details = row;
        app.error(format!(
            "A user named {taken} already exists in this account (IAM ignores case); \
             choose another name."
        ));
    } else if let Err(e) = validate_path(app.draft.path.value()) {
        app.focus.details = names;
        app.error(e);
    } else {
        let cmds = app.check_names_now();
        if let Some((_, name)) = app.name_being_checked() {
            app.set_enter_when_checked(true);
            app.info(format!(
                "Still checking that no user named {name} exists in this account; the next \
                 step follows as soon as AWS answers."
            ));
        } else {
            app.screen = Screen::Access;
        }
        return cmds;
    }
    Vec::new()
}

/// A name's check or the user list is in: an Enter that waited for it goes through once no check is pending.
pub fn names_checked(app: &mut App) -> Vec<Command> {
    if !app.enter_when_checked() || app.name_being_checked().is_some() {
        return Vec::new();
    }
    if app.screen != Screen::Details {
        app.set_enter_when_checked(false);
        return Vec::new();
    }
    app.notice = None;
    enter(app)
}
