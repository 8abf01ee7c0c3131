//! The pure core: the wizard's whole state ([`App`]), what can happen to it ([`Msg`]), and
//! [`update`], which decides everything. No I/O, no async, no terminal: what `update` wants done is
//! returned as [`Command`]s.

pub mod outcome;

use crate::flows::encryption;
use crate::flows::users::{draft, new_group, picker, save_plan, update as screens};
pub use crate::flows::{Flow, Screen};
pub use crate::kit::tags::TagCol;
pub mod policy_cache;
pub mod reveal;

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub use crate::flows::users::rules::check_access;
use crate::kit::text::TextField;
use crate::model::rate::RateStatus;
use crate::protocol::PasswordPolicy;
use crate::protocol::{
    AwsError, DiscardKey, DiscardedKey, DiscardedUser, Event, GroupInfo, Identity, Leftover,
    NameKind, PolicyInfo, Request, StepKind, StepStatus, UserInfo, UserPermissions,
};
use draft::Draft;
pub use reveal::Reveal;
use reveal::{CopyWhat, Effect};

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
    /// Start in the MongoDB encryption flow (`iamwiz encryption`) instead of User details.
    pub encryption: bool,
    /// A plan to fill the draft from (`iamwiz --plan FILE`): the wizard opens on Review.
    pub plan: Option<crate::planfile::Loaded>,
    /// How long a run waits out AWS's throttling (`--timeout`), in seconds.
    pub run_timeout_secs: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clipboard_seconds: 30,
            csv_dir: PathBuf::from("."),
            csv_avoided_repo: None,
            encryption: false,
            plan: None,
            run_timeout_secs: crate::model::rate::DEFAULT_RUN_TIMEOUT.as_secs(),
        }
    }
}

/// Data loaded from AWS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remote<T> {
    Loading,
    Ready(T),
    Failed(AwsError),
}

impl<T> Remote<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Remote::Ready(t) => Some(t),
            _ => None,
        }
    }

    pub(crate) fn from(result: Result<T, AwsError>) -> Self {
        match result {
            Ok(t) => Remote::Ready(t),
            Err(e) => Remote::Failed(e),
        }
    }
}

/// What the account holds, as far as the screens need it.
#[derive(Debug)]
pub struct Catalog {
    pub identity: Remote<Identity>,
    pub groups: Remote<Vec<GroupInfo>>,
    pub users: Remote<Vec<UserInfo>>,
    pub policies: Remote<Vec<PolicyInfo>>,
    /// Set while `policies` is the catalogue saved by an earlier run (see [`policy_cache`]).
    pub policies_cached: Option<policy_cache::CachedCatalogue>,
    /// The permissions of the user in `Draft::copy_from`.
    pub copy: Option<(String, Remote<UserPermissions>)>,
    /// The account's password policy ([`PasswordPolicy::aws_default`] when none is set).
    pub password_policy: Remote<PasswordPolicy>,
    /// The account alias (`None`: the account has none).
    pub alias: Remote<Option<String>>,
    /// Live checks of the names being typed, by kind and lower-case name.
    pub names: std::collections::BTreeMap<(NameKind, String), NameCheck>,
}

/// Whether a name is free in the account, as far as iamwiz knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameCheck {
    seq: u64,
    pub state: Remote<Option<String>>,
}

/// Ticks a name must rest unchanged before it is checked with AWS (half a second).
pub(crate) const NAME_CHECK_DELAY: u64 = 2;

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
    Password,
    Autogenerated,
    Custom,
    RequireReset,
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

/// A creation run in progress or finished.
#[derive(Debug)]
pub struct Creation {
    pub run: u64,
    /// The users of the batch, and the steps of each.
    pub users: Vec<String>,
    pub steps: Vec<Vec<(StepKind, StepStatus)>>,
    pub failure: Option<Failure>,
    /// The steps are shown under a heading per group (the encryption flow's plan), rather than
    /// as one user's steps or a batch's summary lines.
    pub grouped: bool,
    /// The check with the new credentials is waiting for the new key to work.
    pub verify: Option<VerifyWait>,
    /// [`App::ticks`] when the run was asked for: its deadline for waiting out throttling
    /// counts from here.
    pub started: u64,
}

/// How long the check with the new credentials has waited, and its last error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyWait {
    pub attempt: u32,
    pub waited_secs: u64,
    pub error: AwsError,
}

