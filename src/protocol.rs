//! What the pure core and the AWS worker say to each other.
//!
//! [`Request`]s go from `update` to the worker; [`Event`]s come back carrying their results. Every
//! request that the admin can make stale (by going back or typing again) carries a sequence number,
//! and `update` drops replies whose number is no longer the latest.

use std::fmt;

use crate::secret::Secret;

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
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
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

/// The symbols IAM password policies count as non-alphanumeric ("require at least one symbol").
pub const PASSWORD_SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";

/// Passwords are at most this long in IAM; a policy's minimum is at most this.
pub const PASSWORD_LENGTH_MAX: usize = 128;

/// Generated passwords are at least this long, whatever the policy's minimum.
pub const GENERATED_LENGTH_MIN: usize = 20;

/// The account's password policy (`GetAccountPasswordPolicy`), or the AWS default when the account
/// sets none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_digit: bool,
    /// At least one of [`PASSWORD_SYMBOLS`].
    pub require_symbol: bool,
    /// Whether every user may change their own password. When false (and with no policy), a user
    /// needs `iam:ChangePassword` on themselves, which `IAMUserChangePassword` grants.
    pub allow_users_to_change_password: bool,
    /// No policy is set: the AWS default applies, which asks for at least 8 characters with at
    /// least three of upper case, lower case, digits and symbols (no single kind is required).
    pub is_default: bool,
}

impl PasswordPolicy {
    /// The rules that apply when the account has no password policy.
    pub const fn aws_default() -> PasswordPolicy {
        PasswordPolicy {
            min_length: 8,
            require_uppercase: false,
            require_lowercase: false,
            require_digit: false,
            require_symbol: false,
            allow_users_to_change_password: false,
            is_default: true,
        }
    }

    /// How long a generated password is: at least [`GENERATED_LENGTH_MIN`] and the policy's
    /// minimum, at most [`PASSWORD_LENGTH_MAX`].
    pub fn generated_length(&self) -> usize {
        self.min_length
            .clamp(GENERATED_LENGTH_MIN, PASSWORD_LENGTH_MAX)
    }
}

/// Where the console password comes from.
#[derive(Debug)]
pub enum PasswordSource {
    /// The worker generates one from the OS random source that meets `policy`.
    Generate {
        policy: PasswordPolicy,
    },
    Custom(Secret),
}

#[derive(Debug)]
pub struct LoginSpec {
    pub password: PasswordSource,
    pub require_reset: bool,
}

/// Everything needed to create one user: what `update` hands to the worker on "Create".
#[derive(Debug)]
pub struct UserSpec {
    pub name: String,
    pub path: String,
    pub tags: Vec<(String, String)>,
    /// ARN of the permissions boundary policy.
    pub boundary: Option<String>,
    pub access_key: bool,
    pub login: Option<LoginSpec>,
    pub groups: Vec<String>,
    /// ARNs of managed policies to attach.
    pub policies: Vec<String>,
    pub inline: Vec<InlinePolicy>,
}

/// One call of the creation plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// `CreateUser`, carrying the tags and the permissions boundary.
    CreateUser,
    CreateLoginProfile,
    CreateAccessKey,
    AddToGroup(String),
    /// A managed policy, by ARN.
    AttachPolicy(String),
    PutInlinePolicy(String),
}

impl StepKind {
    pub fn operation(&self) -> &'static str {
        match self {
            StepKind::CreateUser => "iam:CreateUser",
            StepKind::CreateLoginProfile => "iam:CreateLoginProfile",
            StepKind::CreateAccessKey => "iam:CreateAccessKey",
            StepKind::AddToGroup(_) => "iam:AddUserToGroup",
            StepKind::AttachPolicy(_) => "iam:AttachUserPolicy",
            StepKind::PutInlinePolicy(_) => "iam:PutUserPolicy",
        }
    }

    /// The call that undoes this step.
    pub fn undo_operation(&self) -> &'static str {
        match self {
            StepKind::CreateUser => "iam:DeleteUser",
            StepKind::CreateLoginProfile => "iam:DeleteLoginProfile",
            StepKind::CreateAccessKey => "iam:DeleteAccessKey",
            StepKind::AddToGroup(_) => "iam:RemoveUserFromGroup",
            StepKind::AttachPolicy(_) => "iam:DetachUserPolicy",
            StepKind::PutInlinePolicy(_) => "iam:DeleteUserPolicy",
        }
    }

    /// A short description for the progress screen.
    pub fn label(&self, user: &str) -> String {
        match self {
            StepKind::CreateUser => format!("Create user {user}"),
            StepKind::CreateLoginProfile => "Set console password".to_string(),
            StepKind::CreateAccessKey => "Create access key".to_string(),
            StepKind::AddToGroup(g) => format!("Add to group {g}"),
            StepKind::AttachPolicy(arn) => format!("Attach {}", policy_name(arn)),
            StepKind::PutInlinePolicy(n) => format!("Put inline policy {n}"),
        }
    }

    /// The position of this step's undo in the order IAM requires before `DeleteUser` succeeds:
    /// access keys, login profile, managed policies, inline policies, groups, then the user.
    pub fn undo_rank(&self) -> u8 {
        match self {
            StepKind::CreateAccessKey => 0,
            StepKind::CreateLoginProfile => 1,
            StepKind::AttachPolicy(_) => 2,
            StepKind::PutInlinePolicy(_) => 3,
            StepKind::AddToGroup(_) => 4,
            StepKind::CreateUser => 5,
        }
    }
}

