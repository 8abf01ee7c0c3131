//! The wizard's flows, and the one place that routes to them.
//!
//! A flow is a directory here holding its state, its rules, its keys (with their help), its
//! requests to the worker and its views. [`Flow`] names the flows and says what the frame around
//! them needs: the title, the steps and their breadcrumb names, where a failed run returns. The
//! functions below route a key, a paste, a tick, a worker reply or a frame to the flow on screen;
//! the core (`app`) and the frame (`ui`) call these and never branch on a flow themselves.
//!
//! Adding a flow: a directory with `state`, `rules`, `update`, `view` (and `work` if it asks the
//! worker), a [`Flow`] variant and its screens here, its requests and events in
//! [`crate::protocol`], their handling in the worker, and its subcommand in [`crate::cli`].

pub mod encryption;
pub mod keys;
pub mod mfa;
pub mod user_pick;
pub mod users;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::{App, Command};
use crate::kit::keys::Help;
use crate::protocol::Event;

/// What became of a worker reply offered to the flows.
// An unhandled reply is handed straight back once; boxing it would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Reply {
    /// A flow took it, and wants these done.
    Handled(Vec<Command>),
    /// No flow's: the core handles it.
    Unhandled(Event),
}

/// The state of the flows that keep it here, one field a flow: a new flow adds its state here,
/// so the core's [`App`] does not change. (The users and encryption flows, older, keep theirs on
/// `App` itself.)
#[derive(Debug, Default)]
pub struct States {
    /// The access-key flow (`iamwiz keys`).
    pub keys: keys::AccessKeys,
    /// The MFA flow (`iamwiz mfa`).
    pub mfa: mfa::Mfa,
    /// The users flow's IAM Identity Center advice.
    pub identity_center: users::identity_center::IdentityCenter,
}

/// The flows the wizard offers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Flow {
    /// The console's create-user wizard, for up to 10 users.
    #[default]
    Users,
    /// The guided service account for MongoDB CSFLE and Queryable Encryption.
    Encryption,
    /// A user's access keys: see them, activate, deactivate or delete one.
    Keys,
    /// A user's MFA devices: enrol a virtual one with its QR code, deactivate or delete one.
    Mfa,
}

impl Flow {
    /// The header's title while the flow is on screen.
    pub fn title(self) -> &'static str {
        match self {
            Flow::Users => "Create IAM user",
            Flow::Encryption => "MongoDB encryption service account",
            Flow::Keys => "Access keys",
            Flow::Mfa => "MFA devices",
        }
    }

    /// The steps the admin fills in, in order, and their names in the breadcrumb.
    pub fn steps(self) -> &'static [(Screen, &'static str)] {
        match self {
            Flow::Users => &[
                (Screen::Details, "Details"),
                (Screen::Access, "Access"),
                (Screen::Permissions, "Permissions"),
                (Screen::Boundary, "Boundary"),
                (Screen::Tags, "Tags"),
                (Screen::Review, "Review"),
            ],
            Flow::Encryption => &[
                (Screen::EncPurpose, "Purpose"),
                (Screen::EncKey, "Key"),
                (Screen::EncAccount, "Account"),
                (Screen::EncReview, "Review"),
            ],
            Flow::Keys => &[(Screen::KeysUser, "User"), (Screen::KeysList, "Keys")],
            Flow::Mfa => &[
                (Screen::MfaUser, "User"),
                (Screen::MfaList, "Devices"),
                (Screen::MfaEnrol, "Enrol"),
            ],
        }
    }

    /// `screen`'s place among the flow's steps, if it is one.
    pub fn step_index(self, screen: Screen) -> Option<usize> {
        self.steps().iter().position(|(s, _)| *s == screen)
    }

    /// The `i`th step (from 0), if there is one.
    pub fn step(self, i: usize) -> Option<Screen> {
        self.steps().get(i).map(|(s, _)| *s)
    }

    /// The step before `screen` (the first step stays where it is).
    pub fn prev(self, screen: Screen) -> Screen {
        match self.step_index(screen) {
            Some(i) if i > 0 => self.steps()[i - 1].0,
            _ => screen,
        }
    }

    /// Where the admin goes back to when a run failed: the flow's Review.
    pub fn review(self) -> Screen {
        self.steps()
            .last()
            .map(|(s, _)| *s)
            .unwrap_or(Screen::Review)
    }

    /// What `n` on Done starts, for the help bar.
    pub fn again(self) -> &'static str {
        match self {
            Flow::Users => "new user",
            Flow::Encryption => "another",
            Flow::Keys | Flow::Mfa => "another user",
        }
    }

    /// The breadcrumb's names for the screens after the steps: a creation's run, its credentials
    /// and Done; a rotation's new key (its list follows, as step 2 again).
    pub fn after_steps(self) -> &'static [(Screen, &'static str)] {
        match self {
            Flow::Users | Flow::Encryption => &[
                (Screen::Creating, "Create"),
                (Screen::Reveal, "Credentials"),
                (Screen::Done, "Done"),
            ],
            Flow::Keys => &[(Screen::Reveal, "New key")],
            Flow::Mfa => &[],
        }
    }

    /// The flow's own screen that stands in the breadcrumb where the credentials would (the
    /// encryption flow's role result).
    pub fn result_screens(self) -> &'static [Screen] {
        match self {
            Flow::Users => &[],
            Flow::Encryption => &[Screen::EncRole],
            Flow::Keys | Flow::Mfa => &[],
        }
    }
}

