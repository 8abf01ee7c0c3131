//! The rules a plan must follow, the wizard's own ([`crate::flows::users::draft`],
//! [`crate::flows::users::inline_policy`]): names, path, access, limits, duplicates, policy ARNs, inline
//! policy documents and tags. [`validate`] returns every problem, each with where it is.

use crate::flows::users::draft::{self, GROUPS_MAX, MANAGED_POLICIES_MAX, TAGS_MAX, USERS_MAX};
use crate::flows::users::inline_policy::{self, INLINE_POLICY_MAX};
use crate::flows::users::key_use::{KeyUse, validate_description};
use crate::protocol::policy_name;

use super::{Plan, Problem};

/// Whether `arn` looks like a managed policy ARN: `arn:PARTITION:iam::aws:policy/NAME` or
/// `arn:PARTITION:iam::ACCOUNT:policy/PATH/NAME`.
pub fn check_policy_arn(arn: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let shape = "a managed policy ARN looks like arn:aws:iam::aws:policy/NAME or \
                 arn:aws:iam::123456789012:policy/NAME";
    let [arn_word, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(format!("{arn:?} is not a policy ARN: {shape}."));
    };
    let account_ok =
        *account == "aws" || (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()));
    let name = resource.strip_prefix("policy/").unwrap_or_default();
    let ok = *arn_word == "arn"
        && partition.starts_with("aws")
        && *service == "iam"
        && region.is_empty()
        && account_ok
        && !policy_name(name).is_empty()
        && name.chars().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(format!("{arn:?} is not a policy ARN: {shape}."))
    }
}

