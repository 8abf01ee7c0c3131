//! The ways an admin saves new credentials: a CSV file like the AWS console's download, a profile
//! in the shared credentials file, and sign-in instructions without the password.
//!
//! Every function writes a secret only where the admin asked, and never over something that is
//! already there unless the admin said so:
//!
//! - [`write_new_file`] creates a new file (mode 0600, `O_EXCL`): it never replaces a file and
//!   never follows a symbolic link at the path.
//! - [`save_profile`] rewrites the credentials file through a temporary file in the same folder
//!   and an atomic rename, so a crash leaves either the old file or the new one, never half a
//!   file. Every byte outside the profile's own section is kept, and so are the file's owner and
//!   mode and any edit another program makes meanwhile ([`replace`]: a lock and a re-check).
//!
//! File contents that hold secrets are built in a [`Secret`] whose buffer is allocated once at its
//! exact final size ([`build_secret`]), so no copy is left behind in freed memory by a reallocation
//! and the content is zeroed when dropped. Nothing here logs or formats a secret.
//!
//! # The CSV and `aws configure import`
//!
//! [`csv_content`] writes what the console's "Download .csv" writes: the header
//! `User name,Password,Access key ID,Secret access key,Console login link`, one row per user,
//! CRLF line ends, no byte-order mark, and fields quoted by RFC 4180 when they hold a comma, a
//! quote or a line break. The AWS CLI v2's `aws configure import` reads that file (CRLF or LF; it
//! matches headers case-insensitively and takes the profile name from "User name"), but it splits
//! each line on every comma and ignores quotes. A row whose user name or password contains a comma
//! (or a line break) therefore imports the wrong values: [`aws_cli_import_problem`] says when a CSV
//! is affected, so the UI can offer [`save_profile`] instead. Rows without an access key make a
//! plain `aws configure import` fail (it needs `--skip-invalid`); that is reported too.
//!
//! # Symbolic links
//!
//! [`write_new_file`] refuses any link at the path (it is "already there"). [`save_profile`]
//! follows a credentials file that is a link (dotfiles repositories often link
//! `~/.aws/credentials`): it rewrites the file the link points to, in that file's folder, and the
//! link stays as it was. A link to nothing is refused with the target named.
//!
//! The file is long (about 1,200 lines) because half of it is the unit tests of the CSV and INI
//! edge cases; the code is the three exports and the INI merge they share.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use zeroize::{Zeroize, Zeroizing};

use crate::protocol::CreatedUser;
use crate::secret::Secret;

pub mod replace;

/// The console's header for the credentials CSV.
pub const CSV_HEADER: &str =
    "User name,Password,Access key ID,Secret access key,Console login link";

/// Line end of the CSV (RFC 4180, as spreadsheets write it; `aws configure import` reads it).
const CSV_EOL: &str = "\r\n";

/// Longest profile name accepted.
pub const MAX_PROFILE_NAME_CHARS: usize = 64;

/// The rule [`validate_profile_name`] enforces, as shown to the admin.
pub const PROFILE_NAME_RULE: &str = "a profile name is 1 to 64 characters: letters, digits and _ - . / % @ : + \
     (no spaces, brackets, # or ;), the characters the AWS SDKs accept";

/// One user's line in the credentials CSV.
#[derive(Clone, Copy)]
pub struct CsvRow<'a> {
    pub user: &'a str,
    pub password: Option<&'a str>,
    pub access_key_id: Option<&'a str>,
    pub secret_access_key: Option<&'a str>,
    pub console_url: &'a str,
}

/// One row per user of `users`, in their order, as the console's download has.
pub fn csv_rows(users: &[CreatedUser]) -> Vec<CsvRow<'_>> {
    users
        .iter()
        .map(|u| CsvRow {
            user: &u.name,
            password: u.password.as_ref().map(|p| p.expose()),
            access_key_id: u.access_key.as_ref().map(|k| k.id.as_str()),
            secret_access_key: u.access_key.as_ref().map(|k| k.secret.expose()),
            console_url: &u.sign_in_url,
        })
        .collect()
}

/// Redacted: a row holds a password and a secret access key.
impl fmt::Debug for CsvRow<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |v: Option<&str>| v.map(|_| crate::secret::REDACTED);
        f.debug_struct("CsvRow")
            .field("user", &self.user)
            .field("password", &redact(self.password))
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &redact(self.secret_access_key))
            .field("console_url", &self.console_url)
            .finish()
    }
}

/// What [`save_profile`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    /// The credentials file did not exist; it was created with this one profile.
    Created,
    /// The profile was added to an existing credentials file.
    Added,
    /// The profile existed and its section was replaced (the admin asked to overwrite).
    Replaced,
}

