//! The read-only checks of `iamwiz apply`, all at once before anything is created: the caller's
//! identity, the password policy, every managed policy and the boundary, every group and every
//! user name, and (when the plan requires MFA) that a policy `iamwiz-require-mfa` already there
//! says what iamwiz's does. A problem refuses the plan; AWS unreachable or no credentials is told
//! apart.

use futures::{StreamExt, stream};

use super::progress::apply_hint;
use crate::aws::{self, Clients, lookup};
use crate::model::mfa_policy::require_mfa_policy;
use crate::planfile::{self, Plan, Problem};
use crate::protocol::{AwsError, PasswordPolicy};

/// How many read-only checks run at once (IAM throttles bursts).
pub(super) const CHECKS_AT_ONCE: usize = 8;

pub(super) use crate::aws::UNREACHABLE_CODES;

/// What the read-only checks learned, for the creation.
pub(super) struct Checked {
    pub(super) account: String,
    pub(super) caller: String,
    /// `aws`, `aws-cn`, `aws-us-gov`…: for the ARN of `IAMUserChangePassword`.
    pub(super) partition: String,
    pub(super) password_policy: PasswordPolicy,
}

pub(super) enum Refusal {
    /// AWS was not reached or refused the credentials: nothing else can be checked.
    Unreachable(AwsError),
    Problems(Vec<String>),
}

/// One read-only check's verdict: the problems with the plan (none: fine), or an AWS error.
pub(super) type Verdict = Result<Vec<Problem>, AwsError>;

pub(super) async fn check_policy(c: &Clients, at: String, arn: String) -> (String, Verdict) {
    let verdict = match lookup::policy_exists(c, &arn).await {
        Ok(true) => Ok(Vec::new()),
        Ok(false) => Ok(vec![Problem::new(
            at.clone(),
            format!(
                "no managed policy {arn} in this account: check the ARN, or create the policy \
                 first"
            ),
        )]),
        Err(e) => Err(e),
    };
    (at, verdict)
}

pub(super) async fn check_group(c: &Clients, at: String, group: String) -> (String, Verdict) {
    let verdict = match lookup::group_exists(c, &group).await {
        Ok(true) => Ok(Vec::new()),
        Ok(false) => Ok(vec![no_such_group(at.clone(), &group)]),
        Err(e) => Err(e),
    };
    (at, verdict)
}

/// From how many groups or users the account's list is read instead of one request each.
pub(super) const LISTED_FROM: usize = 2;

pub(super) fn no_such_group(at: String, group: &str) -> Problem {
    Problem::new(
        at,
        format!(
            "no group named {group} in this account: create it first, or remove it from the plan"
        ),
    )
}

pub(super) fn user_exists(at: String, existing: &str) -> Problem {
    Problem::new(
        at,
        format!(
            "a user named {existing} already exists in this account (names are unique ignoring \
             case): choose another name"
        ),
    )
}

/// Every group of `groups` against the account's group list (names ignoring case, as IAM
/// compares them).
pub(super) async fn check_groups_listed(c: &Clients, groups: Vec<String>) -> (String, Verdict) {
    let verdict = aws::iam::group_names(c).await.map(|names| {
        let known: std::collections::HashSet<String> =
            names.iter().map(|n| n.to_lowercase()).collect();
        groups
            .iter()
            .enumerate()
            .filter(|(_, g)| !known.contains(&g.to_lowercase()))
            .map(|(i, g)| no_such_group(format!("groups[{i}]"), g))
            .collect()
    });
    ("groups".to_string(), verdict)
}

/// Every name of `users` against the account's user list (ignoring case, as IAM does).
pub(super) async fn check_users_listed(c: &Clients, users: Vec<String>) -> (String, Verdict) {
    let verdict = aws::iam::users(c).await.map(|listed| {
        let taken: std::collections::HashMap<String, String> = listed
            .into_iter()
            .map(|u| (u.name.to_lowercase(), u.name))
            .collect();
        users
            .iter()
            .enumerate()
            .filter_map(|(i, u)| {
                let existing = taken.get(&u.to_lowercase())?;
                Some(user_exists(format!("users[{i}]"), existing))
            })
            .collect()
    });
    ("users".to_string(), verdict)
}

/// A policy `iamwiz-require-mfa` already in the account must say what iamwiz's says (none is
/// fine: the run creates it).
pub(super) async fn check_require_mfa(c: &Clients) -> (String, Verdict) {
    let at = "require_mfa".to_string();
    let verdict = match aws::mfa::find_policy(c, &require_mfa_policy()).await {
        Ok(_) => Ok(Vec::new()),
        Err(e) if e.code == aws::mfa::POLICY_DIFFERS => Ok(vec![Problem::new(
            at.clone(),
            format!("{}. {}", e.message, e.hint),
        )]),
        Err(e) => Err(e),
    };
    (at, verdict)
}

