//! What the MFA flow holds: the chosen user, the user filter, the user's devices as last read,
//! the cursor, the confirmation open, the change in flight, and an enrolment from its new
//! device to the moment IAM enables it (or it is deleted again).

use crate::app::{ListUi, Remote};
use crate::kit::text::TextField;
use crate::model::mfa::{Clock, UserDevices, system_clock};
use crate::model::totp::TotpSeed;
use crate::protocol::MfaChange;

/// A change the admin asked for and has not confirmed yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub serial: String,
    pub change: MfaChange,
}

/// A change sent to the worker, waiting for its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub seq: u64,
    pub serial: String,
    pub change: MfaChange,
}

/// Where an enrolment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// `CreateVirtualMFADevice` is in flight.
    Creating,
    /// The device exists: its QR code and seed are on show, the codes are typed.
    Ready,
    /// `EnableMFADevice` is in flight.
    Enabling,
    /// The device is being deleted again (never enabled).
    Discarding,
}

/// A new virtual device, from its creation until IAM enables it or it is deleted again.
#[derive(Debug)]
pub struct Enrolment {
    pub run: u64,
    pub user: String,
    pub stage: Stage,
    /// The new device's serial number (its ARN), once made.
    pub serial: Option<String>,
    /// Its seed, a secret: dropped (and zeroed) as soon as the device is enabled or deleted.
    pub seed: Option<TotpSeed>,
    /// The Base32 seed is shown (`s`), else masked.
    pub show_seed: bool,
    /// The two consecutive codes, as typed.
    pub codes: [TextField; 2],
    /// The code field with the focus (0 or 1).
    pub field: usize,
    /// What the last check of the codes found, when they did not pass.
    pub verdict: Option<String>,
    /// Why the device is being deleted again, said with the news of its deletion.
    pub why: Option<String>,
}

impl Enrolment {
    pub fn new(run: u64, user: String) -> Enrolment {
        Enrolment {
            run,
            user,
            stage: Stage::Creating,
            serial: None,
            seed: None,
            show_seed: false,
            codes: Default::default(),
            field: 0,
            verdict: None,
            why: None,
        }
    }

    /// The new device's serial number, once made.
    pub fn serial(&self) -> Option<&str> {
        self.serial.as_deref()
    }
}

/// One row of the device list: a device assigned to the user, or the spare virtual device
/// named after them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub serial: String,
    /// When it was enabled (none for the spare, which no user has).
    pub enabled: Option<i64>,
}

/// The MFA flow's state.
#[derive(Debug)]
pub struct Mfa {
    /// The user whose devices are on show.
    pub user: Option<String>,
    /// The user list's filter and cursor.
    pub pick: ListUi,
    /// The user's devices, once asked for.
    pub devices: Option<Remote<UserDevices>>,
    pub(crate) devices_seq: u64,
    /// The row under the cursor.
    pub cursor: usize,
    pub confirm: Option<Confirm>,
    pub pending: Option<Pending>,
    pub enrol: Option<Enrolment>,
    /// The time the codes are checked at (the system clock; tests fix it).
    pub clock: Clock,
    /// A new device deleted again while a signal ended the wizard, for the note after it.
    pub discarded_on_end: Option<super::leave::DiscardedOnEnd>,
}

impl Default for Mfa {
    fn default() -> Mfa {
        Mfa {
            user: None,
            pick: ListUi::default(),
            devices: None,
            devices_seq: 0,
            cursor: 0,
            confirm: None,
            pending: None,
            enrol: None,
            clock: system_clock,
            discarded_on_end: None,
        }
    }
}

impl Mfa {
    /// The rows of the list: the assigned devices, oldest first, then the spare.
    pub fn rows(&self) -> Vec<Row> {
        let Some(Remote::Ready(d)) = &self.devices else {
            return Vec::new();
        };
        let mut rows: Vec<Row> = d
            .assigned
            .iter()
            .map(|d| Row {
                serial: d.serial.clone(),
                enabled: Some(d.enabled),
            })
            .collect();
        rows.extend(d.spare.iter().map(|s| Row {
            serial: s.clone(),
            enabled: None,
        }));
        rows
    }

    /// The row under the cursor.
    pub fn current(&self) -> Option<Row> {
        self.rows().into_iter().nth(self.cursor)
    }
}
