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

// ---------------------------------------------------------------------------------------------
// The guided service account for MongoDB Client-Side Field Level Encryption (CSFLE) and Queryable
// Encryption: a KMS key, and an IAM user (or, for production, a role) that may only encrypt and
// decrypt with it.

/// Which MongoDB feature the key serves; the wording and the printed documents follow it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EncryptionFeature {
    #[default]
    Csfle,
    QueryableEncryption,
}

impl EncryptionFeature {
    /// The feature's full name.
    pub fn label(self) -> &'static str {
        match self {
            EncryptionFeature::Csfle => "Client-Side Field Level Encryption (CSFLE)",
            EncryptionFeature::QueryableEncryption => "Queryable Encryption",
        }
    }

    /// The short name, for titles and default descriptions.
    pub fn short(self) -> &'static str {
        match self {
            EncryptionFeature::Csfle => "CSFLE",
            EncryptionFeature::QueryableEncryption => "Queryable Encryption",
        }
    }
}

/// A KMS key as the key picker lists it (`ListKeys`, `DescribeKey`, `ListAliases`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsKey {
    pub id: String,
    pub arn: String,
    /// The key's aliases, with their `alias/` prefix, sorted.
    pub aliases: Vec<String>,
    pub description: String,
    /// `KeyState`: `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`, `Unavailable`…
    pub state: String,
    /// `KeySpec`: `SYMMETRIC_DEFAULT` for the keys MongoDB can use.
    pub spec: String,
    /// `KeyUsage`: `ENCRYPT_DECRYPT` for the keys MongoDB can use.
    pub usage: String,
    /// `KeyManager`: `CUSTOMER` or `AWS`.
    pub manager: String,
}

impl KmsKey {
    /// Why this key cannot be the master key, or `None` when it can: it must be a
    /// customer-managed, enabled, symmetric encryption key.
    pub fn refusal(&self) -> Option<String> {
        if self.manager != "CUSTOMER" {
            return Some(
                "an AWS managed key: its key policy lets only its own AWS service use it"
                    .to_string(),
            );
        }
        if self.spec != "SYMMETRIC_DEFAULT" || self.usage != "ENCRYPT_DECRYPT" {
            return Some(format!(
                "a {} key for {}: MongoDB needs a symmetric ENCRYPT_DECRYPT key",
                self.spec, self.usage
            ));
        }
        match self.state.as_str() {
            "Enabled" => None,
            "Disabled" => Some("disabled: enable it in KMS first, or pick another".to_string()),
            "PendingDeletion" => Some(
                "pending deletion: cancel the deletion in KMS first, or pick another".to_string(),
            ),
            other => Some(format!("in state {other}: only an Enabled key can be used")),
        }
    }

    /// The key's first alias, else its ID.
    pub fn display_name(&self) -> &str {
        self.aliases.first().map(String::as_str).unwrap_or(&self.id)
    }
}

/// The customer master key: one that exists, or one to create in this run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyChoice {
    Existing(KmsKey),
    New {
        /// The alias name without its `alias/` prefix.
        alias: String,
        description: String,
        tags: Vec<(String, String)>,
    },
}

/// Who may assume the production role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustedPrincipal {
    /// `ec2.amazonaws.com`; the role also gets an instance profile of the same name.
    Ec2,
    /// `ecs-tasks.amazonaws.com`.
    EcsTasks,
    /// `lambda.amazonaws.com`.
    Lambda,
    /// An account (`123456789012` or `arn:aws:iam::123456789012:root`) or a role ARN.
    Arn(String),
}

impl TrustedPrincipal {
    pub fn label(&self) -> String {
        match self {
            TrustedPrincipal::Ec2 => "EC2 instances (ec2.amazonaws.com)".to_string(),
            TrustedPrincipal::EcsTasks => "ECS tasks (ecs-tasks.amazonaws.com)".to_string(),
            TrustedPrincipal::Lambda => "Lambda functions (lambda.amazonaws.com)".to_string(),
            TrustedPrincipal::Arn(arn) => arn.clone(),
        }
    }
}

/// What gets the permission to use the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceAccount {
    /// An IAM user with an access key, no console password, no groups, no managed policies.
    User {
        name: String,
        tags: Vec<(String, String)>,
    },
    /// An IAM role for production: the driver fetches temporary credentials itself.
    Role {
        name: String,
        tags: Vec<(String, String)>,
        trusted: TrustedPrincipal,
    },
}