pub(super) async fn check_user(c: &Clients, at: String, name: String) -> (String, Verdict) {
    let verdict = aws::iam::find_user(c, &name).await.map(|found| {
        found
            .map(|existing| user_exists(at.clone(), &existing))
            .into_iter()
            .collect()
    });
    (at, verdict)
}

/// The read-only checks, all at once: identity, password policy (for a console password), every
/// policy, group and user name. Returns every problem found.
pub(super) async fn check_account(c: &Clients, plan: &Plan) -> Result<Checked, Refusal> {
    let mut checks: Vec<futures::future::BoxFuture<'_, (String, Verdict)>> = Vec::new();
    for (i, arn) in plan.managed_policies.iter().enumerate() {
        checks.push(Box::pin(check_policy(
            c,
            format!("managed_policies[{i}]"),
            arn.clone(),
        )));
    }
    if let Some(arn) = &plan.permissions_boundary {
        checks.push(Box::pin(check_policy(
            c,
            "permissions_boundary".to_string(),
            arn.clone(),
        )));
    }
    // Several groups or users are checked against the account's lists (a page each for most
    // accounts) rather than one request each: the checks share IAM's request quota with the
    // creation.
    if plan.groups.len() >= LISTED_FROM {
        checks.push(Box::pin(check_groups_listed(c, plan.groups.clone())));
    } else {
        for (i, g) in plan.groups.iter().enumerate() {
            checks.push(Box::pin(check_group(c, format!("groups[{i}]"), g.clone())));
        }
    }
    if plan.users.len() >= LISTED_FROM {
        checks.push(Box::pin(check_users_listed(c, plan.users.clone())));
    } else {
        for (i, u) in plan.users.iter().enumerate() {
            checks.push(Box::pin(check_user(c, format!("users[{i}]"), u.clone())));
        }
    }
    if plan.require_mfa {
        checks.push(Box::pin(check_require_mfa(c)));
    }
    let password_policy = async {
        if plan.console_password.is_some() {
            aws::iam::password_policy(c).await
        } else {
            Ok(PasswordPolicy::aws_default())
        }
    };
    let (identity, password_policy, verdicts) = tokio::join!(
        aws::iam::identity(c),
        password_policy,
        stream::iter(checks)
            .buffered(CHECKS_AT_ONCE)
            .collect::<Vec<_>>(),
    );

    let unreachable = |e: &AwsError| UNREACHABLE_CODES.contains(&e.code.as_str());
    let mut errors: Vec<(String, AwsError)> = Vec::new();
    let identity = identity.map_err(|e| errors.push(("identity".to_string(), e)));
    let password_policy =
        password_policy.map_err(|e| errors.push(("password policy".to_string(), e)));
    let mut lines = Vec::new();
    for (at, verdict) in verdicts {
        match verdict {
            Ok(problems) => lines.extend(problems.iter().map(Problem::to_string)),
            Err(e) => errors.push((at, e)),
        }
    }
    if let Some((_, e)) = errors.iter().find(|(_, e)| unreachable(e)) {
        return Err(Refusal::Unreachable(e.clone()));
    }
    for (at, e) in &errors {
        lines.push(format!("{at}: {e}. {}", apply_hint(e)));
    }
    let (Ok(identity), Ok(password_policy)) = (identity, password_policy) else {
        return Err(Refusal::Problems(lines));
    };
    let partition = crate::flows::users::rules::partition_of(&identity.arn).to_string();
    let effective = planfile::effective_policies(plan, &password_policy, &partition);
    let attached = effective.len() + usize::from(plan.require_mfa);
    if attached > crate::flows::users::draft::MANAGED_POLICIES_MAX {
        lines.push(format!(
            "managed_policies: {attached} policies with {}{}, which iamwiz attaches because the \
             users must set a new password and the account's password policy does not let users \
             change their own; a user can have at most {}: remove one, or set \"require_reset\": \
             false",
            planfile::CHANGE_PASSWORD_POLICY,
            if plan.require_mfa {
                " (and iamwiz-require-mfa)"
            } else {
                ""
            },
            crate::flows::users::draft::MANAGED_POLICIES_MAX
        ));
    }
    if !lines.is_empty() {
        return Err(Refusal::Problems(lines));
    }
    Ok(Checked {
        account: identity.account,
        caller: identity.arn,
        partition,
        password_policy,
    })
}
