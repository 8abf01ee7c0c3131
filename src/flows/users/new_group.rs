//! "New group" on the Permissions step (the console's "Create group"): a small form over the
//! Groups pane — a name, a path, and managed policies to attach — that creates the group in the
//! account at once and chooses it for the user.
//!
//! Creating a group is a change to the account made *before* the user is created: the group stays
//! even if the admin later cancels the user, as in the console.

use crossterm::event::{KeyCode, KeyEvent};

use crate::app::{App, Command, ListUi, PermPane, Remote, Screen, is_ctrl};
use crate::flows::users::draft::{self, GROUPS_MAX, MANAGED_POLICIES_MAX};
use crate::flows::users::update::{self as screens, Edit, FieldRule};
use crate::kit::text::TextField;
use crate::protocol::{AwsError, GroupInfo, Request, policy_name};

pub use draft::GROUP_NAME_MAX;

pub const GROUP_NAME_RULE: &str = "letters, digits and + = , . @ _ - (1 to 128 characters)";

pub const GROUP_NAME: FieldRule = FieldRule {
    secret: false,
    what: "a group name",
    allowed: draft::is_user_name_char,
    chars: draft::NAME_CHARS,
    max: GROUP_NAME_MAX,
};

/// At most this many policies are attached by the form (the console's limit per group is 10).
pub const GROUP_POLICIES_MAX: usize = MANAGED_POLICIES_MAX;

