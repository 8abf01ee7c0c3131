//! Command-line flags, and what they decide before anything runs: colour (`--color`,
//! `NO_COLOR`), and the conflicts clap cannot express.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::app::Options;
use crate::aws::AwsSettings;

/// What `--version` shows: a build that can crash on purpose (the `crash-test` feature, for the
/// panic tests) says so.
pub const VERSION: &str = if cfg!(feature = "crash-test") {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (crash-test build: honours IAMWIZ_CRASH_TEST)"
    )
} else {
    env!("CARGO_PKG_VERSION")
};

/// Create AWS IAM users safely, the way the AWS console does, in your terminal.
///
/// Credentials come from the AWS default chain: environment variables, the shared config and
/// credentials files (AWS_PROFILE or --profile), SSO, and instance or container roles.
#[derive(Debug, Parser)]
#[command(name = "iamwiz", version = VERSION)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Mode>,

    /// Named profile from ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, else
    /// "default").
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// AWS region for signing and the console URL (default: AWS_REGION or the profile's region;
    /// IAM itself is global).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Send every AWS request to this URL instead (default: AWS_ENDPOINT_URL). For LocalStack,
    /// moto or a VPC endpoint.
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Seconds a copied secret stays on the clipboard before iamwiz clears it.
    #[arg(long, global = true, value_name = "N", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub clipboard_seconds: u64,

    /// Seconds a creation (and, separately, its rollback or a discard) keeps waiting out AWS's
    /// throttling before it gives up: requests AWS refuses for their rate are sent again, more
    /// slowly, until then.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(10..=900))]
    pub timeout: u64,

    /// Write a log of what iamwiz asked AWS and what came back (never a secret) to the state
    /// directory (~/.local/state/iamwiz/iamwiz.log on Linux), or to --log-file.
    #[arg(long, global = true)]
    pub log: bool,

    /// Log to this file instead (implies --log). Created readable only by you.
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,

    /// Colour in the terminal UI, in help and in error reports: `auto` colours when stdout is a
    /// terminal and NO_COLOR is unset (or empty); `always` colours even with NO_COLOR set;
    /// `never` draws with bold, underline, reverse and symbols only.
    #[arg(long, global = true, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,

    /// Open the users wizard filled in from a plan file (JSON, see README: "Repeatable runs"),
    /// on Review: check it, change what you like, create. Not with `encryption` or `apply`.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
}

/// What the wizard sets up, or `apply` to create users from a plan file without the wizard.
#[derive(Clone, Debug, PartialEq, Eq, Subcommand)]
pub enum Mode {
    /// Create IAM users, the way the AWS console does (the default).
    Users,
    /// Guided service account for MongoDB Client-Side Field Level Encryption or Queryable
    /// Encryption: a symmetric KMS key, and an IAM user (or role) that may only encrypt and
    /// decrypt with it, checked against KMS, with the documents a MongoDB driver takes.
    Encryption,
    /// Create the users a plan file describes, without the wizard: the same checks, engine and
    /// rollback, progress on stderr, secrets only to the exports named.
    #[command(after_help = APPLY_AFTER_HELP)]
    Apply(ApplyArgs),
    /// A user's access keys. Without a subcommand (`iamwiz keys [USER]`): the terminal flow that
    /// shows them (age, last use, description) and activates, deactivates or deletes one. With
    /// `list` or `rotate`: without the wizard, for scripts and cron.
    Keys(KeysArgs),
    /// A user's MFA devices. Without a subcommand (`iamwiz mfa [USER]`): the terminal flow that
    /// shows them, deactivates or deletes one, and enrols a new virtual device with its QR code.
    /// With `list`: without the wizard, for scripts and audits.
    Mfa(MfaArgs),
    /// Print the shell completion script for SHELL to stdout. For example, bash:
    /// `source <(iamwiz completions bash)` in ~/.bashrc; zsh: `iamwiz completions zsh >
    /// ~/.zfunc/_iamwiz` (with ~/.zfunc in fpath); fish: `iamwiz completions fish >
    /// ~/.config/fish/completions/iamwiz.fish`.
    Completions(CompletionsArgs),
    /// Print a manual page (roff) to stdout: `iamwiz man | man -l -`, or save it as iamwiz.1 in
    /// a directory of MANPATH (for example ~/.local/share/man/man1/). `iamwiz man keys rotate`
    /// prints that command's page (iamwiz-keys-rotate.1).
    Man(ManArgs),
}

