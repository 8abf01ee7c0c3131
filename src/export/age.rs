//! Credentials encrypted to their owner with [age](https://age-encryption.org), so that the admin
//! who creates them hands them over without ever being able to read them.
//!
//! A recipient is what `age -r` takes: an X25519 recipient (`age1…`, as `age-keygen` prints it)
//! or an SSH public key line (`ssh-ed25519 …` or `ssh-rsa …`, its comment kept). A recipients file
//! is what `age -R` takes: one recipient a line, blank lines and `#` comments ignored. A line that
//! does not parse is refused with its number and what was expected; a file's lines are shown only
//! when they look like public keys, so that a private key given by mistake is never printed.
//!
//! Each recipient has a name for the screen: an SSH key's comment, or its SHA-256 fingerprint as
//! `ssh-keygen -l` prints it when it has none; an age recipient shortened to `age1abcd…wxyz`.
//!
//! The CSV is encrypted in memory ([`encrypt`]) and only the ciphertext is written, to a new file
//! of mode 0600 that never replaces anything ([`write_new_encrypted`], through
//! [`super::new_file`]): the plaintext never touches the disk. The age stream's own buffers are
//! heap memory, which the program's allocator wipes as it frees them (`zeroizing-alloc`, see
//! `main.rs`), and the caller's [`Secret`] is zeroed when dropped. The owner opens the file with
//! `age -d -i ~/.ssh/id_ed25519 FILE` (or their age identity file).

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use age::armor::{ArmoredWriter, Format};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha2::{Digest, Sha256};

use super::new_file::write_new_private;
use super::{ExportError, default_csv_path};
use crate::secret::Secret;

/// What a recipient may be, for messages.
const EXPECTED: &str = "expected an age recipient (age1…, as age-keygen prints it) or an SSH \
                        public key line (ssh-ed25519 … or ssh-rsa …, as in a .pub file)";

/// One person (or machine) the file is encrypted to, with the name shown for it.
#[derive(Clone)]
pub struct Recipient {
    key: Key,
    name: String,
}

#[derive(Clone)]
enum Key {
    X25519(age::x25519::Recipient),
    Ssh(age::ssh::Recipient),
}

impl Key {
    fn as_dyn(&self) -> &dyn age::Recipient {
        match self {
            Key::X25519(r) => r,
            Key::Ssh(r) => r,
        }
    }

    /// The public key as `age -r` takes it (without an SSH key's comment).
    fn text(&self) -> String {
        match self {
            Key::X25519(r) => r.to_string(),
            Key::Ssh(r) => r.to_string(),
        }
    }
}

impl Recipient {
    /// The name shown for this recipient: see the module docs.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl PartialEq for Recipient {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.key.text() == other.key.text()
    }
}

impl Eq for Recipient {}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recipient({}: {})", self.name, self.key.text())
    }
}

/// The encrypted export the admin chose: to whom, and whether ASCII-armored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgeExport {
    pub recipients: Vec<Recipient>,
    /// PEM-like text (`-----BEGIN AGE ENCRYPTED FILE-----`) instead of binary.
    pub armor: bool,
}

impl AgeExport {
    /// The recipients' names, for the line that says where the secrets went.
    pub fn names(&self) -> String {
        let names: Vec<&str> = self.recipients.iter().map(Recipient::name).collect();
        names.join(", ")
    }
}

/// The SHA-256 fingerprint of an SSH public key blob, as `ssh-keygen -l` prints it.
fn fingerprint(blob: &[u8]) -> String {
    format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(blob)))
}

