//! iamwiz: a terminal wizard that creates AWS IAM users safely.
//!
//! The crate is split the way the program works: [`app`] is the pure core (state, messages,
//! `update`), [`ui`] draws it, [`worker`] is the one async actor that talks to AWS through [`aws`],
//! and [`tui`] runs the loop between them. [`protocol`] is what the core and the worker say to each
//! other; [`secret`] holds the credentials a creation returns. [`planfile`] reads and writes plan
//! files, and [`apply`] creates users from one without the terminal UI (`iamwiz apply`); [`keys`] lists and rotates access keys
//! (`iamwiz keys`); [`mfa`] lists users' MFA devices (`iamwiz mfa`).

pub mod app;
pub mod apply;
pub mod aws;
pub mod cache;
pub mod cli;
pub mod clipboard;
pub mod core_dump;
#[cfg(feature = "crash-test")]
pub mod crash_test;
pub mod export;
pub mod flows;
pub mod keys;
pub mod kit;
pub mod log;
pub mod manual;
pub mod mfa;
pub mod model;
pub mod mongo;
pub mod panic;
pub mod planfile;
pub mod protocol;
pub mod screen;
pub mod secret;
pub mod term_text;

pub mod signals;
pub mod tui;
pub mod ui;
pub mod worker;