/// `iamwiz man [COMMAND…]`.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct ManArgs {
    /// The command whose page to print (default: iamwiz itself).
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// `iamwiz completions SHELL`.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL", value_enum)]
    pub shell: clap_complete::Shell,
}

/// When to colour (`--color`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when stdout is a terminal and NO_COLOR is unset or empty.
    #[default]
    Auto,
    /// Colour, even with NO_COLOR set or stdout not a terminal.
    Always,
    /// No colour.
    Never,
}

impl ColorWhen {
    /// Whether to colour, given NO_COLOR's value and whether stdout is a terminal
    /// (no-color.org: NO_COLOR set and not empty means no colour; `--color always` beats it).
    pub fn colour(self, no_color: Option<&OsStr>, stdout_is_terminal: bool) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => stdout_is_terminal && no_color.is_none_or(OsStr::is_empty),
        }
    }

    /// The `--color` of raw arguments, before clap parses them (so that help and usage errors
    /// are coloured as asked): the last `--color WHEN` or `--color=WHEN` before `--`; `Auto` if
    /// none, or if its value is not one clap takes (clap then says so).
    pub fn from_args(args: &[OsString]) -> ColorWhen {
        let mut when = ColorWhen::Auto;
        let mut it = args.iter().skip(1);
        while let Some(arg) = it.next() {
            let Some(arg) = arg.to_str() else { continue };
            let value = match arg {
                "--" => break,
                "--color" => it.next().and_then(|v| v.to_str()),
                _ => arg.strip_prefix("--color="),
            };
            if let Some(v) = value.and_then(|v| ColorWhen::from_str(v, false).ok()) {
                when = v;
            }
        }
        when
    }
}

/// `iamwiz apply --output`: what goes to stdout once the run ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Nothing beyond what the flags ask for (--secrets-stdout, --dry-run); progress on stderr.
    #[default]
    Text,
    /// One JSON document describing the run (see README: "apply --output json"). Never a secret.
    Json,
}

/// `iamwiz mfa [USER]`, or `iamwiz mfa list …`.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MfaArgs {
    #[command(subcommand)]
    pub command: Option<MfaCommand>,
    /// The user whose devices the flow opens on (default: choose from the account's users).
    #[arg(value_name = "USER")]
    pub user: Option<String>,
}

/// `iamwiz mfa …`.
#[derive(Clone, Debug, PartialEq, Eq, Subcommand)]
pub enum MfaCommand {
    /// The MFA devices of USER: serial number (a virtual device's ARN), kind (virtual, security
    /// key, hardware) and when it was enabled. Never a seed.
    List(MfaListArgs),
}

/// `iamwiz mfa list`'s arguments.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct MfaListArgs {
    /// The user whose MFA devices to list.
    #[arg(value_name = "USER")]
    pub user: String,

    /// Print JSON (an array of devices) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `iamwiz keys [USER]`, or `iamwiz keys list|rotate …`.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: Option<KeysCommand>,
    /// The user whose keys the flow opens on (default: choose from the account's users).
    #[arg(value_name = "USER")]
    pub user: Option<String>,
}

/// `iamwiz keys …`.
#[derive(Clone, Debug, PartialEq, Eq, Subcommand)]
pub enum KeysCommand {
    /// The access keys of USER, or of every user: status, created and age, last use (date,
    /// service, region) and description. Keys older than 90 days or never used are marked.
    /// Never a secret.
    List(KeysListArgs),
    /// Rotate USER's access key: make a new one, save its secret to the export named, prove it
    /// signs (sts:GetCallerIdentity, waiting while it propagates), and only then deactivate or
    /// delete the old one.
    #[command(after_help = ROTATE_AFTER_HELP)]
    Rotate(KeysRotateArgs),
}

