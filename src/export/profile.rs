//! Saving a profile to the shared credentials file the AWS CLI and SDKs read: where the file is,
//! the rule on profile names, and [`save_profile`], which follows a symbolic link, creates a
//! missing folder privately and rewrites the file under a lock ([`super::replace`]).

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::content::build_secret;
use super::ini::{merge_profile, profile_exists};
use super::{ExportError, io_error, replace};
use crate::secret::Secret;

/// Longest profile name accepted.
pub const MAX_PROFILE_NAME_CHARS: usize = 64;

/// The rule [`validate_profile_name`] enforces, as shown to the admin.
pub const PROFILE_NAME_RULE: &str = "a profile name is 1 to 64 characters: letters, digits and _ - . / % @ : + \
     (no spaces, brackets, # or ;), the characters the AWS SDKs accept";

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

/// The profile of the admin's credentials file that holds the access key `key_id`, if the file
/// can be read and one does.
pub fn profile_holding(key_id: &str) -> Option<String> {
    let path = credentials_file_path().ok()?;
    let (content, _) = read_existing(&path).ok()??;
    super::ini::profile_with_key(content.expose(), key_id)
}

/// Whether `c` may appear in a profile name (see [`validate_profile_name`]).
pub fn is_profile_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-./%@:+".contains(c)
}

/// Checks a profile name: 1 to 64 characters, each a letter, digit or one of `_ - . / % @ : +`.
/// That excludes whitespace, `[`, `]`, `#`, `;` and line breaks (which would break the INI file),
/// and also `=` and `,`, which IAM allows in user names but the AWS SDK for Rust (iamwiz's own)
/// rejects in profile names. The error is [`PROFILE_NAME_RULE`] with what is wrong.
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

/// Removes `[profile]` from the credentials file at `path` if it still holds `access_key_id` (a
/// key deleted again), under the same lock and checks as [`save_profile`]. `Ok(false)` when the
/// profile is not there or holds another key: then nothing is changed.
pub fn remove_profile(
    path: &Path,
    profile: &str,
    access_key_id: &str,
) -> Result<bool, ExportError> {
    let target = resolve_credentials_path(path)?;
    replace::update_locked(&target, |existing| {
        let current = existing.map(Secret::expose).unwrap_or("");
        Ok(
            match super::ini::without_profile(current, profile, access_key_id) {
                Some(content) => (content, true),
                // Rewritten as it was: the lock and checks stay the same either way.
                None => (super::content::build_secret(|out| out.push(current)), false),
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
