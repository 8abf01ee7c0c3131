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
//! File contents that hold secrets are built in a [`Secret`](crate::secret::Secret) whose buffer
//! is allocated once at its exact final size ([`content`]), so no copy is left behind in freed
//! memory by a reallocation and the content is zeroed when dropped. Nothing here logs or formats
//! a secret.
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
//! The pieces: [`age`] (the CSV encrypted to its owner), [`csv`] (the CSV and what `aws configure import` makes of it), [`profile`] (the
//! shared credentials file: its path, profile names, saving a profile) with [`ini`] (reading and
//! merging its sections) and [`replace`] (rewriting it under a lock), [`new_file`] (creating a new
//! file, never over anything), [`content`] (building secret contents in one exact allocation),
//! [`git`] (keeping the CSV out of git work trees) and [`instructions`] (sign-in instructions).
//! The error every export returns, [`ExportError`], is here.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

pub mod age;
pub mod content;
pub mod csv;
pub mod git;
pub mod handover;
pub mod ini;
pub mod instructions;
pub mod new_file;
pub mod profile;
pub mod replace;

pub(crate) use content::{Out, exact_string};
pub use csv::{
    CSV_HEADER, CsvRow, aws_cli_import_problem, csv_content, csv_rows, default_csv_path,
};
pub use git::{csv_dir_outside_git, git_work_tree};
pub use ini::{merge_profile, profile_exists};
pub use instructions::sign_in_instructions;
pub use new_file::{write_new_file, write_new_text};
pub use profile::{
    MAX_PROFILE_NAME_CHARS, PROFILE_NAME_RULE, SaveOutcome, credentials_file_path,
    is_profile_name_char, profile_holding, remove_profile, save_profile, validate_profile_name,
};

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

#[cfg(test)]
mod tests {
    use super::*;

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
