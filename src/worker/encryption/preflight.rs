//! Before the encryption set-up makes anything, every name the run would take (the new key's
//! alias, the user or the role and its instance profile) is checked free, all at once: a taken
//! name fails the run with nothing made, rather than after a key was created only to be
//! scheduled for deletion again.

use futures::future::OptionFuture;

use crate::aws::keys::RegionKms;
use crate::aws::shell::arg;
use crate::aws::{Clients, lookup};
use crate::protocol::{
    AwsError, EncryptionSpec, KeyChoice, ServiceAccount, StepKind, TrustedPrincipal,
};

/// A name this run would create that is already taken, found before anything is made: the step
/// that would have failed on it (its group and index in the plan), and why.
pub(super) struct Clash {
    pub(super) group: usize,
    pub(super) index: usize,
    pub(super) step: StepKind,
    pub(super) error: AwsError,
}

/// Checks, all at once and before anything is made, that every name this run would create is
/// free: a new key's alias in the key's region (`DescribeKey` of `alias/NAME`: `NotFoundException`
/// means free), the user (`GetUser`) or the role (`GetRole`) and, for a role trusted by EC2, its
/// instance profile (`GetInstanceProfile`; `NoSuchEntity` means free). Returns the names that are
/// taken, in plan order, each as the error its creating step would have met.
///
/// A check that fails for any other reason (the admin may not call it, throttling, the network)
/// counts as free: the check only spares a key made and deleted again, and the creating call
/// still refuses a taken name itself, which fails the run and undoes what was made as it did
/// before the check existed. Only the operation and the code of such an error are logged.
pub(super) async fn preflight(
    c: &Clients,
    kms: &RegionKms,
    spec: &EncryptionSpec,
    groups: &[(String, Vec<StepKind>)],
) -> Vec<Clash> {
    let region = spec.region.as_str();
    // A check not answered counts as free (see above): the creating call still refuses a taken
    // name, and the rollback undoes what was made.
    let unchecked = |e: AwsError| {
        tracing::debug!(
            operation = %e.operation,
            code = %e.code,
            "name check not answered; creating anyway"
        );
        None
    };
    let created = |h: &lookup::Holder| {
        h.created
            .as_deref()
            .map(|d| format!(", created {d}"))
            .unwrap_or_default()
    };

    let alias = OptionFuture::from(match &spec.key {
        KeyChoice::New { alias, .. } => Some(async move {
            match kms.alias_target(alias).await {
                Ok(Some(key)) => Some(taken(
                    StepKind::CreateAlias(alias.clone()),
                    "AlreadyExistsException",
                    format!("alias/{alias} already exists in {region}: it names KMS key {key}."),
                    "iamwiz never moves an alias that exists: choose another alias, or \
                     choose the key it names as an existing key.",
                    2,
                )),
                Ok(None) => None,
                Err(e) => unchecked(e),
            }
        }),
        KeyChoice::Existing(_) => None,
    });

    let (user, role, profile) = match &spec.account {
        ServiceAccount::User { name, .. } => (Some(name.as_str()), None, None),
        ServiceAccount::Role { name, trusted, .. } => (
            None,
            Some(name.as_str()),
            (*trusted == TrustedPrincipal::Ec2).then_some(name.as_str()),
        ),
    };
    let user = OptionFuture::from(user.map(|name| async move {
        match lookup::user(c, name).await {
            Ok(Some(u)) => Some(taken(
                StepKind::CreateUser,
                "EntityAlreadyExists",
                format!(
                    "User {} already exists in this account ({}{}).",
                    u.name,
                    u.arn,
                    created(&u)
                ),
                "iamwiz never changes a user that exists: choose another user name.",
                3,
            )),
            Ok(None) => None,
            Err(e) => unchecked(e),
        }
    }));
    let role = OptionFuture::from(role.map(|name| async move {
        match lookup::role(c, name).await {
            Ok(Some(r)) => Some(taken(
                StepKind::CreateRole,
                "EntityAlreadyExists",
                format!(
                    "Role {} already exists in this account ({}{}).",
                    r.name,
                    r.arn,
                    created(&r)
                ),
                "iamwiz never changes a role that exists: choose another role name.",
                3,
            )),
            Ok(None) => None,
            Err(e) => unchecked(e),
        }
    }));
    let profile = OptionFuture::from(profile.map(|name| async move {
        match lookup::instance_profile(c, name).await {
            Ok(Some(p)) => {
                let holding = match p.roles.as_slice() {
                    [] => "no role".to_string(),
                    roles => format!("role {}", roles.join(", ")),
                };
                Some(taken(
                    StepKind::CreateInstanceProfile,
                    "EntityAlreadyExists",
                    format!(
                        "Instance profile {name} already exists in this account ({}{}), \
                         holding {holding}; a role trusted by EC2 gets an instance profile of its \
                         own name.",
                        p.arn,
                        created(&p)
                    ),
                    &format!(
                        "Choose another role name, or, if nothing uses the instance profile, \
                         delete it (aws iam delete-instance-profile{}).",
                        arg("--instance-profile-name", name)
                    ),
                    3,
                ))
            }
            Ok(None) => None,
            Err(e) => unchecked(e),
        }
    }));

    let (alias, user, role, profile) = tokio::join!(alias, user, role, profile);
    [alias, user, role, profile]
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|(step, error)| {
            let (group, index) = groups.iter().enumerate().find_map(|(g, (_, steps))| {
                steps.iter().position(|s| *s == step).map(|i| (g, i))
            })?;
            Some(Clash {
                group,
                index,
                step,
                error,
            })
        })
        .collect()
}

/// The error `step` would meet on a name that is taken, with `hint` and the way back to the step
/// of the wizard that names it (`screen`, the key Review opens it with).
fn taken(
    step: StepKind,
    code: &str,
    message: String,
    hint: &str,
    screen: u8,
) -> (StepKind, AwsError) {
    let error = AwsError {
        operation: step.operation().to_string(),
        code: code.to_string(),
        message,
        hint: format!(
            "{hint} Esc goes back to Review, where {screen} opens the step that names it."
        ),
    };
    (step, error)
}
