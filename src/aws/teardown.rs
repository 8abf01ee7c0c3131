//! What a run made, as values: each thing a creation makes for a user (or for the encryption
//! set-up's role), the order IAM requires before the user or role itself can be deleted, the
//! call that removes it, and (when that fails) the AWS CLI command that removes it by hand.
//!
//! The rollback of a failed creation, the discard of users nobody holds the secrets of, and what
//! `iamwiz apply` reports as left when it stops waiting all speak of the same [`Attachment`]s,
//! so that each removal is made, and each leftover printed, one way. Every value in a printed
//! command is shell-quoted ([`super::shell`]): IAM paths allow any printable character, so a
//! policy ARN may hold `$` or a quote, and the command must still paste.
//!
//! Removals are patient ([`super::patience`]): throttling and AWS's passing failures are waited
//! out until the run's deadline.
//!
//! The reads a discard needs before it deletes the require-MFA policy are here too: the run mark
//! a user and a policy carry (the policy goes only when the run that made the users made it),
//! and whether anything else still has the policy attached.

use std::error::Error;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::patience::patiently;
use super::shell::arg;
use super::{Clients, local_error, map_sdk_error};
use crate::protocol::{AwsError, Leftover, StepKind, policy_name};

/// One thing a run made that a teardown removes: for a user, what the creation plan attaches
/// (read back from IAM, or known from the creation itself); for a role, its policy and instance
/// profile. The owner (user or role) is named where the item is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attachment {
    /// An access key, by ID (`None` when it was made but its ID is not known yet).
    AccessKey(Option<String>),
    LoginProfile,
    /// A managed policy, by ARN.
    ManagedPolicy(String),
    /// An inline policy, by name.
    InlinePolicy(String),
    /// A group membership, by group name.
    Group(String),
    /// The user itself, removed last.
    User,
    /// The role in its instance profile of the same name.
    RoleInInstanceProfile,
    /// The role's instance profile (named as the role).
    InstanceProfile,
    /// An inline policy of the role, by name.
    RolePolicy(String),
    /// The role itself, removed last.
    Role,
    /// A customer managed policy the run made (the one that requires MFA), by ARN: deleted
    /// after every user it was attached to.
    Policy(String),
}

impl Attachment {
    /// What creation step `kind` makes (an access key as not known yet); `None` for the steps
    /// whose undo is the encryption set-up's own (a KMS key and its alias) or that make nothing.
    pub fn of_step(kind: &StepKind) -> Option<Attachment> {
        Some(match kind {
            StepKind::CreateUser => Attachment::User,
            StepKind::CreateLoginProfile => Attachment::LoginProfile,
            StepKind::CreateAccessKey => Attachment::AccessKey(None),
            StepKind::AddToGroup(g) => Attachment::Group(g.clone()),
            StepKind::AttachPolicy(arn) => Attachment::ManagedPolicy(arn.clone()),
            StepKind::PutInlinePolicy(name) => Attachment::InlinePolicy(name.clone()),
            StepKind::CreateRole => Attachment::Role,
            StepKind::PutRolePolicy(name) => Attachment::RolePolicy(name.clone()),
            StepKind::CreateInstanceProfile => Attachment::InstanceProfile,
            StepKind::AddRoleToInstanceProfile => Attachment::RoleInInstanceProfile,
            // A policy found rather than made is not the run's: the rollback knows which it was.
            StepKind::CreateKey
            | StepKind::CreateAlias(_)
            | StepKind::Verify
            | StepKind::EnsurePolicy(_) => return None,
        })
    }

    /// Where this goes in the order IAM requires before `DeleteUser` (or `DeleteRole`, or
    /// `DeleteInstanceProfile`) succeeds.
    pub fn rank(&self) -> u8 {
        match self {
            Attachment::AccessKey(_) => 0,
            Attachment::LoginProfile => 1,
            Attachment::ManagedPolicy(_) => 2,
            Attachment::InlinePolicy(_) => 3,
            Attachment::Group(_) => 4,
            Attachment::User => 5,
            Attachment::RoleInInstanceProfile => 0,
            Attachment::InstanceProfile => 1,
            Attachment::RolePolicy(_) => 2,
            Attachment::Role => 3,
            Attachment::Policy(_) => 6,
        }
    }

    /// Whether this is what the others hang on (a user, a role, an instance profile): IAM
    /// refuses to delete it (`DeleteConflict`) while anything attached is left.
    pub fn holds_others(&self) -> bool {
        matches!(
            self,
            Attachment::User | Attachment::Role | Attachment::InstanceProfile
        )
    }

