//! `iamwiz apply --dry-run`: the AWS CLI commands that create the same users as the plan, for a
//! shell (every value shell-quoted). A plan that requires MFA first creates the policy
//! `iamwiz-require-mfa` (iamwiz apply reuses one that says the same, and stops at one that says
//! something else), then attaches it to each user.

use std::fmt::Write as _;

use crate::aws::shell::{arg, quote as shell_quote};
use crate::flows::users::key_use::KeyUse;
use crate::model::mfa_policy::{REQUIRE_MFA_POLICY_NAME, require_mfa_policy};
use crate::planfile::{self, Plan};

/// The AWS CLI commands that do what applying `plan` does, one user after another, for a shell.
/// The console password is taken from `$IAMWIZ_PASSWORD`.
pub fn dry_run_commands(plan: &Plan, plan_path: &str) -> String {
    let mut out = format!(
        "# iamwiz apply --dry-run {}: the AWS CLI commands that create the same users.\n",
        shell_quote(plan_path)
    );
    if let Some(u) = plan
        .access_key_use
        .as_deref()
        .and_then(KeyUse::from_plan_name)
        .filter(|_| plan.access_key)
    {
        let _ = writeln!(
            out,
            "# The access key is for: {}. {}",
            u.label(),
            u.alternative()
        );
    }
    if let Some(c) = &plan.console_password {
        out.push_str(
            "# Set IAMWIZ_PASSWORD to a password that meets the account's password policy first \
             (iamwiz apply generates one per user).\n",
        );
        if c.require_reset {
            let _ = writeln!(
                out,
                "# iamwiz apply also attaches {} when the account's password policy does not let \
                 users change their own password.",
                planfile::change_password_arn("aws")
            );
        }
    }
    let require_mfa = plan.require_mfa && plan.console_password.is_some();
    if require_mfa {
        let policy = require_mfa_policy();
        let document: serde_json::Value =
            serde_json::from_str(&policy.document).expect("the policy document is JSON");
        let _ = writeln!(
            out,
            "\n# MFA is required: iamwiz apply uses the customer managed policy {name} when one \
             says the same as below, stops when one says something else, and creates it when there \
             is none.\naccount=$(aws sts get-caller-identity --query Account --output text)\n\
             aws iam create-policy{}{}{}",
            arg("--policy-name", &policy.name),
            arg("--description", &policy.description),
            arg("--policy-document", &document.to_string()),
            name = policy.name,
        );
    }
    for user in &plan.users {
        out.push('\n');
        let mut create = format!(
            "aws iam create-user{}{}",
            arg("--user-name", user),
            arg("--path", &plan.path)
        );
        if let Some(b) = &plan.permissions_boundary {
            create.push_str(&arg("--permissions-boundary", b));
        }
        if !plan.tags.is_empty() {
            let tags: Vec<serde_json::Value> = plan
                .tags
                .iter()
                .map(|t| serde_json::json!({"Key": t.key, "Value": t.value}))
                .collect();
            create.push_str(&arg("--tags", &serde_json::Value::Array(tags).to_string()));
        }
        let _ = writeln!(out, "{create}");
        let name = arg("--user-name", user);
        if let Some(c) = &plan.console_password {
            let _ = writeln!(
                out,
                "aws iam create-login-profile{name} --password \"$IAMWIZ_PASSWORD\" {}",
                if c.require_reset {
                    "--password-reset-required"
                } else {
                    "--no-password-reset-required"
                }
            );
        }
        if plan.access_key {
            let _ = writeln!(out, "aws iam create-access-key{name}");
            if let Some(text) = &plan.access_key_description {
                // The console's description: a user tag whose key is the new key's ID (the user
                // is new, so it is the user's only key).
                let _ = writeln!(
                    out,
                    "key_id=$(aws iam list-access-keys{name} --query \
                     'AccessKeyMetadata[0].AccessKeyId' --output text)"
                );
                let _ = writeln!(
                    out,
                    r#"aws iam tag-user{name} --tags "[{{\"Key\":\"$key_id\",\"Value\":{}}}]""#,
                    in_double_quotes(&serde_json::Value::from(text.as_str()).to_string())
                );
            }
        }
        for g in &plan.groups {
            let _ = writeln!(
                out,
                "aws iam add-user-to-group{name}{}",
                arg("--group-name", g)
            );
        }
        for arn in &plan.managed_policies {
            let _ = writeln!(
                out,
                "aws iam attach-user-policy{name}{}",
                arg("--policy-arn", arn)
            );
        }
        for p in &plan.inline_policies {
            let _ = writeln!(
                out,
                "aws iam put-user-policy{name}{}{}",
                arg("--policy-name", &p.name),
                arg("--policy-document", &p.document.to_string())
            );
        }
        if require_mfa {
            let _ = writeln!(
                out,
                "aws iam attach-user-policy{name} --policy-arn \
                 \"arn:aws:iam::${{account}}:policy/{REQUIRE_MFA_POLICY_NAME}\""
            );
        }
    }
    out
}

/// `text` escaped for a shell's double quotes (`\`, `"`, `$` and `` ` `` get a backslash).
fn in_double_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
