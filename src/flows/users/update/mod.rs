//! Key handling for each screen, and the text-editing rules shared by every field.

mod access;
mod details;
mod inline;
mod lists;
mod tags;

use crossterm::event::{KeyCode, KeyEvent};

use crate::app::{AccessItem, App, Command, PermPane, Screen};
use crate::flows::users::draft;
pub use crate::kit::field::{Edit, FILTER, FieldRule, edit, paste_into};
use crate::kit::text::TextField;

pub const USER_NAME: FieldRule = FieldRule {
    secret: false,
    what: "a user name",
    allowed: draft::is_user_name_char,
    chars: "letters, digits and + = , . @ _ -",
    max: draft::USER_NAME_MAX,
};

pub const PATH: FieldRule = FieldRule {
    secret: false,
    what: "a path",
    allowed: draft::is_path_char,
    chars: "printable ASCII without spaces",
    max: draft::PATH_MAX,
};

pub use crate::kit::tags::{TAG_KEY, TAG_VALUE};
pub use details::names_checked;

/// The access key's description: a tag value.
pub const KEY_DESCRIPTION: FieldRule = FieldRule {
    what: "the access key's description",
    ..TAG_VALUE
};

pub const PASSWORD: FieldRule = FieldRule {
    secret: true,
    what: "a password",
    allowed: |c| c.is_ascii() && !c.is_ascii_control(),
    chars: "printable ASCII",
    max: draft::PASSWORD_MAX,
};

/// The focused text field and its rule, if the focus is on one.
fn focused_field(app: &mut App) -> Option<(&mut TextField, FieldRule)> {
    match app.screen {
        Screen::Details => match app.draft.names.get_mut(app.focus.details) {
            Some(name) => Some((name, USER_NAME)),
            None => Some((&mut app.draft.path, PATH)),
        },
        Screen::Access if app.focus.access == AccessItem::Custom && app.draft.console_password => {
            Some((&mut app.draft.custom_password, PASSWORD))
        }
        Screen::Access
            if app.focus.access == AccessItem::KeyDescription && app.draft.access_key =>
        {
            Some((&mut app.draft.key_description, KEY_DESCRIPTION))
        }
        Screen::Permissions => Some(match app.focus.pane {
            PermPane::Groups => (&mut app.focus.groups.filter, FILTER),
            PermPane::Copy => (&mut app.focus.users.filter, FILTER),
            PermPane::Policies => (&mut app.focus.policies.filter, FILTER),
            PermPane::Inline if !app.focus.inline_on_name => return None,
            PermPane::Inline => (&mut app.draft.inline_name, inline::INLINE_NAME),
        }),
        Screen::Boundary => Some((&mut app.focus.boundary.filter, FILTER)),
        Screen::Tags => {
            let col = app.focus.tag_col;
            let row = app.draft.tags.get_mut(app.focus.tag_row)?;
            Some(row.field(col))
        }
        _ => None,
    }
}

/// Edits the focused field with `key`, showing any refusal. Returns what happened.
fn edit_focused(app: &mut App, key: &KeyEvent) -> Edit {
    let result = match focused_field(app) {
        Some((field, rule)) => edit(field, rule, key),
        None => Ok(Edit::Ignored),
    };
    match result {
        Ok(e) => e,
        Err(message) => {
            app.error(message);
            Edit::Changed
        }
    }
}

/// Pasted text goes into the focused field, whole or not at all.
pub fn paste(app: &mut App, text: &str) {
    if inline::paste(app, text) {
        return;
    }
    let Some((field, rule)) = focused_field(app) else {
        return;
    };
    match paste_into(field, rule, text) {
        Ok(()) => {
            after_filter_change(app);
            if app.screen == Screen::Details && app.focus.details < app.draft.names.len() {
                app.name_changed();
            }
        }
        Err(message) => app.error(message),
    }
}

/// A filter changed: the cursor goes back to the first match.
fn after_filter_change(app: &mut App) {
    match app.screen {
        Screen::Permissions => match app.focus.pane {
            PermPane::Groups => app.focus.groups.cursor = 0,
            PermPane::Copy => app.focus.users.cursor = 0,
            PermPane::Policies => app.focus.policies.cursor = 0,
            PermPane::Inline => {}
        },
        Screen::Boundary => app.focus.boundary.cursor = 0,
        _ => {}
    }
    crate::flows::users::picker::refresh(app);
}

/// The keys of the step on screen.
pub fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match app.screen {
        Screen::Details => details::key(app, key),
        Screen::Access => access::key(app, key),
        Screen::Permissions => lists::permissions_key(app, key),
        Screen::Boundary => lists::boundary_key(app, key),
        Screen::Tags => tags::key(app, key),
        Screen::Review => review_key(app, key),
        _ => Vec::new(),
    }
}

fn review_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match key.code {
        KeyCode::Enter => return super::work::start(app),
        KeyCode::Char('s') => crate::flows::users::save_plan::open(app),
        KeyCode::Char('x') => app.drop_missing(),
        KeyCode::Char(c @ '1'..='5') => {
            if let Some(step) = app.flow.step(c as usize - '1' as usize) {
                app.screen = step;
            }
        }
        KeyCode::Up => app.focus.review_scroll = app.focus.review_scroll.saturating_sub(1),
        KeyCode::Down => app.focus.review_scroll = app.focus.review_scroll.saturating_add(1),
        KeyCode::PageUp => app.focus.review_scroll = app.focus.review_scroll.saturating_sub(10),
        KeyCode::PageDown => app.focus.review_scroll = app.focus.review_scroll.saturating_add(10),
        _ => {}
    }
    Vec::new()
}
