//! A valid plan as creation requests, one [`UserSpec`] per user, for `iamwiz apply`: console
//! passwords generated to the account's password policy and `IAMUserChangePassword` added when
//! the console would add it.
//!
//! The same rules as `App::user_specs`, `App::adds_change_password` and
//! `App::change_password_arn` (src/app/mod.rs), which build the requests from the wizard's draft:
//! a change to one is a change to the other. Only this file holds the plan's copy.

use crate::protocol::{InlinePolicy, LoginSpec, PasswordPolicy, PasswordSource, UserSpec};

use super::Plan;

/// The AWS managed policy that lets a user change their own password.
pub const CHANGE_PASSWORD_POLICY: &str = crate::flows::users::rules::CHANGE_PASSWORD_POLICY;

// Same rule as App::change_password_arn.
/// The ARN of `IAMUserChangePassword` in `partition` (`aws`, `aws-cn`, `aws-us-gov`).
pub fn change_password_arn(partition: &str) -> String {
    format!("arn:{partition}:iam::aws:policy/{CHANGE_PASSWORD_POLICY}")
}

// Same rule as App::adds_change_password.
/// Whether applying `plan` attaches `IAMUserChangePassword` as well, as the console and the
/// wizard do: the users must set a new password at first sign-in, and the account's password
/// `policy` does not let users change their own.
pub fn adds_change_password(plan: &Plan, policy: &PasswordPolicy) -> bool {
    plan.console_password
        .as_ref()
        .is_some_and(|c| c.require_reset)
        && !policy.allow_users_to_change_password
}

/// The managed policies each user gets: the plan's, then `IAMUserChangePassword` (in
/// `partition`) when [`adds_change_password`] and the plan does not list it already.
pub fn effective_policies(plan: &Plan, policy: &PasswordPolicy, partition: &str) -> Vec<String> {
    let mut policies = plan.managed_policies.clone();
    if adds_change_password(plan, policy) {
        let arn = change_password_arn(partition);
        if !policies.contains(&arn) {
            policies.push(arn);
        }
    }
    policies
}

// Same rule as App::user_specs.
/// The creation requests for a valid plan, one per user: console passwords generated to the
/// account's password `policy`, and `IAMUserChangePassword` (in `partition`) added as
/// [`effective_policies`] says. Inline policy documents are sent minified.
pub fn to_specs(plan: &Plan, policy: &PasswordPolicy, partition: &str) -> Vec<UserSpec> {
    let policies = effective_policies(plan, policy, partition);
    plan.users
        .iter()
        .map(|name| UserSpec {
            name: name.clone(),
            path: plan.path.clone(),
            tags: plan
                .tags
                .iter()
                .map(|t| (t.key.clone(), t.value.clone()))
                .collect(),
            boundary: plan.permissions_boundary.clone(),
            access_key: plan.access_key,
            login: plan.console_password.as_ref().map(|c| LoginSpec {
                password: PasswordSource::Generate { policy: *policy },
                require_reset: c.require_reset,
            }),
            groups: plan.groups.clone(),
            policies: policies.clone(),
            inline: plan
                .inline_policies
                .iter()
                .map(|p| InlinePolicy {
                    name: p.name.clone(),
                    document: p.document.to_string(),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planfile::load;
    use crate::planfile::tests::FULL;

    #[test]
    fn specs_add_iam_user_change_password_like_the_console() {
        let plan = load(FULL).unwrap();
        let strict = PasswordPolicy {
            allow_users_to_change_password: false,
            ..PasswordPolicy::aws_default()
        };
        let specs = to_specs(&plan, &strict, "aws");
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
        assert_eq!(to_specs(&plan, &allows, "aws")[0].policies.len(), 1);
    }
}
