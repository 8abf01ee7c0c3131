//! The encryption set-up's role variant: the role, its one inline policy and, for a role trusted
//! by EC2, its instance profile; on a failure, what was made is undone in the order IAM requires
//! before `DeleteRole` succeeds (with the one teardown, [`crate::worker::teardown`]).

use serde_json::json;

use futures::future::OptionFuture;

use crate::aws::mark::RunMark;
use crate::aws::{Clients, roles};
use crate::protocol::{
    AwsError, CreatedRole, Leftover, StepKind, StepStatus, TrustedPrincipal, kms_policy_document,
};
use crate::worker::create::{Made, Reporter};

/// The role variant's choices.
pub(super) struct RoleSpec<'a> {
    pub(super) name: &'a str,
    pub(super) tags: &'a [(String, String)],
    pub(super) trusted: &'a TrustedPrincipal,
    pub(super) policy_name: &'a str,
    pub(super) key_arn: &'a str,
    pub(super) mark: &'a RunMark,
}

/// The trust policy of the production role: `trusted` may `sts:AssumeRole` it. A service is a
/// `Service` principal; a 12-digit account ID becomes that account's root ARN in `partition`
/// (`aws`, `aws-cn`, `aws-us-gov`), and an ARN is used as it is.
pub fn trust_policy_document(trusted: &TrustedPrincipal, partition: &str) -> String {
    let principal = match trusted {
        TrustedPrincipal::Ec2 => json!({"Service": "ec2.amazonaws.com"}),
        TrustedPrincipal::EcsTasks => json!({"Service": "ecs-tasks.amazonaws.com"}),
        TrustedPrincipal::Lambda => json!({"Service": "lambda.amazonaws.com"}),
        TrustedPrincipal::Arn(who) => {
            let who = who.trim();
            if who.len() == 12 && who.bytes().all(|b| b.is_ascii_digit()) {
                json!({"AWS": format!("arn:{partition}:iam::{who}:root")})
            } else {
                json!({"AWS": who})
            }
        }
    };
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": principal,
            "Action": "sts:AssumeRole",
        }],
    })
    .to_string()
}

/// The partition of an ARN (`arn:aws:kms:…` → `aws`).
fn partition(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

/// Creates the role (`CreateRole`), then at once its policy (`PutRolePolicy`) and, for EC2, its
/// instance profile (`CreateInstanceProfile`, then `AddRoleToInstanceProfile`). On a failure, what
/// was made is undone in the order IAM requires before `DeleteRole` succeeds.
pub(super) async fn create_role(
    c: &Clients,
    role: &RoleSpec<'_>,
    steps: &[StepKind],
    report: &Reporter<'_>,
    g: usize,
) -> Result<CreatedRole, (StepKind, AwsError, Vec<Leftover>)> {
    let name = role.name;
    let index = |kind: &StepKind| steps.iter().position(|s| s == kind);
    let tracked = |i: usize, result: Result<(), AwsError>| {
        report.status(
            g,
            i,
            match &result {
                Ok(()) => StepStatus::Done,
                Err(e) => StepStatus::Failed(e.clone()),
            },
        );
        result
    };

    report.status(g, 0, StepStatus::Running);
    let created = roles::create_role(
        c,
        name,
        trust_policy_document(role.trusted, partition(role.key_arn)),
        role.tags,
        role.mark,
    )
    .await;
    let arn = match created {
        Ok(arn) => {
            report.status(g, 0, StepStatus::Done);
            arn
        }
        Err(e) => {
            report.status(g, 0, StepStatus::Failed(e.clone()));
            for i in 1..steps.len() {
                report.status(g, i, StepStatus::Skipped);
            }
            return Err((StepKind::CreateRole, e, Vec::new()));
        }
    };

    let policy_step = StepKind::PutRolePolicy(role.policy_name.to_string());
    let policy_index = index(&policy_step).expect("the plan puts the role's policy");
    let put_policy = async {
        report.status(g, policy_index, StepStatus::Running);
        let put =
            roles::put_role_policy(c, name, role.policy_name, kms_policy_document(role.key_arn))
                .await;
        vec![(policy_index, tracked(policy_index, put))]
    };
    let profile_steps =
        index(&StepKind::CreateInstanceProfile).zip(index(&StepKind::AddRoleToInstanceProfile));
    let instance_profile = OptionFuture::from(profile_steps.map(|(p, a)| async move {
        report.status(g, p, StepStatus::Running);
        let made = roles::create_instance_profile(c, name, role.mark).await;
        if let Err(e) = tracked(p, made) {
            report.status(g, a, StepStatus::Skipped);
            return vec![(p, Err(e))];
        }
        report.status(g, a, StepStatus::Running);
        let added = roles::add_role_to_instance_profile(c, name).await;
        vec![(p, Ok(())), (a, tracked(a, added))]
    }));
    let (mut results, profile) = tokio::join!(put_policy, instance_profile);
    results.extend(profile.unwrap_or_default());

    let mut made: Vec<(usize, Made)> = vec![(0, Made::Nothing)];
    // The first failure in plan order, so the report does not depend on timing.
    let mut first_failure: Option<(usize, AwsError)> = None;
    for (i, result) in results {
        match result {
            Ok(()) => made.push((i, Made::Nothing)),
            Err(e) if first_failure.as_ref().is_none_or(|(f, _)| i < *f) => {
                first_failure = Some((i, e));
            }
            Err(_) => {}
        }
    }
    match first_failure {
        None => Ok(CreatedRole {
            name: name.to_string(),
            arn,
            instance_profile: profile_steps.map(|_| name.to_string()),
        }),
        Some((i, error)) => {
            let leftovers =
                crate::worker::teardown::rollback(c, name, g, steps, made, report).await;
            Err((steps[i].clone(), error, leftovers))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_id_becomes_the_root_of_that_account_in_the_key_s_partition() {
        let doc = trust_policy_document(&TrustedPrincipal::Arn(" 123456789012 ".into()), "aws-cn");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&doc).unwrap(),
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws-cn:iam::123456789012:root"},
                    "Action": "sts:AssumeRole",
                }],
            })
        );
        assert_eq!(
            partition("arn:aws-us-gov:kms:us-gov-west-1:1:key/x"),
            "aws-us-gov"
        );
        assert_eq!(partition("not an arn"), "aws");
    }
}
