//! The mark of what one run creates, so that a retried call never takes someone else's entity
//! for its own.
//!
//! A call whose answer was lost may have been applied; its retry then meets `EntityAlreadyExists`
//! (IAM) or finds a key it cannot tell apart (KMS). Meanwhile another admin may have made an
//! entity of that name: adopting it would give their user a key, and a rollback would delete it.
//! So everything a run creates carries a tag [`TAG_KEY`] whose value is 128 random bits drawn for
//! that run: users, roles and instance profiles in `CreateUser`, `CreateRole` and
//! `CreateInstanceProfile`'s `Tags`, KMS keys in `CreateKey`'s. A retry adopts what it meets only
//! if it carries the run's value and was made after the run started (less [`CLOCK_SKEW`], as
//! AWS's clock may differ from ours); anything else is a clash: reported, never changed, never
//! deleted.
//!
//! The tag counts against IAM's 50 tags per entity: the wizard and plans allow 49 of the admin's.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The tag key of the mark.
pub const TAG_KEY: &str = "iamwiz:run";

/// How far AWS's clock may be behind ours for an entity still to count as made in this run.
pub const CLOCK_SKEW: Duration = Duration::from_secs(300);

/// One run's mark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunMark {
    value: String,
    /// When the run started, in seconds since the Unix epoch.
    started: i64,
}

impl RunMark {
    /// A new mark: 128 bits from the OS's random source (should it fail, the time and the process
    /// ID, which still tell this run from any other).
    pub fn draw() -> RunMark {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let mut bits = [0u8; 16];
        let value = match getrandom::fill(&mut bits) {
            Ok(()) => bits.iter().map(|b| format!("{b:02x}")).collect(),
            Err(_) => format!("{:x}-{:x}", now.as_nanos(), std::process::id()),
        };
        RunMark {
            value,
            started: i64::try_from(now.as_secs()).unwrap_or(i64::MAX),
        }
    }

    /// The mark's value (not a secret: it only tells this run's entities from others).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The mark as an IAM tag.
    pub fn iam_tag(&self) -> aws_sdk_iam::types::Tag {
        aws_sdk_iam::types::Tag::builder()
            .key(TAG_KEY)
            .value(&self.value)
            .build()
            .expect("key and value are set")
    }

    /// The mark as a (key, value) pair.
    pub fn pair(&self) -> (String, String) {
        (TAG_KEY.to_string(), self.value.clone())
    }

    /// Whether an entity with `tags`, made at `created` (seconds since the Unix epoch, AWS's
    /// clock), is this run's.
    pub fn is_on<'a>(
        &self,
        mut tags: impl Iterator<Item = (&'a str, &'a str)>,
        created: Option<i64>,
    ) -> bool {
        let skew = CLOCK_SKEW.as_secs() as i64;
        tags.any(|(k, v)| k == TAG_KEY && v == self.value)
            && created.is_some_and(|t| t >= self.started - skew)
    }

    /// Whether `created` (seconds since the Unix epoch, AWS's clock) is within this run.
    pub fn made_since_start(&self, created: Option<i64>) -> bool {
        let skew = CLOCK_SKEW.as_secs() as i64;
        created.is_some_and(|t| t >= self.started - skew)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_run_draws_its_own_128_bit_value() {
        let (a, b) = (RunMark::draw(), RunMark::draw());
        assert_ne!(a.value(), b.value());
        assert_eq!(a.value().len(), 32);
        assert!(a.value().chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn only_this_runs_value_on_an_entity_made_since_it_started_counts() {
        let mark = RunMark::draw();
        let now = mark.started;
        let ours = [(TAG_KEY, mark.value())];
        assert!(mark.is_on(ours.iter().copied(), Some(now)));
        assert!(
            mark.is_on(ours.iter().copied(), Some(now - 60)),
            "AWS's clock behind"
        );
        assert!(
            !mark.is_on(ours.iter().copied(), Some(now - 3600)),
            "made before the run"
        );
        assert!(!mark.is_on(ours.iter().copied(), None));
        let other = RunMark::draw();
        let theirs = [(TAG_KEY, other.value())];
        assert!(!mark.is_on(theirs.iter().copied(), Some(now)));
        assert!(!mark.is_on([("team", "x")].into_iter(), Some(now)));
    }
}
