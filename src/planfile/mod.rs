//! Plan files: everything a creation needs except its secrets, as versioned JSON, so the same
//! users can be created again without the wizard (`iamwiz apply PLAN`), or in it with the choices
//! filled in (`iamwiz --plan PLAN`, [`to_draft`]). Review saves one ([`from_draft`]).
//!
//! ```json
//! {
//!   "version": 1,
//!   "users": ["alice", "bob"],
//!   "path": "/",
//!   "access_key": true,
//!   "access_key_use": "aws-compute",
//!   "access_key_description": "nightly backup job",
//!   "console_password": {"require_reset": true},
//!   "require_mfa": true,
//!   "groups": ["developers"],
//!   "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
//!   "inline_policies": [{"name": "s3-read", "document": {"Version": "2012-10-17", "Statement": []}}],
//!   "permissions_boundary": null,
//!   "tags": [{"key": "team", "value": "data"}]
//! }
//! ```
//!
//! `version` and `users` are required; every other field may be left out (the defaults are: path
//! `/`, no access key, no console password, no MFA required, no groups, policies, boundary or
//! tags). A plan never holds a secret: a console password is always generated to the account's
//! password policy. `require_mfa` (console password only) attaches the policy
//! `iamwiz-require-mfa`, found or created by the run.
//!
//! [`load`] reads a plan and checks it against every rule at once, so a refused plan lists all of
//! its problems, each with where it is (`users[2]`, `tags[0].key`). The rules are the wizard's own
//! ([`crate::flows::users::draft`], [`crate::flows::users::inline_policy`]).
//!
//! The pieces: [`parse`](mod@parse) reads a plan's structure and lists every problem with where it is,
//! [`rules`] checks the values against the wizard's rules, [`specs`] turns a valid plan into the
//! creation requests (`iamwiz apply`), and [`wizard`] goes between a plan and the wizard's draft.
//! The plan's types, its JSON and the writing of a new plan file are here.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::export::ExportError;

pub mod parse;
pub mod rules;
pub mod specs;
pub mod wizard;

pub use parse::{load, parse};
pub use rules::{check_policy_arn, validate};
pub use specs::{CHANGE_PASSWORD_POLICY, change_password_arn, effective_policies, to_specs};
pub use wizard::{check_for_wizard, from_draft, load_for_wizard, to_draft};

/// The plan format this iamwiz writes.
pub const VERSION: u32 = 1;

/// Every plan format this iamwiz reads.
pub const VERSIONS_UNDERSTOOD: &[u32] = &[1];

/// The fields of a plan, in the order they are written.
pub const FIELDS: &[&str] = &[
    "version",
    "users",
    "path",
    "access_key",
    "access_key_use",
    "access_key_description",
    "console_password",
    "require_mfa",
    "groups",
    "managed_policies",
    "inline_policies",
    "permissions_boundary",
    "tags",
];

/// A plan: the users to create and everything they share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub version: u32,
    /// The users to create (1 to 10), sharing every other choice.
    pub users: Vec<String>,
    #[serde(default = "root_path")]
    pub path: String,
    #[serde(default)]
    pub access_key: bool,
    /// What the access key is for, one of
    /// [`KeyUse`](crate::flows::users::key_use::KeyUse)'s plan names (`"cli"`, `"aws-compute"`…):
    /// shown with AWS's recommended alternative, stored nowhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_use: Option<String>,
    /// The access key's description, stored as the console stores it: a user tag whose key is
    /// the new access key ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_description: Option<String>,
    /// A console password, generated to the account's password policy; `null` for none.
    #[serde(default)]
    pub console_password: Option<ConsolePassword>,
    /// The users must sign in with MFA: they get the policy `iamwiz-require-mfa` (found, or
    /// created by the run). Only with a console password.
    #[serde(default, skip_serializing_if = "is_false")]
    pub require_mfa: bool,
    /// Group names.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Managed policy ARNs.
    #[serde(default)]
    pub managed_policies: Vec<String>,
    #[serde(default)]
    pub inline_policies: Vec<PlanInlinePolicy>,
    /// ARN of the managed policy used as the permissions boundary.
    #[serde(default)]
    pub permissions_boundary: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

