//! What the access-key flow holds: the chosen user, the user filter, the user's keys as last
//! read (kept on show while they are read again), the cursor, the confirmation open, the change
//! in flight, and a rotation from its confirmation to the old key's deactivation.

use crate::app::{ListUi, Remote};
use crate::kit::text::TextField;
use crate::model::keys::AccessKeyInfo;
use crate::protocol::{KeyChange, KeyProof};

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
    /// Said after the change's own news once it is done (a rotation's last step).
    pub then: Option<String>,
}

/// A rotation the admin is asked to confirm.
#[derive(Clone, Debug, PartialEq)]
pub struct RotatePlan {
    /// Deleted first: the user has IAM's 2 keys (the key under the cursor).
    pub replace: Option<AccessKeyInfo>,
    /// The active key the new one takes over from: deactivated once the new key works.
    pub old: Option<AccessKeyInfo>,
    /// `replace` is an active key used in the last 7 days: the admin types its ID.
    pub needs_id: bool,
    pub typed: TextField,
}

impl RotatePlan {
    /// The description the new key takes over: the old key's, else the replaced key's.
    pub fn description(&self) -> Option<String> {
        [&self.old, &self.replace]
            .into_iter()
            .flatten()
            .find_map(|k| k.description.clone())
    }
}

/// Where a rotation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The replaced key's deletion and `CreateAccessKey` are in flight.
    Making,
    /// The new key is on the credentials screen.
    Revealed,
    /// The admin has the new key; the old key goes once the new one is proven.
    Proving,
}

/// A rotation under way, from the confirmation until the old key is dealt with.
#[derive(Clone, Debug, PartialEq)]
pub struct Rotation {
    pub run: u64,
    pub user: String,
    pub old: Option<String>,
    /// The new key's ID, once made.
    pub new: Option<String>,
    pub stage: Stage,
    /// The new key's proof as last heard.
    pub proof: Option<KeyProof>,
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
    /// The rotation the admin is asked to confirm.
    pub rotate: Option<RotatePlan>,
    pub rotation: Option<Rotation>,
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
