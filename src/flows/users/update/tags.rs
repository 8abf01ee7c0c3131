//! Step 5: tags, as rows of key and value.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::edit_focused;
use crate::app::{App, Command, Screen, TagCol};
use crate::flows::users::draft::{TAGS_MAX, TagRow, validate_tags};
use crate::kit::tags::drop_empty;
use crate::kit::text::TextField;

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let rows = app.draft.tags.len();
    match key.code {
        KeyCode::Char('n') if ctrl => add_row(app),
        KeyCode::Insert => add_row(app),
        KeyCode::Char('d') if ctrl => {
            if rows > 0 {
                app.draft.tags.remove(app.focus.tag_row);
                app.focus.tag_row = app
                    .focus
                    .tag_row
                    .min(app.draft.tags.len().saturating_sub(1));
                app.focus.tag_col = TagCol::Key;
            }
        }
        KeyCode::Tab => match app.focus.tag_col {
            TagCol::Key if rows > 0 => app.focus.tag_col = TagCol::Value,
            TagCol::Value if app.focus.tag_row + 1 < rows => {
                app.focus.tag_row += 1;
                app.focus.tag_col = TagCol::Key;
            }
            _ => {}
        },
        KeyCode::BackTab => match app.focus.tag_col {
            TagCol::Value => app.focus.tag_col = TagCol::Key,
            TagCol::Key if app.focus.tag_row > 0 => {
                app.focus.tag_row -= 1;
                app.focus.tag_col = TagCol::Value;
            }
            _ => {}
        },
        KeyCode::Up => app.focus.tag_row = app.focus.tag_row.saturating_sub(1),
        KeyCode::Down => {
            app.focus.tag_row = (app.focus.tag_row + 1).min(rows.saturating_sub(1));
        }
        KeyCode::Enter => {
            drop_empty(&mut app.draft.tags);
            app.focus.tag_row = app
                .focus
                .tag_row
                .min(app.draft.tags.len().saturating_sub(1));
            match validate_tags(&app.draft.tags) {
                Ok(()) => app.screen = Screen::Review,
                Err(p) => {
                    app.focus.tag_row = p.row.min(app.draft.tags.len().saturating_sub(1));
                    app.focus.tag_col = p.col;
                    app.error(p.message);
                }
            }
        }
        _ => {
            if rows == 0 && matches!(key.code, KeyCode::Char(_)) && !ctrl {
                app.info("No tags yet: Ctrl-N adds one.");
            } else {
                edit_focused(app, &key);
            }
        }
    }
    Vec::new()
}

fn add_row(app: &mut App) {
    if app.draft.tags.len() >= TAGS_MAX {
        app.error(format!("A user can have at most {TAGS_MAX} tags."));
        return;
    }
    app.draft.tags.push(TagRow {
        key: TextField::default(),
        value: TextField::default(),
    });
    app.focus.tag_row = app.draft.tags.len() - 1;
    app.focus.tag_col = TagCol::Key;
}
