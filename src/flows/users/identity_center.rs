//! The Access step's advice for people: when console access is chosen and the account has an
//! IAM Identity Center instance, one line says that AWS recommends Identity Center for people
//! (IAM users with passwords are the older way).
//!
//! The question (`sso:ListInstances`, [`crate::aws::sso`]) is asked once per run, the first time
//! the Access step shows console access, and answered in the background: nothing waits for it,
//! and any error (no permission included) simply means no advice.

use crate::app::{App, Command, Screen};
use crate::protocol::Request;

/// The advice line.
pub const NUDGE: &str = "AWS recommends IAM Identity Center for people";

/// What is known of the account's IAM Identity Center.
#[derive(Debug, Default)]
pub struct IdentityCenter {
    /// The question was sent (it is never sent twice).
    asked: bool,
    /// The account has an instance: the advice applies.
    recommended: bool,
}

/// Asks the worker once, when the Access step first shows console access.
pub fn ask(app: &mut App) -> Vec<Command> {
    let state = &mut app.flows.identity_center;
    if state.asked || app.screen != Screen::Access || !app.draft.console_password {
        return Vec::new();
    }
    state.asked = true;
    vec![Command::Worker(Request::LoadIdentityCenter)]
}

/// The worker's answer.
pub fn on_answer(app: &mut App, recommended: bool) {
    app.flows.identity_center.recommended = recommended;
}

/// Whether the Access step shows the advice now.
pub fn shown(app: &App) -> bool {
    app.draft.console_password && app.flows.identity_center.recommended
}
