//! The MFA calls: a virtual MFA device's life (`CreateVirtualMFADevice`, `EnableMFADevice`,
//! `DeactivateMFADevice`, `DeleteVirtualMFADevice`), a user's devices (`ListMFADevices`), and
//! the customer managed policy that requires MFA, found or created by name.
//!
//! **Codes are checked here before IAM sees them.** [`enable_device`] checks the two codes
//! against the device's seed first ([`crate::model::totp::check_two_codes`]) and sends
//! `EnableMFADevice` only for a pair that passes; otherwise it says what was wrong (a phone clock
//! off by N seconds, codes not consecutive…) and sends nothing.
//!
//! **The seed** comes back from `CreateVirtualMFADevice` as Base32 text; it is read straight
//! into a [`TotpSeed`] and the QR code PNG IAM also returns is ignored (the terminal draws its
//! own, src/kit/qr.rs).
//!
//! **The policy** is found by its ARN (the account from `sts:GetCallerIdentity`): a policy of
//! that name whose default version says the same as ours (equal JSON) is reused; one that says
//! something else is reported and never changed; none is created, with the run's mark as a tag
//! (src/aws/mark.rs). A `CreatePolicy` that meets `EntityAlreadyExists` (another admin, or a lost
//! answer to our own retry) compares the documents the same way.

use aws_sdk_iam::error::ProvideErrorMetadata;

use super::mark::RunMark;
use super::{Clients, local_error, map_sdk_error};
pub use crate::model::mfa::{EnableError, MfaDevice, NewVirtualDevice, UserDevices};
use crate::model::mfa_policy::{ManagedPolicySpec, same_document};
use crate::model::totp::{TotpSeed, Verdict, check_two_codes};
use crate::protocol::AwsError;

/// Creates a virtual MFA device named `name` (iamwiz names it after its user, which the
/// require-MFA policy expects), tagged with `mark`.
pub async fn create_virtual_device(
    c: &Clients,
    name: &str,
    mark: &RunMark,
) -> Result<NewVirtualDevice, AwsError> {
    const OP: &str = "iam:CreateVirtualMFADevice";
    let out = c
        .iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name(name)
        .tags(mark.iam_tag())
        .send()
        .await
        .map_err(|e| map_sdk_error(OP, e))?;
    let Some(mut device) = out.virtual_mfa_device else {
        return Err(local_error(OP, "IAM's answer named no device"));
    };
    let serial = device.serial_number.clone();
    let seed = device
        .base32_string_seed
        .take()
        .ok_or_else(|| "IAM's answer carried no seed".to_string())
        .and_then(|blob| {
            let text = std::str::from_utf8(blob.as_ref())
                .map_err(|_| "the seed IAM returned is not text".to_string())?;
            TotpSeed::from_base32(text).map_err(|e| e.to_string())
        });
    match seed {
        Ok(seed) => Ok(NewVirtualDevice { serial, seed }),
        Err(why) => {
            // A device whose seed nobody can read is of no use to anyone: remove it.
            let _ = delete_virtual_device(c, &serial).await;
            Err(local_error(OP, &why))
        }
    }
}

/// Enables `serial` for `user` with the two codes typed, checked against `seed` at
/// `unix_seconds` first: only a pair that passes is sent.
pub async fn enable_device(
    c: &Clients,
    user: &str,
    serial: &str,
    seed: &TotpSeed,
    codes: (&str, &str),
    unix_seconds: u64,
) -> Result<(), EnableError> {
    let verdict = check_two_codes(seed, codes.0, codes.1, unix_seconds);
    if !matches!(verdict, Verdict::Ok { .. }) {
        return Err(EnableError::Codes(verdict));
    }
    let digits = |s: &str| s.chars().filter(|c| c.is_ascii_digit()).collect::<String>();
    c.iam
        .enable_mfa_device()
        .user_name(user)
        .serial_number(serial)
        .authentication_code1(digits(codes.0))
        .authentication_code2(digits(codes.1))
        .send()
        .await
        .map_err(|e| EnableError::Aws(map_sdk_error("iam:EnableMFADevice", e)))?;
    Ok(())
}

/// Takes the device `serial` off `user` (it then signs nothing in).
pub async fn deactivate_device(c: &Clients, user: &str, serial: &str) -> Result<(), AwsError> {
    c.iam
        .deactivate_mfa_device()
        .user_name(user)
        .serial_number(serial)
        .send()
        .await
        .map_err(|e| map_sdk_error("iam:DeactivateMFADevice", e))?;
    Ok(())
}

/// Deletes the virtual MFA device `serial` (it must be deactivated first).
pub async fn delete_virtual_device(c: &Clients, serial: &str) -> Result<(), AwsError> {
    c.iam
        .delete_virtual_mfa_device()
        .serial_number(serial)
        .send()
        .await
        .map_err(|e| map_sdk_error("iam:DeleteVirtualMFADevice", e))?;
    Ok(())
}

/// The MFA devices assigned to `user`, oldest first.
pub async fn user_devices(c: &Clients, user: &str) -> Result<Vec<MfaDevice>, AwsError> {
    let listed: Vec<_> = c
        .iam
        .list_mfa_devices()
        .user_name(user)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| map_sdk_error("iam:ListMFADevices", e))?;
    let mut devices: Vec<MfaDevice> = listed
        .into_iter()
        .map(|d| MfaDevice {
            user: d.user_name,
            serial: d.serial_number,
            enabled: d.enable_date.secs(),
        })
        .collect();
    devices.sort_by(|a, b| (a.enabled, &a.serial).cmp(&(b.enabled, &b.serial)));
    Ok(devices)
}

