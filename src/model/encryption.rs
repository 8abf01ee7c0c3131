//! The guided service account for MongoDB Client-Side Field Level Encryption (CSFLE) and
//! Queryable Encryption: a KMS key, and an IAM user (or, for production, a role) that may only
//! encrypt and decrypt with it.

use super::{AwsError, CreatedUser, InlinePolicy, Leftover, StepKind, UserSpec, creation_steps};

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
                key_description: None,
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
                groups.push((name.clone(), creation_steps(&spec)));
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
