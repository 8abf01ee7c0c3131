//! The users flow: the console's create-user wizard (User details, Access type, Permissions,
//! Boundary, Tags, Review) for up to 10 users at once.
//!
//! [`draft`] holds what the admin chose and the rules AWS applies to each choice; [`rules`] the
//! rules over the whole draft (the permissions in force, the checks before creating, the creation
//! requests); [`update`] the keys of each step; [`view`] draws them. The Permissions step's parts
//! have a module each: the policy [`picker`], the [`inline_policy`] editor, the [`new_group`]
//! form; [`save_plan`] writes Review's plan.

pub mod draft;
pub mod inline_policy;
pub mod new_group;
pub mod picker;
pub mod rules;
pub mod save_plan;
pub mod update;
pub mod view;