/// The virtual device named `name` that no user has, if there is one
/// (`ListVirtualMFADevices` with `AssignmentStatus=Unassigned`): its serial number.
pub async fn unassigned_device(c: &Clients, name: &str) -> Result<Option<String>, AwsError> {
    let listed: Vec<_> = c
        .iam
        .list_virtual_mfa_devices()
        .assignment_status(aws_sdk_iam::types::AssignmentStatusType::Unassigned)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| map_sdk_error("iam:ListVirtualMFADevices", e))?;
    let suffix = format!("/{name}");
    Ok(listed
        .into_iter()
        .map(|d| d.serial_number)
        .find(|s| s.contains(":mfa/") && s.ends_with(&suffix)))
}

/// What [`ensure_policy`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyFound {
    /// The policy was made now.
    Created { arn: String },
    /// A policy of that name with the same document was there already.
    Existing { arn: String },
}

impl PolicyFound {
    pub fn arn(&self) -> &str {
        match self {
            PolicyFound::Created { arn } | PolicyFound::Existing { arn } => arn,
        }
    }
}

/// The error code of a policy of our name whose document is not ours.
pub const POLICY_DIFFERS: &str = "PolicyDocumentDiffers";

/// The ARN of the customer managed policy `name` (path `/`) in the caller's account and
/// partition.
async fn policy_arn(c: &Clients, name: &str) -> Result<String, AwsError> {
    let me = super::iam::identity(c).await?;
    let partition = me.arn.split(':').nth(1).filter(|p| !p.is_empty());
    Ok(format!(
        "arn:{}:iam::{}:policy/{name}",
        partition.unwrap_or("aws"),
        me.account
    ))
}

/// The document of the default version of policy `arn`, or `None` when there is no such policy.
async fn default_document(c: &Clients, arn: &str) -> Result<Option<String>, AwsError> {
    let policy = match c.iam.get_policy().policy_arn(arn).send().await {
        Ok(out) => out.policy,
        Err(e) if e.code() == Some("NoSuchEntity") => return Ok(None),
        Err(e) => return Err(map_sdk_error("iam:GetPolicy", e)),
    };
    let version = policy
        .and_then(|p| p.default_version_id)
        .unwrap_or_else(|| "v1".to_string());
    super::iam::version_document(c, arn, &version)
        .await
        .map(Some)
}

/// The error for a policy `arn` whose document is not `spec`'s.
fn differs(spec: &ManagedPolicySpec, arn: &str) -> AwsError {
    AwsError {
        operation: "iam:GetPolicyVersion".to_string(),
        code: POLICY_DIFFERS.to_string(),
        message: format!(
            "the customer managed policy {} ({arn}) exists, and its default version says \
             something else than the one iamwiz makes",
            spec.name
        ),
        hint: format!(
            "iamwiz never changes a policy it finds. Compare that policy with AWS's example \
             (iamwiz's copy: tests/fixtures/require_mfa_policy.json); if it is no longer needed, \
             delete it (aws iam delete-policy --policy-arn {arn}, after detaching it) and retry, \
             or attach it yourself if it is what you want."
        ),
    }
}

/// Finds the customer managed policy `spec.name` without changing anything: its ARN when it
/// says what `spec.document` says, `None` when there is none, the [`POLICY_DIFFERS`] error when
/// it says something else. `iamwiz apply` checks this before anything is created.
pub async fn find_policy(
    c: &Clients,
    spec: &ManagedPolicySpec,
) -> Result<Option<String>, AwsError> {
    let arn = policy_arn(c, &spec.name).await?;
    match default_document(c, &arn).await? {
        Some(document) if same_document(&document, &spec.document) => Ok(Some(arn)),
        Some(_) => Err(differs(spec, &arn)),
        None => Ok(None),
    }
}

/// Finds the customer managed policy `spec.name` and checks that it says what `spec.document`
/// says, or creates it (tagged with `mark`) when there is none.
pub async fn ensure_policy(
    c: &Clients,
    spec: &ManagedPolicySpec,
    mark: &RunMark,
) -> Result<PolicyFound, AwsError> {
    let arn = policy_arn(c, &spec.name).await?;
    let existing = |document: String| {
        if same_document(&document, &spec.document) {
            Ok(PolicyFound::Existing { arn: arn.clone() })
        } else {
            Err(differs(spec, &arn))
        }
    };
    if let Some(document) = default_document(c, &arn).await? {
        return existing(document);
    }
    match c
        .iam
        .create_policy()
        .policy_name(&spec.name)
        .description(&spec.description)
        .policy_document(&spec.document)
        .tags(mark.iam_tag())
        .send()
        .await
    {
        Ok(out) => Ok(PolicyFound::Created {
            arn: out.policy.and_then(|p| p.arn).unwrap_or(arn.clone()),
        }),
        Err(e) if e.code() == Some("EntityAlreadyExists") => {
            match default_document(c, &arn).await? {
                Some(document) => existing(document),
                None => Err(map_sdk_error("iam:CreatePolicy", e)),
            }
        }
        Err(e) => Err(map_sdk_error("iam:CreatePolicy", e)),
    }
}
