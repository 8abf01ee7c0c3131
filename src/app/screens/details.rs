//! Step 1: user name and path.

use crossterm::event::{KeyCode, KeyEvent};

use super::edit_focused;
use crate::app::draft::{validate_path, validate_user_name};
use crate::app::{App, Command, Screen};

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match key.code {
        KeyCode::Tab | KeyCode::Down | KeyCode::BackTab | KeyCode::Up => {
            app.focus.details = 1 - app.focus.details.min(1);
        }
        KeyCode::Enter => {
            if let Err(e) = validate_user_name(app.draft.name.value()) {
                app.focus.details = 0;
                app.error(e);
            } else if let Err(e) = validate_path(app.draft.path.value()) {
                app.focus.details = 1;
                app.error(e);
            } else {
                app.screen = Screen::Access;
            }
        }
        _ => {
            edit_focused(app, &key);
        }
    }
    Vec::new()
}
