//! The one-time reveal: the new credentials, masked until asked for, copied with a timed clear,
//! and saved only where the admin says. This state is the only place the secrets live; dropping it
//! zeroes them.
//!
//! Past 600 lines because a third of it is the table tests of these rules (what counts as a
//! secret reaching the admin, what a signal discards), kept beside the code they pin down.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use super::screens::{self, FieldRule};
use super::{App, Command, Modal, NoticeKind};
use crate::kit::text::TextField;
use crate::mongo::{self, Credentials, Language};
use crate::protocol::{CreatedUser, DiscardKey, EncryptionFeature, Verification};
use crate::secret::Secret;

use super::TICKS_PER_SECOND;

/// The rows of the credentials screen, top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    UserName,
    AccessKeyId,
    SecretKey,
    Password,
    SignInUrl,
    /// The driver's `kmsProviders` with the access key: it holds the secret.
    KmsProviders,
    /// The driver's `masterKey` document.
    MasterKey,
    /// A short program in the language chosen.
    Snippet,
    /// The role result's rows.
    RoleArn,
    InstanceProfile,
    /// `"aws": {}`: the driver fetches temporary credentials itself.
    RoleKmsProviders,
    /// The shape for explicit temporary credentials.
    SessionTemplate,
}

impl Row {
    pub fn label(self) -> &'static str {
        match self {
            Row::UserName => "User name",
            Row::AccessKeyId => "Access key ID",
            Row::SecretKey => "Secret access key",
            Row::Password => "Console password",
            Row::SignInUrl => "Console sign-in URL",
            Row::KmsProviders => "kmsProviders",
            Row::MasterKey => "masterKey",
            Row::Snippet => "Snippet",
            Row::RoleArn => "Role ARN",
            Row::InstanceProfile => "Instance profile",
            Row::RoleKmsProviders => "kmsProviders",
            Row::SessionTemplate => "kmsProviders (STS)",
        }
    }

    pub fn is_secret(self) -> bool {
        matches!(self, Row::SecretKey | Row::Password | Row::KmsProviders)
    }
}

/// What the admin asked to copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyWhat {
    Row(Row),
    /// User name and sign-in URL, without the password, to send to the new user.
    Instructions,
}

/// The documents a MongoDB driver takes to use the key, for the encryption flow's result.
#[derive(Debug)]
pub struct Documents {
    pub feature: EncryptionFeature,
    pub key_arn: String,
    /// Whether the key was created in this run.
    pub key_created: bool,
    pub region: String,
    /// The custom endpoint in use, for the master key document.
    pub endpoint: Option<String>,
    pub verification: Verification,
    /// The snippet's language.
    pub language: Language,
    /// How far the snippet box is scrolled, in lines.
    pub scroll: u16,
}

impl Documents {
    pub fn master_key_json(&self) -> String {
        mongo::master_key_json(&self.key_arn, &self.region, self.endpoint.as_deref())
    }

    /// The master key document on one line, for a row of the screen.
    pub fn master_key_line(&self) -> String {
        mongo::master_key_line(&self.key_arn, &self.region, self.endpoint.as_deref())
    }

    pub fn snippet(&self, credentials: Credentials) -> String {
        mongo::snippet(
            self.language,
            self.feature,
            credentials,
            &self.key_arn,
            &self.region,
            self.endpoint.as_deref(),
        )
    }

    pub fn next_language(&mut self) {
        self.language = self.language.next();
        self.scroll = 0;
    }

    pub fn prev_language(&mut self) {
        self.language = self.language.prev();
        self.scroll = 0;
    }
}

/// Where copied text went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopiedTo {
    /// The system clipboard, owned by iamwiz.
    System,
    /// The terminal, through OSC 52: the terminal holds it, not iamwiz.
    Terminal,
    /// A tmux paste buffer of iamwiz's own (and the terminal's clipboard where tmux passes it
    /// on): iamwiz deletes the buffer and blanks that clipboard.
    Tmux,
    /// The terminal, through OSC 52 passed on by GNU screen; screen's own paste register is out
    /// of iamwiz's reach.
    Screen,
}

/// Something copied, and when iamwiz clears it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copied {
    pub what: CopyWhat,
    /// `None` until the copy is confirmed.
    pub to: Option<CopiedTo>,
    /// The tick at which a copied secret is cleared; `None` for text that is not secret.
    pub clear_at: Option<u64>,
}

