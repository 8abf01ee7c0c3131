//! The MFA flow's rules: which users the filter keeps (fuzzy, best first), which changes make
//! sense for a device (IAM deletes only a virtual device no user has), and what the codes
//! fields accept.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Matcher, Utf32Str};

use super::Row;
use crate::app::{App, Remote};
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

/// The account's user names the filter keeps: every one, sorted, for an empty filter; else the
/// fuzzy matches, best first (ties by name).
pub fn filtered_users(app: &App) -> Vec<&str> {
    let Remote::Ready(users) = &app.catalog.users else {
        return Vec::new();
    };
    let filter = app.flows.mfa.pick.filter.value();
    let mut names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
    if filter.is_empty() {
        names.sort_unstable();
        return names;
    }
    let pattern = Pattern::parse(filter, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(nucleo_matcher::Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, &str)> = names
        .into_iter()
        .filter_map(|n| Some((pattern.score(Utf32Str::new(n, &mut buf), &mut matcher)?, n)))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().map(|(_, n)| n).collect()
}

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
