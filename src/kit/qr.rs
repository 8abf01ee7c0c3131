//! A QR code drawn with text: the `otpauth://` URI of a virtual MFA device, for the admin's phone
//! to scan off the terminal.
//!
//! Each text cell holds two modules, one above the other, as a Unicode half block: `█` both dark,
//! `▀` the upper, `▄` the lower, a space neither. Around the code is the quiet zone of 4 modules a
//! reader needs. So a code of `n` modules a side takes `n + 8` columns and `(n + 8) / 2` rows
//! (rounded up): a terminal cell is about twice as tall as wide, and the picture stays square.
//!
//! **Light and dark.** A phone expects dark modules on a light background, and many terminals
//! have a dark background with light text: drawn in the terminal's own colours, the code would
//! come out inverted, which many readers do not decode. So [`QrArt::lines`] gives every cell
//! explicit colours, black ink (the glyphs, the dark modules) on a white background (the spaces
//! and the other half of each half block, the light modules), whatever the terminal's theme.
//! The plain text ([`QrArt::rows`]) has the same glyphs, dark modules as ink.
//!
//! **Size.** The smallest QR version that holds the text is used, and within it the stronger of
//! error correction levels L and M (M when it costs no extra size), so that the code fits an
//! 80x24 terminal when it can. IAM's URI for `alice@123456789012` with a 32-character seed (128
//! bytes) needs version 6 at L, 49x25 cells; with a 64-character seed (160 bytes), version 7 at
//! L, 53x27 cells. Neither fits 24 rows (a quiet zone of 4 modules costs 4 rows): a screen checks
//! [`QrArt::size`] against its room and asks for a larger terminal when it does not fit.
//!
//! The picture encodes the seed, so it is a secret too: `Debug` is redacted, and nothing here
//! keeps it beyond the value the caller owns.

use std::fmt;

use qrcode::{Color as Module, EcLevel, QrCode, Version};
use ratatui::style::{Color, Style};
use ratatui::text::Line;

/// Modules of light margin around the code, as the QR standard asks.
pub const QUIET_ZONE: usize = 4;

/// A QR code as rows of half-block text.
pub struct QrArt {
    rows: Vec<String>,
    width: u16,
    version: i16,
    ec_level: EcLevel,
}

/// Why a text could not be drawn as a QR code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QrError {
    /// More than the largest QR code (version 40) holds.
    TooLong,
}

impl fmt::Display for QrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QrError::TooLong => f.write_str("the text is too long for a QR code"),
        }
    }
}

impl std::error::Error for QrError {}

/// The style of every cell: black ink on white, whatever the terminal's colours.
pub fn style() -> Style {
    Style::default().fg(Color::Black).bg(Color::White)
}

/// The smallest QR code for `text`: the smallest version that holds it, at level M if that
/// version holds it at M, else at L.
fn smallest_code(text: &str) -> Result<QrCode, QrError> {
    let low =
        QrCode::with_error_correction_level(text, EcLevel::L).map_err(|_| QrError::TooLong)?;
    match QrCode::with_error_correction_level(text, EcLevel::M) {
        Ok(medium) if medium.version() == low.version() => Ok(medium),
        _ => Ok(low),
    }
}

impl QrArt {
    /// Draws `text` (an `otpauth://` URI) as a QR code.
    pub fn new(text: &str) -> Result<QrArt, QrError> {
        let code = smallest_code(text)?;
        let modules = code.width();
        let colors = code.to_colors();
        let side = modules + 2 * QUIET_ZONE;
        let dark = |x: usize, y: usize| -> bool {
            let inside = |v: usize| (QUIET_ZONE..QUIET_ZONE + modules).contains(&v);
            inside(x)
                && inside(y)
                && colors[(y - QUIET_ZONE) * modules + (x - QUIET_ZONE)] == Module::Dark
        };
        let rows = (0..side.div_ceil(2))
            .map(|row| {
                (0..side)
                    .map(|x| match (dark(x, 2 * row), dark(x, 2 * row + 1)) {
                        (true, true) => '█',
                        (true, false) => '▀',
                        (false, true) => '▄',
                        (false, false) => ' ',
                    })
                    .collect()
            })
            .collect();
        let version = match code.version() {
            Version::Normal(v) | Version::Micro(v) => v,
        };
        Ok(QrArt {
            rows,
            width: side as u16,
            version,
            ec_level: code.error_correction_level(),
        })
    }

    /// Columns and rows the code takes, quiet zone included.
    pub fn size(&self) -> (u16, u16) {
        (self.width, self.rows.len() as u16)
    }

    /// Whether the code fits in `width` columns and `height` rows.
    pub fn fits(&self, width: u16, height: u16) -> bool {
        let (w, h) = self.size();
        w <= width && h <= height
    }

    /// The QR version (1–40) chosen.
    pub fn version(&self) -> i16 {
        self.version
    }

    /// Whether error correction level M was chosen (else L).
    pub fn is_level_m(&self) -> bool {
        self.ec_level == EcLevel::M
    }

    /// The rows as plain text: dark modules as ink.
    pub fn rows(&self) -> &[String] {
        &self.rows
    }

    /// The rows to draw, black on white (see the module's header).
    pub fn lines(&self) -> Vec<Line<'_>> {
        self.rows
            .iter()
            .map(|row| Line::styled(row.as_str(), style()))
            .collect()
    }
}

