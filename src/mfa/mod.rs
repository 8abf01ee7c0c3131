//! `iamwiz mfa`: users' MFA devices without the wizard, for scripts and audits.
//!
//! - [`list`]: `iamwiz mfa list USER [--json]`: the MFA devices assigned to a user, with their
//!   kind and when they were enabled. Never a seed.
//!
//! Output follows `iamwiz keys`: results on stdout, errors on stderr (without terminal control
//! characters), and the exit codes of [`exit`].

pub mod list;

use crate::aws::{AwsSettings, UNREACHABLE_CODES};
use crate::cli::MfaCommand;
use crate::protocol::AwsError;

/// The exit codes of `iamwiz mfa`, as `iamwiz keys` has them.
pub mod exit {
    /// Done: the devices were listed.
    pub const DONE: i32 = 0;
    /// A flag or argument is wrong (clap's own code).
    pub const USAGE: i32 = 2;
    /// Refused: no such user, or AWS refused a read.
    pub const REFUSED: i32 = 3;
    /// AWS could not be reached, or there are no usable credentials.
    pub const UNREACHABLE: i32 = 6;
}

/// The exit code for an AWS error.
fn refused_code(e: &AwsError) -> i32 {
    if UNREACHABLE_CODES.contains(&e.code.as_str()) {
        exit::UNREACHABLE
    } else {
        exit::REFUSED
    }
}

/// Runs `iamwiz mfa …` and returns its exit code (see [`exit`]).
pub async fn run(settings: AwsSettings, command: &MfaCommand) -> i32 {
    match command {
        MfaCommand::List(args) => list::run(&settings, args).await,
    }
}
