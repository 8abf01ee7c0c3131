//! The credentials CSV, as the AWS console's "Download .csv" writes it, and what the AWS CLI's
//! `aws configure import` would make of it (see the [module docs](super) for the format and the
//! CLI's quirks), and the file name the wizard offers for it.

use std::fmt;
use std::path::{Path, PathBuf};

use super::content::{Out, build_secret};
use crate::protocol::CreatedUser;
use crate::secret::Secret;

/// The console's header for the credentials CSV.
pub const CSV_HEADER: &str =
    "User name,Password,Access key ID,Secret access key,Console login link";

/// Line end of the CSV (RFC 4180, as spreadsheets write it; `aws configure import` reads it).
const CSV_EOL: &str = "\r\n";

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
