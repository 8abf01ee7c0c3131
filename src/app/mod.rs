//! The pure core: the wizard's whole state ([`App`]), what can happen to it ([`Msg`]), and
//! [`update`], which decides everything. No I/O, no async, no terminal: what `update` wants done is
//! returned as [`Command`]s.
//!
//! Here are the types and `update`; [`catalog`] holds what the account has and the live name
//! checks, `keys` and `events` route a key press and a worker reply (to a flow in
//! [`crate::flows`], or to the screens every flow shares: [`outcome`], [`reveal`]), and `run` the
//! creation in progress and the end on a signal.

pub mod catalog;
mod events;
mod keys;
pub mod outcome;
pub mod policy_cache;
pub mod reveal;
mod run;

use std::path::PathBuf;

use crossterm::event::KeyEvent;

use crate::flows::encryption;
use crate::flows::users::{draft, new_group, picker, save_plan, update as screens};
use crate::kit::text::TextField;
use crate::model::rate::RateStatus;
use crate::protocol::PasswordPolicy;
use crate::protocol::{
    AwsError, DiscardKey, DiscardedKey, DiscardedUser, Event, GroupInfo, Identity, Leftover,
    NameKind, PolicyInfo, Request, StepKind, StepStatus, UserInfo, UserPermissions,
};
pub(crate) use catalog::NAME_CHECK_DELAY;
pub use catalog::{Catalog, NameCheck, Remote, matches};
use draft::Draft;
use events::on_event;
pub use keys::help;
pub(crate) use keys::is_ctrl;
use keys::on_key;
pub use reveal::Reveal;
use reveal::{CopyWhat, Effect};
use run::discard_unseen;
pub use run::{Creation, Discard, Ending, Failure, VerifyWait};

pub use crate::flows::users::rules::check_access;
pub use crate::flows::{Flow, Screen};
pub use crate::kit::tags::TagCol;

/// Ticks of the heartbeat ([`Msg::Tick`]) per second: one every 250 ms.
pub const TICKS_PER_SECOND: u64 = 4;

/// The smallest terminal the wizard draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

// A message or command is moved once, from the loop to `update` or back; boxing the large
// worker variants would only add an allocation per message.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// A quarter-second heartbeat, for spinners.
    Tick,
    Worker(Event),
    /// The result of a local effect (clipboard, saving) the terminal loop carried out.
    Effect(Effect),
    /// A signal (SIGTERM, SIGHUP) is ending the wizard: keys are no longer read, and the process
    /// exits once [`App::finishing`] is false. Users made in this run whose secrets nobody can
    /// have are discarded first.
    Signal,
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Command {
    Worker(Request),
    Quit,
    /// Copy a value from the credentials screen.
    Copy(CopyWhat),
    /// Clear the clipboard if it still holds what iamwiz put there.
    ClearClipboard,
    /// Write the credentials as the console's CSV, to a new file.
    SaveCsv {
        path: PathBuf,
    },
    /// Save the access key as a profile in the AWS shared credentials file.
    SaveProfile {
        name: String,
        overwrite: bool,
    },
    /// Encrypt the credentials (or the password alone, or the driver's document) with age for
    /// `recipient` (a recipient, or a recipients file's path) into a new file.
    SaveEncrypted {
        recipient: String,
        what: reveal::handover::HandWhat,
        armor: bool,
    },
    /// Write Review's plan (JSON, no secret) to a new file.
    SavePlan {
        path: PathBuf,
        json: String,
    },
}

/// Settings from the command line that the core needs.
#[derive(Clone, Debug)]
pub struct Options {
    /// How long a copied secret stays on the clipboard.
    pub clipboard_seconds: u64,
    /// Where the CSV export is offered (the working directory, or the home folder when the
    /// working directory is in a git work tree).
    pub csv_dir: PathBuf,
    /// The git work tree the working directory is in, which the CSV is offered outside of.
    pub csv_avoided_repo: Option<PathBuf>,
    /// The flow the wizard opens on (`iamwiz encryption`: the MongoDB encryption flow).
    pub flow: Flow,
    /// The user a flow opens on, when the command line names one (`iamwiz keys USER`).
    pub user: Option<String>,
    /// A plan to fill the draft from (`iamwiz --plan FILE`): the wizard opens on Review.
    pub plan: Option<crate::planfile::Loaded>,
    /// How long a run waits out AWS's throttling (`--timeout`), in seconds.
    pub run_timeout_secs: u64,
    /// Draw in colour (`false` with `NO_COLOR` or `--color never`: attributes and symbols only).
    pub color: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clipboard_seconds: 30,
            csv_dir: PathBuf::from("."),
            csv_avoided_repo: None,
            flow: Flow::Users,
            user: None,
            plan: None,
            run_timeout_secs: crate::model::rate::DEFAULT_RUN_TIMEOUT.as_secs(),
            color: true,
        }
    }
}