#[derive(Debug)]
pub struct Failure {
    /// The user whose step failed first.
    pub user: String,
    pub step: StepKind,
    pub error: AwsError,
    pub leftovers: Vec<Leftover>,
    /// What happened to a KMS key created in this run (scheduled for deletion).
    pub key_deletion: Option<String>,
}

/// The wizard is ending on a signal.
#[derive(Debug, Default)]
pub struct Ending {
    /// The discard of users whose secrets nobody has, once asked for.
    pub discard: Option<Discard>,
}

#[derive(Debug)]
pub struct Discard {
    pub run: u64,
    pub users: Vec<String>,
    /// A KMS key the same run made for the users, removed after them.
    pub key: Option<DiscardKey>,
    /// The worker's report, once it has answered.
    pub result: Option<Vec<DiscardedUser>>,
    /// What became of `key`, once the worker has answered.
    pub key_result: Option<DiscardedKey>,
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
    /// When to check a name with AWS: (tick, row on User details).
    name_check_due: Option<(u64, usize)>,
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
    /// Set once a signal is ending the wizard.
    pub ending: Option<Ending>,
    /// The "Save plan" prompt over Review.
    pub save_plan: Option<save_plan::SavePlan>,
    /// The rate iamwiz keeps to for each service AWS has throttled (see [`crate::aws::rate`]).
    pub rates: Vec<(&'static str, RateStatus)>,
}

impl App {
    /// While AWS throttles the run in flight: the rate iamwiz keeps to, and how long it still
    /// waits before giving up.
    pub fn throttling_note(&self) -> Option<String> {
        let c = self.creation.as_ref()?;
        let throttled: Vec<String> = self
            .rates
            .iter()
            .filter(|(_, status)| status.per_second.is_some())
            .filter_map(|(service, status)| status.describe(service))
            .collect();
        if throttled.is_empty() {
            return None;
        }
        let waited = self.ticks.saturating_sub(c.started) / TICKS_PER_SECOND;
        let left = self.options.run_timeout_secs.saturating_sub(waited);
        Some(format!(
            "{} · {}",
            throttled.join(" · "),
            crate::model::rate::time_left(std::time::Duration::from_secs(left))
        ))
    }

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
            ending: None,
            save_plan: None,
            rates: Vec::new(),
        };
        let plan = app.options.plan.clone();
        if app.options.encryption {
            encryption::enter(&mut app, false);
        } else if let Some(loaded) = &plan {
            app.draft = crate::planfile::to_draft(&loaded.plan);
            app.screen = Screen::Review;
            app.info(format!(
                "Loaded plan {}: check it here; 1-5 edits a step, Enter creates.",
                loaded.path.display()
            ));
        }
        let mut cmds = vec![Command::Worker(Request::LoadIdentity)];
        cmds.extend(app.reload());
        if plan.is_some() && !app.options.encryption {
            // The names were not typed, so they are checked with AWS now.
            cmds.extend(app.check_names_now());
        }
        (app, cmds)
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seqs.next += 1;
        self.seqs.next
    }

    /// Requests every list again; replies to earlier requests are dropped when they arrive.
    pub fn reload(&mut self) -> Vec<Command> {
        self.catalog.groups = Remote::Loading;
        self.catalog.users = Remote::Loading;
        self.catalog.policies = Remote::Loading;
        self.catalog.policies_cached = None;
        self.picker.forget();
        self.seqs.groups = self.next_seq();
        self.seqs.users = self.next_seq();
        self.seqs.policies = self.next_seq();
        let mut cmds = vec![
            Command::Worker(Request::LoadGroups {
                seq: self.seqs.groups,
            }),
            Command::Worker(Request::LoadUsers {
                seq: self.seqs.users,
            }),
            Command::Worker(Request::LoadPolicies {
                seq: self.seqs.policies,
            }),
        ];
        if matches!(self.catalog.identity, Remote::Failed(_)) {
            self.catalog.identity = Remote::Loading;
            cmds.push(Command::Worker(Request::LoadIdentity));
        }
        // A policy already read stays in force until the new reply replaces it.
        if !matches!(self.catalog.password_policy, Remote::Ready(_)) {
            self.catalog.password_policy = Remote::Loading;
        }
        cmds.push(Command::Worker(Request::LoadPasswordPolicy));
        cmds.push(Command::Worker(Request::LoadAccountAlias));
        if let Some(user) = self.draft.copy_from.clone() {
            cmds.push(self.load_copy_source(user));
        }
        cmds
    }

    pub(crate) fn load_copy_source(&mut self, user: String) -> Command {
        self.seqs.copy = self.next_seq();
        self.catalog.copy = Some((user.clone(), Remote::Loading));
        Command::Worker(Request::LoadUserPermissions {
            seq: self.seqs.copy,
            user,
        })
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

    /// Whether quitting now would lose something: a draft with changes, a creation that is running,
    /// or secrets not yet confirmed as saved.
    pub fn has_unsaved_work(&self) -> bool {
        self.reveal.is_some() || self.creation_running() || crate::flows::dirty(self)
    }

    /// While ending on a signal: whether something must still finish before the process exits
    /// (a creation, or the discard of users whose secrets nobody has).
    pub fn finishing(&self) -> bool {
        self.creation_running()
            || self
                .ending
                .as_ref()
                .and_then(|e| e.discard.as_ref())
                .is_some_and(|d| d.result.is_none())
    }

    pub fn creation_running(&self) -> bool {
        self.screen == Screen::Creating
            && self.creation.as_ref().is_some_and(|c| c.failure.is_none())
    }

    /// The groups that pass the Groups pane's filter.
    pub fn filtered_groups(&self) -> Vec<&GroupInfo> {
        let f = self.focus.groups.filter.value();
        self.catalog
            .groups
            .ready()
            .map(|gs| {
                gs.iter()
                    .filter(|g| matches(f, &g.name) || g.policies.iter().any(|p| matches(f, p)))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn filtered_users(&self) -> Vec<&UserInfo> {
        let f = self.focus.users.filter.value();
        self.catalog
            .users
            .ready()
            .map(|us| us.iter().filter(|u| matches(f, &u.name)).collect())
            .unwrap_or_default()
    }

    /// The policies that pass `list`'s fuzzy filter and type: exact matches first, then names
    /// starting with the filter, then the other matches, best first (see [`picker`]).
    pub fn filtered_policies(&self, list: &ListUi) -> Vec<&PolicyInfo> {
        let Some(ps) = self.catalog.policies.ready() else {
            return Vec::new();
        };
        self.picker
            .indices(ps, list)
            .iter()
            .map(|&i| &ps[i as usize])
            .collect()
    }

    /// The console sign-in URL the new users will use, once the account is known: with the
    /// account alias when there is one, else the account ID.
    pub fn sign_in_url(&self) -> Option<String> {
        let account = &self.catalog.identity.ready()?.account;
        let alias = match &self.catalog.alias {
            Remote::Ready(alias) => alias.as_deref(),
            _ => None,
        };
        Some(crate::protocol::sign_in_url(account, alias))
    }

    /// The names of the draft that a live check found taken in the account (or that the user
    /// list has, ignoring case), with the name as IAM spells it.
    pub fn taken_names(&self) -> Vec<(usize, String)> {
        self.draft
            .names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| self.name_taken(n.value()).map(|t| (i, t)))
            .collect()
    }

    /// The live check of `name` as a `kind` name, if one was sent.
    pub fn name_check(&self, kind: NameKind, name: &str) -> Option<&Remote<Option<String>>> {
        let key = (kind, name.to_lowercase());
        self.catalog.names.get(&key).map(|c| &c.state)
    }

    /// The existing `kind` entity that `name` clashes with, as a live check found it.
    pub fn checked_taken(&self, kind: NameKind, name: &str) -> Option<String> {
        match self.name_check(kind, name) {
            Some(Remote::Ready(Some(existing))) => Some(existing.clone()),
            _ => None,
        }
    }

    /// The existing user that `name` clashes with, if any.
    pub fn name_taken(&self, name: &str) -> Option<String> {
        let lower = name.to_lowercase();
        if let Some(existing) = self.checked_taken(NameKind::User, name) {
            return Some(existing);
        }
        self.catalog
            .users
            .ready()?
            .iter()
            .find(|u| u.name.to_lowercase() == lower)
            .map(|u| u.name.clone())
    }

    /// A name was edited on row `row`: check it with AWS once typing rests.
    pub(crate) fn name_changed(&mut self, row: usize) {
        self.seqs.name_check_due = Some((self.ticks + NAME_CHECK_DELAY, row));
    }

    /// The heartbeat's part for names: on User details, sends the check that is due.
    fn check_due_name(&mut self) -> Vec<Command> {
        let Some((due, row)) = self.seqs.name_check_due else {
            return Vec::new();
        };
        if self.screen != Screen::Details {
            self.seqs.name_check_due = None;
            return Vec::new();
        }
        if self.ticks < due {
            return Vec::new();
        }
        self.seqs.name_check_due = None;
        let name = self.draft.names.get(row).map(|n| n.value().to_string());
        name.and_then(|n| self.check_name(NameKind::User, n))
            .into_iter()
            .collect()
    }

    /// Checks every name of the draft not checked yet, at once (leaving User details).
    pub(crate) fn check_names_now(&mut self) -> Vec<Command> {
        self.seqs.name_check_due = None;
        let names: Vec<String> = self
            .draft
            .names
            .iter()
            .map(|n| n.value().to_string())
            .collect();
        names
            .into_iter()
            .filter_map(|n| self.check_name(NameKind::User, n))
            .collect()
    }

    /// The request that checks `name` as a `kind` name, unless it is invalid or already known.
    pub(crate) fn check_name(&mut self, kind: NameKind, name: String) -> Option<Command> {
        let valid = match kind {
            NameKind::User => draft::validate_user_name(&name),
            NameKind::Role | NameKind::InstanceProfile => encryption::validate_role_name(&name),
        };
        let key = (kind, name.to_lowercase());
        if valid.is_err() || self.catalog.names.contains_key(&key) {
            return None;
        }
        let seq = self.next_seq();
        self.catalog.names.insert(
            key,
            NameCheck {
                seq,
                state: Remote::Loading,
            },
        );
        Some(Command::Worker(Request::CheckName { seq, kind, name }))
    }
}

/// Case-insensitive substring match; an empty filter matches everything.
pub fn matches(filter: &str, text: &str) -> bool {
    filter.is_empty() || text.to_lowercase().contains(&filter.to_lowercase())
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
            discard_unseen(app)
        }
    }
}

