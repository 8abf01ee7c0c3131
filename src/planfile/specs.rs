//! A valid plan as creation requests, one [`UserSpec`] per user, for `iamwiz apply`: console
//! passwords generated to the account's password policy, `IAMUserChangePassword` added when
//! the console would add it, and `iamwiz-require-mfa` (of the account) when the plan requires
//! MFA. The rules are the wizard's own ([`crate::flows::users::rules`]):
//! a plan becomes a [`Batch`] and goes through the same [`rules::to_specs`].

use crate::flows::users::rules::{self, Batch, Login, Password};
use crate::model::mfa_policy::require_mfa_arn;
use crate::protocol::{InlinePolicy, PasswordPolicy, UserSpec};

use super::Plan;

pub use crate::flows::users::rules::{CHANGE_PASSWORD_POLICY, change_password_arn};

/// What every user of `plan` shares. Inline policy documents are minified, as they are sent. The
/// require-MFA policy is the caller's to add ([`Batch::require_mfa`]): its ARN names the account.
pub fn batch(plan: &Plan) -> Batch<'static> {
    Batch {
        names: plan.users.clone(),
        path: plan.path.clone(),
        tags: plan
            .tags
            .iter()
            .map(|t| (t.key.clone(), t.value.clone()))
            .collect(),
        boundary: plan.permissions_boundary.clone(),
        access_key: plan.access_key,
        key_description: plan.access_key_description.clone(),
        login: plan.console_password.as_ref().map(|c| Login {
            password: Password::Generate,
            require_reset: c.require_reset,
        }),
        groups: plan.groups.clone(),
        policies: plan.managed_policies.clone(),
        inline: plan
            .inline_policies
            .iter()
            .map(|p| InlinePolicy {
                name: p.name.clone(),
                document: p.document.to_string(),
            })
            .collect(),
        require_mfa: None,
    }
}

/// The managed policies each user gets: the plan's, then `IAMUserChangePassword` (in
/// `partition`) when the users must set a new password that the account's password `policy`
/// does not let them change themselves, and the plan does not list it already.
pub fn effective_policies(plan: &Plan, policy: &PasswordPolicy, partition: &str) -> Vec<String> {
    batch(plan).policies(policy, partition)
}

/// The creation requests for a valid plan, one per user ([`rules::to_specs`]), in `account` of
/// `partition` (where the require-MFA policy is).
pub fn to_specs(
    plan: &Plan,
    policy: &PasswordPolicy,
    partition: &str,
    account: &str,
) -> Vec<UserSpec> {
    let mut batch = batch(plan);
    batch.require_mfa = plan
        .require_mfa
        .then(|| require_mfa_arn(partition, account));
    rules::to_specs(&batch, policy, partition)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planfile::load;
    use crate::planfile::tests::FULL;
    use crate::protocol::{LoginSpec, PasswordSource};

    #[test]
    fn specs_add_iam_user_change_password_like_the_console() {
        let plan = load(FULL).unwrap();
        let strict = PasswordPolicy {
            allow_users_to_change_password: false,
            ..PasswordPolicy::aws_default()
        };
        let specs = to_specs(&plan, &strict, "aws", "123456789012");
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[1].name, "bob");
        assert_eq!(
            specs[0].policies,
            [
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "arn:aws:iam::aws:policy/IAMUserChangePassword"
            ]
        );
        assert_eq!(
            specs[0].inline[0].document,
            r#"{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}"#
        );
        assert!(matches!(
            specs[0].login,
            Some(LoginSpec {
                password: PasswordSource::Generate { .. },
                require_reset: true
            })
        ));
        let allows = PasswordPolicy {
            allow_users_to_change_password: true,
            ..strict
        };
        assert_eq!(
            to_specs(&plan, &allows, "aws", "123456789012")[0]
                .policies
                .len(),
            1
        );
    }
}