impl fmt::Debug for QrArt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (w, h) = self.size();
        write!(
            f,
            "QrArt {{ {w}x{h}, version {}, {} }}",
            self.version,
            crate::secret::REDACTED
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    /// IAM's URI for alice in account 123456789012, with a 32-character seed.
    const URI_32: &str = "otpauth://totp/Amazon%20Web%20Services:alice@123456789012\
                          ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Amazon%20Web%20Services";
    /// The same with a 64-character seed, the length IAM's `Base32StringSeed` has.
    const URI_64: &str = "otpauth://totp/Amazon%20Web%20Services:alice@123456789012\
                          ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
                          &issuer=Amazon%20Web%20Services";

    const SCALE: usize = 4;

    /// Decodes a picture of `w`x`h` pixels, `dark(x, y)` telling each pixel's colour, scaled up
    /// by [`SCALE`]; every code found, decoded.
    fn decode(w: usize, h: usize, dark: impl Fn(usize, usize) -> bool) -> Vec<String> {
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w * SCALE, h * SCALE, |x, y| {
            if dark(x / SCALE, y / SCALE) { 0 } else { 255 }
        });
        img.detect_grids()
            .iter()
            .map(|grid| grid.decode().expect("the QR code decodes").1)
            .collect()
    }

    /// Whether the upper (`lower` false) or lower half of a cell showing `glyph` is ink.
    fn ink(glyph: char, lower: bool) -> bool {
        match glyph {
            '█' => true,
            '▀' => !lower,
            '▄' => lower,
            ' ' => false,
            other => panic!("unexpected glyph {other:?}"),
        }
    }

    #[test]
    fn the_text_decodes_back_to_the_exact_uri() {
        for uri in [URI_32, URI_64] {
            let art = QrArt::new(uri).unwrap();
            let rows: Vec<Vec<char>> = art.rows().iter().map(|r| r.chars().collect()).collect();
            let (w, h) = art.size();
            assert!(rows.iter().all(|r| r.len() == w as usize));
            let found = decode(w as usize, 2 * h as usize, |x, y| {
                ink(rows[y / 2][x], y % 2 == 1)
            });
            assert_eq!(found, vec![uri.to_string()]);
        }
    }

    /// What a phone sees of the drawn lines: each cell's two halves in the colour the terminal
    /// paints them, ink in the cell's foreground, the rest in its background.
    #[test]
    fn drawn_on_a_terminal_the_code_is_black_on_white_and_decodes() {
        let art = QrArt::new(URI_32).unwrap();
        let (w, h) = art.size();
        let area = Rect::new(0, 0, w, h);
        // A terminal whose own colours are light text on black: only explicit colours count.
        let mut buf = Buffer::empty(area);
        buf.set_style(area, Style::default().fg(Color::Black).bg(Color::White));
        for (y, line) in art.lines().iter().enumerate() {
            buf.set_line(0, y as u16, line, w);
        }
        let painted = |x: usize, y: usize| -> Color {
            let cell = &buf[(x as u16, (y / 2) as u16)];
            let glyph = cell.symbol().chars().next().unwrap();
            if ink(glyph, y % 2 == 1) {
                cell.fg
            } else {
                cell.bg
            }
        };
        let (pw, ph) = (w as usize, 2 * h as usize);
        for y in 0..ph {
            for x in 0..pw {
                let c = painted(x, y);
                assert!(c == Color::Black || c == Color::White, "({x},{y}) is {c:?}");
            }
        }
        // The quiet zone is light, the finder pattern's corner dark.
        assert_eq!(painted(0, 0), Color::White);
        assert_eq!(painted(QUIET_ZONE - 1, QUIET_ZONE), Color::White);
        assert_eq!(painted(QUIET_ZONE, QUIET_ZONE), Color::Black);
        assert_eq!(painted(QUIET_ZONE + 1, QUIET_ZONE + 1), Color::White);
        let found = decode(pw, ph, |x, y| painted(x, y) == Color::Black);
        assert_eq!(found, vec![URI_32.to_string()]);
    }

    #[test]
    fn iams_uri_takes_the_smallest_version_and_says_its_size() {
        let art = QrArt::new(URI_32).unwrap();
        assert_eq!(URI_32.len(), 128);
        assert_eq!((art.version(), art.size()), (6, (49, 25)));
        assert!(art.fits(80, 25));
        assert!(!art.fits(80, 24), "the typical URI needs more than 24 rows");
        assert!(!art.fits(48, 25));
        let art = QrArt::new(URI_64).unwrap();
        assert_eq!(URI_64.len(), 160);
        assert_eq!((art.version(), art.size()), (7, (53, 27)));
    }

    #[test]
    fn level_m_is_taken_when_it_costs_no_extra_size() {
        // 20 bytes take version 2 at L and at M alike: M is taken.
        let short = QrArt::new("otpauth://totp/a?s=b").unwrap();
        assert!(short.is_level_m());
        assert_eq!(short.size(), (33, 17));
        // 128 bytes: version 6 at L, version 7 at M: L is taken.
        assert!(!QrArt::new(URI_32).unwrap().is_level_m());
    }

    #[test]
    fn the_picture_is_never_printed_by_debug() {
        let art = QrArt::new(URI_32).unwrap();
        let shown = format!("{art:?}");
        assert!(!shown.contains('█') && !shown.contains('▀'), "{shown}");
        assert!(shown.contains("49x25"), "{shown}");
    }

    #[test]
    fn a_text_too_long_for_any_qr_code_is_an_error() {
        assert_eq!(QrArt::new(&"x".repeat(3000)).unwrap_err(), QrError::TooLong);
    }
}
