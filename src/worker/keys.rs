//! The worker side of the keys flow: a user's access keys as the flow lists them, and the one
//! change the admin confirmed to one key (activate, deactivate, delete). Every AWS call is one of
//! [`crate::aws::access_keys`]'s.

use crate::aws::{Clients, access_keys};
use crate::model::keys::AccessKeyInfo;
use crate::protocol::{AwsError, KeyChange};

/// `user`'s keys, oldest first, and when they were read (seconds since the Unix epoch).
pub async fn load(c: &Clients, user: &str) -> (i64, Result<Vec<AccessKeyInfo>, AwsError>) {
    let result = access_keys::user_keys(c, user).await;
    (now(), result)
}

/// Applies `change` to `user`'s key `id`. A deleted key's description (the console's user tag
/// named after it) goes with it: a tag that cannot be removed fails the change with
/// `iam:UntagUser`, the key itself being gone.
pub async fn change(c: &Clients, user: &str, id: &str, change: KeyChange) -> Result<(), AwsError> {
    match change {
        KeyChange::Activate => access_keys::set_key_active(c, user, id, true).await,
        KeyChange::Deactivate => access_keys::set_key_active(c, user, id, false).await,
        KeyChange::Delete => {
            access_keys::delete_key(c, user, id).await?;
            access_keys::remove_description(c, user, id).await
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