/// Checks every rule on a plan and returns every problem, each with where it is. An empty list
/// means the plan can be applied (as far as can be known without asking AWS).
pub fn validate(plan: &Plan) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut push = |at: String, message: String| problems.push(Problem { at, message });

    if plan.users.is_empty() {
        push(
            "users".into(),
            "empty: list at least one user to create.".into(),
        );
    }
    if plan.users.len() > USERS_MAX {
        push(
            "users".into(),
            format!(
                "{} users; a plan creates at most {USERS_MAX} at once: split it into several plans.",
                plan.users.len()
            ),
        );
    }
    for (i, name) in plan.users.iter().enumerate() {
        if let Err(e) = draft::validate_user_name(name) {
            push(format!("users[{i}]"), e);
            continue;
        }
        let lower = name.to_lowercase();
        if let Some(j) = plan.users[..i]
            .iter()
            .position(|n| n.to_lowercase() == lower)
        {
            push(
                format!("users[{i}]"),
                format!(
                    "{name:?} is the same name as users[{j}] ({:?}); names must differ, ignoring \
                     case.",
                    plan.users[j]
                ),
            );
        }
    }

    if let Err(e) = draft::validate_path(&plan.path) {
        push("path".into(), e);
    }

    if !plan.access_key && plan.console_password.is_none() {
        push(
            "access_key".into(),
            "no access: set \"access_key\": true, or \"console_password\": {\"require_reset\": \
             true}, or both."
                .into(),
        );
    }

    if plan.require_mfa && plan.console_password.is_none() {
        push(
            "require_mfa".into(),
            "MFA is required at console sign-in, but the plan gives no console password: add \
             \"console_password\": {\"require_reset\": true}, or remove \"require_mfa\"."
                .into(),
        );
    }

    if let Some(u) = &plan.access_key_use
        && KeyUse::from_plan_name(u).is_none()
    {
        push(
            "access_key_use".into(),
            format!(
                "{u:?} is not a use case; use one of {}.",
                KeyUse::plan_names()
            ),
        );
    }
    if let Some(text) = &plan.access_key_description {
        if let Err(e) = validate_description(text) {
            push("access_key_description".into(), e);
        } else if !plan.access_key {
            push(
                "access_key_description".into(),
                "describes an access key, but the plan makes none: set \"access_key\": true or \
                 leave the description out."
                    .into(),
            );
        }
    }

    if plan.groups.len() > GROUPS_MAX {
        push(
            "groups".into(),
            format!(
                "{} groups; a user can be in at most {GROUPS_MAX}.",
                plan.groups.len()
            ),
        );
    }
    for (i, group) in plan.groups.iter().enumerate() {
        if let Err(e) = draft::validate_group_name(group) {
            push(format!("groups[{i}]"), e);
        } else if let Some(j) = plan.groups[..i]
            .iter()
            .position(|g| g.eq_ignore_ascii_case(group))
        {
            push(
                format!("groups[{i}]"),
                format!("{group:?} is listed twice (also groups[{j}]); list each group once."),
            );
        }
    }

    let attached = plan.managed_policies.len() + usize::from(plan.require_mfa);
    if attached > MANAGED_POLICIES_MAX {
        push(
            "managed_policies".into(),
            format!(
                "{attached} managed policies; a user can have at most {MANAGED_POLICIES_MAX} \
                 attached.{}",
                if plan.require_mfa {
                    " That counts iamwiz-require-mfa, which \"require_mfa\" attaches."
                } else {
                    ""
                }
            ),
        );
    }
    for (i, arn) in plan.managed_policies.iter().enumerate() {
        if let Err(e) = check_policy_arn(arn) {
            push(format!("managed_policies[{i}]"), e);
        } else if let Some(j) = plan.managed_policies[..i].iter().position(|a| a == arn) {
            push(
                format!("managed_policies[{i}]"),
                format!(
                    "{} is listed twice (also managed_policies[{j}]); list each policy once.",
                    policy_name(arn)
                ),
            );
        }
    }

    if let Some(arn) = &plan.permissions_boundary
        && let Err(e) = check_policy_arn(arn)
    {
        push("permissions_boundary".into(), e);
    }

    let mut total = 0;
    for (i, p) in plan.inline_policies.iter().enumerate() {
        if let Err(e) = inline_policy::validate_policy_name(&p.name) {
            push(format!("inline_policies[{i}].name"), e);
        } else if let Some(j) = plan.inline_policies[..i]
            .iter()
            .position(|q| q.name == p.name)
        {
            push(
                format!("inline_policies[{i}].name"),
                format!(
                    "{:?} is also the name of inline_policies[{j}]; each inline policy needs its \
                     own name.",
                    p.name
                ),
            );
        }
        let text = p.document.to_string();
        if let Err(e) = inline_policy::check_document(&text) {
            push(format!("inline_policies[{i}].document"), e.message);
        }
        total += inline_policy::policy_size(&text);
    }
    if total > INLINE_POLICY_MAX {
        push(
            "inline_policies".into(),
            format!(
                "the inline policies come to {total} characters (whitespace not counted); a user \
                 may have at most {INLINE_POLICY_MAX}."
            ),
        );
    }

    if plan.tags.len() > TAGS_MAX {
        push(
            "tags".into(),
            format!(
                "{} tags; a user can have at most {TAGS_MAX}.",
                plan.tags.len()
            ),
        );
    }
    for (i, tag) in plan.tags.iter().enumerate() {
        if let Err(e) = draft::validate_tag_key(&tag.key) {
            push(format!("tags[{i}].key"), e);
        } else if let Some(j) = plan.tags[..i]
            .iter()
            .position(|t| t.key.to_lowercase() == tag.key.to_lowercase())
        {
            push(
                format!("tags[{i}].key"),
                format!(
                    "{:?} is also the key of tags[{j}]; keys must differ, ignoring case.",
                    tag.key
                ),
            );
        }
        if let Err(e) = draft::validate_tag_value(&tag.value) {
            push(format!("tags[{i}].value"), e);
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planfile::load;
    use crate::planfile::tests::{FULL, at};

    #[test]
    fn a_bad_document_and_limits() {
        let mut plan = load(FULL).unwrap();
        plan.inline_policies[0].document = serde_json::json!({"Version": "2012-10-17"});
        plan.managed_policies = (0..11)
            .map(|i| format!("arn:aws:iam::aws:policy/P{i}"))
            .collect();
        plan.users = (0..11).map(|i| format!("u{i}")).collect();
        let p = validate(&plan);
        assert_eq!(
            at(&p),
            ["users", "managed_policies", "inline_policies[0].document"],
            "{p:#?}"
        );
        assert!(p[2].message.contains("Missing \"Statement\""), "{}", p[2]);
    }

    #[test]
    fn no_access_type_is_refused() {
        let p = load(r#"{"version": 1, "users": ["a"]}"#).unwrap_err();
        assert_eq!(at(&p), ["access_key"]);
    }

    #[test]
    fn an_unknown_use_case_a_bad_description_or_one_without_a_key_is_refused_with_where_it_is() {
        let p = load(
            r#"{"version": 1, "users": ["a"], "access_key": true,
                "access_key_use": "laptop", "access_key_description": "tab\there"}"#,
        )
        .unwrap_err();
        assert_eq!(
            at(&p),
            ["access_key_use", "access_key_description"],
            "{p:#?}"
        );
        assert!(p[0].message.contains("cli, local-code"), "{}", p[0]);
        let p = load(
            r#"{"version": 1, "users": ["a"], "console_password": {},
                "access_key_description": "ci"}"#,
        )
        .unwrap_err();
        assert_eq!(at(&p), ["access_key_description"]);
        assert!(p[0].message.contains("makes none"), "{}", p[0]);
    }

    #[test]
    fn policy_arns() {
        assert!(check_policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess").is_ok());
        assert!(check_policy_arn("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess").is_ok());
        assert!(check_policy_arn("arn:aws-cn:iam::123456789012:policy/a/b").is_ok());
        assert!(check_policy_arn("arn:aws:iam::12345:policy/a").is_err());
        assert!(check_policy_arn("arn:aws:iam::aws:role/a").is_err());
        assert!(check_policy_arn("arn:aws:iam::aws:policy/").is_err());
        assert!(check_policy_arn("ReadOnlyAccess").is_err());
    }
}
