//! The MFA flow's screens: [`user`] draws the user list, [`list`] the user's devices and the
//! confirmation over them, [`enrol`] a new device's QR code, seed and code fields.

mod enrol;
mod list;
mod user;

pub use enrol::{SEED_GROUPS_A_LINE, TEXT_WIDTH, seed_lines};

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::{App, Screen};

/// Draws the MFA flow's screen on show.
pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    match app.screen {
        Screen::MfaUser => user::draw(app, f, area),
        Screen::MfaList => list::draw(app, f, area),
        Screen::MfaEnrol => enrol::draw(app, f, area),
        _ => {}
    }
}
