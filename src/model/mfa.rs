//! MFA devices as every layer sees them: a user's devices as IAM lists them, a virtual device
//! just created (its serial number and its seed), and why enabling one failed.
//!
//! The seed of a new device is a secret: it stays in a [`TotpSeed`] (zeroized when dropped,
//! redacted in `Debug`), is drawn on the enrolment screen only, and is never logged, written to
//! a plan or to a file. IAM never gives it again.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::model::AwsError;
use crate::model::totp::{TotpSeed, Verdict};

/// A virtual MFA device just created: its serial number (its ARN) and its seed.
#[derive(Debug)]
pub struct NewVirtualDevice {
    pub serial: String,
    /// Redacted in `Debug`.
    pub seed: TotpSeed,
}

/// An MFA device assigned to a user, as `ListMFADevices` gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaDevice {
    pub user: String,
    /// The device's ARN (virtual devices) or serial number (hardware).
    pub serial: String,
    /// When it was enabled, seconds since the Unix epoch.
    pub enabled: i64,
}

/// A user's devices as the MFA flow shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserDevices {
    /// The devices assigned to the user, oldest first.
    pub assigned: Vec<MfaDevice>,
    /// The serial of a virtual device named after the user that no user has: one deactivated,
    /// or left by an enrolment that never finished. A new device of that name cannot be made
    /// until it is deleted.
    pub spare: Option<String>,
}

/// Why a device was not enabled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnableError {
    /// The codes failed the check against the seed; nothing was sent to IAM.
    Codes(Verdict),
    /// IAM refused or could not be reached.
    Aws(AwsError),
}

impl std::fmt::Display for EnableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnableError::Codes(verdict) => f.write_str(&verdict.message()),
            EnableError::Aws(e) => write!(f, "{e}"),
        }
    }
}

/// What kind of device a serial number names: IAM gives virtual devices and FIDO security keys
/// ARNs (`…:mfa/NAME`, `…:u2f/…`), hardware TOTP tokens their printed serial number.
pub fn kind(serial: &str) -> &'static str {
    match serial.split(':').nth(5) {
        Some(resource) if serial.starts_with("arn:") && resource.starts_with("mfa/") => "virtual",
        Some(resource) if serial.starts_with("arn:") && resource.starts_with("u2f/") => {
            "security key"
        }
        _ => "hardware",
    }
}

/// Whether `serial` names a virtual device (which `DeleteVirtualMFADevice` can remove).
pub fn is_virtual(serial: &str) -> bool {
    kind(serial) == "virtual"
}

/// Where the enrolment screen reads the time its codes are checked at: seconds since the Unix
/// epoch. The wizard reads the system clock; tests pass a fixed one.
pub type Clock = fn() -> u64;

/// The system clock, as a [`Clock`].
pub fn system_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// A second copy of `seed` (the enrolment screen keeps one, the request to enable the device
/// carries one, so the worker checks the codes again before IAM sees them).
pub fn copy_seed(seed: &TotpSeed) -> TotpSeed {
    TotpSeed::from_base32(seed.to_base32().as_str()).expect("a seed's own Base32 reads back")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_of_a_device_comes_from_its_serial_number() {
        assert_eq!(kind("arn:aws:iam::123456789012:mfa/alice"), "virtual");
        assert!(is_virtual("arn:aws-cn:iam::123456789012:mfa/team/alice"));
        assert_eq!(
            kind("arn:aws:iam::123456789012:u2f/user/alice/key-1"),
            "security key"
        );
        assert!(!is_virtual("GAHT12345678"));
    }

    #[test]
    fn a_copied_seed_gives_the_same_codes() {
        let seed = TotpSeed::from_bytes(b"12345678901234567890".to_vec());
        assert_eq!(copy_seed(&seed).code_at(59, 6), seed.code_at(59, 6));
    }
}