/// When ending on a signal with a batch whose secrets nobody can have (none shown, copied or
/// saved): drops the secrets and asks the worker to delete those users. Asked once; a creation
/// still running asks when it finishes.
fn discard_unseen(app: &mut App) -> Vec<Command> {
    if app.ending.as_ref().is_none_or(|e| e.discard.is_some()) {
        return Vec::new();
    }
    if !app.reveal.as_ref().is_some_and(Reveal::nobody_has_secrets) {
        return Vec::new();
    }
    // Dropping the reveal state zeroes the secrets.
    let (users, key): (Vec<String>, _) = app
        .reveal
        .take()
        .map(|r| (r.users.iter().map(|u| u.name.clone()).collect(), r.new_key))
        .unwrap_or_default();
    let run = app.next_seq();
    if let Some(e) = app.ending.as_mut() {
        e.discard = Some(Discard {
            run,
            users: users.clone(),
            key: key.clone(),
            result: None,
            key_result: None,
        });
    }
    vec![Command::Worker(Request::Discard { run, users, key })]
}

pub(crate) fn is_ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    if is_ctrl(&key, 'c') {
        return request_quit(app);
    }
    if app.too_small() {
        return Vec::new();
    }
    if let Some(modal) = app.modal {
        return on_modal_key(app, modal, key);
    }
    app.notice = None;
    if let Some(cmds) = crate::flows::form_key(app, &key) {
        return cmds;
    }
    if key.code == KeyCode::F(1) || (key.code == KeyCode::Char('?') && !crate::flows::typing(app)) {
        app.modal = Some(Modal::Help);
        return Vec::new();
    }
    match app.screen {
        Screen::Creating | Screen::Reveal | Screen::Done => outcome::key(app, key),
        _ => crate::flows::key(app, key),
    }
}

