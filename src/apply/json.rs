//! `iamwiz apply --output json`: one JSON document on stdout once the run ends, for scripts that
//! go on with what was made. It holds what a script needs and nothing it must not see: each user
//! (name, ARN, access key ID, console password or not, groups and policies), where the secrets
//! were saved (CSV file, age-encrypted file, profiles), the proof of each key, what a failed
//! rollback left, and the exit status. Never a secret access key, never a password: a user's
//! report is built from its name, ARN and key ID only.
//!
//! Progress and errors stay on stderr, as with `--output text`. The shape is documented in the
//! README ("apply --output json").

use std::path::PathBuf;

use serde::Serialize;

use super::exit;
use super::exports::Exports;
use crate::protocol::{CreatedUser, KeyProof, Leftover, UserSpec};

/// What `--output json` prints.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// `created`, `refused`, `rolled_back`, `leftovers`, `unreachable` or `interrupted` (a
    /// signal ended the run).
    pub status: &'static str,
    /// The process's exit code (see `iamwiz apply --help`).
    pub exit_code: i32,
    /// The plan file, as given.
    pub plan: String,
    /// The users that exist once the run ends, in plan order (empty unless created).
    pub users: Vec<UserReport>,
    /// Where the secrets were saved (empty unless created).
    pub saved: Saved,
    /// The proof of each new access key (empty with `--no-proof`, or when no key was made).
    pub proofs: Vec<ProofReport>,
    /// What a failed rollback left in the account, with the command that removes each.
    pub leftovers: Vec<LeftoverReport>,
    /// What each user is to be given, by name, from the specs the creation runs.
    #[serde(skip)]
    attached: Vec<(String, Attached)>,
}

/// What a user is given besides its secrets.
#[derive(Clone, Debug, Default)]
struct Attached {
    groups: Vec<String>,
    managed_policies: Vec<String>,
    inline_policies: Vec<String>,
    permissions_boundary: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct UserReport {
    pub name: String,
    pub arn: String,
    /// The new access key's ID (never its secret), if the plan made one.
    pub access_key_id: Option<String>,
    /// Whether a console password was made (never the password).
    pub console_password: bool,
    pub groups: Vec<String>,
    /// Managed policy ARNs attached.
    pub managed_policies: Vec<String>,
    /// Names of the inline policies.
    pub inline_policies: Vec<String>,
    pub permissions_boundary: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Saved {
    /// The credentials CSV (mode 0600).
    pub csv: Option<PathBuf>,
    /// The credentials CSV encrypted with age.
    pub age: Option<AgeSaved>,
    /// The profiles saved in the shared credentials file.
    pub profiles: Vec<ProfileSaved>,
}

#[derive(Debug, Serialize)]
pub struct AgeSaved {
    pub file: PathBuf,
    /// Who can open it: age recipients, or SSH keys by fingerprint.
    pub recipients: String,
}

#[derive(Debug, Serialize)]
pub struct ProfileSaved {
    pub profile: String,
    pub user: String,
    pub file: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct ProofReport {
    pub user: String,
    pub access_key_id: String,
    /// The key signed `sts:GetCallerIdentity` as the user.
    pub works: bool,
    /// How long it took to work.
    pub seconds: Option<u64>,
    /// Why it did not work, and what to do.
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct LeftoverReport {
    pub what: String,
    pub command: String,
}

impl Report {
    pub fn new(plan: String) -> Report {
        Report {
            plan,
            ..Report::default()
        }
    }

    /// Notes what each user of `specs` is to be given: the plan's groups and policies, and
    /// what the creation adds (`IAMUserChangePassword`, when the password policy needs it).
    pub fn will_create(&mut self, specs: &[UserSpec]) {
        self.attached = specs
            .iter()
            .map(|s| {
                let attached = Attached {
                    groups: s.groups.clone(),
                    managed_policies: s.policies.clone(),
                    inline_policies: s.inline.iter().map(|p| p.name.clone()).collect(),
                    permissions_boundary: s.boundary.clone(),
                };
                (s.name.clone(), attached)
            })
            .collect();
    }

    /// The users created, with what [`Report::will_create`] noted for each.
    pub fn created(&mut self, users: &[CreatedUser]) {
        self.users = users
            .iter()
            .map(|u| {
                let attached = self
                    .attached
                    .iter()
                    .find(|(name, _)| *name == u.name)
                    .map(|(_, a)| a.clone())
                    .unwrap_or_default();
                UserReport {
                    name: u.name.clone(),
                    arn: u.arn.clone(),
                    access_key_id: u.access_key.as_ref().map(|k| k.id.clone()),
                    console_password: u.password.is_some(),
                    groups: attached.groups,
                    managed_policies: attached.managed_policies,
                    inline_policies: attached.inline_policies,
                    permissions_boundary: attached.permissions_boundary,
                }
            })
            .collect();
    }

    /// Where the secrets of `users` went, once every export was written.
    pub(super) fn saved(&mut self, exports: &Exports, users: &[CreatedUser]) {
        self.saved = Saved {
            csv: exports.csv.clone(),
            age: exports.age.as_ref().map(|(file, age)| AgeSaved {
                file: file.clone(),
                recipients: age.names(),
            }),
            profiles: match &exports.profiles {
                Some((file, names)) => users
                    .iter()
                    .zip(names)
                    .filter(|(u, _)| u.access_key.is_some())
                    .map(|(u, profile)| ProfileSaved {
                        profile: profile.clone(),
                        user: u.name.clone(),
                        file: file.clone(),
                    })
                    .collect(),
                None => Vec::new(),
            },
        };
    }

    pub fn proof(&mut self, user: &str, key_id: &str, proof: &KeyProof) {
        let (works, seconds, error) = match proof {
            KeyProof::Works { secs } => (true, Some(*secs), None),
            KeyProof::Failed { why, what_to_do } => {
                (false, None, Some(format!("{why} {what_to_do}")))
            }
            KeyProof::Waiting { code, .. } => (false, None, Some(code.clone())),
        };
        self.proofs.push(ProofReport {
            user: user.to_string(),
            access_key_id: key_id.to_string(),
            works,
            seconds,
            error,
        });
    }

    pub fn leftovers(&mut self, leftovers: &[Leftover]) {
        self.leftovers = leftovers
            .iter()
            .map(|l| LeftoverReport {
                what: l.what.clone(),
                command: l.command.clone(),
            })
            .collect();
    }

    /// The report of a run that ended with `code`, as one line of JSON.
    pub fn finish(mut self, code: i32) -> String {
        self.exit_code = code;
        self.status = match code {
            exit::CREATED => "created",
            exit::REFUSED => "refused",
            exit::ROLLED_BACK => "rolled_back",
            exit::LEFTOVERS => "leftovers",
            exit::UNREACHABLE => "unreachable",
            _ => "interrupted",
        };
        let mut text =
            serde_json::to_string_pretty(&self).expect("a report is always serializable");
        text.push('\n');
        text
    }
}