/// What `iamwiz keys rotate --help` shows after the flags.
pub const ROTATE_AFTER_HELP: &str = "\
Before anything is made: the export is checked (--csv must not exist, the profile must be new), \
and a user with 2 keys (IAM's limit) is refused unless --replace names the key to delete first; \
an active key used in the last 7 days is deleted only with --replace-in-use. If the new key \
cannot be made, saved or proven, it is deleted again and the old key is left as it was.

Exit codes:
  0  rotated: the new key is saved and proven, the old one dealt with as asked
  2  usage error (a flag or argument is wrong)
  3  refused before anything was made (no such user, 2 keys, a key in use, an unsafe export)
  4  failed, and the new key was deleted again: the old key is as it was
  5  failed, and something is left half-done (listed on stderr with the command that fixes it)
  6  AWS unreachable, or no usable credentials; nothing was made";

/// `iamwiz keys list`'s arguments.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct KeysListArgs {
    /// The user whose keys to list (default: every user).
    #[arg(value_name = "USER")]
    pub user: Option<String>,

    /// Print JSON (an array of keys) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `iamwiz keys rotate`'s arguments.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
#[command(group(clap::ArgGroup::new("age").multiple(true).args(["age_recipient", "age_recipients_file"])))]
pub struct KeysRotateArgs {
    /// The user whose key to rotate.
    #[arg(value_name = "USER")]
    pub user: String,

    /// Save the new key as the AWS console's credentials CSV in this new file (mode 0600; an
    /// existing file is refused before anything is made).
    #[arg(long, value_name = "FILE", group = "export", required_unless_present_any = ["profile_out", "secrets_stdout", "age"])]
    pub csv: Option<PathBuf>,

    /// Save the new key as this new profile in the shared credentials file (~/.aws/credentials
    /// or AWS_SHARED_CREDENTIALS_FILE). An existing profile is refused before anything is made.
    #[arg(long, value_name = "NAME", group = "export")]
    pub profile_out: Option<String>,

    /// Print the new key to stdout, as the AWS console's credentials CSV. Refused when stdout
    /// is a terminal unless --secrets-to-terminal is given too.
    #[arg(long, group = "export")]
    pub secrets_stdout: bool,

    /// With --secrets-stdout: print the secret even though stdout is a terminal.
    #[arg(long, requires = "secrets_stdout")]
    pub secrets_to_terminal: bool,

    /// Encrypt the CSV with age to this recipient: an age recipient (age1…) or an SSH public
    /// key line (ssh-ed25519 … or ssh-rsa …). Repeat for several. It goes to --csv FILE, else to
    /// a new <user>_credentials.csv.age here.
    #[arg(long, value_name = "RECIPIENT", conflicts_with_all = ["profile_out", "secrets_stdout"])]
    pub age_recipient: Vec<String>,

    /// Encrypt the CSV with age to every recipient in this file (as `age -R` takes it: one a
    /// line, blank lines and # comments ignored). Repeatable.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["profile_out", "secrets_stdout"])]
    pub age_recipients_file: Vec<PathBuf>,

    /// With --age-recipient or --age-recipients-file: write ASCII text (-----BEGIN AGE
    /// ENCRYPTED FILE-----) instead of binary.
    #[arg(long, requires = "age")]
    pub armor: bool,

    /// Once the new key is proven, deactivate the old one (it can be activated again).
    #[arg(long, conflicts_with = "delete_old")]
    pub deactivate_old: bool,

    /// Once the new key is proven, delete the old one.
    #[arg(long)]
    pub delete_old: bool,

    /// When the user has 2 keys (IAM's limit): the key to delete before the new one is made.
    #[arg(long, value_name = "KEY_ID")]
    pub replace: Option<String>,

    /// With --replace: delete the key even though it is active and was used in the last 7 days
    /// (whatever uses it stops working).
    #[arg(long, requires = "replace")]
    pub replace_in_use: bool,