/// `age1abcd…wxyz`.
fn short_age(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 16 {
        return key.to_string();
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// `text` as a message may show it: whole when short, else its start and end.
fn shown(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 40 {
        return text.to_string();
    }
    let head: String = chars[..24].iter().collect();
    let tail: String = chars[chars.len() - 8..].iter().collect();
    format!("{head}…{tail}")
}

/// Whether `text` looks like a public key, so that a message may show it.
fn looks_public(text: &str) -> bool {
    text.starts_with("age1") || text.starts_with("ssh-")
}

/// Why `text` (trimmed, not empty) is not a recipient, without repeating it.
fn parse_key(text: &str) -> Result<Recipient, String> {
    if text.starts_with("AGE-SECRET-KEY-") {
        return Err(
            "this is an age secret key (an identity), which must stay with its owner: \
                    give its recipient instead (age-keygen -y FILE prints it)"
                .to_string(),
        );
    }
    if text.starts_with("-----BEGIN") {
        return Err(
            "this is a private key: give the public key instead (the .pub file next \
                    to it)"
                .to_string(),
        );
    }
    if text.starts_with("age1") {
        return match text.parse::<age::x25519::Recipient>() {
            Ok(r) => Ok(Recipient {
                name: short_age(text),
                key: Key::X25519(r),
            }),
            Err(why) => Err(format!(
                "not a valid age recipient ({why}): expected age1… as age-keygen prints it \
                 (an X25519 recipient; plugin recipients are not supported)"
            )),
        };
    }
    if text.starts_with("ssh-") || text.starts_with("ecdsa-") || text.starts_with("sk-") {
        return parse_ssh(text);
    }
    Err(EXPECTED.to_string())
}

fn parse_ssh(text: &str) -> Result<Recipient, String> {
    use age::ssh::ParseRecipientKeyError as E;
    let key = text.parse::<age::ssh::Recipient>().map_err(|e| match e {
        E::Unsupported(kind) => format!(
            "SSH key type {} is not supported: age encrypts to ssh-ed25519 and ssh-rsa keys",
            shown(&kind)
        ),
        E::Ignore => "this SSH key type is not supported: age encrypts to ssh-ed25519 and \
                      ssh-rsa keys"
            .to_string(),
        E::RsaModulusTooSmall => {
            "this ssh-rsa key is shorter than 2048 bits, too weak to encrypt to".to_string()
        }
        E::RsaModulusTooLarge => "this ssh-rsa key is longer than age supports".to_string(),
        E::Invalid(_) => "not a valid SSH public key (cut short or mistyped?): expected a whole \
                          line of a .pub file, ssh-ed25519 AAAA… or ssh-rsa AAAA…"
            .to_string(),
    })?;
    let mut fields = text.split_whitespace();
    let _kind = fields.next();
    let blob = fields
        .next()
        .and_then(|b64| STANDARD.decode(b64).ok())
        .unwrap_or_default();
    let comment = fields.collect::<Vec<_>>().join(" ");
    Ok(Recipient {
        name: if comment.is_empty() {
            fingerprint(&blob)
        } else {
            comment
        },
        key: Key::Ssh(key),
    })
}

/// Parses one recipient, as `age -r` takes it. The message names what was expected and shows
/// the text (shortened) only when it looks like a public key.
pub fn parse_recipient(text: &str) -> Result<Recipient, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("empty: {EXPECTED}"));
    }
    parse_key(text).map_err(|why| {
        if looks_public(text) {
            format!("{}: {why}", shown(text))
        } else {
            why
        }
    })
}

/// Parses a recipients file's text, as `age -R` reads it: one recipient a line, blank lines
/// and `#` comments ignored. Every line that does not parse is a problem (`line N: …`); a file
/// without a recipient is one too.
pub fn parse_recipients(text: &str) -> Result<Vec<Recipient>, Vec<String>> {
    let mut recipients = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_recipient(line) {
            Ok(r) => recipients.push(r),
            Err(why) => problems.push(format!("line {}: {why}", i + 1)),
        }
    }
    if problems.is_empty() && recipients.is_empty() {
        problems.push(format!(
            "no recipient in it (only blank lines and # comments): {EXPECTED}, one a line"
        ));
    }
    if problems.is_empty() {
        Ok(recipients)
    } else {
        Err(problems)
    }
}

/// The recipients the flags name: each `--age-recipient`, then each `--age-recipients-file`'s.
/// Every problem, each naming its flag (and file), or the recipients. `Ok(None)` when neither
/// flag was given.
pub fn recipients_from_flags(
    recipients: &[String],
    files: &[PathBuf],
    armor: bool,
) -> Result<Option<AgeExport>, Vec<String>> {
    if recipients.is_empty() && files.is_empty() {
        return Ok(None);
    }
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for text in recipients {
        match parse_recipient(text) {
            Ok(r) => found.push(r),
            Err(why) => problems.push(format!("--age-recipient: {why}")),
        }
    }
    for file in files {
        let at = file.display();
        match std::fs::read_to_string(file) {
            Ok(text) => match parse_recipients(&text) {
                Ok(rs) => found.extend(rs),
                Err(lines) => problems.extend(
                    lines
                        .into_iter()
                        .map(|l| format!("--age-recipients-file: {at}: {l}")),
                ),
            },
            Err(e) => problems.push(format!("--age-recipients-file: cannot read {at}: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(Some(AgeExport {
            recipients: found,
            armor,
        }))
    } else {
        Err(problems)
    }
}