/// A question on the credentials screen.
#[derive(Debug)]
pub enum Prompt {
    CsvPath(TextField),
    ProfileName(TextField),
    /// The profile exists in the credentials file: replace it?
    ConfirmOverwrite(String),
}

/// Results of the terminal loop carrying out a [`Command`] for this screen.
#[derive(Debug)]
pub enum Effect {
    Copied(Result<CopiedTo, String>),
    /// Whether the clipboard held our secret and was cleared.
    ClipboardCleared(Result<bool, String>),
    /// What was written, e.g. "CSV file ./carol_credentials.csv".
    Saved(Result<String, SaveError>),
    /// Review's plan file: where it was written, or why not (see [`super::save_plan`]).
    PlanSaved(Result<PathBuf, String>),
}

#[derive(Debug, PartialEq, Eq)]
pub enum SaveError {
    ProfileExists(String),
    Failed(String),
}

/// How a secret of the batch reached someone: from then on the admin may hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// A secret access key or password was shown on screen.
    Shown,
    /// A secret was copied (to the clipboard or the terminal).
    Copied,
    /// The credentials were saved (CSV file or credentials profile).
    Saved,
    /// The admin typed the console password.
    Typed,
}

impl Exposure {
    pub fn describe(self) -> &'static str {
        match self {
            Exposure::Shown => "a secret was shown",
            Exposure::Copied => "a secret was copied",
            Exposure::Saved => "the credentials were saved",
            Exposure::Typed => "the admin typed the console password",
        }
    }
}

#[derive(Debug)]
pub struct Reveal {
    /// Every user of the batch; the screen shows one at a time.
    pub users: Vec<CreatedUser>,
    /// The user on screen.
    pub current: usize,
    pub show_secret_key: bool,
    pub show_password: bool,
    pub focus: Row,
    pub copied: Option<Copied>,
    /// The confirmed copy that a copy still being carried out replaces: put back if that copy
    /// fails, since the clipboard then still holds it and its timed clear must still happen.
    pub replaced: Option<Copied>,
    pub prompt: Option<Prompt>,
    /// What the admin has saved the credentials to, for the screen and for the leave question.
    pub saved: Vec<String>,
    /// The directory the default CSV path is offered in.
    pub csv_dir: PathBuf,
    /// The encryption flow's documents, when the user is its service account.
    pub docs: Option<Documents>,
    /// The first way a secret of the batch reached the admin, if one did (asked for counts: a
    /// copy or save that then failed counts too).
    pub exposed: Option<Exposure>,
    /// The KMS key the encryption flow made in the same run for the user, removed with it when
    /// the batch is discarded; `None` for a key picked from the list.
    pub new_key: Option<DiscardKey>,
}

impl Reveal {
    pub fn new(users: Vec<CreatedUser>, csv_dir: PathBuf) -> Reveal {
        Reveal {
            users,
            current: 0,
            show_secret_key: false,
            show_password: false,
            focus: Row::UserName,
            copied: None,
            replaced: None,
            prompt: None,
            saved: Vec::new(),
            csv_dir,
            docs: None,
            exposed: None,
            new_key: None,
        }
    }

    /// Whether the batch holds secrets that no one can have: none was shown, copied or saved,
    /// nor typed by the admin. Users made with them are accounts whose credentials nobody holds.
    pub fn nobody_has_secrets(&self) -> bool {
        self.exposed.is_none()
            && self
                .users
                .iter()
                .any(|u| u.access_key.is_some() || u.password.is_some())
    }

    /// Notes that a secret reached the admin (the first way it did is kept).
    pub fn expose(&mut self, how: Exposure) {
        self.exposed.get_or_insert(how);
    }

    fn toggle_secret_key(&mut self) {
        self.show_secret_key = !self.show_secret_key;
        if self.show_secret_key {
            self.expose(Exposure::Shown);
        }
    }

    fn toggle_password(&mut self) {
        self.show_password = !self.show_password;
        if self.show_password {
            self.expose(Exposure::Shown);
        }
    }

    /// The user on screen.
    pub fn user(&self) -> &CreatedUser {
        &self.users[self.current]
    }

