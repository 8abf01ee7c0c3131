//! The one-time reveal: the new credentials, masked until asked for, copied with a timed clear,
//! and saved only where the admin says. This state is the only place the secrets live; dropping it
//! zeroes them.
//!
//! Past 600 lines because a third of it is the table tests of these rules (what counts as a
//! secret reaching the admin, what a signal discards), kept beside the code they pin down.

use std::path::PathBuf;

use super::screens::FieldRule;
use crate::kit::text::TextField;
use crate::model::keys::KeyRef;
use crate::mongo::{self, Credentials, Language};
use crate::protocol::{CreatedUser, DiscardKey, EncryptionFeature, KeyProof, Verification};
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

/// What the run behind the reveal made: a signal (or quitting) deletes it again when nobody has
/// its secrets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Made {
    /// The users on show (and, for the encryption flow, [`Reveal::new_key`]).
    #[default]
    Users,
    /// Only a new access key of a user who was there before (a rotation): the user stays.
    AccessKey {
        key: KeyRef,
        /// The key the new one takes over from.
        old: Option<String>,
        /// The profile of the admin's credentials file that holds `old`: `a` offers it.
        old_profile: Option<String>,
    },
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
    /// Encrypt for the owner (see [`handover`]).
    Encrypt(handover::Handover),
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
    /// The creation run whose new access keys are being proven, and each user's proof so far
    /// (by user name): shown under the key, never blocking the screen.
    pub proof_run: Option<u64>,
    pub proofs: Vec<(String, KeyProof)>,
    pub made: Made,
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
            proof_run: None,
            proofs: Vec::new(),
            made: Made::Users,
        }
    }

    /// Takes the news of `user`'s key proof from run `run`; `false` if it is not this reveal's.
    pub fn on_proof(&mut self, run: u64, user: String, proof: KeyProof) -> bool {
        if self.proof_run != Some(run) || !self.users.iter().any(|u| u.name == user) {
            return false;
        }
        match self.proofs.iter_mut().find(|(u, _)| *u == user) {
            Some((_, p)) => *p = proof,
            None => self.proofs.push((user, proof)),
        }
        true
    }

    /// The proof of the key of the user on screen, if one has been heard of.
    pub fn proof(&self) -> Option<&KeyProof> {
        let name = &self.user().name;
        self.proofs.iter().find(|(u, _)| u == name).map(|(_, p)| p)
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

    /// Whether the reveal shows a rotation's new key (the user was there before).
    pub fn is_new_key(&self) -> bool {
        matches!(self.made, Made::AccessKey { .. })
    }

    /// The profile name `a` offers: the one holding the key a rotation replaces, else the
    /// user's name.
    pub fn offered_profile(&self) -> &str {
        match &self.made {
            Made::AccessKey {
                old_profile: Some(p),
                ..
            } => p,
            _ => &self.user().name,
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
        if self.is_new_key() {
            // A rotation: the user signs in as before; only the key is new.
            rows.extend([Row::AccessKeyId, Row::SecretKey]);
            return rows;
        }
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

pub mod handover;
mod update;
pub(crate) use update::{effect, key, paste, tick};

#[cfg(test)]
mod tests;