/// The file an encrypted CSV goes to when no `--csv` is named: `<user>_credentials.csv.age` for
/// one user, `credentials.csv.age` for several, in the working folder.
pub fn default_age_path(users: &[&str]) -> PathBuf {
    let mut name = default_csv_path(Path::new(""), users).into_os_string();
    name.push(".age");
    PathBuf::from(name)
}

/// `plaintext` encrypted to every recipient of `to`, binary or armored as it says. Only in
/// memory.
pub fn encrypt(plaintext: &[u8], to: &AgeExport) -> io::Result<Vec<u8>> {
    let encryptor = age::Encryptor::with_recipients(to.recipients.iter().map(|r| r.key.as_dyn()))
        .map_err(|e| io::Error::other(format!("cannot encrypt: {e}")))?;
    let format = if to.armor {
        Format::AsciiArmor
    } else {
        Format::Binary
    };
    let mut out = Vec::with_capacity(plaintext.len() + 1024 * (to.recipients.len() + 1));
    let armored = ArmoredWriter::wrap_output(&mut out, format)?;
    let mut writer = encryptor.wrap_output(armored)?;
    writer.write_all(plaintext)?;
    writer.finish()?.finish()?;
    Ok(out)
}

/// Encrypts `content` to `to` and writes it to the new file `path` (mode 0600, never over
/// anything, a partial file removed: as [`super::write_new_file`]). The plaintext is never
/// written anywhere.
pub fn write_new_encrypted(
    path: &Path,
    content: &Secret,
    to: &AgeExport,
) -> Result<(), ExportError> {
    let sealed = encrypt(content.expose().as_bytes(), to).map_err(super::io_error(path))?;
    write_new_private(path, &sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From `age-keygen` (the identity is in the tests below only as the age crate makes one).
    const AGE: &str = "age1f22dd0hsrannza80df6nv6sv2uj2wt4wxv7ug7uqxxs6ayq08fjsdzq8aw";
    /// From `ssh-keygen -t ed25519 -C bob@laptop`.
    const ED25519: &str = "ssh-ed25519 \
        AAAAC3NzaC1lZDI1NTE5AAAAIOAmVzY1zLL4vYn6cFdWkT34vNcHB/P9XvGCRr5MFPK3 bob@laptop";
    /// What `ssh-keygen -lf` printed for that key.
    const ED25519_FINGERPRINT: &str = "SHA256:M0Ej6ScIU5zwDCx7jwOV8LJ5Ee9ChT/vJnJ4faACG74";

    #[test]
    fn an_age_recipient_is_named_by_its_start_and_end() {
        let r = parse_recipient(&format!("  {AGE}\n")).unwrap();
        assert_eq!(r.name(), "age1f22d…q8aw");
    }

    #[test]
    fn an_ssh_key_is_named_by_its_comment_else_its_fingerprint() {
        assert_eq!(parse_recipient(ED25519).unwrap().name(), "bob@laptop");
        let with_spaces = format!("{ED25519} (work laptop)");
        assert_eq!(
            parse_recipient(&with_spaces).unwrap().name(),
            "bob@laptop (work laptop)"
        );
        let bare = ED25519.trim_end_matches(" bob@laptop");
        assert_eq!(parse_recipient(bare).unwrap().name(), ED25519_FINGERPRINT);
    }

    #[test]
    fn a_bad_recipient_says_what_was_expected() {
        let e = parse_recipient("age1nonsense").unwrap_err();
        assert!(
            e.starts_with("age1nonsense: not a valid age recipient"),
            "{e}"
        );
        assert!(e.contains("age-keygen"), "{e}");
        let cut = &ED25519[..40];
        let e = parse_recipient(cut).unwrap_err();
        assert!(e.contains("not a valid SSH public key"), "{e}");
        let e = parse_recipient("alice").unwrap_err();
        assert!(e.starts_with("expected an age recipient"), "{e}");
        assert!(!e.contains("alice"), "{e}");
        let e = parse_recipient("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHFliOyIZs1gxGF3fmDxFykQhE88wy6AKDGFBfn0R6ZuvRmENABZQa9+pj9hMki+LX0qDJbmHTiWDbYv/cmFt/Q=").unwrap_err();
        assert!(e.contains("ecdsa-sha2-nistp256 is not supported"), "{e}");
        assert!(parse_recipient(" ").unwrap_err().starts_with("empty"));
    }

    #[test]
    fn a_secret_key_given_as_a_recipient_is_never_repeated() {
        let secret = "AGE-SECRET-KEY-1P8L5Q07EUTPW2MQPTPVTUN2EEUC00KZKPP5SD5QCHYXGHFSYLTRQ82AY5V";
        let e = parse_recipient(secret).unwrap_err();
        assert!(
            e.contains("age-keygen -y") && !e.contains(&secret[15..]),
            "{e}"
        );
        let file = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n\
                    -----END OPENSSH PRIVATE KEY-----\n";
        let lines = parse_recipients(file).unwrap_err();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].starts_with("line 1: this is a private key"),
            "{lines:?}"
        );
        assert!(lines.iter().all(|l| !l.contains("b3BlbnNz")), "{lines:?}");
    }

    #[test]
    fn a_recipients_file_skips_comments_and_blank_lines_and_numbers_its_bad_lines() {
        let text = format!("# the team\n\n{AGE}\n  # bob\n{ED25519}\n");
        let rs = parse_recipients(&text).unwrap();
        let names: Vec<&str> = rs.iter().map(Recipient::name).collect();
        assert_eq!(names, ["age1f22d…q8aw", "bob@laptop"]);

        let lines = parse_recipients(&format!("{AGE}\n\nage1nonsense\n")).unwrap_err();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with("line 3: age1nonsense: "), "{lines:?}");

        for empty in ["", "\n\n", "# only a comment\n"] {
            let lines = parse_recipients(empty).unwrap_err();
            assert!(lines[0].starts_with("no recipient in it"), "{lines:?}");
        }
    }

    #[test]
    fn flags_name_themselves_and_the_file_in_each_problem() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("team.txt");
        std::fs::write(&file, format!("{ED25519}\nnot-a-key\n")).unwrap();
        let problems =
            recipients_from_flags(&["age1nonsense".into()], std::slice::from_ref(&file), false)
                .unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("--age-recipient: age1nonsense"));
        assert!(
            problems[1].starts_with(&format!(
                "--age-recipients-file: {}: line 2: expected",
                file.display()
            )),
            "{problems:?}"
        );
        assert!(!problems[1].contains("not-a-key"), "{problems:?}");
        let missing = dir.path().join("missing");
        let problems = recipients_from_flags(&[], &[missing], false).unwrap_err();
        assert!(problems[0].contains("cannot read"), "{problems:?}");
        assert_eq!(recipients_from_flags(&[], &[], true), Ok(None));
    }

    #[test]
    fn the_default_file_is_named_after_the_user() {
        assert_eq!(
            default_age_path(&["deploy-bot"]),
            Path::new("deploy-bot_credentials.csv.age")
        );
        assert_eq!(
            default_age_path(&["a", "b"]),
            Path::new("credentials.csv.age")
        );
    }

    #[test]
    fn the_file_opens_with_the_identity_binary_or_armored() {
        let identity = age::x25519::Identity::generate();
        let recipient = parse_recipient(&identity.to_public().to_string()).unwrap();
        for armor in [false, true] {
            let to = AgeExport {
                recipients: vec![recipient.clone()],
                armor,
            };
            let sealed = encrypt(b"User name,Password\r\n", &to).unwrap();
            assert_eq!(
                sealed.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"),
                armor
            );
            assert!(!sealed.windows(9).any(|w| w == b"User name"));
            let opened = age::decrypt(&identity, &sealed).unwrap();
            assert_eq!(opened, b"User name,Password\r\n");
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_new_and_0600() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv.age");
        let to = AgeExport {
            recipients: vec![parse_recipient(AGE).unwrap()],
            armor: false,
        };
        let content = Secret::new("secret".to_string());
        write_new_encrypted(&path, &content, &to).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let e = write_new_encrypted(&path, &content, &to).unwrap_err();
        assert!(matches!(e, ExportError::Exists(_)), "{e:?}");
    }
}
