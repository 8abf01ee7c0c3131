//! Creating a group from within the wizard (the console's "Create group" on the permissions step):
//! `CreateGroup`, then `AttachGroupPolicy` for each policy concurrently. If an attach fails, the
//! group is taken down again (the policies attached are detached, then `DeleteGroup`), so no
//! half-made group is left.

use futures::future::join_all;

use super::{Clients, map_sdk_error};
use crate::protocol::{AwsError, GroupInfo, policy_name};

/// Creates group `name` under `path` with the managed policies `policies` (ARNs) attached.
///
/// On an attach failure the error returned is the first attach that failed; if the rollback
/// itself fails too, the message says what is left and how to remove it.
pub async fn create_group(
    c: &Clients,
    name: &str,
    path: &str,
    policies: &[String],
) -> Result<GroupInfo, AwsError> {
    c.iam
        .create_group()
        .group_name(name)
        .path(path)
        .send()
        .await
        .map_err(|e| map_sdk_error("iam:CreateGroup", e))?;
    let attaches = policies.iter().map(|arn| async move {
        c.iam
            .attach_group_policy()
            .group_name(name)
            .policy_arn(arn)
            .send()
            .await
            .map(|_| arn.clone())
            .map_err(|e| map_sdk_error("iam:AttachGroupPolicy", e))
    });
    let results = join_all(attaches).await;
    let mut attached = Vec::new();
    let mut failure = None;
    for r in results {
        match r {
            Ok(arn) => attached.push(arn),
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    let Some(mut error) = failure else {
        return Ok(GroupInfo {
            name: name.to_string(),
            policies: policies
                .iter()
                .map(|a| policy_name(a).to_string())
                .collect(),
        });
    };
    let left = roll_back(c, name, &attached).await;
    if !left.is_empty() {
        error.message = format!(
            "{} The group could not be removed again ({}); remove it with: {}",
            error.message,
            left.iter()
                .map(|(e, _)| e.code.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            left.iter()
                .map(|(_, cmd)| cmd.as_str())
                .collect::<Vec<_>>()
                .join(" && "),
        )
        .trim_start()
        .to_string();
    }
    Err(error)
}

/// Detaches `attached` from group `name` and deletes it. Returns what failed, each with the
/// command that removes what is left.
async fn roll_back(c: &Clients, name: &str, attached: &[String]) -> Vec<(AwsError, String)> {
    let detaches = attached.iter().map(|arn| async move {
        c.iam
            .detach_group_policy()
            .group_name(name)
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| {
                (
                    map_sdk_error("iam:DetachGroupPolicy", e),
                    format!("aws iam detach-group-policy --group-name {name} --policy-arn {arn}"),
                )
            })
    });
    let mut left: Vec<(AwsError, String)> = join_all(detaches)
        .await
        .into_iter()
        .filter_map(Result::err)
        .collect();
    if let Err(e) = c.iam.delete_group().group_name(name).send().await {
        left.push((
            map_sdk_error("iam:DeleteGroup", e),
            format!("aws iam delete-group --group-name {name}"),
        ));
    }
    left
}