impl ServiceAccount {
    pub fn name(&self) -> &str {
        match self {
            ServiceAccount::User { name, .. } | ServiceAccount::Role { name, .. } => name,
        }
    }
}

/// Everything the encryption set-up creates, as Review shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptionSpec {
    pub feature: EncryptionFeature,
    /// The region of the key (and of the KMS calls).
    pub region: String,
    pub key: KeyChoice,
    pub account: ServiceAccount,
    /// The name of the one inline policy.
    pub policy_name: String,
}

/// The name of the one inline policy unless the admin changes it.
pub const KMS_POLICY_NAME: &str = "mongodb-kms-encrypt-decrypt";

/// The service account's one inline policy, exactly: `kms:Decrypt` and `kms:Encrypt` on one key.
pub fn kms_policy_document(key_arn: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"{key_arn}"}}]}}"#
    )
}

impl EncryptionSpec {
    /// The IAM user part, as the user-creation engine takes it: an access key and the one inline
    /// policy for `key_arn`, nothing else. `None` for the role variant.
    pub fn user_spec(&self, key_arn: &str) -> Option<UserSpec> {
        match &self.account {
            ServiceAccount::User { name, tags } => Some(UserSpec {
                name: name.clone(),
                path: "/".to_string(),
                tags: tags.clone(),
                boundary: None,
                access_key: true,
                login: None,
                groups: Vec::new(),
                policies: Vec::new(),
                inline: vec![InlinePolicy {
                    name: self.policy_name.clone(),
                    document: kms_policy_document(key_arn),
                }],
            }),
            ServiceAccount::Role { .. } => None,
        }
    }

    /// The groups of calls the set-up makes, as the progress screen lists them (and as
    /// [`Event::Step`]'s `user` index counts them): the key when it is created in this run, the
    /// service account, and for a user the check with its new key.
    pub fn plan(&self) -> Vec<(String, Vec<StepKind>)> {
        let mut groups = Vec::new();
        if let KeyChoice::New { alias, .. } = &self.key {
            groups.push((
                format!("alias/{alias}"),
                vec![StepKind::CreateKey, StepKind::CreateAlias(alias.clone())],
            ));
        }
        match &self.account {
            ServiceAccount::User { name, .. } => {
                let spec = self.user_spec("").expect("a user");
                groups.push((name.clone(), plan_steps(&spec)));
                groups.push(("Check".to_string(), vec![StepKind::Verify]));
            }
            ServiceAccount::Role { name, trusted, .. } => {
                let mut steps = vec![
                    StepKind::CreateRole,
                    StepKind::PutRolePolicy(self.policy_name.clone()),
                ];
                if *trusted == TrustedPrincipal::Ec2 {
                    steps.extend([
                        StepKind::CreateInstanceProfile,
                        StepKind::AddRoleToInstanceProfile,
                    ]);
                }
                groups.push((name.clone(), steps));
            }
        }
        groups
    }
}

/// How the check with the new credentials went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// `Encrypt` then `Decrypt` gave back the data key.
    Verified {
        attempts: u32,
        /// Seconds from the first attempt until it worked (new keys take a few to be usable).
        seconds: u64,
    },
    /// It still failed when the time was up, or failed in a way waiting cannot mend.
    Failed {
        attempts: u32,
        seconds: u64,
        error: AwsError,
    },
    /// Not run, and why (a role's credentials are not iamwiz's to use).
    NotRun(String),
}

/// The role made for production.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedRole {
    pub name: String,
    pub arn: String,
    /// The instance profile (roles trusted by EC2), by name.
    pub instance_profile: Option<String>,
}

/// What the encryption set-up made.
#[derive(Debug)]
pub enum EncryptionAccount {
    /// The user and its one access key; its secret lives only on the reveal screen.
    User(CreatedUser),
    Role(CreatedRole),
}

#[derive(Debug)]
pub struct EncryptionCreated {
    pub feature: EncryptionFeature,
    pub key_arn: String,
    /// Whether the key was created in this run.
    pub key_created: bool,
    pub region: String,
    /// The custom endpoint in use (`--endpoint-url`), for the master key document.
    pub endpoint: Option<String>,
    pub account: EncryptionAccount,
    pub verification: Verification,
}