    /// The call that removes this, as an IAM action.
    pub fn operation(&self) -> &'static str {
        match self {
            Attachment::AccessKey(_) => "iam:DeleteAccessKey",
            Attachment::LoginProfile => "iam:DeleteLoginProfile",
            Attachment::ManagedPolicy(_) => "iam:DetachUserPolicy",
            Attachment::InlinePolicy(_) => "iam:DeleteUserPolicy",
            Attachment::Group(_) => "iam:RemoveUserFromGroup",
            Attachment::User => "iam:DeleteUser",
            Attachment::RoleInInstanceProfile => "iam:RemoveRoleFromInstanceProfile",
            Attachment::InstanceProfile => "iam:DeleteInstanceProfile",
            Attachment::RolePolicy(_) => "iam:DeleteRolePolicy",
            Attachment::Role => "iam:DeleteRole",
            Attachment::Policy(_) => "iam:DeletePolicy",
        }
    }

    /// What this is, for its owner `owner` (the user, or the role), and the AWS CLI command that
    /// removes it, every value shell-quoted.
    pub fn leftover(&self, owner: &str) -> Leftover {
        let user = arg("--user-name", owner);
        let (what, command) = match self {
            Attachment::AccessKey(Some(id)) => (
                format!("access key {id} of user {owner}"),
                format!(
                    "aws iam delete-access-key{user}{}",
                    arg("--access-key-id", id)
                ),
            ),
            Attachment::AccessKey(None) => (
                format!("the access key of user {owner} (its ID was not known yet: list it)"),
                format!("aws iam list-access-keys{user}"),
            ),
            Attachment::LoginProfile => (
                format!("console password of user {owner}"),
                format!("aws iam delete-login-profile{user}"),
            ),
            Attachment::ManagedPolicy(arn) => (
                format!("policy {} attached to user {owner}", policy_name(arn)),
                format!(
                    "aws iam detach-user-policy{user}{}",
                    arg("--policy-arn", arn)
                ),
            ),
            Attachment::InlinePolicy(name) => (
                format!("inline policy {name} of user {owner}"),
                format!(
                    "aws iam delete-user-policy{user}{}",
                    arg("--policy-name", name)
                ),
            ),
            Attachment::Group(group) => (
                format!("membership of user {owner} in group {group}"),
                format!(
                    "aws iam remove-user-from-group{user}{}",
                    arg("--group-name", group)
                ),
            ),
            Attachment::User => (
                format!("user {owner}"),
                format!("aws iam delete-user{user}"),
            ),
            Attachment::RoleInInstanceProfile => (
                format!("role {owner} in instance profile {owner}"),
                format!(
                    "aws iam remove-role-from-instance-profile{}{}",
                    arg("--instance-profile-name", owner),
                    arg("--role-name", owner)
                ),
            ),
            Attachment::InstanceProfile => (
                format!("instance profile {owner}"),
                format!(
                    "aws iam delete-instance-profile{}",
                    arg("--instance-profile-name", owner)
                ),
            ),
            Attachment::RolePolicy(name) => (
                format!("inline policy {name} of role {owner}"),
                format!(
                    "aws iam delete-role-policy{}{}",
                    arg("--role-name", owner),
                    arg("--policy-name", name)
                ),
            ),
            Attachment::Role => (
                format!("role {owner}"),
                format!("aws iam delete-role{}", arg("--role-name", owner)),
            ),
            Attachment::Policy(arn) => (
                format!("policy {} made by this run", policy_name(arn)),
                format!("aws iam delete-policy{}", arg("--policy-arn", arn)),
            ),
        };
        Leftover { what, command }
    }

    /// Removes this from `owner`, patiently. An error keeps AWS's code: `NoSuchEntity` means it
    /// was gone already.
    pub async fn remove(&self, c: &Clients, owner: &str) -> Result<(), AwsError> {
        let iam = &c.iam;
        let op = self.operation();
        match self {
            Attachment::AccessKey(Some(id)) => {
                patient(op, || {
                    iam.delete_access_key()
                        .user_name(owner)
                        .access_key_id(id)
                        .send()
                })
                .await
            }
            Attachment::AccessKey(None) => Err(local_error(op, "the access key ID is unknown")),
            Attachment::LoginProfile => {
                patient(op, || iam.delete_login_profile().user_name(owner).send()).await
            }
            Attachment::ManagedPolicy(arn) => {
                patient(op, || {
                    iam.detach_user_policy()
                        .user_name(owner)
                        .policy_arn(arn)
                        .send()
                })
                .await
            }
            Attachment::InlinePolicy(name) => {
                patient(op, || {
                    iam.delete_user_policy()
                        .user_name(owner)
                        .policy_name(name)
                        .send()
                })
                .await
            }
            Attachment::Group(group) => {
                patient(op, || {
                    iam.remove_user_from_group()
                        .user_name(owner)
                        .group_name(group)
                        .send()
                })
                .await
            }
            Attachment::User => patient(op, || iam.delete_user().user_name(owner).send()).await,
            Attachment::RoleInInstanceProfile => {
                patient(op, || {
                    iam.remove_role_from_instance_profile()
                        .instance_profile_name(owner)
                        .role_name(owner)
                        .send()
                })
                .await
            }
            Attachment::InstanceProfile => {
                patient(op, || {
                    iam.delete_instance_profile()
                        .instance_profile_name(owner)
                        .send()
                })
                .await
            }
            Attachment::RolePolicy(name) => {
                patient(op, || {
                    iam.delete_role_policy()
                        .role_name(owner)
                        .policy_name(name)
                        .send()
                })
                .await
            }
            Attachment::Role => patient(op, || iam.delete_role().role_name(owner).send()).await,
            Attachment::Policy(arn) => {
                patient(op, || iam.delete_policy().policy_arn(arn).send()).await
            }
        }
    }
}