    /// The rows this user has, top to bottom.
    pub fn rows(&self) -> Vec<Row> {
        if self.docs.is_some() {
            // A service account: its access key and the driver's documents, no console rows.
            return vec![
                Row::UserName,
                Row::AccessKeyId,
                Row::SecretKey,
                Row::KmsProviders,
                Row::MasterKey,
                Row::Snippet,
            ];
        }
        let mut rows = vec![Row::UserName];
        if self.user().access_key.is_some() {
            rows.extend([Row::AccessKeyId, Row::SecretKey]);
        }
        if self.user().password.is_some() {
            rows.push(Row::Password);
        }
        rows.push(Row::SignInUrl);
        rows
    }

    /// The value of a row, secret or not. Only the screen (when shown) and the clipboard and
    /// export code (when asked) read it.
    pub fn value(&self, row: Row) -> Option<&str> {
        let u = self.user();
        match row {
            Row::UserName => Some(&u.name),
            Row::AccessKeyId => u.access_key.as_ref().map(|k| k.id.as_str()),
            Row::SecretKey => u.access_key.as_ref().map(|k| k.secret.expose()),
            Row::Password => u.password.as_ref().map(|p| p.expose()),
            Row::SignInUrl => Some(&u.sign_in_url),
            // Documents are built when asked for: see [`Reveal::copy_text`].
            _ => None,
        }
    }

    /// The text a copy of `what` puts on the clipboard, built from the secrets held here at
    /// the moment it is asked for.
    pub fn copy_text(&self, what: CopyWhat) -> Option<Secret> {
        let u = self.user();
        match what {
            CopyWhat::Instructions => Some(Secret::new(crate::export::sign_in_instructions(
                &u.name,
                &u.sign_in_url,
            ))),
            CopyWhat::Row(Row::KmsProviders) => {
                let key = u.access_key.as_ref()?;
                Some(mongo::kms_providers(&key.id, &key.secret))
            }
            CopyWhat::Row(Row::MasterKey) => {
                Some(Secret::new(self.docs.as_ref()?.master_key_json()))
            }
            CopyWhat::Row(Row::Snippet) => Some(Secret::new(
                self.docs.as_ref()?.snippet(Credentials::AccessKey),
            )),
            CopyWhat::Row(row) => self.value(row).map(|v| Secret::new(v.to_string())),
        }
    }

    /// The CSV path offered first: `<dir>/<user>_credentials.csv`, or `<dir>/credentials.csv` for
    /// several users.
    pub fn default_csv_path(&self) -> PathBuf {
        let names: Vec<&str> = self.users.iter().map(|u| u.name.as_str()).collect();
        crate::export::default_csv_path(&self.csv_dir, &names)
    }

    /// Starts a copy: the screen shows it at once, and the confirmed copy it replaces is kept
    /// until it is confirmed in turn (see [`Reveal::replaced`]).
    fn start_copy(&mut self, copy: Copied) {
        if let Some(earlier) = self.copied.replace(copy)
            && earlier.to.is_some()
        {
            self.replaced = Some(earlier);
        }
    }

    /// Seconds until a copied secret is cleared, at tick `now`.
    pub fn clear_in(&self, now: u64) -> Option<u64> {
        let at = self.copied.as_ref()?.clear_at?;
        Some(at.saturating_sub(now).div_ceil(TICKS_PER_SECOND))
    }
}

const CSV_PATH: FieldRule = FieldRule {
    secret: false,
    what: "a file path",
    allowed: |c| !c.is_control(),
    chars: "printable characters",
    max: 4096,
};

/// The same rule the save applies ([`crate::export::validate_profile_name`]), checked as typed.
const PROFILE: FieldRule = FieldRule {
    secret: false,
    what: "a profile name",
    allowed: crate::export::is_profile_name_char,
    chars: "letters, digits and _ - . / % @ : +",
    max: crate::export::MAX_PROFILE_NAME_CHARS,
};

