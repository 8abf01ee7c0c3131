//! Colour, or none: what a frame looks like when the admin asked for no colour (`NO_COLOR`, or
//! `--color never`).
//!
//! Views draw with the palette of [`crate::kit::widgets`] (ACCENT, OK, ERROR, DIM, and yellow for
//! what is under way or needs a look). Without colour, [`monochrome`] turns each colour of the
//! finished frame into a terminal attribute that says the same thing, and clears the colour:
//!
//! | colour | meaning | without colour |
//! | --- | --- | --- |
//! | ACCENT (cyan), ERROR (red), yellow | focus, keys, errors, warnings | bold |
//! | DIM (dark grey) | hints, what is not focused | dim |
//! | OK (green) | done | (its ✓ says it) |
//! | any background | the title badge, the QR code | reversed |
//!
//! Focus also shows by its `›` pointer, underlines and the reversed cursor; errors by `✗`;
//! masked secrets by `•`: none of it needs colour. One pass over the frame, in one place, means
//! no view can forget it.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use crate::kit::widgets::{ACCENT, DIM, ERROR, OK};

/// Replaces every colour of `buf` by the attribute that says the same thing (see the table above).
pub fn monochrome(buf: &mut Buffer) {
    for cell in buf.content.iter_mut() {
        let mut add = Modifier::empty();
        match cell.fg {
            Color::Reset => {}
            c if c == DIM => add |= Modifier::DIM,
            c if c == OK => {}
            c if c == ACCENT || c == ERROR || c == Color::Yellow => add |= Modifier::BOLD,
            // Text drawn on a background (the title badge, the QR code) is shown reversed below.
            _ => {}
        }
        if cell.bg != Color::Reset {
            add |= Modifier::REVERSED;
        }
        cell.modifier |= add;
        cell.fg = Color::Reset;
        cell.bg = Color::Reset;
    }
}

#[cfg(test)]
mod tests {
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    use super::*;

    #[test]
    fn each_colour_becomes_its_attribute_and_no_colour_is_left() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        buf.set_string(0, 0, "a", Style::new().fg(ACCENT));
        buf.set_string(1, 0, "e", Style::new().fg(ERROR));
        buf.set_string(2, 0, "d", Style::new().fg(DIM));
        buf.set_string(3, 0, "o", Style::new().fg(OK).underlined());
        buf.set_string(4, 0, "b", Style::new().fg(Color::Black).bg(ACCENT));
        monochrome(&mut buf);
        let m = |x: u16| buf[(x, 0)].modifier;
        assert_eq!(m(0), Modifier::BOLD);
        assert_eq!(m(1), Modifier::BOLD);
        assert_eq!(m(2), Modifier::DIM);
        assert_eq!(m(3), Modifier::UNDERLINED);
        assert_eq!(m(4), Modifier::REVERSED);
        assert!(
            buf.content
                .iter()
                .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
        );
    }
}
