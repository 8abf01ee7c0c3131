//! How the users flow's steps look: one function per step, and the Permissions step's forms.

pub mod inline;
pub mod new_group;
pub mod save_plan;
pub mod steps;
