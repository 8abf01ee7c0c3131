//! The domain: what iamwiz reads from an account and what it makes there, as plain data that
//! every layer shares (the pure core, the worker, the plan file, `apply`).
//!
//! [`user`] is the users flow's (specs, steps, results), [`encryption`] the MongoDB encryption
//! flow's; what both use (errors, the account's catalogue, name kinds) is here.

pub mod encryption;
pub mod keys;
pub mod mfa;
pub mod mfa_policy;
pub mod rate;
pub mod totp;
pub mod user;

pub use encryption::*;
pub use user::*;

use std::fmt;

/// An error from AWS (or from reaching it), ready to show: the operation, the error code, AWS's
/// message, and what the admin can do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    /// The IAM action, e.g. `iam:CreateUser`.
    pub operation: String,
    /// The AWS error code (`AccessDenied`, `EntityAlreadyExists`…) or one of ours for failures that
    /// never reached AWS (`NoCredentials`, `EndpointUnreachable`, `Timeout`).
    pub code: String,
    pub message: String,
    /// What to do next, in one or two sentences.
    pub hint: String,
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.operation, self.code)?;
        // A clause of the sentence it is put in: AWS's own full stop would double the one after.
        let message = self.message.trim_end().trim_end_matches('.');
        if !message.is_empty() {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

/// Who the admin is acting as, from `sts:GetCallerIdentity`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub account: String,
    pub arn: String,
    pub region: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupInfo {
    pub name: String,
    /// Names of the managed policies attached to the group.
    pub policies: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyScope {
    Aws,
    Customer,
}

impl PolicyScope {
    pub fn label(self) -> &'static str {
        match self {
            PolicyScope::Aws => "AWS managed",
            PolicyScope::Customer => "Customer managed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyInfo {
    pub name: String,
    pub arn: String,
    pub scope: PolicyScope,
    pub description: String,
    /// The policy's path: `/` for most, `/job-function/` for AWS job-function policies.
    pub path: String,
}

impl PolicyInfo {
    /// An AWS managed policy for a job function (`arn:aws:iam::aws:policy/job-function/…`).
    pub fn is_job_function(&self) -> bool {
        self.scope == PolicyScope::Aws && self.path == "/job-function/"
    }
}

/// A managed policy's default version, for the picker's preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDocument {
    /// The default version's id (`v3`).
    pub version: String,
    /// The policy's description from `GetPolicy` (`ListPolicies` leaves it out in real IAM).
    pub description: String,
    /// What the document allows and denies, in one line (`Allow 12 actions on *`).
    pub summary: String,
    /// The document, pretty-printed (as sent when it is not valid JSON).
    pub document: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub path: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlinePolicy {
    pub name: String,
    pub document: String,
}

/// What "copy permissions from an existing user" copies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserPermissions {
    pub groups: Vec<String>,
    /// ARNs of the managed policies attached directly to the user.
    pub policies: Vec<String>,
    pub inline: Vec<InlinePolicy>,
    /// ARN of the user's permissions boundary.
    pub boundary: Option<String>,
}

/// The kinds of IAM names checked live as they are typed. Each kind has its own name space, in
/// which IAM ignores case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameKind {
    User,
    Role,
    InstanceProfile,
}

/// The console sign-in URL of an account: `https://<alias or account ID>.signin.aws.amazon.com/console`.
pub fn sign_in_url(account: &str, alias: Option<&str>) -> String {
    format!(
        "https://{}.signin.aws.amazon.com/console",
        alias.unwrap_or(account)
    )
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_aws_error_reads_as_a_clause_so_a_sentence_never_ends_in_two_full_stops() {
        let e = AwsError {
            operation: "iam:DeleteAccessKey".into(),
            code: "AccessDenied".into(),
            message: "User is not authorized to perform: iam:DeleteAccessKey.".into(),
            hint: String::new(),
        };
        let sentence = format!("Could not delete AKIA1: {e}.");
        assert_eq!(
            sentence,
            "Could not delete AKIA1: iam:DeleteAccessKey failed: AccessDenied: User is not \
             authorized to perform: iam:DeleteAccessKey."
        );
    }
    use super::*;

    #[test]
    fn sign_in_url_prefers_the_alias() {
        assert_eq!(
            sign_in_url("123456789012", None),
            "https://123456789012.signin.aws.amazon.com/console"
        );
        assert_eq!(
            sign_in_url("123456789012", Some("example-corp")),
            "https://example-corp.signin.aws.amazon.com/console"
        );
    }
}