    /// The new key's description, stored as the console stores it (a user tag whose key is the
    /// access key ID; up to 256 letters, digits, spaces and _ . : / = + - @). Default: the old
    /// key's description, if it has one.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,

    /// How long to wait for the new key to work (AWS takes a few seconds to a minute).
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub prove_for: u64,
}

/// What `iamwiz apply --help` shows after the flags.
pub const APPLY_AFTER_HELP: &str = "\
Before anything is created, the plan is checked (every problem listed), then the account: the \
caller's identity, the password policy, every managed policy, group and the boundary exist, and \
no user name is taken. A failure during creation undoes everything made. Once the secrets are saved, each new access key is proven with sts:GetCallerIdentity (--no-proof skips it); a key that does not work is reported, never deleted, and the exit code stays 0.

Exit codes:
  0  created; the secrets are in the exports named
  2  usage error (a flag or argument is wrong)
  3  plan refused: invalid, the account checks failed, or the export choice is unsafe; nothing \
was created
  4  creation failed and everything made was undone
  5  creation failed and the rollback left something (listed on stderr with the commands that \
remove it)
  6  AWS unreachable, or no usable credentials; nothing was created";

/// `iamwiz apply`'s arguments.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
#[command(group(clap::ArgGroup::new("age").multiple(true).args(["age_recipient", "age_recipients_file"])))]
pub struct ApplyArgs {
    /// The plan file (JSON, see README: "Repeatable runs").
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,

    /// Save the secrets as the AWS console's credentials CSV in this new file (mode 0600; an
    /// existing file is refused before anything is created).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,

    /// Save each new access key as a profile in the shared credentials file (~/.aws/credentials
    /// or AWS_SHARED_CREDENTIALS_FILE): NAME for one user, NAME-<user> for each of several. An
    /// existing profile is refused before anything is created.
    #[arg(long, value_name = "NAME")]
    pub profile_out: Option<String>,

    /// Print the secrets to stdout, as the AWS console's credentials CSV. Refused when stdout is
    /// a terminal (the secrets would stay in its scrollback) unless --secrets-to-terminal is
    /// given too.
    #[arg(long)]
    pub secrets_stdout: bool,

    /// With --secrets-stdout: print the secrets even though stdout is a terminal.
    #[arg(long, requires = "secrets_stdout")]
    pub secrets_to_terminal: bool,

    /// Encrypt the credentials CSV with age to this recipient: an age recipient (age1…) or an
    /// SSH public key line (ssh-ed25519 … or ssh-rsa …). Repeat for several. The encrypted CSV
    /// goes to --csv FILE, else to a new <user>_credentials.csv.age (credentials.csv.age for
    /// several users) here. A recipient that does not parse is refused before anything is
    /// created.
    #[arg(long, value_name = "RECIPIENT")]
    pub age_recipient: Vec<String>,

    /// Encrypt the credentials CSV with age to every recipient in this file (as `age -R` takes
    /// it: one a line, blank lines and # comments ignored). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub age_recipients_file: Vec<PathBuf>,

    /// With --age-recipient or --age-recipients-file: write the encrypted file as ASCII text
    /// (-----BEGIN AGE ENCRYPTED FILE-----) instead of binary.
    #[arg(long, requires = "age")]
    pub armor: bool,

    /// Check the plan and print the equivalent AWS CLI commands, without calling AWS.
    #[arg(long)]
    pub dry_run: bool,

    /// Skip proving each new access key with sts:GetCallerIdentity after the secrets are saved
    /// (a key that does not work is reported, never deleted).
    #[arg(long)]
    pub no_proof: bool,

