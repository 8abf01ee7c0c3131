//! `e` on the credentials screen: the secrets handed to their owner encrypted with age, so the
//! admin never sees them. The prompt takes what `age -r` takes (an `age1…` recipient, an SSH
//! public key line) or the path of a recipients file (what `age -R` takes); Tab chooses what is
//! encrypted, Ctrl-A binary or ASCII armor. The file is new, 0600, in the CSV's folder, never
//! over anything; the screen names the recipient (an SSH key's comment or fingerprint), never
//! the secret.
//!
//! What can be handed over: the user's CSV; a batch's CSV with every user; for a person, the
//! console password alone, encrypted, while the sign-in instructions without it are copied (the
//! two channels AWS advises, in one step); for the encryption flow's service account, the
//! driver's `kmsProviders` document.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Copied, CopyWhat, Exposure, Prompt, Reveal};
use crate::app::screens::{self, FieldRule};
use crate::app::{App, Command};
use crate::kit::text::TextField;

/// What is encrypted for the recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandWhat {
    /// The user on screen's credentials CSV.
    User,
    /// Every user of the batch in one CSV.
    Batch,
    /// The console password alone; the sign-in instructions without it go to the clipboard.
    PasswordApart,
    /// The service account's `kmsProviders` document (it holds the secret access key).
    KmsProviders,
}

impl HandWhat {
    /// What the prompt and the saved line call it, for the user `user` of `n`.
    pub fn describe(self, user: &str, n: usize) -> String {
        match self {
            HandWhat::User => format!("{user}'s credentials CSV"),
            HandWhat::Batch => format!("the CSV of all {n} users"),
            HandWhat::PasswordApart => {
                format!("{user}'s console password alone (sign-in text copied)")
            }
            HandWhat::KmsProviders => format!("{user}'s kmsProviders document"),
        }
    }
}

/// The prompt's state.
#[derive(Debug)]
pub struct Handover {
    pub recipient: TextField,
    pub what: HandWhat,
    pub armor: bool,
}

/// The choices for the user on screen, in Tab order.
pub fn choices(r: &Reveal) -> Vec<HandWhat> {
    let mut all = vec![HandWhat::User];
    if r.docs.is_some() {
        all.push(HandWhat::KmsProviders);
        return all;
    }
    if r.users.len() > 1 {
        all.push(HandWhat::Batch);
    }
    if r.user().password.is_some() {
        all.push(HandWhat::PasswordApart);
    }
    all
}

const RECIPIENT: FieldRule = FieldRule {
    secret: false,
    what: "a recipient (age1…, ssh-ed25519 …, ssh-rsa …) or a recipients file",
    allowed: |c| !c.is_control(),
    chars: "printable characters",
    max: 16_384,
};

/// Opens the prompt.
pub(super) fn open(r: &mut Reveal) {
    r.prompt = Some(Prompt::Encrypt(Handover {
        recipient: TextField::default(),
        what: HandWhat::User,
        armor: false,
    }));
}

/// Whether `text` is a recipient itself rather than the path of a recipients file.
pub fn is_key(text: &str) -> bool {
    text.starts_with("age1") || text.starts_with("ssh-")
}

/// The prompt's keys: typing, Tab (what), Ctrl-A (armor), Enter (encrypt), Esc (cancel).
pub(super) fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let Some(r) = app.reveal.as_mut() else {
        return Vec::new();
    };
    let options = choices(r);
    let Some(Prompt::Encrypt(h)) = r.prompt.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Tab | KeyCode::BackTab => {
            let at = options.iter().position(|w| *w == h.what).unwrap_or(0);
            let step = if key.code == KeyCode::Tab {
                1
            } else {
                options.len() - 1
            };
            h.what = options[(at + step) % options.len()];
        }
        KeyCode::Char('a') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            h.armor = !h.armor;
        }
        KeyCode::Enter => return go(app),
        _ => {
            if let Err(message) = screens::edit(&mut h.recipient, RECIPIENT, &key) {
                app.error(message);
            }
        }
    }
    Vec::new()
}

/// Pasting a recipient (a whole SSH key line, say).
pub(super) fn paste(app: &mut App, text: &str) {
    let Some(Some(Prompt::Encrypt(h))) = app.reveal.as_mut().map(|r| r.prompt.as_mut()) else {
        return;
    };
    // A key copied from a terminal often ends with a line break.
    if let Err(e) = screens::paste_into(&mut h.recipient, RECIPIENT, text.trim_end()) {
        app.error(e);
    }
}

/// Enter: a recipient typed in is checked here, so that a typo keeps the prompt as it was; a
/// recipients file is read when the file is written.
fn go(app: &mut App) -> Vec<Command> {
    let Some(r) = app.reveal.as_mut() else {
        return Vec::new();
    };
    let Some(Prompt::Encrypt(h)) = r.prompt.as_ref() else {
        return Vec::new();
    };
    let text = h.recipient.value().trim().to_string();
    if text.is_empty() {
        app.error(
            "Enter the owner's age recipient or SSH public key (or a recipients file), or Esc.",
        );
        return Vec::new();
    }
    if is_key(&text)
        && let Err(why) = crate::export::age::parse_recipient(&text)
    {
        app.error(format!("Not a recipient: {why}"));
        return Vec::new();
    }
    let (what, armor) = (h.what, h.armor);
    r.prompt = None;
    // The owner has the secrets from now on (asked counts, as for a CSV).
    r.expose(Exposure::Saved);
    let mut cmds = vec![Command::SaveEncrypted {
        recipient: text,
        what,
        armor,
    }];
    if what == HandWhat::PasswordApart {
        r.start_copy(Copied {
            what: CopyWhat::Instructions,
            to: None,
            clear_at: None,
        });
        cmds.push(Command::Copy(CopyWhat::Instructions));
    }
    cmds
}
