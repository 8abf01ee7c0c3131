//! A user's access keys as `iamwiz keys` shows them: status, age, last use and the console's
//! description, with the marks the rotation advice asks for (older than 90 days, never used) and
//! the recent use that makes deleting an active key need a second word from the admin.
//!
//! Times are seconds since the Unix epoch (UTC); the functions take `now` so that they are plain
//! arithmetic, testable without a clock.

use serde::Serialize;

/// A key older than this many days is due for rotation (AWS's advice: at least every 90 days).
pub const ROTATE_AFTER_DAYS: i64 = 90;

/// An active key used within this many days is in use: deleting it first needs saying so.
pub const RECENT_USE_DAYS: i64 = 7;

const DAY: i64 = 86_400;

/// One access key of a user, without its secret (which AWS never gives again).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessKeyInfo {
    pub user: String,
    pub id: String,
    /// `Active` or `Inactive`, as IAM says.
    pub status: String,
    /// When it was made.
    pub created: Option<i64>,
    /// Its last use (`GetAccessKeyLastUsed`), `None` when it was never used.
    pub last_used: Option<LastUse>,
    /// The console's description: the user's tag whose key is this key's ID.
    pub description: Option<String>,
}

/// An access key by its owner and ID: the new key of a rotation, which a signal deletes again
/// when nobody has its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRef {
    pub user: String,
    pub id: String,
}

/// The new key a rotation made, for the one-time reveal.
#[derive(Debug)]
pub struct Rotated {
    /// The user with the new key (its `sign_in_url` is empty: a rotation is about the key).
    pub key: super::user::CreatedUser,
    /// The description carried over from the key it replaces, stored on the new key.
    pub description: Option<String>,
    /// The profile of the admin's credentials file that holds the old key, if one does: the
    /// reveal offers to put the new key there.
    pub old_profile: Option<String>,
}

/// Why a rotation made no new key.
#[derive(Debug)]
pub struct RotateFailure {
    pub error: super::AwsError,
    /// The key the rotation was to replace was deleted before the failure.
    pub replaced_gone: bool,
    /// A new key that could not be deleted again after a later step failed, with the command
    /// that removes it.
    pub leftover: Option<super::Leftover>,
}

/// When, where and for what an access key was last used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LastUse {
    pub date: i64,
    /// The service it called, e.g. `iam` or `s3`.
    pub service: Option<String>,
    pub region: Option<String>,
}

impl AccessKeyInfo {
    pub fn is_active(&self) -> bool {
        self.status == "Active"
    }

    /// Whole days since it was made.
    pub fn age_days(&self, now: i64) -> Option<i64> {
        self.created.map(|c| (now - c).max(0) / DAY)
    }

    /// Older than [`ROTATE_AFTER_DAYS`].
    pub fn is_old(&self, now: i64) -> bool {
        self.age_days(now).is_some_and(|d| d > ROTATE_AFTER_DAYS)
    }

    pub fn never_used(&self) -> bool {
        self.last_used.is_none()
    }

    /// Active and used within the last [`RECENT_USE_DAYS`] days.
    pub fn in_recent_use(&self, now: i64) -> bool {
        self.is_active()
            && self
                .last_used
                .as_ref()
                .is_some_and(|u| now - u.date < RECENT_USE_DAYS * DAY)
    }
}

/// `YYYY-MM-DD` of `secs` since the epoch (UTC).
pub fn day(secs: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let z = secs.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDTHH:MM:SSZ` of `secs` since the epoch (ISO 8601, UTC).
pub fn timestamp(secs: i64) -> String {
    let t = secs.rem_euclid(DAY);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        day(secs),
        t / 3600,
        t % 3600 / 60,
        t % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(status: &str, created: i64, used: Option<i64>) -> AccessKeyInfo {
        AccessKeyInfo {
            user: "alice".into(),
            id: "AKIA1".into(),
            status: status.into(),
            created: Some(created),
            last_used: used.map(|date| LastUse {
                date,
                service: None,
                region: None,
            }),
            description: None,
        }
    }

    #[test]
    fn days_are_utc_calendar_days() {
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(951_782_400), "2000-02-29");
        assert_eq!(day(1_767_225_599), "2025-12-31");
        assert_eq!(day(1_767_225_600), "2026-01-01");
        assert_eq!(timestamp(1_767_225_599), "2025-12-31T23:59:59Z");
    }

    #[test]
    fn a_key_is_old_after_90_whole_days_and_in_use_when_active_and_used_within_7() {
        let now = 200 * DAY;
        assert!(!key("Active", now - 90 * DAY, None).is_old(now));
        assert!(key("Active", now - 91 * DAY, None).is_old(now));
        assert!(key("Active", now, None).never_used());
        assert!(key("Active", 0, Some(now - 6 * DAY)).in_recent_use(now));
        assert!(!key("Active", 0, Some(now - 7 * DAY)).in_recent_use(now));
        assert!(!key("Inactive", 0, Some(now - DAY)).in_recent_use(now));
    }
}