/// The new-group form's state, and the request in flight (which outlives the form: Esc closes
/// the form, but the reply still lands).
#[derive(Clone, Debug, Default)]
pub struct NewGroup {
    pub form: Option<Form>,
    /// The sequence number of the `CreateGroup` request in flight.
    pub pending: Option<u64>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GroupField {
    #[default]
    Name,
    Path,
    /// The policy filter and list: typing filters, ↑↓ move, Space toggles.
    Policies,
}

#[derive(Clone, Debug)]
pub struct Form {
    pub name: TextField,
    pub path: TextField,
    pub policies: ListUi,
    /// ARNs of the policies to attach, in the order chosen.
    pub chosen: Vec<String>,
    pub focus: GroupField,
    /// Show the name and path errors even when empty (after Enter was refused).
    pub show_errors: bool,
    /// `CreateGroup` is running.
    pub creating: bool,
    /// Why the last attempt failed.
    pub error: Option<AwsError>,
}

impl Default for Form {
    fn default() -> Form {
        Form {
            name: TextField::default(),
            path: TextField::new("/"),
            policies: ListUi::default(),
            chosen: Vec::new(),
            focus: GroupField::Name,
            show_errors: false,
            creating: false,
            error: None,
        }
    }
}

/// Checks a group name: the characters and the length ([`draft::validate_group_name`]), and that
/// no loaded group has it (ignoring case, as IAM compares them).
pub fn validate_group_name(name: &str, groups: &Remote<Vec<GroupInfo>>) -> Result<(), String> {
    draft::validate_group_name(name)?;
    let lower = name.to_lowercase();
    if let Some(existing) = groups
        .ready()
        .and_then(|gs| gs.iter().find(|g| g.name.to_lowercase() == lower))
    {
        return Err(format!(
            "A group named {} already exists (names are unique ignoring case). Choose it in the \
             list, or another name.",
            existing.name
        ));
    }
    Ok(())
}

impl App {
    /// The form's name check, against the groups loaded.
    pub fn new_group_name_check(&self) -> Option<Result<(), String>> {
        let form = self.new_group.form.as_ref()?;
        Some(validate_group_name(form.name.value(), &self.catalog.groups))
    }
}

fn open(app: &mut App) {
    if app.new_group.pending.is_some() {
        app.info("A group is still being created; wait for it to finish.");
        return;
    }
    app.new_group.form = Some(Form::default());
}

/// Keys for the form, and Ctrl-G on the Groups pane that opens it. `None` when the key is not
/// the form's.
pub(crate) fn key(app: &mut App, key: &KeyEvent) -> Option<Vec<Command>> {
    if app.screen != Screen::Permissions {
        return None;
    }
    let Some(form) = app.new_group.form.as_mut() else {
        if app.focus.pane == PermPane::Groups && is_ctrl(key, 'g') {
            open(app);
            return Some(Vec::new());
        }
        return None;
    };
    if key.code == KeyCode::Esc {
        app.new_group.form = None;
        if app.new_group.pending.is_some() {
            app.info(format!(
                "The group is still being created; it is chosen for {} when it is made.",
                app.draft.the_users()
            ));
        }
        return Some(Vec::new());
    }
    if form.creating {
        return Some(Vec::new());
    }
    match key.code {
        KeyCode::Tab => {
            form.focus = match form.focus {
                GroupField::Name => GroupField::Path,
                GroupField::Path => GroupField::Policies,
                GroupField::Policies => GroupField::Name,
            };
            return Some(Vec::new());
        }
        KeyCode::BackTab => {
            form.focus = match form.focus {
                GroupField::Name => GroupField::Policies,
                GroupField::Path => GroupField::Name,
                GroupField::Policies => GroupField::Path,
            };
            return Some(Vec::new());
        }
        KeyCode::Enter => return Some(submit(app)),
        _ => {}
    }
    if form.focus == GroupField::Policies {
        let len = {
            let form = app.new_group.form.as_ref()?;
            app.filtered_policies(&form.policies).len()
        };
        let form = app.new_group.form.as_mut()?;
        let last = len.saturating_sub(1);
        let cursor = &mut form.policies.cursor;
        match key.code {
            KeyCode::Up => *cursor = cursor.saturating_sub(1),
            KeyCode::Down => *cursor = (*cursor + 1).min(last),
            KeyCode::PageUp => *cursor = cursor.saturating_sub(10),
            KeyCode::PageDown => *cursor = (*cursor + 10).min(last),
            KeyCode::Char(' ') => toggle_policy(app),
            _ => edit_field(app, key),
        }
        return Some(Vec::new());
    }
    match key.code {
        KeyCode::Up => form.focus = previous(form.focus),
        KeyCode::Down => form.focus = next(form.focus),
        _ => edit_field(app, key),
    }
    Some(Vec::new())
}

fn next(f: GroupField) -> GroupField {
    match f {
        GroupField::Name => GroupField::Path,
        _ => GroupField::Policies,
    }
}

fn previous(f: GroupField) -> GroupField {
    match f {
        GroupField::Policies => GroupField::Path,
        _ => GroupField::Name,
    }
}

fn focused(form: &mut Form) -> (&mut TextField, FieldRule) {
    match form.focus {
        GroupField::Name => (&mut form.name, GROUP_NAME),
        GroupField::Path => (&mut form.path, screens::PATH),
        GroupField::Policies => (&mut form.policies.filter, screens::FILTER),
    }
}

fn edit_field(app: &mut App, key: &KeyEvent) {
    let Some(form) = app.new_group.form.as_mut() else {
        return;
    };
    let (field, rule) = focused(form);
    match screens::edit(field, rule, key) {
        Ok(Edit::Changed) => {
            form.error = None;
            if form.focus == GroupField::Policies {
                form.policies.cursor = 0;
            }
        }
        Ok(_) => {}
        Err(message) => app.error(message),
    }
}

/// Pasted text goes into the form's focused field while the form is open. Returns whether the
/// form took it.
pub(crate) fn paste(app: &mut App, text: &str) -> bool {
    if app.screen != Screen::Permissions {
        return false;
    }
    let Some(form) = app.new_group.form.as_mut() else {
        return false;
    };
    if form.creating {
        return true;
    }
    let (field, rule) = focused(form);
    match screens::paste_into(field, rule, text) {
        Ok(()) => {
            if form.focus == GroupField::Policies {
                form.policies.cursor = 0;
            }
        }
        Err(message) => app.error(message),
    }
    true
}

fn toggle_policy(app: &mut App) {
    let Some(form) = app.new_group.form.as_ref() else {
        return;
    };
    let Some(arn) = app
        .filtered_policies(&form.policies)
        .get(form.policies.cursor)
        .map(|p| p.arn.clone())
    else {
        return;
    };
    let Some(form) = app.new_group.form.as_mut() else {
        return;
    };
    if let Some(i) = form.chosen.iter().position(|a| *a == arn) {
        form.chosen.remove(i);
    } else if form.chosen.len() >= GROUP_POLICIES_MAX {
        app.error(format!(
            "A new group gets at most {GROUP_POLICIES_MAX} policies here; remove one before adding \
             {}.",
            policy_name(&arn)
        ));
    } else {
        form.chosen.push(arn);
    }
}

/// Enter: checks the form and sends `CreateGroup`.
fn submit(app: &mut App) -> Vec<Command> {
    let Some(check) = app.new_group_name_check() else {
        return Vec::new();
    };
    let Some(form) = app.new_group.form.as_mut() else {
        return Vec::new();
    };
    let path_check = draft::validate_path(form.path.value());
    if let Err(message) = check.and(path_check) {
        form.show_errors = true;
        app.error(message);
        return Vec::new();
    }
    let name = form.name.value().to_string();
    let path = form.path.value().to_string();
    let policies = form.chosen.clone();
    form.creating = true;
    form.error = None;
    let seq = app.next_seq();
    app.new_group.pending = Some(seq);
    vec![Command::Worker(Request::CreateGroup {
        seq,
        name,
        path,
        policies,
    })]
}

/// The reply to `CreateGroup`: a stale one is dropped; a new group joins the list and the user's
/// groups; a failure stays on the form.
pub(crate) fn on_created(app: &mut App, seq: u64, result: Result<GroupInfo, AwsError>) {
    if app.new_group.pending != Some(seq) {
        return;
    }
    app.new_group.pending = None;
    match result {
        Ok(group) => {
            app.new_group.form = None;
            if let Remote::Ready(groups) = &mut app.catalog.groups {
                groups.retain(|g| g.name != group.name);
                let at = groups.partition_point(|g| g.name < group.name);
                groups.insert(at, group.clone());
            }
            let n = group.policies.len();
            let policies = format!("{n} polic{}", if n == 1 { "y" } else { "ies" });
            if app.draft.groups.contains(&group.name) {
                app.info(format!("Group {} created with {policies}.", group.name));
            } else if app.draft.groups.len() >= GROUPS_MAX {
                app.error(format!(
                    "Group {} created with {policies}, but not added: a user can be in at most \
                     {GROUPS_MAX} groups. Remove one, then choose it.",
                    group.name
                ));
            } else {
                app.draft.groups.push(group.name.clone());
                app.info(format!(
                    "Group {} created with {policies} and added to {}.",
                    group.name,
                    app.draft.the_users()
                ));
            }
        }
        Err(error) => match app.new_group.form.as_mut() {
            Some(form) => {
                form.creating = false;
                form.error = Some(error);
            }
            None => {
                let text = format!("Creating the group failed. {error}. {}", error.hint);
                app.error(text);
            }
        },
    }
}
