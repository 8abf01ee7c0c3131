//! Where `iamwiz keys rotate` puts the new secret: exactly one export, checked before anything
//! is made (`--csv` must not exist and its folder must; the profile must be new and valid;
//! stdout must not be a terminal unless the admin says so), and written the way `iamwiz apply`
//! writes its exports ([`crate::export`]: a new 0600 file, never over anything; a new profile
//! through the locked rewrite of the credentials file; the CSV on stdout). With
//! `--age-recipient` or `--age-recipients-file` the CSV is encrypted to them ([`export::age`]),
//! into `--csv FILE` or else a new `<user>_credentials.csv.age` in the working folder.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::cli::KeysRotateArgs;
use crate::export::age::{AgeExport, default_age_path, recipients_from_flags};
use crate::export::{self, CsvRow};
use crate::protocol::AccessKeyPair;

/// The one export the admin named, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Export {
    Csv(PathBuf),
    /// The CSV encrypted with age, in this new file.
    Age(PathBuf, AgeExport),
    /// The credentials file and the profile to add to it.
    Profile(PathBuf, String),
    Stdout,
}

/// What was saved, and what to remove if the key it holds is deleted again.
pub struct Saved {
    /// One line for the admin: where the secret is.
    pub line: String,
    /// A file holding only this key, to remove if the key is deleted.
    pub file: Option<PathBuf>,
}

/// Checks the export flags: every problem, or the export.
pub fn check(args: &KeysRotateArgs) -> Result<Export, Vec<String>> {
    let mut problems = Vec::new();
    let encrypted = !args.age_recipient.is_empty() || !args.age_recipients_file.is_empty();
    let export = if encrypted {
        let age = recipients_from_flags(&args.age_recipient, &args.age_recipients_file, args.armor)
            .unwrap_or_else(|lines| {
                problems.extend(lines);
                None
            });
        let path = match &args.csv {
            Some(path) => {
                check_new_file("--csv", path, &mut problems);
                path.clone()
            }
            None => {
                let path = default_age_path(&[&args.user]);
                check_new_file("--age-recipient (without --csv)", &path, &mut problems);
                path
            }
        };
        match age {
            Some(age) => Export::Age(path, age),
            // Refused: the recipients' problems are listed.
            None => Export::Csv(path),
        }
    } else if let Some(path) = &args.csv {
        check_new_file("--csv", path, &mut problems);
        Export::Csv(path.clone())
    } else if let Some(name) = &args.profile_out {
        if let Err(e) = export::validate_profile_name(name) {
            problems.push(format!("--profile-out: {name}: {e}"));
        }
        match export::credentials_file_path() {
            Err(e) => {
                problems.push(format!("--profile-out: {e}"));
                Export::Profile(PathBuf::new(), name.clone())
            }
            Ok(file) => {
                match std::fs::read_to_string(&file) {
                    Ok(content) if export::profile_exists(&content, name) => {
                        problems.push(format!(
                            "--profile-out: profile [{name}] already exists in {}; choose \
                             another name (iamwiz keys rotate never replaces a profile)",
                            file.display()
                        ));
                    }
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => problems.push(format!(
                        "--profile-out: cannot read {}: {e}",
                        file.display()
                    )),
                }
                Export::Profile(file, name.clone())
            }
        }
    } else {
        if !args.secrets_to_terminal && std::io::stdout().is_terminal() {
            problems.push(
                "--secrets-stdout: stdout is a terminal, where the secret would stay in the \
                 scrollback; pipe or redirect it (for example > new-key.csv), or add \
                 --secrets-to-terminal to print it here anyway"
                    .to_string(),
            );
        }
        Export::Stdout
    };
    if problems.is_empty() {
        Ok(export)
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
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        problems.push(format!(
            "{flag}: folder {} does not exist: create it first or choose another folder",
            parent.display()
        ));
    }
}

/// Writes `user`'s new `key` to `export`. The CSV is the console's, with this one row (and no
/// console link): `aws configure import` makes a profile named after the user from it.
pub fn write(export: &Export, user: &str, key: &AccessKeyPair) -> Result<Saved, String> {
    let rows = [CsvRow {
        user,
        password: None,
        access_key_id: Some(&key.id),
        secret_access_key: Some(key.secret.expose()),
        console_url: "",
    }];
    match export {
        Export::Csv(path) => {
            let content = export::csv_content(&rows);
            export::write_new_file(path, &content)
                .map_err(|e| format!("the CSV could not be written: {e}"))?;
            Ok(Saved {
                line: format!("CSV file {} (mode 0600)", path.display()),
                file: Some(path.clone()),
            })
        }
        Export::Age(path, age) => {
            let content = export::csv_content(&rows);
            export::age::write_new_encrypted(path, &content, age)
                .map_err(|e| format!("the encrypted CSV could not be written: {e}"))?;
            Ok(Saved {
                line: format!(
                    "CSV encrypted with age to {} in {} (mode 0600)",
                    age.names(),
                    path.display()
                ),
                file: Some(path.clone()),
            })
        }
        Export::Profile(file, name) => {
            export::save_profile(file, name, &key.id, &key.secret, false)
                .map_err(|e| format!("profile [{name}] could not be saved: {e}"))?;
            Ok(Saved {
                line: format!("profile [{name}] in {}", file.display()),
                file: None,
            })
        }
        Export::Stdout => {
            let content = export::csv_content(&rows);
            let mut out = std::io::stdout().lock();
            out.write_all(content.expose().as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| format!("the secret could not be written to stdout: {e}"))?;
            Ok(Saved {
                line: "the credentials CSV on stdout".to_string(),
                file: None,
            })
        }
    }
}

/// The git work tree holding `dir` (the current folder when `None`), if any: a CSV there could
/// be committed.
pub fn in_git_work_tree(dir: Option<&Path>) -> Option<PathBuf> {
    export::git_work_tree(dir.unwrap_or(Path::new(".")))
}
