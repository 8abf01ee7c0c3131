//! Where the wizard's frames go: straight to the terminal, through a buffer of iamwiz's own that
//! is wiped after every write-out.
//!
//! `std::io::stdout()` keeps what was last written through it in a buffer that lives as long as
//! the process and is never wiped: a frame that showed a secret (or an OSC 52 copy of one) would
//! stay there in memory until overwritten, long after the credentials screen was left. The
//! terminal library writes through a [`Screen`] instead, which writes to its own handle on the
//! same terminal and zeroes its buffer each time it has written it out.

use std::fs::File;
use std::io::{self, Write};

use zeroize::Zeroize;

/// Room for a busy frame; a bigger one grows the buffer (the old one wiped as it is freed).
const CAPACITY: usize = 16 * 1024;

pub struct Screen {
    out: File,
    buf: Vec<u8>,
}

impl Screen {
    /// A writer to the terminal on standard output.
    pub fn stdout() -> io::Result<Screen> {
        Ok(Screen {
            out: File::from(own_stdout()?),
            buf: Vec::with_capacity(CAPACITY),
        })
    }
}

#[cfg(unix)]
fn own_stdout() -> io::Result<std::os::fd::OwnedFd> {
    use std::os::fd::AsFd;
    io::stdout().as_fd().try_clone_to_owned()
}

#[cfg(windows)]
fn own_stdout() -> io::Result<std::os::windows::io::OwnedHandle> {
    use std::os::windows::io::AsHandle;
    io::stdout().as_handle().try_clone_to_owned()
}

impl Write for Screen {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    /// Writes the buffer out and wipes it, whether or not the write succeeded.
    fn flush(&mut self) -> io::Result<()> {
        let written = self.out.write_all(&self.buf);
        self.buf.zeroize();
        written?;
        self.out.flush()
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flush_leaves_nothing_in_the_buffer_not_even_in_its_spare_room() {
        let mut screen = Screen::stdout().expect("a handle on standard output");
        screen.write_all(b"\x1b[0m").unwrap();
        assert_eq!(screen.buf, b"\x1b[0m");
        screen.flush().unwrap();
        assert!(screen.buf.is_empty());
        // The zeroed bytes are still allocated: read them through the spare capacity.
        let spare = screen.buf.spare_capacity_mut();
        // SAFETY: zeroize wrote zeros over the whole capacity, so these bytes are initialized.
        let bytes: Vec<u8> = spare[..4]
            .iter()
            .map(|b| unsafe { b.assume_init() })
            .collect();
        assert_eq!(bytes, [0, 0, 0, 0]);
    }
}