/// A list with a type-to-filter field.
#[derive(Clone, Debug, Default)]
pub struct ListUi {
    /// Index into the filtered list.
    pub cursor: usize,
    pub filter: TextField,
    /// The policy lists' type filter (Ctrl-T); other lists ignore it.
    pub policy_type: picker::PolicyType,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PermPane {
    #[default]
    Groups,
    Copy,
    Policies,
    /// The inline policy editor and its name.
    Inline,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AccessItem {
    #[default]
    AccessKey,
    /// What the access key is for (the console's question).
    KeyUse,
    /// The access key's description.
    KeyDescription,
    Password,
    Autogenerated,
    Custom,
    RequireReset,
    /// Require MFA: attach the policy `iamwiz-require-mfa` (console access only).
    RequireMfa,
}

/// Where the focus is on each screen: kept when the admin moves between steps, so every step comes
/// back as it was left.
#[derive(Clone, Debug, Default)]
pub struct Focus {
    /// The row on User details: `0..names.len()` are the names, then the path.
    pub details: usize,
    pub access: AccessItem,
    pub pane: PermPane,
    pub groups: ListUi,
    pub users: ListUi,
    pub policies: ListUi,
    pub boundary: ListUi,
    pub tag_row: usize,
    pub tag_col: TagCol,
    pub review_scroll: u16,
    /// On the Inline policy pane: the name field has the focus (else the editor).
    pub inline_on_name: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modal {
    Help,
    ConfirmQuit,
    ConfirmLeaveReveal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
}

#[derive(Debug, Default)]
struct Seqs {
    next: u64,
    groups: u64,
    users: u64,
    policies: u64,
    copy: u64,
    /// When to check the names on User details with AWS: the tick typing will have rested by.
    name_check_due: Option<u64>,
    /// Enter was pressed on User details while a name was being checked: it goes through when
    /// the last answer is in.
    enter_when_checked: bool,
}

#[derive(Debug)]
pub struct App {
    /// The flow the admin is in.
    pub flow: Flow,
    pub screen: Screen,
    pub draft: Draft,
    pub focus: Focus,
    pub catalog: Catalog,
    pub creation: Option<Creation>,
    pub reveal: Option<Reveal>,
    pub modal: Option<Modal>,
    pub notice: Option<Notice>,
    /// The names of the users created last in this session, for the Done screen.
    pub created: Vec<String>,
    pub size: (u16, u16),
    pub ticks: u64,
    pub options: Options,
    seqs: Seqs,
    /// The policy picker's search index, filtered lists and preview.
    pub picker: picker::Picker,
    /// The "new group" form on the Permissions step, and its request in flight.
    pub new_group: new_group::NewGroup,
    /// The MongoDB encryption flow.
    pub enc: encryption::Enc,
    /// The state of the flows that keep it in [`crate::flows::States`] (a new flow adds its
    /// state there, not here).
    pub flows: crate::flows::States,
    /// Set once a signal is ending the wizard.
    pub ending: Option<Ending>,
    /// The "Save plan" prompt over Review.
    pub save_plan: Option<save_plan::SavePlan>,
    /// The rate iamwiz keeps to for each service AWS has throttled (see [`crate::aws::rate`]).
    pub rates: Vec<(&'static str, RateStatus)>,
}

impl App {
    /// A new wizard with default options, and the requests that fill its lists.
    pub fn new(size: (u16, u16)) -> (App, Vec<Command>) {
        App::with_options(size, Options::default())
    }

    /// A new wizard, and the requests that fill its lists. Nothing waits for them.
    pub fn with_options(size: (u16, u16), options: Options) -> (App, Vec<Command>) {
        let mut app = App {
            flow: Flow::Users,
            screen: Screen::Details,
            draft: Draft::default(),
            focus: Focus::default(),
            catalog: Catalog {
                identity: Remote::Loading,
                groups: Remote::Loading,
                users: Remote::Loading,
                policies: Remote::Loading,
                policies_cached: None,
                copy: None,
                password_policy: Remote::Loading,
                alias: Remote::Loading,
                names: Default::default(),
            },
            creation: None,
            reveal: None,
            modal: None,
            notice: None,
            created: Vec::new(),
            size,
            ticks: 0,
            options,
            seqs: Seqs::default(),
            picker: picker::Picker::default(),
            new_group: new_group::NewGroup::default(),
            enc: encryption::Enc::default(),
            flows: Default::default(),
            ending: None,
            save_plan: None,
            rates: Vec::new(),
        };
        let flow = app.options.flow;
        let opened = crate::flows::open(&mut app, flow);
        let mut cmds = vec![Command::Worker(Request::LoadIdentity)];
        cmds.extend(app.reload());
        cmds.extend(opened);
        (app, cmds)
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seqs.next += 1;
        self.seqs.next
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_WIDTH || self.size.1 < MIN_HEIGHT
    }

    pub(crate) fn error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            kind: NoticeKind::Error,
            text: text.into(),
        });
    }

    pub(crate) fn info(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            kind: NoticeKind::Info,
            text: text.into(),
        });
    }
}

/// The one place every change to the wizard happens.
pub fn update(app: &mut App, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Tick => {
            app.ticks = app.ticks.wrapping_add(1);
            let mut cmds = app.check_due_name();
            cmds.extend(crate::flows::tick(app));
            cmds.extend(reveal::tick(app));
            cmds
        }
        Msg::Effect(effect) => reveal::effect(app, effect),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            Vec::new()
        }
        Msg::Worker(event) => on_event(app, event),
        Msg::Paste(text) => {
            if app.modal.is_none() && !app.too_small() {
                if app.screen == Screen::Reveal {
                    reveal::paste(app, &text);
                } else {
                    crate::flows::paste(app, &text);
                }
            }
            Vec::new()
        }
        Msg::Key(key) => on_key(app, key),
        Msg::Signal => {
            app.ending.get_or_insert_with(Ending::default);
            app.modal = None;
            let mut cmds = discard_unseen(app);
            cmds.extend(crate::flows::on_signal(app));
            cmds
        }
    }
}

/// Back to a fresh draft of the same flow after a run; the account's lists are read again.
pub(crate) fn start_over(app: &mut App) -> Vec<Command> {
    app.creation = None;
    crate::flows::start_over(app);
    app.reload()
}
