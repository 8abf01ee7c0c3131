//! The guided MongoDB encryption service account: Purpose, Key, Account and Review, the request
//! that creates the key and the account, and the role result screen. The secrets of a new user
//! go to the one-time reveal like the users flow's.
//!
//! [`state`] is what the flow holds, [`rules`] the rules its fields follow, [`queries`] what the
//! views and Review read from it, [`update`] its keys, [`work`] its requests to the worker and
//! their answers, and [`view`] draws it.

pub mod queries;
pub mod rules;
pub mod state;
pub mod update;
pub mod view;
pub mod work;

pub use rules::*;
pub use state::*;
pub(crate) use update::{key, paste, role_key};
pub(crate) use work::{enter, finish, on_keys, seed_region, start_over, tick};

use crate::app::Screen;

/// The screens of the encryption flow that the admin fills in, in order.
pub const STEPS: [Screen; 4] = [
    Screen::EncPurpose,
    Screen::EncKey,
    Screen::EncAccount,
    Screen::EncReview,
];

/// The key policy, in the words Key and Review show.
pub const KEY_POLICY_SENTENCE: &str = "The key policy stays the account default: the service \
                                       account gets no administrative rights on the key.";
