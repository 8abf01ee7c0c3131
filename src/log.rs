//! The optional log file (`--log`): what iamwiz asked AWS for and what came back, never a secret.
//!
//! Only iamwiz's own events are written, through types whose `Debug` output redacts every secret.
//! The AWS SDK's own logging is held at `warn`: at debug level it can print request bodies, and
//! `CreateLoginProfile`'s body carries the password.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use tracing_subscriber::EnvFilter;

/// What is logged: iamwiz at debug, everything else (the SDK, hyper, rustls) at warn.
pub const FILTER: &str = "warn,iamwiz=debug";

/// `<state dir>/iamwiz.log`: `$XDG_STATE_HOME/iamwiz` on Linux, the local data directory
/// elsewhere.
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "iamwiz")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("iamwiz.log"))
}

/// Opens (or creates, readable only by the admin) the log file for appending.
pub fn open(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Sends iamwiz's tracing events to `file` for the rest of the process.
pub fn init(file: File) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(FILTER))
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_target(false)
        .try_init();
}
