//! Steps 3 and 4: the Permissions panes (groups, copy from user, managed policies) and the
//! permissions boundary. Each is a filtered list: typing filters, arrows move, Space chooses.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Edit, after_filter_change, edit_focused};
use crate::app::{App, Command, ListUi, PermPane, Screen, is_ctrl};
use crate::flows::users::draft::{GROUPS_MAX, MANAGED_POLICIES_MAX};
use crate::flows::users::picker;
use crate::protocol::policy_name;

/// Moves a list cursor for a navigation key; returns false for other keys.
fn navigate(list: &mut ListUi, len: usize, key: &KeyEvent) -> bool {
    let last = len.saturating_sub(1);
    list.cursor = match key.code {
        KeyCode::Up => list.cursor.saturating_sub(1),
        KeyCode::Down => (list.cursor + 1).min(last),
        KeyCode::PageUp => list.cursor.saturating_sub(10),
        KeyCode::PageDown => (list.cursor + 10).min(last),
        KeyCode::Home => 0,
        KeyCode::End => last,
        _ => return false,
    };
    true
}

fn toggle<T: PartialEq + Clone>(chosen: &mut Vec<T>, item: &T, max: usize) -> Result<(), ()> {
    if let Some(i) = chosen.iter().position(|x| x == item) {
        chosen.remove(i);
        Ok(())
    } else if chosen.len() >= max {
        Err(())
    } else {
        chosen.push(item.clone());
        Ok(())
    }
}

/// The policy pickers' own keys: Ctrl-T cycles the type, Ctrl-P shows or hides the preview,
/// Shift with ↑↓ or PageUp/PageDown scrolls it. Returns false for other keys.
fn picker_key(app: &mut App, key: &KeyEvent) -> bool {
    if is_ctrl(key, 't') {
        picker::cycle_type(app);
        return true;
    }
    if is_ctrl(key, 'p') {
        picker::toggle_preview(app);
        return true;
    }
    if key.modifiers.contains(KeyModifiers::SHIFT) {
        let delta = match key.code {
            KeyCode::Up => -1,
            KeyCode::Down => 1,
            KeyCode::PageUp => -10,
            KeyCode::PageDown => 10,
            _ => return false,
        };
        picker::scroll_preview(app, delta);
        return true;
    }
    false
}

pub fn permissions_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let pane = app.focus.pane;
    if pane == PermPane::Inline {
        return super::inline::key(app, key);
    }
    if pane == PermPane::Policies && picker_key(app, &key) {
        return Vec::new();
    }
    match key.code {
        KeyCode::Tab | KeyCode::Right => {
            app.focus.pane = match pane {
                PermPane::Groups => PermPane::Copy,
                PermPane::Copy => PermPane::Policies,
                PermPane::Policies => PermPane::Inline,
                PermPane::Inline => PermPane::Groups,
            };
            return Vec::new();
        }
        KeyCode::BackTab | KeyCode::Left => {
            app.focus.pane = match pane {
                // ← wraps among the lists as before; ←→ inside the editor move its cursor.
                PermPane::Groups if key.code == KeyCode::Left => PermPane::Policies,
                PermPane::Groups => PermPane::Inline,
                PermPane::Copy => PermPane::Groups,
                PermPane::Policies => PermPane::Copy,
                PermPane::Inline => PermPane::Policies,
            };
            return Vec::new();
        }
        KeyCode::Enter => {
            app.screen = Screen::Boundary;
            return Vec::new();
        }
        _ => {}
    }
    let len = match pane {
        PermPane::Groups => app.filtered_groups().len(),
        PermPane::Copy => app.filtered_users().len(),
        PermPane::Policies => app.filtered_policies(&app.focus.policies).len(),
        PermPane::Inline => return Vec::new(),
    };
    let list = match pane {
        PermPane::Groups => &mut app.focus.groups,
        PermPane::Copy => &mut app.focus.users,
        PermPane::Policies => &mut app.focus.policies,
        PermPane::Inline => return Vec::new(),
    };
    if navigate(list, len, &key) {
        return Vec::new();
    }
    if key.code == KeyCode::Char(' ') {
        return choose(app, pane);
    }
    if let Edit::Changed = edit_focused(app, &key) {
        after_filter_change(app);
    }
    Vec::new()
}

/// Space on the highlighted entry of `pane`.
fn choose(app: &mut App, pane: PermPane) -> Vec<Command> {
    match pane {
        PermPane::Groups => {
            let Some(name) = app
                .filtered_groups()
                .get(app.focus.groups.cursor)
                .map(|g| g.name.clone())
            else {
                return Vec::new();
            };
            if toggle(&mut app.draft.groups, &name, GROUPS_MAX).is_err() {
                app.error(format!(
                    "A user can be in at most {GROUPS_MAX} groups; remove one first."
                ));
            }
        }
        PermPane::Policies => {
            let Some(arn) = app
                .filtered_policies(&app.focus.policies)
                .get(app.focus.policies.cursor)
                .map(|p| p.arn.clone())
            else {
                return Vec::new();
            };
            if toggle(&mut app.draft.policies, &arn, MANAGED_POLICIES_MAX).is_err() {
                app.error(format!(
                    "A user can have at most {MANAGED_POLICIES_MAX} managed policies; remove one \
                     before adding {}.",
                    policy_name(&arn)
                ));
            }
        }
        PermPane::Inline => {}
        PermPane::Copy => {
            let Some(name) = app
                .filtered_users()
                .get(app.focus.users.cursor)
                .map(|u| u.name.clone())
            else {
                return Vec::new();
            };
            if app.draft.copy_from.as_deref() == Some(name.as_str()) {
                app.draft.copy_from = None;
                app.catalog.copy = None;
            } else {
                app.draft.copy_from = Some(name.clone());
                return vec![app.load_copy_source(name)];
            }
        }
    }
    Vec::new()
}

/// The boundary list: entry 0 is "no boundary", then the filtered policies.
pub fn boundary_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    if key.code == KeyCode::Enter {
        app.screen = Screen::Tags;
        return Vec::new();
    }
    if picker_key(app, &key) {
        return Vec::new();
    }
    let len = 1 + app.filtered_policies(&app.focus.boundary).len();
    if navigate(&mut app.focus.boundary, len, &key) {
        return Vec::new();
    }
    if key.code == KeyCode::Char(' ') {
        let cursor = app.focus.boundary.cursor;
        app.draft.boundary = if cursor == 0 {
            None
        } else {
            app.filtered_policies(&app.focus.boundary)
                .get(cursor - 1)
                .map(|p| p.arn.clone())
        };
        return Vec::new();
    }
    if let Edit::Changed = edit_focused(app, &key) {
        after_filter_change(app);
    }
    Vec::new()
}
