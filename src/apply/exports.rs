//! Where `iamwiz apply` puts the secrets: the export choice checked against the plan before
//! anything is asked of AWS (secrets need somewhere to go; `--csv` must not exist; profiles must
//! be new; age recipients must parse), and the exports written once the users exist.
//!
//! With `--age-recipient` or `--age-recipients-file` the CSV is encrypted to them
//! ([`export::age`]): into `--csv FILE` when given, else into a new `<user>_credentials.csv.age`
//! (`credentials.csv.age` for several users) in the working folder.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::cli::ApplyArgs;
use crate::export;
use crate::export::age::{AgeExport, default_age_path, recipients_from_flags};
use crate::planfile::Plan;
use crate::protocol::CreatedUser;

/// Where the secrets go, checked before anything is created.
#[derive(Debug, Default)]
pub(super) struct Exports {
    pub(super) csv: Option<PathBuf>,
    /// The CSV encrypted with age, and the new file it goes to.
    pub(super) age: Option<(PathBuf, AgeExport)>,
    /// The credentials file and, per user (in plan order), the profile to save its key as.
    pub(super) profiles: Option<(PathBuf, Vec<String>)>,
    pub(super) stdout: bool,
}

/// The profile names `--profile-out NAME` gives: `NAME` for one user, `NAME-<user>` for several.
pub fn profile_names(name: &str, users: &[String]) -> Vec<String> {
    match users {
        [_] => vec![name.to_string()],
        many => many.iter().map(|u| format!("{name}-{u}")).collect(),
    }
}

