//! The worker's side of the MFA flow: a user's devices (and the spare virtual device named after
//! them), a new virtual device named after the user, enabling it with two codes (checked against
//! its seed again here, before IAM sees them), and deactivating or deleting a device.

use crate::aws::mark::RunMark;
use crate::aws::{self, Clients};
use crate::model::mfa::{EnableError, NewVirtualDevice, UserDevices, system_clock};
use crate::model::totp::TotpSeed;
use crate::protocol::{AwsError, MfaChange};
use crate::secret::Secret;

/// `user`'s devices, and the spare virtual device named after them.
pub async fn load(c: &Clients, user: &str) -> Result<UserDevices, AwsError> {
    let (assigned, spare) = tokio::join!(
        aws::mfa::user_devices(c, user),
        aws::mfa::unassigned_device(c, user)
    );
    Ok(UserDevices {
        assigned: assigned?,
        spare: spare?,
    })
}

/// A new virtual device named after `user` (the require-MFA policy lets a user manage only the
/// device named after them), marked as this run's.
pub async fn create(c: &Clients, user: &str) -> Result<NewVirtualDevice, AwsError> {
    let mark = RunMark::draw();
    aws::mfa::create_virtual_device(c, user, &mark)
        .await
        .map_err(|mut e| {
            if e.code == "EntityAlreadyExists" {
                e.hint = format!(
                    "A virtual MFA device named {user} exists already (an earlier enrolment that \
                     never finished, or a device deactivated): delete it (x on the device list) \
                     if no one uses it, then press n again."
                );
            }
            e
        })
}

/// Enables `serial` for `user`, with the codes checked against `seed` at this moment first.
pub async fn enable(
    c: &Clients,
    user: &str,
    serial: &str,
    seed: &TotpSeed,
    codes: &[Secret; 2],
) -> Result<(), EnableError> {
    let now = system_clock();
    let codes = (codes[0].expose(), codes[1].expose());
    aws::mfa::enable_device(c, user, serial, seed, codes, now).await
}

/// Deactivates or deletes the device `serial` of `user`.
pub async fn change(
    c: &Clients,
    user: &str,
    serial: &str,
    change: MfaChange,
) -> Result<(), AwsError> {
    match change {
        MfaChange::Deactivate => aws::mfa::deactivate_device(c, user, serial).await,
        MfaChange::Delete | MfaChange::Discard => aws::mfa::delete_virtual_device(c, serial).await,
    }
}