/// Why an export failed. Messages say what to do; none contains a secret (the variants hold only
/// paths, profile names and I/O errors).
#[derive(Debug)]
pub enum ExportError {
    /// Something (a file, folder or link) is already at this path.
    Exists(PathBuf),
    /// The folder to write into does not exist.
    NoParent(PathBuf),
    /// The profile is already in the credentials file and overwriting was not asked for.
    ProfileExists(String),
    /// No home folder could be found for `~/.aws/credentials`.
    NoHome,
    /// The profile name breaks [`PROFILE_NAME_RULE`]; the message says how.
    InvalidProfile(String),
    /// An access key ID or secret access key that cannot go into an INI file (empty, or with a
    /// line break). Names which one, never the value.
    InvalidKey(&'static str),
    /// The path is a folder or another non-file.
    NotAFile(PathBuf),
    /// The credentials file is a symbolic link to something that does not exist.
    BrokenSymlink { link: PathBuf, target: PathBuf },
    /// The existing credentials file is not UTF-8 text, so it is not rewritten.
    NotText(PathBuf),
    /// Another iamwiz run held the lock on this file for too long.
    Busy(PathBuf),
    /// The file changed every time it was about to be replaced.
    KeepsChanging(PathBuf),
    /// The rewritten file could not be given the owner of the file it replaces.
    CannotKeepOwner {
        uid: u32,
        gid: u32,
        source: io::Error,
    },
    /// Reading or writing `path` failed.
    Io { path: PathBuf, source: io::Error },
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Exists(path) => write!(
                f,
                "{} already exists: choose another name; iamwiz never overwrites a file",
                path.display()
            ),
            ExportError::NoParent(dir) => write!(
                f,
                "folder {} does not exist: create it first or choose another folder",
                dir.display()
            ),
            ExportError::ProfileExists(name) => write!(
                f,
                "profile [{name}] already exists in the credentials file: choose another profile \
                 name, or choose to replace it"
            ),
            ExportError::NoHome => f.write_str(
                "cannot find your home folder for ~/.aws/credentials: set HOME, or set \
                 AWS_SHARED_CREDENTIALS_FILE to the credentials file's path",
            ),
            ExportError::InvalidProfile(rule) => f.write_str(rule),
            ExportError::InvalidKey(which) => write!(
                f,
                "the {which} is empty or contains a line break, so it cannot be written to the \
                 credentials file"
            ),
            ExportError::NotAFile(path) => write!(
                f,
                "{} is not a regular file: choose a file path",
                path.display()
            ),
            ExportError::BrokenSymlink { link, target } => write!(
                f,
                "{} is a symbolic link to {}, which does not exist: fix or remove the link, or \
                 set AWS_SHARED_CREDENTIALS_FILE to another file",
                link.display(),
                target.display()
            ),
            ExportError::NotText(path) => write!(
                f,
                "{} is not UTF-8 text, so iamwiz does not rewrite it: fix the file or set \
                 AWS_SHARED_CREDENTIALS_FILE to another one",
                path.display()
            ),
            ExportError::Busy(lock) => write!(
                f,
                "another iamwiz is saving to the credentials file (it holds {}): try again once \
                 it is done",
                lock.display()
            ),
            ExportError::KeepsChanging(path) => write!(
                f,
                "{} changed each time iamwiz was about to save (another program is writing it): \
                 try again once it is done",
                path.display()
            ),
            ExportError::CannotKeepOwner { uid, gid, source } => write!(
                f,
                "the credentials file belongs to user {uid}, group {gid}, and the rewritten file \
                 could not be given that owner ({source}); nothing was changed: run iamwiz as \
                 that user"
            ),
            ExportError::Io { path, source } => {
                write!(f, "{}: {source}", path.display())?;
                match source.kind() {
                    io::ErrorKind::PermissionDenied => {
                        f.write_str(" (check the permissions of the file and its folder)")
                    }
                    io::ErrorKind::StorageFull => f.write_str(" (free some disk space)"),
                    io::ErrorKind::ReadOnlyFilesystem => {
                        f.write_str(" (the file system is read-only: choose another place)")
                    }
                    _ => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for ExportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExportError::Io { source, .. } | ExportError::CannotKeepOwner { source, .. } => {
                Some(source)
            }
            _ => None,
        }
    }
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

// ---------------------------------------------------------------------------------------------
// Building secret contents without stray copies
// ---------------------------------------------------------------------------------------------

/// Where [`build_secret`]'s emitter writes: first only counting bytes, then filling a buffer
/// allocated at exactly that size.
pub(crate) enum Out {
    Count(usize),
    Fill(String),
}

impl Out {
    pub(crate) fn push(&mut self, s: &str) {
        match self {
            Out::Count(n) => *n += s.len(),
            Out::Fill(buf) => buf.push_str(s),
        }
    }
}

/// Runs `emit` twice, once to measure and once to write, so the content is written into a single
/// allocation of its exact final size and moved into a [`Secret`] without reallocating
/// (`Secret::new` turns the `String` into a boxed `str`, which would reallocate — leaving an
/// unzeroed copy behind — if there were spare capacity).
pub(crate) fn build_secret(emit: impl Fn(&mut Out)) -> Secret {
    Secret::new(exact_string(emit))
}

/// What [`build_secret`] moves into the secret: a `String` whose capacity is its length.
pub(crate) fn exact_string(emit: impl Fn(&mut Out)) -> String {
    let mut count = Out::Count(0);
    emit(&mut count);
    let Out::Count(len) = count else {
        unreachable!("counting pass")
    };
    let mut out = Out::Fill(String::with_capacity(len));
    emit(&mut out);
    let Out::Fill(mut buf) = out else {
        unreachable!("filling pass")
    };
    if buf.capacity() != buf.len() {
        // Only if `emit` wrote something else the second time: copy to an exact buffer, wipe the
        // first.
        let mut exact = String::with_capacity(buf.len());
        exact.push_str(&buf);
        buf.zeroize();
        buf = exact;
    }
    buf
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

fn csv_needs_quotes(field: &str) -> bool {
    field.contains([',', '"', '\r', '\n'])
}

fn push_csv_field(out: &mut Out, field: &str) {
    if !csv_needs_quotes(field) {
        out.push(field);
        return;
    }
    out.push("\"");
    let mut parts = field.split('"');
    if let Some(first) = parts.next() {
        out.push(first);
    }
    for part in parts {
        out.push("\"\"");
        out.push(part);
    }
    out.push("\"");
}

/// The AWS console's credentials CSV: the header [`CSV_HEADER`], then one row per user, each line
/// ended by CRLF. Absent values are empty fields. A field is quoted (RFC 4180) when it contains a
/// comma, a quote or a line break, as a custom password may; see the module docs for what
/// `aws configure import` makes of such a row.
pub fn csv_content(rows: &[CsvRow]) -> Secret {
    build_secret(|out| {
        out.push(CSV_HEADER);
        out.push(CSV_EOL);
        for row in rows {
            let fields = [
                row.user,
                row.password.unwrap_or(""),
                row.access_key_id.unwrap_or(""),
                row.secret_access_key.unwrap_or(""),
                row.console_url,
            ];
            for (i, field) in fields.into_iter().enumerate() {
                if i > 0 {
                    out.push(",");
                }
                push_csv_field(out, field);
            }
            out.push(CSV_EOL);
        }
    })
}

/// Characters at which Python's `str.splitlines` (which `aws configure import` uses) ends a line.
fn python_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{0b}'
            | '\u{0c}'
            | '\u{1c}'
            | '\u{1d}'
            | '\u{1e}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Why `aws configure import --csv file://…` would not import this CSV as meant, or `None` if it
/// would. The AWS CLI splits each line at every comma (it ignores CSV quoting), so a user name or
/// password containing a comma or a line break shifts the columns and imports wrong keys; and a
/// row without an access key makes the whole import fail unless `--skip-invalid` is given. The
/// message names users, never a password.
pub fn aws_cli_import_problem(rows: &[CsvRow]) -> Option<String> {
    let breaks = |s: &str| s.contains(',') || s.chars().any(python_line_break);
    let mut shifted = Vec::new();
    let mut keyless = Vec::new();
    for row in rows {
        let has_key = row.access_key_id.is_some_and(|k| !k.is_empty())
            && row.secret_access_key.is_some_and(|k| !k.is_empty());
        if !has_key {
            keyless.push(row.user);
        } else if breaks(row.user) || row.password.is_some_and(breaks) {
            shifted.push(row.user);
        }
    }
    let mut problems = Vec::new();
    if !shifted.is_empty() {
        problems.push(format!(
            "`aws configure import` would read the wrong access key for {}: the AWS CLI splits \
             the CSV at every comma, and the user name or password contains a comma or a line \
             break; save the key to the credentials file from iamwiz instead",
            shifted.join(", ")
        ));
    }
    if !keyless.is_empty() {
        problems.push(format!(
            "{} {} no access key: `aws configure import` stops at such a row unless given \
             --skip-invalid",
            keyless.join(", "),
            if keyless.len() == 1 { "has" } else { "have" }
        ));
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

/// Default path offered for the CSV: `<dir>/<user>_credentials.csv` for one user (as the console
/// names it), `<dir>/credentials.csv` for several (or none).
/// The git work tree `dir` is in (the nearest folder above it, itself included, with a `.git`),
/// if any: a credentials file saved there can end up committed.
pub fn git_work_tree(dir: &Path) -> Option<PathBuf> {
    let dir = std::path::absolute(dir).ok()?;
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Where the wizard offers the CSV: the working folder, unless it is in a git work tree; then
/// `home`, if that is not in one too. Returns the folder and the work tree it avoided.
pub fn csv_dir_outside_git(cwd: PathBuf, home: Option<PathBuf>) -> (PathBuf, Option<PathBuf>) {
    let Some(repo) = git_work_tree(&cwd) else {
        return (cwd, None);
    };
    match home.filter(|h| git_work_tree(h).is_none()) {
        Some(home) => (home, Some(repo)),
        None => (cwd, Some(repo)),
    }
}

pub fn default_csv_path(dir: &Path, users: &[&str]) -> PathBuf {
    match users {
        [user] if !user.is_empty() => {
            // IAM user names cannot contain a path separator; make sure of it anyway.
            let safe: String = user
                .chars()
                .map(|c| {
                    if std::path::is_separator(c) || c == '\0' {
                        '_'
                    } else {
                        c
                    }
                })
                .collect();
            dir.join(format!("{safe}_credentials.csv"))
        }
        _ => dir.join("credentials.csv"),
    }
}

// ---------------------------------------------------------------------------------------------
// Writing a new file
// ---------------------------------------------------------------------------------------------

/// The folder `path` is in (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Opens a new file at `path` for writing: `O_CREAT|O_EXCL` (so it fails if anything, a symbolic
/// link included, is already there; the link is never followed) and mode 0600, set again on the
/// open file so the umask cannot change it.
pub(crate) fn create_exclusive(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = file.set_permissions(fs::Permissions::from_mode(0o600)) {
            drop(file);
            let _ = fs::remove_file(path);
            return Err(e);
        }
    }
    Ok(file)
}

/// Writes `content` to the new file `file` at `path` and flushes it to disk; on failure removes
/// the partial file.
pub(crate) fn fill_new_file(mut file: File, path: &Path, content: &Secret) -> io::Result<()> {
    let result = file
        .write_all(content.expose().as_bytes())
        .and_then(|()| file.sync_all());
    drop(file);
    if result.is_err() {
        let _ = fs::remove_file(path);
    }
    result
}

/// Creates `path` with mode 0600 and writes `content` to it. Never replaces anything already at
/// the path (a file, folder or symbolic link: [`ExportError::Exists`]) and never follows a link.
/// The folder must exist ([`ExportError::NoParent`]). If writing fails after the file was
/// created, the partial file is removed.
pub fn write_new_file(path: &Path, content: &Secret) -> Result<(), ExportError> {
    let parent = parent_dir(path);
    if !parent.is_dir() {
        return Err(ExportError::NoParent(parent.to_path_buf()));
    }
    let file = create_exclusive(path).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => ExportError::Exists(path.to_path_buf()),
        _ => io_error(path)(e),
    })?;
    fill_new_file(file, path, content).map_err(io_error(path))
}

// ---------------------------------------------------------------------------------------------
// The shared credentials file
// ---------------------------------------------------------------------------------------------

/// The shared credentials file the AWS CLI and SDKs read: `AWS_SHARED_CREDENTIALS_FILE` if set
/// (a leading `~/` is expanded), else `~/.aws/credentials`.
pub fn credentials_file_path() -> Result<PathBuf, ExportError> {
    let home = || directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    credentials_file_path_from(std::env::var_os("AWS_SHARED_CREDENTIALS_FILE"), home)
}

fn credentials_file_path_from(
    env: Option<std::ffi::OsString>,
    home: impl FnOnce() -> Option<PathBuf>,
) -> Result<PathBuf, ExportError> {
    match env.filter(|v| !v.is_empty()) {
        Some(value) => {
            let path = PathBuf::from(value);
            if path == Path::new("~") {
                return home().ok_or(ExportError::NoHome);
            }
            match path.strip_prefix("~") {
                Ok(rest) => Ok(home().ok_or(ExportError::NoHome)?.join(rest)),
                Err(_) => Ok(path),
            }
        }
        None => Ok(home()
            .ok_or(ExportError::NoHome)?
            .join(".aws")
            .join("credentials")),
    }
}

/// Checks a profile name: 1 to 64 characters, each a letter, digit or one of `_ - . / % @ : +`.
/// That excludes whitespace, `[`, `]`, `#`, `;` and line breaks (which would break the INI file),
/// and also `=` and `,`, which IAM allows in user names but the AWS SDK for Rust (iamwiz's own)
/// rejects in profile names. The error is [`PROFILE_NAME_RULE`] with what is wrong.
/// Whether `c` may appear in a profile name (see [`validate_profile_name`]).
pub fn is_profile_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-./%@:+".contains(c)
}

pub fn validate_profile_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("enter a profile name: {PROFILE_NAME_RULE}"));
    }
    if name.chars().count() > MAX_PROFILE_NAME_CHARS {
        return Err(format!(
            "profile name too long ({} characters): {PROFILE_NAME_RULE}",
            name.chars().count()
        ));
    }
    if let Some(bad) = name.chars().find(|&c| !is_profile_name_char(c)) {
        let shown = match bad {
            ' ' => "a space".to_string(),
            '\t' => "a tab".to_string(),
            '\n' | '\r' => "a line break".to_string(),
            c if c.is_control() || c.is_whitespace() => format!("U+{:04X}", c as u32),
            c => format!("'{c}'"),
        };
        return Err(format!(
            "profile name contains {shown}: {PROFILE_NAME_RULE}"
        ));
    }
    Ok(())
}