/// Checks the export flags against the plan (when it could be read): every problem, or where
/// the secrets will go.
pub(super) fn check_exports(plan: Option<&Plan>, args: &ApplyArgs) -> Result<Exports, Vec<String>> {
    let mut problems = Vec::new();
    let mut exports = Exports {
        stdout: args.secrets_stdout,
        ..Exports::default()
    };
    let age = recipients_from_flags(&args.age_recipient, &args.age_recipients_file, args.armor)
        .unwrap_or_else(|lines| {
            problems.extend(lines);
            None
        });
    let encrypted = !args.age_recipient.is_empty() || !args.age_recipients_file.is_empty();
    if let Some(plan) = plan {
        let secrets = plan.access_key || plan.console_password.is_some();
        let named =
            args.csv.is_some() || args.profile_out.is_some() || args.secrets_stdout || encrypted;
        if secrets && !named && !args.dry_run {
            problems.push(
                "--csv, --profile-out, --secrets-stdout: none given, but the plan creates secrets \
                 (an access key or a console password) that can be read only once; name where \
                 they go, for example --csv new-users.csv, or --age-recipient with their \
                 owner's public key"
                    .to_string(),
            );
        }
        if plan.console_password.is_some()
            && args.profile_out.is_some()
            && args.csv.is_none()
            && !encrypted
            && !args.secrets_stdout
            && !args.dry_run
        {
            problems.push(
                "--profile-out: a profile holds only the access key, and the plan also creates \
                 console passwords that would be lost; add --csv FILE or --secrets-stdout"
                    .to_string(),
            );
        }
        if args.profile_out.is_some() && !plan.access_key {
            problems.push(
                "--profile-out: the plan creates no access key to save as a profile; set \
                 \"access_key\": true, or use --csv for the console password"
                    .to_string(),
            );
        }
    }
    if args.secrets_stdout && !args.secrets_to_terminal && std::io::stdout().is_terminal() {
        problems.push(
            "--secrets-stdout: stdout is a terminal, where the secrets would stay in the \
             scrollback (and any recording of the session); pipe or redirect it (for example \
             > new-users.csv), or add --secrets-to-terminal to print them here anyway"
                .to_string(),
        );
    }
    if let Some(path) = &args.csv {
        check_new_file("--csv", path, &mut problems);
        if !encrypted {
            exports.csv = Some(path.clone());
        }
    }
    if let Some(age) = age {
        let path = match (&args.csv, plan) {
            (Some(csv), _) => Some(csv.clone()),
            (None, Some(plan)) => {
                let users: Vec<&str> = plan.users.iter().map(String::as_str).collect();
                let path = default_age_path(&users);
                check_new_file("--age-recipient (without --csv)", &path, &mut problems);
                Some(path)
            }
            // The plan could not be read: it is refused anyway.
            (None, None) => None,
        };
        exports.age = path.map(|p| (p, age));
    }
    if let (Some(name), Some(plan)) = (&args.profile_out, plan)
        && plan.access_key
    {
        let names = profile_names(name, &plan.users);
        for n in &names {
            if let Err(e) = export::validate_profile_name(n) {
                problems.push(format!("--profile-out: {n}: {e}"));
            }
        }
        match export::credentials_file_path() {
            Err(e) => problems.push(format!("--profile-out: {e}")),
            Ok(file) => {
                match std::fs::read_to_string(&file) {
                    Ok(content) => {
                        for n in names.iter().filter(|n| export::profile_exists(&content, n)) {
                            problems.push(format!(
                                "--profile-out: profile [{n}] already exists in {}; choose \
                                 another name (iamwiz apply never replaces a profile)",
                                file.display()
                            ));
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => problems.push(format!(
                        "--profile-out: cannot read {}: {e}",
                        file.display()
                    )),
                }
                exports.profiles = Some((file, names));
            }
        }
    }
    if problems.is_empty() {
        Ok(exports)
    } else {
        Err(problems)
    }
}

/// Adds a problem when `path` is already there or its folder is not.
fn check_new_file(flag: &str, path: &Path, problems: &mut Vec<String>) {
    if std::fs::symlink_metadata(path).is_ok() {
        problems.push(format!(
            "{flag}: {} already exists; iamwiz never writes over a file: choose a new name{}",
            path.display(),
            if flag == "--csv" {
                ""
            } else {
                " with --csv FILE"
            }
        ));
        return;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        problems.push(format!(
            "{flag}: folder {} does not exist: create it first or choose another folder",
            parent.display()
        ));
    }
}

/// Why the exports could not all be written, and the files already written.
pub(super) struct ExportFailure {
    pub(super) error: String,
    /// Files created before the failure.
    pub(super) written: Vec<PathBuf>,
    /// The profiles saved before the failure, one line each.
    pub(super) profiles_saved: Vec<String>,
}

/// Writes the secrets of `users` to every export named, in this order: the CSV file (plain or
/// encrypted), the profiles, stdout. Returns what was saved, one line each.
pub(super) fn write_exports(
    users: &[CreatedUser],
    exports: &Exports,
) -> Result<Vec<String>, ExportFailure> {
    let mut failure = ExportFailure {
        error: String::new(),
        written: Vec::new(),
        profiles_saved: Vec::new(),
    };
    let rows = export::csv_rows(users);
    let mut saved = Vec::new();
    if let Some(path) = &exports.csv {
        if let Err(e) = export::write_new_file(path, &export::csv_content(&rows)) {
            failure.error = format!("the CSV could not be written: {e}");
            return Err(failure);
        }
        failure.written.push(path.clone());
        saved.push(format!("CSV file {} (mode 0600)", path.display()));
    }
    if let Some((path, age)) = &exports.age {
        let content = export::csv_content(&rows);
        if let Err(e) = export::age::write_new_encrypted(path, &content, age) {
            failure.error = format!("the encrypted CSV could not be written: {e}");
            return Err(failure);
        }
        failure.written.push(path.clone());
        saved.push(format!(
            "CSV encrypted with age to {} in {} (mode 0600)",
            age.names(),
            path.display()
        ));
    }
    if let Some((file, names)) = &exports.profiles {
        for (user, profile) in users.iter().zip(names) {
            let Some(key) = &user.access_key else {
                continue;
            };
            if let Err(e) = export::save_profile(file, profile, &key.id, &key.secret, false) {
                failure.error = format!("profile [{profile}] could not be saved: {e}");
                return Err(failure);
            }
            let line = format!(
                "profile [{profile}] (user {}) in {}",
                user.name,
                file.display()
            );
            failure.profiles_saved.push(line.clone());
            saved.push(line);
        }
    }
    if exports.stdout {
        let content = export::csv_content(&rows);
        let mut out = std::io::stdout().lock();
        if let Err(e) = out
            .write_all(content.expose().as_bytes())
            .and_then(|()| out.flush())
        {
            failure.error = format!("the secrets could not be written to stdout: {e}");
            return Err(failure);
        }
        saved.push("the credentials CSV on stdout".to_string());
    }
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_for_one_and_several_users() {
        assert_eq!(profile_names("ci", &["alice".into()]), ["ci"]);
        assert_eq!(
            profile_names("ci", &["alice".into(), "bob".into()]),
            ["ci-alice", "ci-bob"]
        );
    }
}
