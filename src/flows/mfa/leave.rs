//! What leaving the MFA flow does, in the admin's words: the quit question says what quitting
//! now does to the device on show (a new one never enabled is deleted; an enabled one stays),
//! and when a signal ends the wizard the note printed after it says what became of a new device
//! deleted on the way out (or the command that finishes it, when its deletion failed or AWS did
//! not answer in time).

use super::Stage;
use crate::app::{App, Remote};
use crate::protocol::AwsError;

/// A new device never enabled, deleted again while a signal ended the wizard: `error` is why
/// its deletion failed, if it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscardedOnEnd {
    pub user: String,
    pub serial: String,
    pub error: Option<AwsError>,
}

/// The command that deletes virtual device `serial` by hand.
fn delete_command(serial: &str) -> String {
    format!("aws iam delete-virtual-mfa-device --serial-number {serial}")
}

/// What quitting now does, for the quit question: the new device on the enrolment screen is
/// deleted (it was never enabled); a change not yet confirmed is not made, and MFA the user has
/// stays on.
pub fn quit_warning(app: &App) -> Option<String> {
    let m = &app.flows.mfa;
    if let Some(e) = &m.enrol {
        let serial = e.serial()?;
        return (e.stage == Stage::Ready)
            .then(|| format!("The virtual device {serial} was not enabled: it is deleted."));
    }
    let c = m.confirm.as_ref()?;
    let user = m.user.as_deref().unwrap_or_default();
    let enabled = matches!(&m.devices, Some(Remote::Ready(d)) if !d.assigned.is_empty());
    Some(if enabled {
        format!(
            "MFA for {user} is enabled; nothing is lost: {} is not {}.",
            c.serial,
            c.change.done()
        )
    } else {
        format!(
            "Nothing is changed: {} is not {}.",
            c.serial,
            c.change.done()
        )
    })
}

/// For the admin, after a signal ended the wizard: what became of a new device never enabled.
pub fn ending_note(app: &App) -> Option<String> {
    let m = &app.flows.mfa;
    if let Some(d) = &m.discarded_on_end {
        let (user, serial) = (&d.user, &d.serial);
        return Some(match &d.error {
            None => format!(
                "deleted the virtual MFA device {serial} of {user} again: it was never enabled"
            ),
            Some(err) => format!(
                "could not delete the virtual MFA device {serial} of {user}, never enabled \
                 ({err}); delete it with: {}",
                delete_command(serial)
            ),
        });
    }
    let e = m.enrol.as_ref()?;
    let user = &e.user;
    Some(match (e.stage, e.serial()) {
        (Stage::Enabling, Some(serial)) => format!(
            "AWS did not answer in time: the virtual MFA device {serial} of {user} may or may \
             not be enabled; see: aws iam list-mfa-devices --user-name {user}"
        ),
        (_, Some(serial)) => format!(
            "AWS did not answer in time: the virtual MFA device {serial} of {user}, never \
             enabled, may still exist; delete it with: {}",
            delete_command(serial)
        ),
        (_, None) => format!(
            "AWS did not answer in time: a virtual MFA device for {user} may have been made and \
             never enabled; find it with: aws iam list-virtual-mfa-devices \
             --assignment-status Unassigned"
        ),
    })
}