/// Every screen of every flow, and the three they share once a run starts (Creating, Reveal,
/// Done).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Details,
    Access,
    Permissions,
    Boundary,
    Tags,
    Review,
    Creating,
    Reveal,
    Done,
    /// The encryption flow: the feature, region and application name.
    EncPurpose,
    /// The customer master key: an existing one, or a new one.
    EncKey,
    /// The service account: an IAM user, or a role for production.
    EncAccount,
    EncReview,
    /// The role made for production and its documents (no secret to reveal).
    EncRole,
    /// The keys flow: the user whose access keys to look after.
    KeysUser,
    /// The keys flow: the user's access keys and what can be done to each.
    KeysList,
    /// The MFA flow: the user whose MFA devices to look after.
    MfaUser,
    /// The MFA flow: the user's devices and what can be done to each.
    MfaList,
    /// The MFA flow: a new virtual device's QR code, seed and codes.
    MfaEnrol,
}

impl Screen {
    pub fn title(self) -> &'static str {
        match self {
            Screen::Details => "User details",
            Screen::Access => "Access type",
            Screen::Permissions => "Permissions",
            Screen::Boundary => "Permissions boundary",
            Screen::Tags => "Tags",
            Screen::Review => "Review",
            Screen::Creating => "Creating",
            Screen::Reveal => "Credentials (shown once)",
            Screen::Done => "Done",
            Screen::EncPurpose => "Purpose",
            Screen::EncKey => "Customer master key",
            Screen::EncAccount => "Service account",
            Screen::EncReview => "Review",
            Screen::EncRole => "Service role created",
            Screen::KeysUser => "Choose a user",
            Screen::KeysList => "Access keys",
            Screen::MfaUser => "Choose a user",
            Screen::MfaList => "MFA devices",
            Screen::MfaEnrol => "Enrol a virtual MFA device",
        }
    }
}

/// Opens the wizard on `flow`'s first screen (or on what `--plan` filled in). The requests it
/// returns go after the account's lists are asked for.
pub fn open(app: &mut App, flow: Flow) -> Vec<Command> {
    match flow {
        Flow::Users => users::open(app),
        Flow::Encryption => {
            encryption::enter(app, false);
            Vec::new()
        }
        Flow::Keys => keys::open(app),
        Flow::Mfa => mfa::open(app),
    }
}

/// A form open over the flow's screen takes every key first.
pub fn form_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Command>> {
    match app.flow {
        Flow::Users => users::form_key(app, key),
        Flow::Encryption | Flow::Keys | Flow::Mfa => None,
    }
}

/// Whether `?` is text where the focus is (so only F1 opens the help).
pub fn typing(app: &App) -> bool {
    match app.flow {
        Flow::Users => users::typing(app),
        Flow::Encryption => encryption::typing(app),
        Flow::Keys => keys::typing(app),
        Flow::Mfa => mfa::typing(app),
    }
}

/// The keys of a form open over the flow's screen, which take every key.
pub fn form_help(app: &App) -> Option<Help> {
    match app.flow {
        Flow::Users => users::help::form(app),
        Flow::Encryption | Flow::Keys | Flow::Mfa => None,
    }
}

/// A key on one of the flow's own screens (its steps and result screens).
pub fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match app.flow {
        Flow::Users => users::key(app, key),
        Flow::Encryption => encryption::key(app, key),
        Flow::Keys => keys::key(app, key),
        Flow::Mfa => mfa::key(app, key),
    }
}

