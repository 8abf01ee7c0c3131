//! The building blocks every flow's screens are made of: a text field and a text area (state and
//! editing keys), a field's rule, the wrapping of text by display width, and the small drawing
//! helpers and colours the views share. No module here knows a flow, the account or the worker.

pub mod field;
pub mod keys;
pub mod qr;
pub mod tags;
pub mod text;
pub mod textarea;
pub mod widgets;
pub mod wrap;
