//! The users flow: the console's create-user wizard (User details, Access type, Permissions,
//! Boundary, Tags, Review) for up to 10 users at once.
//!
//! [`draft`] holds what the admin chose and the rules AWS applies to it; [`update`] the keys of
//! each step; [`view`] draws them. The Permissions step's parts have a module each: the policy
//! [`picker`], the [`inline_policy`] editor, the [`new_group`] form; [`save_plan`] writes Review's
//! plan.

pub mod draft;
pub mod inline_policy;
pub mod new_group;
pub mod picker;
pub mod save_plan;
pub mod update;
pub mod view;