/// The keys of the screen on show, with their help: the flow's, or the shared screens'; the
/// keys that work everywhere (help, quit) close the bar.
pub fn help(app: &App) -> crate::kit::keys::Help {
    if let Some(form) = crate::flows::form_help(app) {
        return form;
    }
    let mut h = match app.screen {
        Screen::Creating | Screen::Reveal | Screen::Done => outcome::help(app),
        _ => crate::flows::help(app),
    };
    // In the inline policy editor '?' is text: F1 opens help.
    h.key(
        if app.inline_editor_focused() {
            "F1"
        } else {
            "?"
        },
        "help",
    );
    h.key("^C", "quit");
    h
}

fn on_modal_key(app: &mut App, modal: Modal, key: KeyEvent) -> Vec<Command> {
    let yes = matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y'));
    let no = matches!(
        key.code,
        KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc
    );
    match modal {
        Modal::Help => {
            if matches!(
                key.code,
                KeyCode::Esc
                    | KeyCode::Enter
                    | KeyCode::Char('?')
                    | KeyCode::Char('q')
                    | KeyCode::F(1)
            ) {
                app.modal = None;
            }
            Vec::new()
        }
        Modal::ConfirmQuit if yes => {
            app.modal = None;
            app.reveal = None;
            vec![Command::Quit]
        }
        Modal::ConfirmLeaveReveal if yes => {
            app.modal = None;
            // Dropping the reveal state zeroes the secrets; nothing else holds them. A secret
            // still on the clipboard goes with them.
            let copied = app.reveal.take().and_then(|r| r.copied);
            app.screen = Screen::Done;
            match copied {
                Some(c) if c.clear_at.is_some() => vec![Command::ClearClipboard],
                _ => Vec::new(),
            }
        }
        _ if no => {
            app.modal = None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn request_quit(app: &mut App) -> Vec<Command> {
    if app.creation_running() {
        app.modal = None;
        app.info("Creation is running: wait until it has finished (or rolled back), then quit.");
        return Vec::new();
    }
    if app.modal == Some(Modal::ConfirmQuit) || !app.has_unsaved_work() {
        app.reveal = None;
        return vec![Command::Quit];
    }
    app.modal = Some(Modal::ConfirmQuit);
    Vec::new()
}

fn on_event(app: &mut App, event: Event) -> Vec<Command> {
    let event = match crate::flows::on_event(app, event) {
        crate::flows::Reply::Handled(mut cmds) => {
            // A run that finished while a signal ends the wizard: its unseen users go.
            cmds.extend(discard_unseen(app));
            return cmds;
        }
        crate::flows::Reply::Unhandled(event) => event,
    };
    match event {
        Event::Identity(result) => {
            app.catalog.identity = Remote::from(result);
            encryption::seed_region(app);
            policy_cache::on_identity(app);
        }
        Event::PasswordPolicy(result) => app.catalog.password_policy = Remote::from(result),
        Event::Groups { seq, result } if seq == app.seqs.groups => {
            app.catalog.groups = Remote::from(result);
        }
        Event::Users { seq, result } if seq == app.seqs.users => {
            app.catalog.users = Remote::from(result);
        }
        Event::Policies { seq, result } if seq == app.seqs.policies => {
            policy_cache::on_policies(app, result);
        }
        Event::CachedPolicies {
            seq,
            account,
            saved_at,
            age_secs,
            policies,
        } => policy_cache::on_cached(app, seq, account, saved_at, age_secs, policies),
        Event::UserPermissions { seq, user, result }
            if seq == app.seqs.copy && app.draft.copy_from.as_deref() == Some(user.as_str()) =>
        {
            app.catalog.copy = Some((user, Remote::from(result)));
        }
        Event::AccountAlias(result) => app.catalog.alias = Remote::from(result),
        Event::Rate { service, status } => {
            match app.rates.iter_mut().find(|(s, _)| *s == service) {
                Some(entry) => entry.1 = status,
                None => app.rates.push((service, status)),
            }
        }
        Event::NameCheck {
            seq,
            kind,
            name,
            result,
        } => {
            if let Some(check) = app.catalog.names.get_mut(&(kind, name.to_lowercase()))
                && check.seq == seq
            {
                check.state = Remote::from(result);
            }
        }
        Event::Step {
            run,
            user,
            index,
            status,
        } => {
            if let Some(c) = app.creation.as_mut().filter(|c| c.run == run)
                && let Some(step) = c.steps.get_mut(user).and_then(|s| s.get_mut(index))
            {
                step.1 = status;
            }
        }
        Event::VerifyWaiting {
            run,
            attempt,
            waited_secs,
            error,
        } => {
            if let Some(c) = app.creation.as_mut().filter(|c| c.run == run) {
                c.verify = Some(VerifyWait {
                    attempt,
                    waited_secs,
                    error,
                });
            }
        }
        Event::Discarded { run, users, key } => {
            if let Some(d) = app
                .ending
                .as_mut()
                .and_then(|e| e.discard.as_mut())
                .filter(|d| d.run == run)
            {
                d.result = Some(users);
                d.key_result = key;
            }
        }
        // A reply to a request that has since been superseded.
        _ => {}
    }
    Vec::new()
}

/// Back to a fresh draft of the same flow after a run; the account's lists are read again.
pub(crate) fn start_over(app: &mut App) -> Vec<Command> {
    app.creation = None;
    crate::flows::start_over(app);
    app.reload()
}
