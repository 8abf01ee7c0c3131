//! The users flow: the console's create-user wizard (User details, Access type, Permissions,
//! Boundary, Tags, Review) for up to 10 users at once.
//!
//! [`draft`] holds what the admin chose and the rules AWS applies to each choice; [`rules`] the
//! rules over the whole draft (the permissions in force, the checks before creating, the creation
//! requests); [`update`] the keys of each step and [`help`] what they do; [`view`] draws them;
//! [`work`] starts the creation and takes its answer. The Permissions step's parts have a module
//! each: the policy [`picker`], the [`inline_policy`] editor, the [`new_group`] form;
//! [`save_plan`] writes Review's plan; [`identity_center`] asks whether to recommend IAM
//! Identity Center on the Access step.

pub mod draft;
pub mod help;
pub mod identity_center;
pub mod inline_policy;
pub mod key_use;
pub mod new_group;
pub mod picker;
pub mod rules;
pub mod save_plan;
pub mod update;
pub mod view;
pub mod work;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::{Reply, encryption};
use crate::app::{AccessItem, App, Command, Focus, Screen, is_ctrl};
use crate::protocol::Event;
use draft::Draft;

/// Opens the flow on User details, or on Review with the plan given by `--plan`, whose names
/// (not typed, so not checked yet) are checked with AWS at once.
pub fn open(app: &mut App) -> Vec<Command> {
    let Some(loaded) = app.options.plan.clone() else {
        return Vec::new();
    };
    app.draft = crate::planfile::to_draft(&loaded.plan);
    app.screen = Screen::Review;
    app.info(format!(
        "Loaded plan {}: check it here; 1-5 edits a step, Enter creates.",
        loaded.path.display()
    ));
    app.check_names_now()
}

/// A form open over the step (the new-group form, the save-plan prompt) takes every key.
pub fn form_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Command>> {
    new_group::key(app, key).or_else(|| save_plan::key(app, key))
}

/// Whether `?` is text where the focus is (a password being typed, the inline policy editor).
pub fn typing(app: &App) -> bool {
    let password = app.screen == Screen::Access
        && app.focus.access == AccessItem::Custom
        && app.draft.console_password;
    password || app.inline_editor_focused()
}

/// A key on one of the flow's steps.
pub fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    if is_ctrl(&key, 'e') && app.screen == Screen::Details {
        encryption::enter(app, true);
        return Vec::new();
    }
    if is_ctrl(&key, 'k') && app.screen == Screen::Details {
        super::keys::enter(app);
        return Vec::new();
    }
    if is_ctrl(&key, 'r') {
        app.info("Reloading groups, users and policies…");
        return app.reload();
    }
    if key.code == KeyCode::Esc {
        if app.screen == Screen::Details {
            app.info("This is the first step. Ctrl-C quits.");
        } else {
            app.screen = app.flow.prev(app.screen);
        }
        return Vec::new();
    }
    let mut cmds = update::key(app, key);
    cmds.extend(identity_center::ask(app));
    cmds
}

/// Pasted text: into the open form, else the focused field.
pub fn paste(app: &mut App, text: &str) {
    if !save_plan::paste(app, text) && !new_group::paste(app, text) {
        update::paste(app, text);
    }
}

/// The heartbeat's part: the policy preview due for a fetch.
pub fn tick(app: &mut App) -> Vec<Command> {
    picker::tick(app)
}

/// The worker's replies to the flow's own requests.
pub fn on_event(app: &mut App, event: Event) -> Reply {
    match event {
        Event::PolicyDocument { seq, arn, result } => picker::on_document(app, seq, arn, result),
        Event::GroupCreated { seq, result } => new_group::on_created(app, seq, result),
        Event::IdentityCenter(recommended) => identity_center::on_answer(app, recommended),
        Event::Finished { run, result } if app.creation.as_ref().is_some_and(|c| c.run == run) => {
            work::finish(app, result)
        }
        Event::KeyProof { run, user, proof } if app.flow == super::Flow::Users => {
            work::on_proof(app, run, user, proof)
        }
        other => return Reply::Unhandled(other),
    }
    Reply::Handled(Vec::new())
}

/// A fresh draft on User details.
pub fn start_over(app: &mut App) {
    app.draft = Draft::default();
    app.focus = Focus::default();
    app.catalog.copy = None;
    app.screen = Screen::Details;
}

/// Whether the draft holds anything.
pub fn dirty(app: &App) -> bool {
    app.draft != Draft::default()
}

/// Draws the step on screen in `area`, and the form open over it in `body`.
pub fn view(app: &App, f: &mut Frame, area: Rect, body: Rect) {
    match app.screen {
        Screen::Details => view::details(app, f, area),
        Screen::Access => view::access(app, f, area),
        Screen::Permissions => view::permissions(app, f, area),
        Screen::Boundary => view::boundary(app, f, area),
        Screen::Tags => view::tags(app, f, area),
        Screen::Review => view::review(app, f, area),
        _ => {}
    }
    if app.screen == Screen::Permissions
        && let Some(form) = &app.new_group.form
    {
        view::new_group::draw(app, form, f, body);
    }
    if app.screen == Screen::Review
        && let Some(prompt) = &app.save_plan
    {
        view::save_plan::draw(app, prompt, f, body);
    }
}