/// The last segment of a policy ARN (`arn:aws:iam::aws:policy/job-function/ViewOnlyAccess` →
/// `ViewOnlyAccess`).
pub fn policy_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The calls that create `spec`, in the order they are shown: `CreateUser` first, then everything
/// that only needs the user to exist (run concurrently).
pub fn plan_steps(spec: &UserSpec) -> Vec<StepKind> {
    let mut steps = vec![StepKind::CreateUser];
    if spec.login.is_some() {
        steps.push(StepKind::CreateLoginProfile);
    }
    if spec.access_key {
        steps.push(StepKind::CreateAccessKey);
    }
    steps.extend(spec.groups.iter().cloned().map(StepKind::AddToGroup));
    steps.extend(spec.policies.iter().cloned().map(StepKind::AttachPolicy));
    steps.extend(
        spec.inline
            .iter()
            .map(|p| StepKind::PutInlinePolicy(p.name.clone())),
    );
    steps
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepStatus {
    Pending,
    Running,
    Done,
    Failed(AwsError),
    /// Not started because an earlier step failed.
    Skipped,
    Undoing,
    Undone,
    UndoFailed(AwsError),
}

/// Something the creation left in the account because undoing it failed, with the command that
/// removes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leftover {
    pub what: String,
    pub command: String,
}

#[derive(Debug)]
pub struct AccessKeyPair {
    pub id: String,
    pub secret: Secret,
}

/// The result of a successful creation: the only place new secrets live.
#[derive(Debug)]
pub struct CreatedUser {
    pub name: String,
    pub arn: String,
    pub access_key: Option<AccessKeyPair>,
    pub password: Option<Secret>,
    pub require_reset: bool,
    pub sign_in_url: String,
}

#[derive(Debug)]
pub enum CreationResult {
    /// Every user of the batch, in the order of the request.
    Created(Vec<CreatedUser>),
    /// Nothing of the batch is left, except `leftovers`.
    Failed {
        /// The user whose step failed first.
        user: String,
        /// The first step that failed, and why.
        step: StepKind,
        error: AwsError,
        /// What could not be undone. Empty when the rollback removed everything.
        leftovers: Vec<Leftover>,
    },
}

/// Commands for the worker.
#[derive(Debug)]
pub enum Request {
    LoadIdentity,
    LoadGroups {
        seq: u64,
    },
    LoadUsers {
        seq: u64,
    },
    LoadPolicies {
        seq: u64,
    },
    LoadUserPermissions {
        seq: u64,
        user: String,
    },
    /// The default version of a managed policy, for the picker's preview.
    LoadPolicyDocument {
        seq: u64,
        arn: String,
    },
    /// The account's password policy (`GetAccountPasswordPolicy`).
    LoadPasswordPolicy,
    /// The account alias, for the console sign-in URL (`ListAccountAliases`).
    LoadAccountAlias,
    /// Whether a user of this name exists (`GetUser`).
    CheckUserName {
        seq: u64,
        name: String,
    },
    /// Create a batch of users: all of them, or (after a rollback) none.
    Create {
        run: u64,
        specs: Vec<UserSpec>,
    },
    /// Create a group with managed policies attached (`CreateGroup`, then `AttachGroupPolicy`
    /// for each, concurrently); if an attach fails, the group is removed again.
    CreateGroup {
        seq: u64,
        name: String,
        path: String,
        /// ARNs of managed policies to attach.
        policies: Vec<String>,
    },
}

/// What the worker reports back.
#[derive(Debug)]
pub enum Event {
    Identity(Result<Identity, AwsError>),
    Groups {
        seq: u64,
        result: Result<Vec<GroupInfo>, AwsError>,
    },
    Users {
        seq: u64,
        result: Result<Vec<UserInfo>, AwsError>,
    },
    Policies {
        seq: u64,
        result: Result<Vec<PolicyInfo>, AwsError>,
    },
    UserPermissions {
        seq: u64,
        user: String,
        result: Result<UserPermissions, AwsError>,
    },
    PolicyDocument {
        seq: u64,
        arn: String,
        result: Result<PolicyDocument, AwsError>,
    },
    /// The account's password policy; [`PasswordPolicy::aws_default`] when none is set.
    PasswordPolicy(Result<PasswordPolicy, AwsError>),
    /// The account alias, if the account has one.
    AccountAlias(Result<Option<String>, AwsError>),
    /// `Ok(Some(name))`: a user exists under that name (as IAM spells it); `Ok(None)`: free.
    UserNameCheck {
        seq: u64,
        name: String,
        result: Result<Option<String>, AwsError>,
    },
    /// Step `index` of the plan of user `user` (both positions in the request).
    Step {
        run: u64,
        user: usize,
        index: usize,
        status: StepStatus,
    },
    Finished {
        run: u64,
        result: CreationResult,
    },
    /// The reply to [`Request::CreateGroup`]: the new group, or why it was not made (nothing of
    /// it is left unless the error says so).
    GroupCreated {
        seq: u64,
        result: Result<GroupInfo, AwsError>,
    },
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