/// Pasted text on one of the flow's own screens.
pub fn paste(app: &mut App, text: &str) {
    match app.flow {
        Flow::Users => users::paste(app, text),
        Flow::Encryption => encryption::paste(app, text),
        Flow::Keys => keys::paste(app, text),
        Flow::Mfa => mfa::paste(app, text),
    }
}

/// The heartbeat's part for the flows: names and documents due for a check.
pub fn tick(app: &mut App) -> Vec<Command> {
    let mut cmds = encryption::tick(app);
    cmds.extend(users::tick(app));
    cmds
}

/// A worker reply for one flow; the replies every flow shares come back unhandled.
pub fn on_event(app: &mut App, event: Event) -> Reply {
    match users::on_event(app, event) {
        Reply::Unhandled(event) => match encryption::on_event(app, event) {
            Reply::Unhandled(event) => match keys::on_event(app, event) {
                Reply::Unhandled(event) => mfa::on_event(app, event),
                handled => handled,
            },
            handled => handled,
        },
        handled => handled,
    }
}

/// A fresh draft of the same flow after a run (the account's lists are read again by the
/// caller).
pub fn start_over(app: &mut App) {
    match app.flow {
        Flow::Users => users::start_over(app),
        Flow::Encryption => encryption::start_over(app),
        Flow::Keys => keys::start_over(app),
        Flow::Mfa => mfa::start_over(app),
    }
}

/// Whether a flow's own run that makes something is in flight (a rotation's new key): quitting
/// waits for it.
pub fn making(app: &App) -> bool {
    keys::making(app) || mfa::making(app)
}

/// The admin left the credentials screen: the flow that made them goes on (a rotation, to
/// its old key), or `None` leaves it to the shared Done screen.
pub fn after_reveal(app: &mut App) -> Option<Vec<Command>> {
    keys::after_reveal(app)
}

/// The admin quits for good: what must still be asked of AWS first (a rotation's new key that
/// nobody has is deleted again).
pub fn on_quit(app: &App) -> Vec<Command> {
    let mut cmds = keys::on_quit(app);
    cmds.extend(mfa::on_quit(app));
    cmds
}

/// A signal is ending the wizard: what a flow must still ask of AWS first (a new MFA device
/// that was never enabled is deleted again).
pub fn on_signal(app: &mut App) -> Vec<Command> {
    mfa::on_signal(app)
}

/// What quitting now does, in the flow's own words, for the quit question; `None` leaves it to
/// the shared words (credentials not yet saved, or what was entered).
pub fn quit_warning(app: &App) -> Option<String> {
    match app.flow {
        Flow::Keys => keys::quit_warning(app),
        Flow::Mfa => mfa::quit_warning(app),
        Flow::Users | Flow::Encryption => None,
    }
}

/// For the admin, after a signal ended the wizard: what a flow left or removed on the way out
/// (a rotation's old key still active, a new MFA device deleted again).
pub fn ending_notes(app: &App) -> Vec<String> {
    keys::ending_note(app)
        .into_iter()
        .chain(mfa::ending_note(app))
        .collect()
}

/// Whether the flow holds something the admin entered that quitting would lose.
pub fn dirty(app: &App) -> bool {
    users::dirty(app) || encryption::dirty(app) || keys::dirty(app) || mfa::dirty(app)
}

/// Draws the flow's own screen in `area` (inside the frame's border), and any form over it in
/// `body` (the border included).
pub fn view(app: &App, f: &mut Frame, area: Rect, body: Rect) {
    match app.flow {
        Flow::Users => users::view(app, f, area, body),
        Flow::Encryption => encryption::view::draw(app, f, area),
        Flow::Keys => keys::view::draw(app, f, area),
        Flow::Mfa => mfa::view::draw(app, f, area),
    }
}

/// Draws Done in the flow's own words, if it has them; false leaves Done to the shared screen.
pub fn done(app: &App, f: &mut Frame, area: Rect) -> bool {
    match app.flow {
        Flow::Users | Flow::Keys | Flow::Mfa => false,
        Flow::Encryption => encryption::view::done(app, f, area),
    }
}

/// The keys of the flow's screen on show, with their help.
pub fn help(app: &App) -> Help {
    match app.flow {
        Flow::Users => users::help::of(app),
        Flow::Encryption => encryption::help::of(app),
        Flow::Keys => keys::help::of(app),
        Flow::Mfa => mfa::help::of(app),
    }
}