const INI_BLANKS: &[char] = &[' ', '\t'];

/// The section name if `line` (without its line end) is an INI section header: `[name]`, with
/// spaces or tabs allowed around it and inside the brackets (trimmed, as the AWS SDKs do) and a
/// `#` or `;` comment after it.
fn section_header(line: &str) -> Option<&str> {
    let line = line.trim_matches(INI_BLANKS);
    let inner = line.strip_prefix('[')?;
    let inner = match inner.find(['#', ';']) {
        Some(i) => &inner[..i],
        None => inner,
    };
    let inner = inner.trim_end_matches(INI_BLANKS).strip_suffix(']')?;
    Some(inner.trim_matches(INI_BLANKS))
}

/// A line's content without its `\n` or `\r\n`.
fn line_body(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// Whether `file_content` (an INI credentials file) has a section `[profile]`. Spaces inside the
/// brackets are ignored (`[ dev ]` is `dev`); commented-out headers do not count.
pub fn profile_exists(file_content: &str, profile: &str) -> bool {
    file_content
        .lines()
        .any(|line| section_header(line) == Some(profile))
}

/// Whether a line inside a section carries content (a property or a continuation) rather than
/// being blank or a comment.
fn is_content_line(body: &str) -> bool {
    let t = body.trim_matches(INI_BLANKS);
    !(t.is_empty() || t.starts_with(['#', ';']))
}

/// Byte ranges of each section named `profile`: from its header line to its last property line,
/// so blank lines and comments just before the next section (which usually describe that one)
/// are kept.
fn profile_sections(existing: &str, profile: &str) -> Vec<(usize, usize)> {
    let mut sections = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    let mut offset = 0;
    for line in existing.split_inclusive('\n') {
        let body = line_body(line);
        let end = offset + line.len();
        if let Some(name) = section_header(body) {
            if let Some(range) = current.take() {
                sections.push(range);
            }
            if name == profile {
                current = Some((offset, end));
            }
        } else if let Some((_, section_end)) = current.as_mut()
            && is_content_line(body)
        {
            *section_end = end;
        }
        offset = end;
    }
    sections.extend(current);
    sections
}

fn push_profile_section(
    out: &mut Out,
    profile: &str,
    access_key_id: &str,
    secret: &Secret,
    eol: &str,
) {
    out.push("[");
    out.push(profile);
    out.push("]");
    out.push(eol);
    out.push("aws_access_key_id = ");
    out.push(access_key_id);
    out.push(eol);
    out.push("aws_secret_access_key = ");
    out.push(secret.expose());
    out.push(eol);
}

/// The credentials file `existing` with `[profile]` holding these keys. Every byte of `existing`
/// is kept except, when the profile exists, that section's lines (header through its last
/// property), which are replaced by the new keys; if the profile appears in several sections the
/// first is replaced and the others removed, so no stale key can win. Otherwise the section is
/// appended, after a line end if `existing` does not end with one. New lines use the file's line
/// end (CRLF if its first line has one, else LF).
pub fn merge_profile(
    existing: &str,
    profile: &str,
    access_key_id: &str,
    secret: &Secret,
) -> Secret {
    let eol = match existing.find('\n') {
        Some(i) if existing[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    };
    let sections = profile_sections(existing, profile);
    build_secret(|out| {
        if sections.is_empty() {
            out.push(existing);
            if !existing.is_empty() && !existing.ends_with('\n') {
                out.push(eol);
            }
            push_profile_section(out, profile, access_key_id, secret, eol);
            return;
        }
        let mut kept_from = 0;
        for (i, &(start, end)) in sections.iter().enumerate() {
            out.push(&existing[kept_from..start]);
            if i == 0 {
                push_profile_section(out, profile, access_key_id, secret, eol);
            }
            kept_from = end;
        }
        out.push(&existing[kept_from..]);
    })
}

/// The file a credentials path leads to: the path itself, or for a symbolic link the file it
/// points to (which must exist).
fn resolve_credentials_path(path: &Path) -> Result<PathBuf, ExportError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => match fs::canonicalize(path) {
            Ok(real) => Ok(real),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(ExportError::BrokenSymlink {
                link: path.to_path_buf(),
                target: fs::read_link(path).unwrap_or_default(),
            }),
            Err(e) => Err(io_error(path)(e)),
        },
        Ok(_) => Ok(path.to_path_buf()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(path.to_path_buf()),
        Err(e) => Err(io_error(path)(e)),
    }
}

/// Reads an existing credentials file into memory that is zeroed when dropped (it holds other
/// profiles' secrets), with the metadata of what was read; `None` if there is no file.
pub(crate) fn read_existing(path: &Path) -> Result<Option<(Secret, fs::Metadata)>, ExportError> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path)(e)),
    };
    let meta = file.metadata().map_err(io_error(path))?;
    if !meta.is_file() {
        return Err(ExportError::NotAFile(path.to_path_buf()));
    }
    let size = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    // One spare byte so read_to_end sees the end of the file without growing the buffer.
    let mut bytes = Zeroizing::new(Vec::with_capacity(size.saturating_add(1)));
    file.read_to_end(&mut bytes).map_err(io_error(path))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| ExportError::NotText(path.to_path_buf()))?;
    Ok(Some((build_secret(|out| out.push(text)), meta)))
}

