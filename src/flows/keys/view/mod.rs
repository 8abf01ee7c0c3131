//! The access-key flow's screens: [`user`] draws the user list, [`list`] the user's keys and the
//! confirmation over them, [`rotate`] a rotation's confirmation and progress.

mod list;
mod rotate;
mod user;

pub use list::{confirm_lines, key_lines};
pub use rotate::confirm_lines as rotate_lines;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::{App, Screen};

/// Draws the access-key flow's screen on show.
pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    match app.screen {
        Screen::KeysUser => user::draw(app, f, area),
        Screen::KeysList => list::draw(app, f, area),
        _ => {}
    }
}
