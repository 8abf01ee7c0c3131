//! The MFA flow's rules: which changes make sense for a device (IAM deletes only a virtual
//! device no user has), what they do, and what the code fields accept.

use super::Row;
use crate::kit::field::FieldRule;
use crate::model::mfa::is_virtual;
use crate::protocol::MfaChange;

/// What a code field accepts: the six digits the authenticator app shows (a space between the
/// halves, as some apps show them, too).
pub const CODE: FieldRule = FieldRule {
    secret: false,
    what: "a code",
    allowed: |c| c.is_ascii_digit() || c == ' ',
    chars: "the 6 digits the authenticator app shows",
    max: 7,
};

/// Why `change` cannot be asked of the device in `row`, if it cannot.
pub fn refusal(row: &Row, change: MfaChange) -> Option<String> {
    let serial = &row.serial;
    match change {
        MfaChange::Deactivate if row.enabled.is_none() => {
            Some(format!("{serial} is not enabled for anyone: x deletes it."))
        }
        MfaChange::Delete if !is_virtual(serial) => Some(format!(
            "{serial} is not a virtual device: d deactivates it (IAM deletes only virtual ones)."
        )),
        MfaChange::Delete if row.enabled.is_some() => Some(format!(
            "IAM deletes a virtual device only once no user has it: deactivate {serial} first \
             (d), then delete it (x)."
        )),
        _ => None,
    }
}

/// What a confirmed change does, in one sentence for the confirmation.
pub fn consequence(change: MfaChange, user: &str) -> String {
    match change {
        MfaChange::Deactivate => {
            format!("{user} can no longer sign in with it; it stays in the account until deleted.")
        }
        MfaChange::Delete | MfaChange::Discard => {
            "A deleted device cannot come back: its seed is gone for good.".to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(serial: &str, enabled: bool) -> Row {
        Row {
            serial: serial.into(),
            enabled: enabled.then_some(1),
        }
    }

    #[test]
    fn an_enabled_virtual_device_is_deactivated_before_it_is_deleted() {
        let on = row("arn:aws:iam::123456789012:mfa/alice", true);
        assert!(
            refusal(&on, MfaChange::Delete)
                .unwrap()
                .contains("deactivate")
        );
        assert_eq!(refusal(&on, MfaChange::Deactivate), None);
        let spare = row("arn:aws:iam::123456789012:mfa/alice", false);
        assert_eq!(refusal(&spare, MfaChange::Delete), None);
        assert!(refusal(&spare, MfaChange::Deactivate).is_some());
        let token = row("GAHT12345678", true);
        assert!(refusal(&token, MfaChange::Delete).is_some());
    }
}