/// Creates the missing folders of `dir` with mode 0700 (the new ones only; existing folders are
/// left as they are).
pub(crate) fn create_private_dirs(dir: &Path) -> Result<(), ExportError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut missing = Vec::new();
    let mut cursor = Some(dir);
    while let Some(d) = cursor {
        if d.as_os_str().is_empty() || d.exists() {
            break;
        }
        missing.push(d);
        cursor = d.parent();
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(io_error(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The umask may have taken bits off; 0700 exactly.
        for d in missing {
            fs::set_permissions(d, fs::Permissions::from_mode(0o700)).map_err(io_error(d))?;
        }
    }
    #[cfg(not(unix))]
    let _ = missing;
    Ok(())
}

/// Saves the keys as `[profile]` in the credentials file at `path` (see
/// [`credentials_file_path`]). An existing profile is refused with
/// [`ExportError::ProfileExists`] unless `overwrite`, and then only its section is replaced
/// ([`merge_profile`]); every other byte of the file is kept. A missing folder is created with
/// mode 0700. The file is rewritten under a lock, re-read if another program changed it
/// meanwhile, and keeps its owner and mode (a new file is 0600): see [`replace`]. A symbolic link at `path` is followed: the file it points to is rewritten and
/// the link kept (a link to nothing is refused).
pub fn save_profile(
    path: &Path,
    profile: &str,
    access_key_id: &str,
    secret: &Secret,
    overwrite: bool,
) -> Result<SaveOutcome, ExportError> {
    validate_profile_name(profile).map_err(ExportError::InvalidProfile)?;
    let bad_value = |v: &str| v.is_empty() || v.contains(['\n', '\r']);
    if bad_value(access_key_id) {
        return Err(ExportError::InvalidKey("access key ID"));
    }
    if bad_value(secret.expose()) {
        return Err(ExportError::InvalidKey("secret access key"));
    }
    let target = resolve_credentials_path(path)?;
    replace::update_locked(&target, |existing| {
        let outcome = match existing {
            None => SaveOutcome::Created,
            Some(text) if profile_exists(text.expose(), profile) => {
                if !overwrite {
                    return Err(ExportError::ProfileExists(profile.to_string()));
                }
                SaveOutcome::Replaced
            }
            Some(_) => SaveOutcome::Added,
        };
        let current = existing.map(Secret::expose).unwrap_or("");
        Ok((
            merge_profile(current, profile, access_key_id, secret),
            outcome,
        ))
    })
}

// ---------------------------------------------------------------------------------------------
// Sign-in instructions
// ---------------------------------------------------------------------------------------------

/// Sign-in instructions to send to the new user, like the console's "Email sign-in
/// instructions": the console URL and user name, and a line saying the password comes
/// separately. Never contains the password.
pub fn sign_in_instructions(user: &str, console_url: &str) -> String {
    format!(
        "Hello,\n\
         \n\
         You now have access to the AWS Management Console.\n\
         \n\
         Console sign-in URL: {console_url}\n\
         User name: {user}\n\
         Password: sent to you separately. If the console asks, choose a new password when you \
         first sign in.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> Secret {
        Secret::new(s.to_string())
    }

    fn row<'a>(
        user: &'a str,
        password: Option<&'a str>,
        key: Option<(&'a str, &'a str)>,
    ) -> CsvRow<'a> {
        CsvRow {
            user,
            password,
            access_key_id: key.map(|k| k.0),
            secret_access_key: key.map(|k| k.1),
            console_url: "https://123456789012.signin.aws.amazon.com/console",
        }
    }

    const URL: &str = "https://123456789012.signin.aws.amazon.com/console";

    #[test]
    fn secret_contents_are_built_in_one_exact_allocation() {
        let emit = |out: &mut Out| {
            out.push("abc");
            out.push("");
            out.push("défg");
        };
        let s = exact_string(emit);
        assert_eq!(s, "abcdéfg");
        assert_eq!(
            s.capacity(),
            s.len(),
            "no spare capacity: Secret::new will not reallocate"
        );
        assert_eq!(build_secret(emit).expose(), "abcdéfg");
        let csv = exact_string(|out| {
            out.push(CSV_HEADER);
            out.push("\r\n");
        });
        assert_eq!(csv.capacity(), csv.len());
    }

    #[test]
    fn csv_header_and_one_row_per_user() {
        let csv = csv_content(&[
            row(
                "alice",
                Some("Pa55word!"),
                Some(("AKIAALICE", "alicesecret/+")),
            ),
            row("bob", None, Some(("AKIABOB", "bobsecret"))),
            row("carol", Some("only-a-password"), None),
        ]);
        let expected = format!(
            "{CSV_HEADER}\r\n\
             alice,Pa55word!,AKIAALICE,alicesecret/+,{URL}\r\n\
             bob,,AKIABOB,bobsecret,{URL}\r\n\
             carol,only-a-password,,,{URL}\r\n"
        );
        assert_eq!(csv.expose(), expected);
        assert_eq!(
            CSV_HEADER,
            "User name,Password,Access key ID,Secret access key,Console login link"
        );
    }

    #[test]
    fn csv_with_no_rows_is_the_header() {
        assert_eq!(csv_content(&[]).expose(), format!("{CSV_HEADER}\r\n"));
    }

    #[test]
    fn csv_quotes_a_password_with_comma_and_quote() {
        let csv = csv_content(&[row("dave", Some(r#"a,b"c""#), Some(("AKIAD", "s")))]);
        let line = csv.expose().lines().nth(1).unwrap();
        assert_eq!(line, format!(r#"dave,"a,b""c""",AKIAD,s,{URL}"#));
    }

    #[test]
    fn csv_quotes_only_fields_that_need_it() {
        let csv = csv_content(&[row("e,ve", Some("x\ny"), Some(("K", "s\"")))]);
        assert_eq!(
            csv.expose(),
            format!("{CSV_HEADER}\r\n\"e,ve\",\"x\ny\",K,\"s\"\"\",{URL}\r\n")
        );
        // A quote-only password: quoted, and the fields after it stay in their columns.
        let csv = csv_content(&[row("f", Some("q\"q"), None)]);
        assert!(csv.expose().ends_with(&format!("f,\"q\"\"q\",,,{URL}\r\n")));
    }

    #[test]
    fn csv_row_debug_redacts_secrets() {
        let r = row("alice", Some("hunter2"), Some(("AKIAALICE", "topsecret")));
        let shown = format!("{r:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("topsecret"),
            "{shown}"
        );
        assert!(shown.contains("AKIAALICE") && shown.contains("alice"));
    }

    #[test]
    fn aws_cli_import_problem_flags_commas_line_breaks_and_keyless_rows() {
        let key = Some(("AKIA", "s"));
        assert_eq!(
            aws_cli_import_problem(&[row("a", Some("ok\"pw"), key)]),
            None
        );
        assert_eq!(aws_cli_import_problem(&[row("a", None, key)]), None);
        let msg = aws_cli_import_problem(&[row("a", Some("x,y"), key)]).unwrap();
        assert!(msg.contains("wrong access key for a"), "{msg}");
        assert!(!msg.contains("x,y"));
        assert!(aws_cli_import_problem(&[row("a,b", None, key)]).is_some());
        assert!(aws_cli_import_problem(&[row("a", Some("x\u{85}y"), key)]).is_some());
        let msg =
            aws_cli_import_problem(&[row("a", None, key), row("b", Some("p"), None)]).unwrap();
        assert!(
            msg.contains("b has no access key") && msg.contains("--skip-invalid"),
            "{msg}"
        );
        // A password-only user whose password has a comma: only the missing key matters.
        let msg = aws_cli_import_problem(&[row("c", Some("x,y"), None)]).unwrap();
        assert!(!msg.contains("wrong access key"), "{msg}");
    }

    #[test]
    fn a_working_folder_in_a_git_work_tree_is_not_where_the_csv_is_offered() {
        let top = tempfile::tempdir().unwrap();
        let repo = top.path().join("repo");
        let deep = repo.join("src/deep");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir(repo.join(".git")).unwrap();
        let home = top.path().join("home");
        std::fs::create_dir(&home).unwrap();
        assert_eq!(git_work_tree(&deep), Some(repo.clone()));
        assert_eq!(git_work_tree(&home), None);
        assert_eq!(
            csv_dir_outside_git(deep.clone(), Some(home.clone())),
            (home.clone(), Some(repo.clone()))
        );
        // Outside a work tree, the working folder; a HOME in a work tree is no better.
        assert_eq!(
            csv_dir_outside_git(home.clone(), Some(deep.clone())),
            (home, None)
        );
        assert_eq!(
            csv_dir_outside_git(deep.clone(), Some(repo.clone())),
            (deep, Some(repo))
        );
    }

    #[test]
    fn default_csv_paths() {
        let dir = Path::new("/home/admin");
        assert_eq!(
            default_csv_path(dir, &["deploy-bot"]),
            Path::new("/home/admin/deploy-bot_credentials.csv")
        );
        assert_eq!(
            default_csv_path(dir, &["a", "b"]),
            Path::new("/home/admin/credentials.csv")
        );
        assert_eq!(
            default_csv_path(dir, &[]),
            Path::new("/home/admin/credentials.csv")
        );
        assert_eq!(
            default_csv_path(dir, &["../x"]),
            Path::new("/home/admin/.._x_credentials.csv")
        );
    }

    #[test]
    fn credentials_path_from_env_and_home() {
        let home = || Some(PathBuf::from("/home/admin"));
        let no_home = || None;
        assert_eq!(
            credentials_file_path_from(None, home).unwrap(),
            Path::new("/home/admin/.aws/credentials")
        );
        assert_eq!(
            credentials_file_path_from(Some("".into()), home).unwrap(),
            Path::new("/home/admin/.aws/credentials")
        );
        assert_eq!(
            credentials_file_path_from(Some("/etc/aws/creds".into()), no_home).unwrap(),
            Path::new("/etc/aws/creds")
        );
        assert_eq!(
            credentials_file_path_from(Some("~/x/creds".into()), home).unwrap(),
            Path::new("/home/admin/x/creds")
        );
        assert_eq!(
            credentials_file_path_from(Some("~other/creds".into()), home).unwrap(),
            Path::new("~other/creds")
        );
        assert!(matches!(
            credentials_file_path_from(None, no_home),
            Err(ExportError::NoHome)
        ));
        assert!(matches!(
            credentials_file_path_from(Some("~/creds".into()), no_home),
            Err(ExportError::NoHome)
        ));
    }

    #[test]
    fn profile_name_rules() {
        for ok in [
            "default",
            "deploy-bot",
            "a",
            "x.y_z/1%2@3:4+5",
            &"p".repeat(64),
        ] {
            assert_eq!(validate_profile_name(ok), Ok(()), "{ok}");
        }
        let long = "p".repeat(65);
        for (bad, says) in [
            ("", "enter a profile name"),
            (long.as_str(), "too long (65 characters)"),
            ("a b", "a space"),
            ("a\tb", "a tab"),
            ("a\nb", "a line break"),
            ("[a]", "'['"),
            ("a]", "']'"),
            ("a#b", "'#'"),
            ("a;b", "';'"),
            ("a=b", "'='"),
            ("a,b", "','"),
            ("é", "'é'"),
            ("a\u{a0}b", "U+00A0"),
        ] {
            let err = validate_profile_name(bad).unwrap_err();
            assert!(err.contains(says), "{bad:?}: {err}");
            assert!(err.contains(PROFILE_NAME_RULE), "{err}");
        }
    }

    #[test]
    fn profile_exists_edge_cases() {
        let file = "\
# [commented]\n\
; [also-commented]\n\
[default]\n\
aws_access_key_id = A\n\
[ spaced ]\n\
\t[tabbed]\t\n\
[with-comment] # note\n\
[profile prefixed]\n\
[crlf]\r\n\
[unterminated\n\
x = [not-a-header]\n\
[last]";
        for yes in [
            "default",
            "spaced",
            "tabbed",
            "with-comment",
            "profile prefixed",
            "crlf",
            "last",
        ] {
            assert!(profile_exists(file, yes), "{yes}");
        }
        for no in [
            "commented",
            "also-commented",
            "prefixed",
            "unterminated",
            "not-a-header",
            "defaul",
            "Default",
            "",
        ] {
            assert!(!profile_exists(file, no), "{no}");
        }
        assert!(!profile_exists("", "default"));
    }

    const NEW: &str = "[dev]\naws_access_key_id = AKIANEW\naws_secret_access_key = new/secret\n";

    fn merge(existing: &str, profile: &str) -> String {
        merge_profile(existing, profile, "AKIANEW", &secret("new/secret"))
            .expose()
            .to_string()
    }

    #[test]
    fn merge_into_empty_file() {
        assert_eq!(merge("", "dev"), NEW);
    }

    #[test]
    fn merge_appends_keeping_every_byte() {
        let existing = "# my creds\n; old style comment\n\n[default]\naws_access_key_id = A\n\
                        aws_secret_access_key = B # not a comment for botocore\n\n[prod]\nx=1\n";
        assert_eq!(merge(existing, "dev"), format!("{existing}{NEW}"));
    }

    #[test]
    fn merge_appends_after_a_missing_final_newline() {
        let existing = "[default]\naws_access_key_id = A";
        assert_eq!(merge(existing, "dev"), format!("{existing}\n{NEW}"));
    }

    #[test]
    fn merge_keeps_crlf_and_writes_crlf() {
        let existing = "[default]\r\naws_access_key_id = A\r\n";
        assert_eq!(
            merge(existing, "dev"),
            format!("{existing}{}", NEW.replace('\n', "\r\n"))
        );
        let existing = "[default]\r\naws_access_key_id = A";
        assert_eq!(
            merge(existing, "dev"),
            format!("{existing}\r\n{}", NEW.replace('\n', "\r\n"))
        );
    }

    #[test]
    fn merge_replaces_only_the_profile_in_the_middle() {
        let before = "# header comment\r\n[default]\r\naws_access_key_id = A\r\n\r\n";
        let section = "[ dev ]\r\naws_access_key_id = OLD\r\n# a comment inside\r\n\
                       aws_session_token = stale\r\n";
        let after = "\r\n; about prod\r\n[prod]\r\naws_access_key_id = P\r\nno newline";
        let merged = merge(&format!("{before}{section}{after}"), "dev");
        assert_eq!(
            merged,
            format!("{before}{}{after}", NEW.replace('\n', "\r\n"))
        );
    }

    #[test]
    fn merge_replaces_a_last_section_without_final_newline() {
        let before = "[default]\nk = v\n\n";
        let merged = merge(&format!("{before}[dev]\naws_access_key_id = OLD"), "dev");
        assert_eq!(merged, format!("{before}{NEW}"));
    }

    #[test]
    fn merge_removes_duplicate_sections_of_the_profile() {
        let existing = "[dev]\nk = 1\n[a]\nx = 1\n[dev]\nk = 2\n\n# tail\n";
        assert_eq!(
            merge(existing, "dev"),
            format!("{NEW}[a]\nx = 1\n\n# tail\n")
        );
    }

    #[test]
    fn merge_ignores_commented_headers_and_lookalikes() {
        let existing = "# [dev]\n[profile dev]\nk = v\n[dev2]\nk = v\n";
        assert_eq!(merge(existing, "dev"), format!("{existing}{NEW}"));
    }

    #[test]
    fn sign_in_instructions_never_hold_a_password() {
        let text = sign_in_instructions("deploy-bot", URL);
        assert!(text.contains("User name: deploy-bot"));
        assert!(text.contains(&format!("Console sign-in URL: {URL}")));
        assert!(text.contains("sent to you separately"));
    }

    #[test]
    fn errors_say_what_to_do() {
        let e = ExportError::Exists(PathBuf::from("/tmp/x.csv"));
        assert_eq!(
            e.to_string(),
            "/tmp/x.csv already exists: choose another name; iamwiz never overwrites a file"
        );
        let e = ExportError::ProfileExists("dev".into());
        assert!(e.to_string().contains("profile [dev] already exists"));
        let e = ExportError::Io {
            path: PathBuf::from("/x"),
            source: io::Error::from(io::ErrorKind::PermissionDenied),
        };
        assert!(e.to_string().contains("check the permissions"), "{e}");
    }
}
