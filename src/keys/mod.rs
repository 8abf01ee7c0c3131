//! `iamwiz keys`: a user's access keys without the wizard, for scripts and cron.
//!
//! - [`list`]: `iamwiz keys list [USER] [--json]`: every key with its status, age, last use and
//!   description (the console's user tag named after the key), never a secret.
//! - [`rotate`]: `iamwiz keys rotate USER …`: a new key, saved to the export named, proven to
//!   sign before the old key is deactivated or deleted; [`export`] checks and writes the
//!   export, [`proof`] waits for the new key to work, and `checks` holds its read-only checks.
//!
//! Output follows `iamwiz apply`: results on stdout, progress and errors on stderr (without
//! terminal control characters: AWS's messages and key descriptions are printed), and the exit
//! codes of [`exit`].

mod checks;
pub mod export;
pub mod list;
pub mod proof;
pub mod rotate;

use crate::aws::AwsSettings;
use crate::cli::KeysCommand;
use crate::protocol::AwsError;

/// The exit codes of `iamwiz keys`, in `iamwiz apply`'s style.
pub mod exit {
    /// Done: the keys were listed, or the key was rotated and proven.
    pub const DONE: i32 = 0;
    /// A flag or argument is wrong (clap's own code).
    pub const USAGE: i32 = 2;
    /// Refused before anything was changed: no such user, 2 keys without `--replace`, a key in
    /// use, an unsafe export, or AWS refused a read.
    pub const REFUSED: i32 = 3;
    /// The rotation failed and the new key was deleted again; the old key is as it was.
    pub const UNDONE: i32 = 4;
    /// The rotation failed and something is left half-done (listed, with the command that
    /// finishes it).
    pub const LEFT: i32 = 5;
    /// AWS could not be reached, or there are no usable credentials. Nothing was changed.
    pub const UNREACHABLE: i32 = 6;
}

use crate::aws::UNREACHABLE_CODES;

/// The exit code for an AWS error met before anything was changed.
fn refused_code(e: &AwsError) -> i32 {
    if UNREACHABLE_CODES.contains(&e.code.as_str()) {
        exit::UNREACHABLE
    } else {
        exit::REFUSED
    }
}

/// Now, in seconds since the Unix epoch.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Runs `iamwiz keys …` and returns its exit code (see [`exit`]).
pub async fn run(settings: AwsSettings, command: &KeysCommand) -> i32 {
    match command {
        KeysCommand::List(args) => list::run(&settings, args).await,
        KeysCommand::Rotate(args) => rotate::run(&settings, args).await,
    }
}
