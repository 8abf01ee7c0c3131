//! What the access-key flow holds: the chosen user, the user filter, the user's keys as last
//! read (kept on show while they are read again), the cursor, the confirmation open, and the change in flight.

use crate::app::{ListUi, Remote};
use crate::kit::text::TextField;
use crate::model::keys::AccessKeyInfo;
use crate::protocol::KeyChange;

/// A change the admin asked for and has not confirmed yet.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    /// The key's ID.
    pub id: String,
    pub change: KeyChange,
    /// Deleting an active key used in the last 7 days: the admin types its ID.
    pub needs_id: bool,
    pub typed: TextField,
}

/// A change sent to the worker, waiting for its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub seq: u64,
    pub id: String,
    pub change: KeyChange,
}

/// The access-key flow's state.
#[derive(Debug, Default)]
pub struct AccessKeys {
    /// The flow was entered from User details (Esc on the user list goes back there).
    pub from_users: bool,
    /// The user whose keys are on show.
    pub user: Option<String>,
    /// The user list's filter and cursor.
    pub pick: ListUi,
    /// The user's keys, once asked for.
    pub keys: Option<Remote<Vec<AccessKeyInfo>>>,
    /// When the keys were read (seconds since the Unix epoch): their ages count from it.
    pub now: i64,
    pub(crate) keys_seq: u64,
    /// The keys are being read again (the list on show stays usable meanwhile).
    pub reading: bool,
    /// The key under the cursor.
    pub cursor: usize,
    pub confirm: Option<Confirm>,
    pub pending: Option<Pending>,
}

impl AccessKeys {
    /// The keys as last read (none while loading or failed).
    pub fn list(&self) -> &[AccessKeyInfo] {
        match &self.keys {
            Some(Remote::Ready(keys)) => keys,
            _ => &[],
        }
    }

    /// The key under the cursor.
    pub fn current(&self) -> Option<&AccessKeyInfo> {
        self.list().get(self.cursor)
    }

    /// The key named `id`.
    pub fn find(&self, id: &str) -> Option<&AccessKeyInfo> {
        self.list().iter().find(|k| k.id == id)
    }
}
