//! How AWS's throttling shows to the admin: each service's rate as the rate control
//! ([`crate::aws::rate`]) publishes it, and how long a run still waits.

use std::time::Duration;

/// How long a run (the wizard's creation, `iamwiz apply`) waits out AWS's throttling when
/// `--timeout` is not given.
pub const DEFAULT_RUN_TIMEOUT: Duration = Duration::from_secs(300);

/// What one service's rate control is doing, as published to the screens.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RateStatus {
    /// The requests a second it keeps to; `None` while AWS has not throttled (or not lately).
    pub per_second: Option<f64>,
    /// How many answers were throttling since the client was made.
    pub throttles: u64,
}

impl RateStatus {
    /// What the admin reads about `service`'s rate (`iam`, `sts`, `kms`), `None` when AWS has
    /// never throttled it.
    pub fn describe(&self, service: &str) -> Option<String> {
        let name = service.to_ascii_uppercase();
        match self.per_second {
            Some(rate) if rate < 2.0 => Some(format!(
                "{name} is throttling: slowed to about {rate:.1} requests/s"
            )),
            Some(rate) => Some(format!(
                "{name} is throttling: slowed to about {rate:.0} requests/s"
            )),
            None if self.throttles > 0 => Some(format!("{name} stopped throttling: full speed")),
            None => None,
        }
    }
}

/// How long a throttled run still waits, as the screens say it.
pub fn time_left(left: Duration) -> String {
    let secs = left.as_secs();
    format!("gives up in {}:{:02}", secs / 60, secs % 60)
}
