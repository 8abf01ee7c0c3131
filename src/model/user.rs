//! The users flow's data: the account's password policy, what creating one user takes
//! ([`UserSpec`]), the calls that do it ([`StepKind`]), and what comes back.

use super::{AwsError, InlinePolicy};
use crate::secret::Secret;

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
    /// The new access key's description, kept the console's way: a user tag whose key is the
    /// access key ID (`TagUser` right after `CreateAccessKey`).
    pub key_description: Option<String>,
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
    /// `kms:CreateKey` (symmetric, `ENCRYPT_DECRYPT`, the account's default key policy), carrying
    /// the description and tags. Undone by scheduling the key's deletion.
    CreateKey,
    /// `kms:CreateAlias` for the key created in this run; the alias name without `alias/`.
    CreateAlias(String),
    /// `iam:CreateRole` with its trust policy, tags and path.
    CreateRole,
    /// `iam:PutRolePolicy`: the role's one inline policy, by name.
    PutRolePolicy(String),
    /// `iam:CreateInstanceProfile` of the role's name (roles trusted by EC2 need one).
    CreateInstanceProfile,
    /// `iam:AddRoleToInstanceProfile`.
    AddRoleToInstanceProfile,
    /// `kms:Encrypt` then `kms:Decrypt` of a random data key, signed with the new access key.
    /// Nothing to undo.
    Verify,
    /// Find the customer managed policy (by ARN) that requires MFA, or create it: once per run,
    /// before any user is made ([`run_steps`]). Undone (`DeletePolicy`) only when this run made
    /// it.
    EnsurePolicy(String),
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
            StepKind::CreateKey => "kms:CreateKey",
            StepKind::CreateAlias(_) => "kms:CreateAlias",
            StepKind::CreateRole => "iam:CreateRole",
            StepKind::PutRolePolicy(_) => "iam:PutRolePolicy",
            StepKind::CreateInstanceProfile => "iam:CreateInstanceProfile",
            StepKind::AddRoleToInstanceProfile => "iam:AddRoleToInstanceProfile",
            StepKind::Verify => "kms:Encrypt+Decrypt",
            StepKind::EnsurePolicy(_) => "iam:CreatePolicy",
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
            StepKind::CreateKey => "kms:ScheduleKeyDeletion",
            StepKind::CreateAlias(_) => "kms:DeleteAlias",
            StepKind::CreateRole => "iam:DeleteRole",
            StepKind::PutRolePolicy(_) => "iam:DeleteRolePolicy",
            StepKind::CreateInstanceProfile => "iam:DeleteInstanceProfile",
            StepKind::AddRoleToInstanceProfile => "iam:RemoveRoleFromInstanceProfile",
            StepKind::Verify => "",
            StepKind::EnsurePolicy(_) => "iam:DeletePolicy",
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
            StepKind::CreateKey => "Create KMS key".to_string(),
            StepKind::CreateAlias(a) => format!("Create alias alias/{a}"),
            StepKind::CreateRole => format!("Create role {user}"),
            StepKind::PutRolePolicy(n) => format!("Put role policy {n}"),
            StepKind::CreateInstanceProfile => "Create instance profile".to_string(),
            StepKind::AddRoleToInstanceProfile => "Add role to instance profile".to_string(),
            StepKind::Verify => "Encrypt and decrypt a test data key".to_string(),
            StepKind::EnsurePolicy(arn) => format!("Find/create {}", policy_name(arn)),
        }
    }

    /// The position of this step's undo in the order IAM requires before `DeleteUser` (and
    /// `DeleteRole`, `DeleteInstanceProfile`) succeeds: access keys, login profile, managed
    /// policies, inline policies, groups, then the user; a role leaves its instance profile and
    /// loses its inline policy before it is deleted; the key's alias goes before the key.
    pub fn undo_rank(&self) -> u8 {
        match self {
            StepKind::CreateAccessKey => 0,
            StepKind::CreateLoginProfile => 1,
            StepKind::AttachPolicy(_) => 2,
            StepKind::PutInlinePolicy(_) => 3,
            StepKind::AddToGroup(_) => 4,
            StepKind::CreateUser => 5,
            StepKind::AddRoleToInstanceProfile => 0,
            StepKind::CreateInstanceProfile => 1,
            StepKind::PutRolePolicy(_) => 2,
            StepKind::CreateRole => 3,
            StepKind::CreateAlias(_) => 0,
            StepKind::CreateKey => 1,
            StepKind::Verify => 0,
            // After every user that had it attached.
            StepKind::EnsurePolicy(_) => 6,
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
pub fn creation_steps(spec: &UserSpec) -> Vec<StepKind> {
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

/// The calls of a whole batch, one list per user: each user's [`creation_steps`], and, when the
/// batch attaches the policy that requires MFA, the step that finds or creates it first in the
/// first user's list (once per run, before any user is made).
pub fn run_steps(specs: &[UserSpec]) -> Vec<Vec<StepKind>> {
    let mut steps: Vec<Vec<StepKind>> = specs.iter().map(creation_steps).collect();
    if let (Some(arn), Some(first)) = (require_mfa_arn_of(specs), steps.first_mut()) {
        first.insert(0, StepKind::EnsurePolicy(arn.to_string()));
    }
    steps
}

/// The ARN of the policy that requires MFA, when a user of `specs` attaches it.
pub fn require_mfa_arn_of(specs: &[UserSpec]) -> Option<&str> {
    specs
        .iter()
        .flat_map(|s| &s.policies)
        .find(|arn| super::mfa_policy::is_require_mfa_arn(arn))
        .map(String::as_str)
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

/// What discarding one user removed, and what is left (with the command that removes it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscardedUser {
    pub user: String,
    /// What was deleted, in the order it was, e.g. "access key AKIA… of user carol"; the user
    /// itself comes last.
    pub deleted: Vec<String>,
    /// Empty when the user and everything attached to it are gone.
    pub leftovers: Vec<Leftover>,
}

/// How the proof of a new access key stands: `sts:GetCallerIdentity` signed with it, retried
/// while AWS spreads the key (a few seconds to about a minute). Shown on the credentials screen
/// and printed by `iamwiz apply`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyProof {
    /// Not accepted yet: how long it has waited, the limit, and the last answer's code.
    Waiting {
        waited_secs: u64,
        limit_secs: u64,
        code: String,
    },
    /// The key signed as the user after this long.
    Works { secs: u64 },
    /// It did not work: why, and what to do. Nothing was deleted.
    Failed { why: String, what_to_do: String },
}

impl KeyProof {
    /// The proof in one line, for the credentials screen and `iamwiz apply`.
    pub fn line(&self) -> String {
        match self {
            KeyProof::Waiting {
                waited_secs,
                limit_secs,
                code,
            } => format!(
                "not working yet ({code}), waiting for it to propagate: {waited_secs} s of at \
                 most {limit_secs} s"
            ),
            KeyProof::Works { secs } => format!("✓ works, {secs} s"),
            KeyProof::Failed { why, what_to_do } => {
                format!("✗ {why}. Nothing was deleted: {what_to_do}")
            }
        }
    }
}