    /// `json`: once the run ends, print one JSON document on stdout: each user (name, ARN,
    /// access key ID, groups and policies), where the secrets were saved, the key proofs and
    /// the exit status. Never a secret. Not with --secrets-stdout or --dry-run, which own stdout.
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

impl Cli {
    /// The core's options; `csv_dir` is where the CSV export is offered.
    pub fn options(&self, csv_dir: PathBuf) -> Options {
        Options {
            clipboard_seconds: self.clipboard_seconds,
            csv_dir,
            csv_avoided_repo: None,
            flow: match &self.command {
                Some(Mode::Encryption) => crate::flows::Flow::Encryption,
                Some(Mode::Keys(_)) => crate::flows::Flow::Keys,
                Some(Mode::Mfa(_)) => crate::flows::Flow::Mfa,
                _ => crate::flows::Flow::Users,
            },
            user: match &self.command {
                Some(Mode::Keys(k)) => k.user.clone(),
                Some(Mode::Mfa(m)) => m.user.clone(),
                _ => None,
            },
            plan: None,
            run_timeout_secs: self.timeout,
            color: true,
        }
    }

    /// Why the flags cannot be used together, if they cannot: `--plan` opens the users wizard
    /// only.
    pub fn conflict(&self) -> Option<String> {
        if let Some(Mode::Apply(a)) = &self.command
            && a.output == Output::Json
        {
            if a.secrets_stdout {
                return Some(
                    "--output json prints the run's report on stdout, where --secrets-stdout \
                     prints the secrets: only one can own stdout. Save the secrets with --csv, \
                     --profile-out or --age-recipient, or leave out --output json"
                        .to_string(),
                );
            }
            if a.dry_run {
                return Some(
                    "--dry-run prints the AWS CLI commands on stdout and creates nothing: it \
                     has no report for --output json; leave out one of them"
                        .to_string(),
                );
            }
        }
        let with = match (&self.plan, &self.command) {
            (Some(_), Some(Mode::Encryption)) => "encryption",
            (Some(_), Some(Mode::Apply(_))) => "apply",
            (Some(_), Some(Mode::Keys(_))) => "keys",
            (Some(_), Some(Mode::Mfa(_))) => "mfa",
            _ => return None,
        };
        Some(format!(
            "--plan opens the users wizard and cannot be used with `{with}`; to create the users \
             of a plan without the wizard, run `iamwiz apply FILE`"
        ))
    }

    /// The log file to write, if logging was asked for.
    pub fn log_path(&self) -> Option<PathBuf> {
        self.log_file.clone().or_else(|| {
            if self.log {
                crate::log::default_path()
            } else {
                None
            }
        })
    }

    pub fn aws_settings(&self) -> AwsSettings {
        AwsSettings {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            credentials: None,
            interceptors: Vec::new(),
            timeouts: None,
            run_timeout: Some(std::time::Duration::from_secs(self.timeout)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_set_and_not_empty_turns_auto_off_and_always_beats_it() {
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        assert!(ColorWhen::Auto.colour(None, true));
        assert!(
            ColorWhen::Auto.colour(empty, true),
            "an empty NO_COLOR is unset"
        );
        assert!(!ColorWhen::Auto.colour(set, true));
        assert!(
            !ColorWhen::Auto.colour(None, false),
            "stdout not a terminal"
        );
        assert!(ColorWhen::Always.colour(set, false));
        assert!(!ColorWhen::Never.colour(None, true));
    }

    #[test]
    fn the_color_flag_is_found_before_clap_parses() {
        let args = |a: &[&str]| -> Vec<OsString> { a.iter().map(OsString::from).collect() };
        let when = |a: &[&str]| ColorWhen::from_args(&args(a));
        assert_eq!(when(&["iamwiz"]), ColorWhen::Auto);
        assert_eq!(
            when(&["iamwiz", "--color", "never", "apply"]),
            ColorWhen::Never
        );
        assert_eq!(
            when(&["iamwiz", "apply", "--color=always"]),
            ColorWhen::Always
        );
        assert_eq!(
            when(&["iamwiz", "--color", "never", "--color", "always"]),
            ColorWhen::Always,
            "the last one"
        );
        assert_eq!(when(&["iamwiz", "--color", "bogus"]), ColorWhen::Auto);
        assert_eq!(when(&["iamwiz", "--", "--color", "never"]), ColorWhen::Auto);
    }
}
