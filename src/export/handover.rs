//! The credentials screen's encrypted hand-over, carried out: the recipients read (a recipient
//! typed in, or a recipients file), the content built from the secrets on screen (a CSV, the
//! password alone, or the `kmsProviders` document), encrypted in memory with age and written to
//! a new 0600 file beside the CSV would be. Returns the line that says what went where.

use std::path::{Path, PathBuf};

use super::age::{self, AgeExport};
use crate::app::reveal::handover::HandWhat;
use crate::app::reveal::{CopyWhat, Reveal, Row};
use crate::secret::Secret;

/// What to encrypt, already built from the screen's state.
pub struct Sealed {
    /// What the saved line calls it, e.g. "alice's credentials CSV".
    pub what: String,
    pub content: Secret,
    /// The file name, in the CSV's folder.
    pub file: String,
}

/// What `what` encrypts, built from the credentials screen's secrets at this moment.
pub fn seal(reveal: &Reveal, what: HandWhat) -> Option<Sealed> {
    let user = reveal.user();
    let name = &user.name;
    let n = reveal.users.len();
    let (content, file) = match what {
        HandWhat::User => (
            super::csv_content(&super::csv_rows(std::slice::from_ref(user))),
            format!("{name}_credentials.csv.age"),
        ),
        HandWhat::Batch => (
            super::csv_content(&super::csv_rows(&reveal.users)),
            "credentials.csv.age".to_string(),
        ),
        HandWhat::PasswordApart => {
            let password = user.password.as_ref()?;
            (
                crate::secret::Secret::new(format!("{}\n", password.expose())),
                format!("{name}_password.txt.age"),
            )
        }
        HandWhat::KmsProviders => (
            reveal.copy_text(CopyWhat::Row(Row::KmsProviders))?,
            format!("{name}_kmsProviders.json.age"),
        ),
    };
    Some(Sealed {
        what: what.describe(name, n),
        content,
        file,
    })
}

/// The recipients `text` names: the recipient itself, or every line of the recipients file at
/// that path.
pub fn recipients(text: &str) -> Result<Vec<age::Recipient>, String> {
    if crate::app::reveal::handover::is_key(text) {
        return age::parse_recipient(text).map(|r| vec![r]);
    }
    let path = Path::new(text);
    let file = std::fs::read_to_string(path)
        .map_err(|e| format!("Cannot read the recipients file {}: {e}", path.display()))?;
    age::parse_recipients(&file)
        .map_err(|lines| format!("{}: {}", path.display(), lines.join("; ")))
}

/// Encrypts `sealed` for `recipient` into a new file in `dir`; the line for the screen.
pub fn write(dir: &Path, recipient: &str, armor: bool, sealed: Sealed) -> Result<String, String> {
    let to = AgeExport {
        recipients: recipients(recipient)?,
        armor,
    };
    let path: PathBuf = dir.join(&sealed.file);
    age::write_new_encrypted(&path, &sealed.content, &to).map_err(|e| e.to_string())?;
    Ok(format!(
        "{} encrypted for {} in {}{}",
        sealed.what,
        to.names(),
        path.display(),
        if armor { " (ASCII armor)" } else { "" }
    ))
}
