//! The wizard's flows: each is a directory holding its state, rules, keys and views.

pub mod encryption;
pub mod users;