fn root_path() -> String {
    "/".to_string()
}

fn yes() -> bool {
    true
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsolePassword {
    /// The user must choose a new password at first sign-in (the default).
    #[serde(default = "yes")]
    pub require_reset: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInlinePolicy {
    pub name: String,
    /// The policy document, as a JSON object (not a string holding JSON).
    pub document: Value,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

impl Default for Plan {
    fn default() -> Plan {
        Plan {
            version: VERSION,
            users: Vec::new(),
            path: root_path(),
            access_key: false,
            access_key_use: None,
            access_key_description: None,
            console_password: None,
            require_mfa: false,
            groups: Vec::new(),
            managed_policies: Vec::new(),
            inline_policies: Vec::new(),
            permissions_boundary: None,
            tags: Vec::new(),
        }
    }
}

/// One thing wrong with a plan: where it is (`users[2]`, `tags[0].key`, or `plan` for the file as
/// a whole) and what rule it breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub at: String,
    pub message: String,
}

impl Problem {
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            at: at.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// The plan as pretty-printed JSON (two-space indent, a final line end), as "save plan" writes
/// it. Every field is written, defaults included, so the file shows every choice.
pub fn to_json(plan: &Plan) -> String {
    let mut text = serde_json::to_string_pretty(plan).expect("a plan is always serializable");
    text.push('\n');
    text
}

/// The file name Review offers for a saved plan, in the working directory.
pub const DEFAULT_FILE_NAME: &str = "iamwiz-plan.json";

/// A plan read for the wizard (`iamwiz --plan FILE`), and the file it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub path: PathBuf,
    pub plan: Plan,
}

/// Writes a plan's `text` to the new file `path`, with the usual permissions for a file that
/// holds no secret (the one new-file writer, [`crate::export::write_new_text`]). Never replaces
/// anything already at the path ([`ExportError::Exists`]) and never follows a link; the folder
/// must exist ([`ExportError::NoParent`]). A file left half written by a failure is removed.
pub fn write_new(path: &Path, text: &str) -> Result<(), ExportError> {
    crate::export::write_new_text(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const FULL: &str = r#"{
  "version": 1,
  "users": ["alice", "bob"],
  "path": "/engineering/",
  "access_key": true,
  "console_password": {"require_reset": true},
  "groups": ["developers", "admins"],
  "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
  "inline_policies": [{"name": "s3-read", "document": {"Version": "2012-10-17",
     "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
  "permissions_boundary": "arn:aws:iam::123456789012:policy/boundary",
  "tags": [{"key": "team", "value": "data"}]
}"#;

    pub(super) fn at(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.at.as_str()).collect()
    }

    #[test]
    fn json_round_trips() {
        let plan = load(FULL).unwrap();
        let text = to_json(&plan);
        assert!(
            text.starts_with("{\n  \"version\": 1,\n  \"users\": [\n"),
            "{text}"
        );
        assert!(text.ends_with("}\n"));
        assert_eq!(load(&text).unwrap(), plan);
        let minimal = Plan {
            users: vec!["x".into()],
            access_key: true,
            ..Plan::default()
        };
        let text = to_json(&minimal);
        assert!(text.contains("\"permissions_boundary\": null"), "{text}");
        assert!(text.contains("\"console_password\": null"), "{text}");
        assert_eq!(load(&text).unwrap(), minimal);
    }

    #[test]
    fn a_plan_file_is_new_and_never_replaces_anything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        write_new(&path, "{}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
        let e = write_new(&path, "other").unwrap_err();
        assert!(matches!(e, ExportError::Exists(_)), "{e:?}");
        assert!(e.to_string().contains("already exists"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n", "unchanged");
        let e = write_new(&dir.path().join("no/such/plan.json"), "{}").unwrap_err();
        assert!(matches!(e, ExportError::NoParent(_)), "{e:?}");
    }
}