pub(crate) fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    if app.reveal.as_ref().is_some_and(|r| r.prompt.is_some()) {
        return prompt_key(app, key);
    }
    let ticks = app.ticks;
    let seconds = app.options.clipboard_seconds;
    let Some(r) = app.reveal.as_mut() else {
        return Vec::new();
    };
    let rows = r.rows();
    let at = rows.iter().position(|x| *x == r.focus).unwrap_or(0);
    match key.code {
        KeyCode::Down | KeyCode::Tab => r.focus = rows[(at + 1) % rows.len()],
        KeyCode::Up | KeyCode::BackTab => r.focus = rows[(at + rows.len() - 1) % rows.len()],
        KeyCode::Right | KeyCode::PageDown if r.current + 1 < r.users.len() => {
            r.current += 1;
            r.show_secret_key = false;
            r.show_password = false;
        }
        KeyCode::Left | KeyCode::PageUp if r.current > 0 => {
            r.current -= 1;
            r.show_secret_key = false;
            r.show_password = false;
        }
        KeyCode::Char('s') if r.user().access_key.is_some() => r.toggle_secret_key(),
        KeyCode::Char('p') if r.user().password.is_some() => r.toggle_password(),
        KeyCode::Char(' ') if matches!(r.focus, Row::SecretKey | Row::KmsProviders) => {
            r.toggle_secret_key()
        }
        KeyCode::Char('l') if r.docs.is_some() => {
            if let Some(d) = r.docs.as_mut() {
                d.next_language();
            }
        }
        KeyCode::Char('L') if r.docs.is_some() => {
            if let Some(d) = r.docs.as_mut() {
                d.prev_language();
            }
        }
        KeyCode::PageDown if r.docs.is_some() => {
            if let Some(d) = r.docs.as_mut() {
                d.scroll = d.scroll.saturating_add(5);
            }
        }
        KeyCode::PageUp if r.docs.is_some() => {
            if let Some(d) = r.docs.as_mut() {
                d.scroll = d.scroll.saturating_sub(5);
            }
        }
        KeyCode::Char(' ') if r.focus == Row::Password => r.toggle_password(),
        KeyCode::Char('c') => {
            let what = CopyWhat::Row(r.focus);
            if r.focus.is_secret() {
                r.expose(Exposure::Copied);
            }
            let clear_at = r
                .focus
                .is_secret()
                .then_some(ticks + seconds * TICKS_PER_SECOND);
            r.start_copy(Copied {
                what,
                to: None,
                clear_at,
            });
            return vec![Command::Copy(what)];
        }
        KeyCode::Char('m') if r.docs.is_none() => {
            r.start_copy(Copied {
                what: CopyWhat::Instructions,
                to: None,
                clear_at: None,
            });
            return vec![Command::Copy(CopyWhat::Instructions)];
        }
        KeyCode::Char('d') => {
            let path = r.default_csv_path();
            r.prompt = Some(Prompt::CsvPath(TextField::new(&path.to_string_lossy())));
        }
        KeyCode::Char('a') if r.user().access_key.is_some() => {
            r.prompt = Some(Prompt::ProfileName(TextField::new(&r.user().name)));
        }
        KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q') => {
            app.modal = Some(Modal::ConfirmLeaveReveal);
        }
        _ => {}
    }
    Vec::new()
}

fn prompt_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let Some(r) = app.reveal.as_mut() else {
        return Vec::new();
    };
    let Some(prompt) = r.prompt.as_mut() else {
        return Vec::new();
    };
    if key.code == KeyCode::Esc {
        r.prompt = None;
        return Vec::new();
    }
    let (field, rule) = match prompt {
        Prompt::ConfirmOverwrite(name) => {
            let name = name.clone();
            return match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    r.prompt = None;
                    r.expose(Exposure::Saved);
                    vec![Command::SaveProfile {
                        name,
                        overwrite: true,
                    }]
                }
                KeyCode::Char('n') | KeyCode::Char('N') => {
                    r.prompt = Some(Prompt::ProfileName(TextField::new(&name)));
                    Vec::new()
                }
                _ => Vec::new(),
            };
        }
        Prompt::CsvPath(f) => (f, CSV_PATH),
        Prompt::ProfileName(f) => (f, PROFILE),
    };
    if key.code == KeyCode::Enter {
        let value = field.value().trim().to_string();
        if value.is_empty() {
            app.error("Enter a name first, or Esc to cancel.");
            return Vec::new();
        }
        let command = match prompt {
            Prompt::CsvPath(_) => Command::SaveCsv {
                path: PathBuf::from(value),
            },
            _ => Command::SaveProfile {
                name: value,
                overwrite: false,
            },
        };
        r.prompt = None;
        r.expose(Exposure::Saved);
        return vec![command];
    }
    if let Err(message) = screens::edit(field, rule, &key) {
        app.error(message);
    }
    Vec::new()
}

