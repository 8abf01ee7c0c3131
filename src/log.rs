//! The optional log file (`--log`): what iamwiz asked AWS for and what came back, never a secret.
//!
//! Only iamwiz's own events are written, through types whose `Debug` output redacts every secret.
//! The AWS SDK's own logging is held at `warn`: at debug level it can print request bodies, and
//! `CreateLoginProfile`'s body carries the password.
//!
//! The file is the admin's alone: a missing folder is created with mode 0700, a symbolic link at
//! the path is refused rather than followed (another user could point it at a file of the
//! admin's), anything but a regular file is refused, and the file's mode is set to 0600 even
//! when it already existed with a wider one. Everything written is cleaned of terminal control
//! characters ([`crate::term_text`]): a log read with `cat` or `tail -f` is a terminal too.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use tracing_subscriber::EnvFilter;

use crate::term_text::CleanWriter;

/// What is logged: iamwiz at debug, everything else (the SDK, hyper, rustls) at warn.
pub const FILTER: &str = "warn,iamwiz=debug";

/// `<state dir>/iamwiz.log`: `$XDG_STATE_HOME/iamwiz` on Linux, the local data directory
/// elsewhere.
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "iamwiz")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("iamwiz.log"))
}

/// Opens (or creates) the log file for appending, readable only by the admin: missing folders
/// are created 0700, a symbolic link at `path` or a non-file is refused, and the mode is 0600
/// afterwards whatever it was.
pub fn open(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::export::profile::create_private_dirs(dir).map_err(io::Error::other)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // No link followed; a FIFO without a reader fails at once instead of blocking.
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        if e.raw_os_error() == Some(libc_eloop()) {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "it is a symbolic link, which iamwiz does not follow for its log: give the \
                 file's own path",
            )
        } else {
            e
        }
    })?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file: give a file path",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// The error `O_NOFOLLOW` gives for a link (ELOOP).
fn libc_eloop() -> i32 {
    #[cfg(unix)]
    {
        libc::ELOOP
    }
    #[cfg(not(unix))]
    {
        -1
    }
}

/// Sends iamwiz's tracing events to `file` for the rest of the process, cleaned of terminal
/// control characters.
pub fn init(file: File) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(FILTER))
        .with_writer(std::sync::Mutex::new(CleanWriter(file)))
        .with_ansi(false)
        .with_target(false)
        .try_init();
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_log_and_its_new_folders_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/iamwiz/iamwiz.log");
        drop(open(&path).unwrap());
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("state/iamwiz")), 0o700);
        assert_eq!(mode(&dir.path().join("state")), 0o700);
    }

    #[test]
    fn an_existing_folder_keeps_its_mode_and_only_the_new_ones_are_0700() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        std::fs::create_dir(&state).unwrap();
        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = state.join("iamwiz/iamwiz.log");
        drop(open(&path).unwrap());
        assert_eq!(mode(&state), 0o755);
        assert_eq!(mode(&state.join("iamwiz")), 0o700);
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn an_existing_log_readable_by_others_becomes_0600_and_keeps_its_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iamwiz.log");
        std::fs::write(&path, "earlier\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut file = open(&path).unwrap();
        io::Write::write_all(&mut file, b"later\n").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "earlier\nlater\n");
    }

    #[test]
    fn a_symbolic_link_at_the_log_path_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("victim");
        std::fs::write(&target, "theirs\n").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("iamwiz.log");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = open(&link).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "theirs\n");
        assert_eq!(mode(&target), 0o644);
    }

    #[test]
    fn a_fifo_at_the_log_path_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iamwiz.log");
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(open(&path).is_err());
    }
}
