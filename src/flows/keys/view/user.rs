//! The user list, as every flow that opens on one draws it.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::App;
use crate::flows::user_pick;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let question = "Whose access keys? Type to filter, Enter to choose.";
    user_pick::draw(app, &app.flows.keys.pick, question, f, area);
}