/// Pasting into an open prompt.
pub(crate) fn paste(app: &mut App, text: &str) {
    let Some(Some(prompt)) = app.reveal.as_mut().map(|r| r.prompt.as_mut()) else {
        return;
    };
    let (field, rule) = match prompt {
        Prompt::CsvPath(f) => (f, CSV_PATH),
        Prompt::ProfileName(f) => (f, PROFILE),
        Prompt::ConfirmOverwrite(_) => return,
    };
    if let Err(e) = screens::paste_into(field, rule, text) {
        app.error(e);
    }
}

/// The heartbeat: clears a copied secret when its time is up.
pub(crate) fn tick(app: &mut App) -> Vec<Command> {
    let now = app.ticks;
    let Some(r) = app.reveal.as_mut() else {
        return Vec::new();
    };
    match &r.copied {
        Some(Copied {
            clear_at: Some(at), ..
        }) if now >= *at => {
            r.copied = None;
            vec![Command::ClearClipboard]
        }
        _ => Vec::new(),
    }
}

pub(crate) fn effect(app: &mut App, effect: Effect) -> Vec<Command> {
    let seconds = app.options.clipboard_seconds;
    match effect {
        Effect::Copied(Ok(to)) => {
            let copied = match app.reveal.as_mut() {
                Some(r) => {
                    r.replaced = None;
                    r.copied.as_mut()
                }
                None => app.enc.role.as_mut().and_then(|r| r.copied.as_mut()),
            };
            let what = match copied {
                Some(c) => {
                    c.to = Some(to);
                    c.what
                }
                None => return Vec::new(),
            };
            let name = match what {
                CopyWhat::Row(row) => row.label(),
                CopyWhat::Instructions => "Sign-in instructions (no password)",
            };
            let secret = matches!(what, CopyWhat::Row(r) if r.is_secret());
            let text = match (to, secret) {
                (CopiedTo::System, true) => {
                    format!("{name} copied; iamwiz clears the clipboard in {seconds} s.")
                }
                (CopiedTo::Terminal, true) => {
                    format!("{name} → terminal (OSC 52): the terminal, not iamwiz, now holds it.")
                }
                (CopiedTo::Tmux, true) => format!(
                    "{name} → tmux buffer (paste: prefix =), and your terminal's clipboard if \
                     tmux passes it on; iamwiz deletes and blanks both in {seconds} s, on leaving \
                     this screen and at exit."
                ),
                (CopiedTo::Screen, true) => format!(
                    "{name} → terminal via GNU screen (OSC 52); iamwiz asks the terminal to clear \
                     it in {seconds} s. What you copy in screen's copy mode stays in screen."
                ),
                (CopiedTo::System, false) => format!("{name} copied."),
                (CopiedTo::Terminal, false) => {
                    format!("{name} sent to your terminal's clipboard (OSC 52).")
                }
                (CopiedTo::Tmux, false) => {
                    format!("{name} → tmux buffer (paste: prefix =), deleted at exit.")
                }
                (CopiedTo::Screen, false) => {
                    format!("{name} sent through GNU screen to your terminal's clipboard (OSC 52).")
                }
            };
            app.info(text);
        }
        Effect::Copied(Err(message)) => {
            // What was on the clipboard before is still there, with its timed clear.
            if let Some(r) = app.reveal.as_mut() {
                r.copied = r.replaced.take();
            }
            if let Some(r) = app.enc.role.as_mut() {
                r.copied = None;
            }
            app.error(message);
        }
        Effect::ClipboardCleared(Ok(true)) => app.info("Clipboard cleared."),
        Effect::ClipboardCleared(Ok(false)) => {
            app.info("The clipboard holds something else now; iamwiz left it alone.")
        }
        Effect::ClipboardCleared(Err(message)) => {
            app.error(format!("Could not clear the clipboard: {message}"))
        }
        Effect::Saved(Ok(what)) => {
            app.info(format!("Saved: {what}."));
            if let Some(r) = app.reveal.as_mut() {
                r.saved.push(what);
            }
        }
        Effect::Saved(Err(SaveError::ProfileExists(name))) => {
            if let Some(r) = app.reveal.as_mut() {
                r.prompt = Some(Prompt::ConfirmOverwrite(name.clone()));
            }
            app.notice = Some(super::Notice {
                kind: NoticeKind::Error,
                text: format!("Profile {name} already exists in the credentials file."),
            });
        }
        Effect::Saved(Err(SaveError::Failed(message))) => app.error(message),
        Effect::PlanSaved(result) => return super::save_plan::saved(app, result),
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::{Creation, Msg, Screen, update};
    use crate::protocol::{
        AccessKeyPair, CreationResult, DiscardedUser, Event, Request, StepKind, StepStatus,
    };

    const SECRET: &str = "s3cr3t-EXAMPLE-KEY";
    const PASSWORD: &str = "Pa55word!EXAMPLE";

    fn carol(key: bool, password: bool) -> CreatedUser {
        CreatedUser {
            name: "carol".into(),
            arn: "arn:aws:iam::123456789012:user/carol".into(),
            access_key: key.then(|| AccessKeyPair {
                id: "AKIAEXAMPLE000000001".into(),
                secret: Secret::new(SECRET.into()),
            }),
            password: password.then(|| Secret::new(PASSWORD.into())),
            require_reset: true,
            sign_in_url: "https://123456789012.signin.aws.amazon.com/console".into(),
        }
    }

    /// A wizard on the credentials screen for carol (access key and password).
    fn revealed() -> App {
        let (mut app, _) = App::new((80, 24));
        app.reveal = Some(Reveal::new(vec![carol(true, true)], PathBuf::from(".")));
        app.screen = Screen::Reveal;
        app
    }

    /// A wizard creating carol in run 7.
    fn creating() -> App {
        let (mut app, _) = App::new((80, 24));
        app.creation = Some(Creation {
            run: 7,
            started: 0,
            users: vec!["carol".into()],
            steps: vec![vec![
                (StepKind::CreateUser, StepStatus::Done),
                (StepKind::CreateAccessKey, StepStatus::Running),
            ]],
            failure: None,
            grouped: false,
            verify: None,
        });
        app.screen = Screen::Creating;
        app
    }

    fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
        update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    fn exposed(app: &App) -> Option<Exposure> {
        app.reveal.as_ref().and_then(|r| r.exposed)
    }

    fn discard_request(cmds: &[Command]) -> Option<(u64, Vec<String>)> {
        match cmds {
            [
                Command::Worker(Request::Discard {
                    run,
                    users,
                    key: None,
                }),
            ] => Some((*run, users.clone())),
            [] => None,
            other => panic!("unexpected commands {other:?}"),
        }
    }

    #[test]
    fn nobody_has_secrets_until_one_is_shown_copied_or_saved() {
        let app = revealed();
        let r = app.reveal.as_ref().unwrap();
        assert!(r.nobody_has_secrets());
        for how in [
            Exposure::Shown,
            Exposure::Copied,
            Exposure::Saved,
            Exposure::Typed,
        ] {
            let mut r = Reveal::new(vec![carol(true, true)], PathBuf::from("."));
            r.expose(how);
            assert!(!r.nobody_has_secrets(), "{how:?}");
        }
        let plain = Reveal::new(vec![carol(false, false)], PathBuf::from("."));
        assert!(
            !plain.nobody_has_secrets(),
            "a user without a key or password has no secret to lose"
        );
    }

    #[test]
    fn showing_a_secret_exposes_it_and_hiding_it_again_does_not_undo_that() {
        for key in [KeyCode::Char('s'), KeyCode::Char('p')] {
            let mut app = revealed();
            press(&mut app, key);
            assert_eq!(exposed(&app), Some(Exposure::Shown), "{key:?}");
            press(&mut app, key);
            assert_eq!(exposed(&app), Some(Exposure::Shown), "{key:?} hid it again");
        }
        let mut app = revealed();
        app.reveal.as_mut().unwrap().focus = Row::SecretKey;
        press(&mut app, KeyCode::Char(' '));
        assert_eq!(exposed(&app), Some(Exposure::Shown), "space on the secret");
    }

    #[test]
    fn copying_a_secret_exposes_it_but_copying_what_is_not_secret_does_not() {
        let mut app = revealed();
        for row in [Row::UserName, Row::AccessKeyId, Row::SignInUrl] {
            app.reveal.as_mut().unwrap().focus = row;
            press(&mut app, KeyCode::Char('c'));
        }
        press(&mut app, KeyCode::Char('m'));
        assert_eq!(exposed(&app), None, "nothing secret was copied");
        app.reveal.as_mut().unwrap().focus = Row::Password;
        press(&mut app, KeyCode::Char('c'));
        assert_eq!(exposed(&app), Some(Exposure::Copied));
    }

    #[test]
    fn saving_exposes_the_secrets() {
        let mut app = revealed();
        press(&mut app, KeyCode::Char('d'));
        assert_eq!(exposed(&app), None, "only asked where");
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(matches!(cmds.as_slice(), [Command::SaveCsv { .. }]));
        assert_eq!(exposed(&app), Some(Exposure::Saved));

        let mut app = revealed();
        press(&mut app, KeyCode::Char('a'));
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(matches!(cmds.as_slice(), [Command::SaveProfile { .. }]));
        assert_eq!(exposed(&app), Some(Exposure::Saved));
    }

    #[test]
    fn a_signal_discards_a_batch_whose_secrets_nobody_has() {
        let mut app = revealed();
        let (run, users) = discard_request(&update(&mut app, Msg::Signal)).expect("a discard");
        assert_eq!(users, ["carol"]);
        assert!(app.reveal.is_none(), "the secrets are dropped");
        assert!(app.finishing(), "the discard must finish before exit");
        // Asked once.
        assert!(discard_request(&update(&mut app, Msg::Signal)).is_none());
        update(
            &mut app,
            Msg::Worker(Event::Discarded {
                run: run + 1,
                users: Vec::new(),
                key: None,
            }),
        );
        assert!(app.finishing(), "a reply to another run does not count");
        update(
            &mut app,
            Msg::Worker(Event::Discarded {
                run,
                users: vec![DiscardedUser {
                    user: "carol".into(),
                    deleted: vec!["user carol".into()],
                    leftovers: Vec::new(),
                }],
                key: None,
            }),
        );
        assert!(!app.finishing());
    }

    #[test]
    fn a_signal_keeps_a_batch_whose_secret_was_shown() {
        let mut app = revealed();
        press(&mut app, KeyCode::Char('s'));
        assert!(discard_request(&update(&mut app, Msg::Signal)).is_none());
        assert!(!app.finishing());
        assert!(app.reveal.is_some());
    }

    #[test]
    fn without_a_signal_nothing_is_discarded() {
        let mut app = creating();
        let cmds = update(
            &mut app,
            Msg::Worker(Event::Finished {
                run: 7,
                result: CreationResult::Created(vec![carol(true, false)]),
            }),
        );
        assert!(discard_request(&cmds).is_none());
        assert_eq!(app.screen, Screen::Reveal);
    }

    #[test]
    fn a_creation_that_finishes_after_the_signal_is_discarded() {
        let mut app = creating();
        assert!(discard_request(&update(&mut app, Msg::Signal)).is_none());
        assert!(app.finishing(), "the creation is still running");
        let cmds = update(
            &mut app,
            Msg::Worker(Event::Finished {
                run: 7,
                result: CreationResult::Created(vec![carol(true, false)]),
            }),
        );
        let (_, users) = discard_request(&cmds).expect("a discard");
        assert_eq!(users, ["carol"]);
        assert!(app.reveal.is_none());
        assert!(app.finishing());
    }

    #[test]
    fn a_typed_password_is_one_the_admin_has() {
        let mut app = creating();
        app.draft.console_password = true;
        app.draft.password_mode = crate::flows::users::draft::PasswordMode::Custom;
        update(&mut app, Msg::Signal);
        let cmds = update(
            &mut app,
            Msg::Worker(Event::Finished {
                run: 7,
                result: CreationResult::Created(vec![carol(true, true)]),
            }),
        );
        assert!(discard_request(&cmds).is_none());
        assert_eq!(exposed(&app), Some(Exposure::Typed));
        assert!(!app.finishing());
    }
}