/// Whether `user` has a console password (`GetLoginProfile`, patiently).
pub async fn has_login_profile(c: &Clients, user: &str) -> Result<bool, AwsError> {
    match patiently(|| c.iam.get_login_profile().user_name(user).send()).await {
        Ok(_) => Ok(true),
        Err(e) if e.code() == Some("NoSuchEntity") => Ok(false),
        Err(e) => Err(map_sdk_error("iam:GetLoginProfile", e)),
    }
}

/// The run mark ([`super::mark::TAG_KEY`]) `user` carries, if any (`ListUserTags`, patiently).
pub async fn user_run_mark(c: &Clients, user: &str) -> Result<Option<String>, AwsError> {
    let out = patiently(|| c.iam.list_user_tags().user_name(user).send())
        .await
        .map_err(|e| map_sdk_error("iam:ListUserTags", e))?;
    Ok(out
        .tags
        .into_iter()
        .find(|t| t.key == super::mark::TAG_KEY)
        .map(|t| t.value))
}

/// The run mark the customer managed policy `arn` carries, if any (`ListPolicyTags`,
/// patiently).
pub async fn policy_run_mark(c: &Clients, arn: &str) -> Result<Option<String>, AwsError> {
    let out = patiently(|| c.iam.list_policy_tags().policy_arn(arn).send())
        .await
        .map_err(|e| map_sdk_error("iam:ListPolicyTags", e))?;
    Ok(out
        .tags
        .into_iter()
        .find(|t| t.key == super::mark::TAG_KEY)
        .map(|t| t.value))
}

/// Whether any user, group or role has the managed policy `arn` attached
/// (`ListEntitiesForPolicy`, patiently; one page is enough to tell).
pub async fn policy_in_use(c: &Clients, arn: &str) -> Result<bool, AwsError> {
    let out = patiently(|| c.iam.list_entities_for_policy().policy_arn(arn).send())
        .await
        .map_err(|e| map_sdk_error("iam:ListEntitiesForPolicy", e))?;
    Ok(!out.policy_users.unwrap_or_default().is_empty()
        || !out.policy_groups.unwrap_or_default().is_empty()
        || !out.policy_roles.unwrap_or_default().is_empty())
}

/// Sends `call` [`patiently`], its answer dropped and its error mapped for `operation`.
async fn patient<T, E, Fut>(operation: &str, call: impl FnMut() -> Fut) -> Result<(), AwsError>
where
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
{
    patiently(call)
        .await
        .map(drop)
        .map_err(|e| map_sdk_error(operation, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leftover_command_quotes_what_a_shell_would_read_otherwise() {
        let arn = "arn:aws:iam::123456789012:policy/a$b/it's";
        assert_eq!(
            Attachment::ManagedPolicy(arn.to_string())
                .leftover("-ann")
                .command,
            r"aws iam detach-user-policy --user-name=-ann --policy-arn 'arn:aws:iam::123456789012:policy/a$b/it'\''s'"
        );
        assert_eq!(
            Attachment::User.leftover("ann").command,
            "aws iam delete-user --user-name ann"
        );
    }
}