#[derive(Debug)]
pub enum EncryptionResult {
    Created(EncryptionCreated),
    /// Nothing is left but `leftovers`; a key made in this run is scheduled for deletion.
    Failed {
        /// The plan group whose step failed first (see [`EncryptionSpec::plan`]).
        group: String,
        step: StepKind,
        error: AwsError,
        leftovers: Vec<Leftover>,
        /// What happened to a key created in this run, in a sentence for the screen: "KMS key
        /// 1234… is scheduled for deletion on 2026-11-29 (7 days); cancel with …".
        key_deletion: Option<String>,
    },
}

/// The kinds of IAM names checked live as they are typed. Each kind has its own name space, in
/// which IAM ignores case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameKind {
    User,
    Role,
    InstanceProfile,
}

/// Commands for the worker.
// A handful are sent per session, one at a time: boxing the encryption spec would save nothing.
#[allow(clippy::large_enum_variant)]
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
    /// Whether an entity of this kind and name exists (`GetUser`, `GetRole` or
    /// `GetInstanceProfile`).
    CheckName {
        seq: u64,
        kind: NameKind,
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
    /// The KMS keys of a region, for the key picker.
    LoadKmsKeys {
        seq: u64,
        region: String,
    },
    /// Create the encryption service account (and its key): all of it, or (after a rollback)
    /// none. Steps are reported as [`Event::Step`] with `user` indexing [`EncryptionSpec::plan`].
    CreateEncryption {
        run: u64,
        spec: EncryptionSpec,
    },
    /// Delete users made in this run whose secrets nobody can have (the wizard is ending on a
    /// signal before any was shown, copied or saved): for each, everything attached to it as IAM
    /// lists it, in the order IAM requires, then the user; then `key`, a KMS key the same run
    /// made for them, as a failed encryption run's rollback removes it. Like a creation, it
    /// finishes on quit.
    Discard {
        run: u64,
        users: Vec<String>,
        key: Option<DiscardKey>,
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
    /// The catalogue saved on disk by an earlier run for the same profile and endpoint, sent
    /// before the live [`Event::Policies`] answer to the same request (which may still fail).
    CachedPolicies {
        seq: u64,
        /// The account it was read from.
        account: String,
        /// When it was read, in seconds since the Unix epoch.
        saved_at: u64,
        /// How old it was when the worker read it back, in seconds.
        age_secs: u64,
        policies: Vec<PolicyInfo>,
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
    /// `Ok(Some(name))`: an entity of that kind exists under that name (as IAM spells it);
    /// `Ok(None)`: free.
    NameCheck {
        seq: u64,
        kind: NameKind,
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
    KmsKeys {
        seq: u64,
        region: String,
        result: Result<Vec<KmsKey>, AwsError>,
    },
    /// The check with the new credentials is still failing and will be tried again: how long it
    /// has waited so far, and the last error.
    VerifyWaiting {
        run: u64,
        attempt: u32,
        waited_secs: u64,
        error: AwsError,
    },
    EncryptionFinished {
        run: u64,
        result: EncryptionResult,
    },
    /// AWS throttled a service's requests (or stopped): the rate iamwiz now keeps to for it.
    Rate {
        service: &'static str,
        status: crate::aws::rate::RateStatus,
    },
    /// The reply to [`Request::Discard`]: one entry per user, in the order of the request, and
    /// what became of the key, when one was asked.
    Discarded {
        run: u64,
        users: Vec<DiscardedUser>,
        key: Option<DiscardedKey>,
    },
}

/// A KMS key made in the run whose users are discarded (the encryption flow's new key), to remove
/// after them: its alias deleted, the key scheduled for deletion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscardKey {
    pub region: String,
    pub key_arn: String,
    /// The alias name without `alias/`.
    pub alias: Option<String>,
}

/// What became of a [`DiscardKey`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscardedKey {
    /// For the admin: when the key is scheduled for deletion and the command that cancels it, or
    /// why it could not be scheduled.
    pub deletion: String,
    /// Empty when the alias is gone and the key is pending deletion.
    pub leftovers: Vec<Leftover>,
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
