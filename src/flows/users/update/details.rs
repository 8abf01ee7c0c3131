//! Step 1: the names of the users to create (1 to 10) and their shared path.

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
            }
        }
        KeyCode::Enter => {
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
                app.screen = Screen::Access;
                return app.check_names_now();
            }
        }
        _ => {
            if let Edit::Changed = edit_focused(app, &key)
                && on_name
            {
                app.name_changed(app.focus.details);
            }
        }
    }
    Vec::new()
}
