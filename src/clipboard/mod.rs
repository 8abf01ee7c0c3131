//! Copying a secret to a clipboard, and taking it back off again.
//!
//! Four mechanisms, chosen once by [`Clipboard::detect`]:
//!
//! * **The system clipboard** through `arboard`, when a display is usable. One `arboard` handle
//!   lives on a thread of its own ([`system`]) for as long as the [`Clipboard`] does: on X11 (and
//!   on Wayland through XWayland) the clipboard is not a store but a promise, served by whichever
//!   program owns the selection, so the owner has to stay alive for a paste to work. The text is
//!   marked to stay
//!   out of clipboard managers' history where the platform has a convention for it (the
//!   `x-kde-passwordManagerHint` target on Linux, `org.nspasteboard.ConcealedType` on macOS,
//!   `ExcludeClipboardContentFromMonitorProcessing` on Windows). Clearing reads the clipboard back
//!   first and clears only if it still holds exactly what we put there, so a later copy of the
//!   admin's own is never wiped.
//! * **OSC 52** through the terminal, when there is no display (an SSH session, a headless box)
//!   but the terminal may take it: `ESC ] 52 ; c ; <base64> BEL`. The terminal, not iamwiz, then
//!   holds the text. A terminal's clipboard cannot be read back, so "clear" writes the empty OSC 52
//!   `ESC ] 52 ; c ; BEL`, which wipes whatever the terminal's clipboard holds at that moment.
//! * **tmux's paste buffers** inside tmux (`$TMUX` set) without a display: OSC 52 written inside
//!   tmux either becomes a tmux buffer that the empty OSC 52 does not clear, or goes nowhere, so
//!   iamwiz copies through tmux itself into a buffer of its own and deletes it again ([`tmux`]).
//! * **OSC 52 through GNU screen** (`$STY` set, no tmux, no display): screen does not pass OSC 52
//!   on, but passes on what is wrapped in its device control strings (`ESC P … ESC \`), so the same
//!   OSC 52, cut into pieces short enough for screen's string buffer, reaches the terminal, and so
//!   does the empty one that clears it. Screen's own paste register is never written by iamwiz;
//!   what the admin copies there in screen's copy mode (a secret shown on screen, say) stays
//!   there, out of iamwiz's reach, and the screen says so.
//!
//! Where none works, [`Clipboard::copy`] says so plainly and suggests the exports instead.
//!
//! The text is never logged or formatted: it travels as a [`Secret`], read-backs are zeroed after
//! the comparison, and the OSC 52 bytes (base64 of the secret) are zeroed after they are written.
//! What `arboard` copies internally, and what the terminal or the OS keeps, is out of our reach.

mod system;
mod tmux;

use std::io::Write;
use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::secret::Secret;
use system::Owner;
use tmux::Tmux;

/// What [`Clipboard::copy`] says when there is no clipboard at all.
pub const UNAVAILABLE_MESSAGE: &str = "No clipboard here: no display and this terminal cannot take \
     OSC 52. Save the credentials as CSV or a profile instead.";

/// Where a copied text went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The system clipboard, held by iamwiz's own clipboard thread.
    System,
    /// The terminal's clipboard, through OSC 52: the terminal, not iamwiz, holds it now.
    Osc52,
    /// A tmux paste buffer of iamwiz's own, passed on to the terminal's clipboard where tmux can.
    Tmux,
    /// The terminal's clipboard, through OSC 52 wrapped for GNU screen to pass on.
    Screen,
}

impl Via {
    /// One line for the UI to show after a copy.
    pub fn notice(self) -> &'static str {
        match self {
            Via::System => {
                "Copied to the system clipboard, marked to stay out of clipboard history where \
                 supported."
            }
            Via::Osc52 => {
                "Sent to your terminal's clipboard (OSC 52): the terminal, not iamwiz, now holds \
                 it. iamwiz cannot read it back; at the timeout it asks the terminal to clear its \
                 clipboard."
            }
            Via::Tmux => {
                "Put in a tmux paste buffer of iamwiz's own (and on your terminal's clipboard \
                 where tmux passes it on): at the timeout, on leaving the credentials screen and \
                 at exit iamwiz deletes the buffer and blanks that clipboard."
            }
            Via::Screen => {
                "Sent through GNU screen to your terminal's clipboard (OSC 52): the terminal, not \
                 iamwiz, now holds it; at the timeout iamwiz asks it to clear. screen's own paste \
                 register is not touched: what you copy in screen's copy mode stays there until \
                 you replace it."
            }
        }
    }
}

/// What [`Clipboard::clear_if_ours`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClearOutcome {
    /// Our text was there and is gone (for OSC 52: the empty OSC 52 was written).
    Cleared,
    /// The clipboard now holds something else: left alone.
    NotOurs,
    /// Nothing of ours was there: nothing copied, already cleared, or the clipboard is empty or
    /// holds no text.
    Nothing,
}

/// The mechanism [`choose`] picks from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Try the system clipboard; if `arboard` cannot start, fall back to [`terminal_choice`].
    System,
    /// OSC 52 through the terminal.
    Osc52,
    /// tmux's paste buffers, on the server at this socket (from `$TMUX`).
    Tmux(Option<PathBuf>),
    /// OSC 52 wrapped for GNU screen to pass on.
    Screen,
    /// Neither; the reason, for [`Clipboard::describe`].
    Unavailable(String),
}

/// Decides between the system clipboard and the terminal from environment variables (`var`
/// returns a variable's value, `None` when unset) and the OS name as in
/// [`std::env::consts::OS`]. Pure, so it can be tested without touching the real environment.
///
/// The system clipboard is chosen unless this is an SSH session (`SSH_CONNECTION` or `SSH_TTY`
/// set: a forwarded X display would put the secret on the admin's desktop through a tunnel, and
/// an X server on the remote box is not the one the admin pastes from), or, on Unix other than
/// macOS, neither `DISPLAY` nor `WAYLAND_DISPLAY` is set.
pub fn choose(var: &dyn Fn(&str) -> Option<String>, os: &str) -> Choice {
    let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
    let ssh = set("SSH_CONNECTION") || set("SSH_TTY");
    let needs_display = !matches!(os, "macos" | "windows");
    let display = !needs_display || set("DISPLAY") || set("WAYLAND_DISPLAY");
    if !ssh && display {
        return Choice::System;
    }
    let why = if ssh { "an SSH session" } else { "no display" };
    match terminal_choice(var) {
        Choice::Unavailable(reason) => Choice::Unavailable(format!("{why}, and {reason}")),
        other => other,
    }
}

/// How to copy without a display. Inside tmux (`$TMUX` set), through tmux itself; inside GNU
/// screen (`$STY` set), OSC 52 wrapped for screen; otherwise OSC 52 unless `TERM` says the
/// terminal clearly cannot take it (unset, empty, `dumb`, or the Linux console). Terminals that
/// ignore OSC 52 cannot be told apart from here; that is why the UI says the terminal, not
/// iamwiz, holds the text.
pub fn terminal_choice(var: &dyn Fn(&str) -> Option<String>) -> Choice {
    if let Some(tmux) = var("TMUX").filter(|v| !v.is_empty()) {
        return Choice::Tmux(Tmux::socket_from_env(&tmux));
    }
    if var("STY").is_some_and(|v| !v.is_empty()) {
        return Choice::Screen;
    }
    match var("TERM").as_deref() {
        None | Some("") => Choice::Unavailable("TERM is not set, so OSC 52 cannot be used".into()),
        Some(t @ ("dumb" | "linux")) => {
            Choice::Unavailable(format!("this terminal (TERM={t}) cannot take OSC 52"))
        }
        Some(_) => Choice::Osc52,
    }
}

/// `ESC ] 52 ; c ; <base64 of text> BEL`: puts `text` on the terminal's clipboard. The result
/// holds the secret (encoded); callers should zero it once written, as [`Clipboard::copy`] does.
pub fn osc52_set(text: &str) -> Vec<u8> {
    const HEAD: &str = "\x1b]52;c;";
    let b64_len = base64::encoded_len(text.len(), true).unwrap_or(0);
    // Sized up front so the buffer never reallocates and leaves a copy behind.
    let mut s = String::with_capacity(HEAD.len() + b64_len + 1);
    s.push_str(HEAD);
    STANDARD.encode_string(text, &mut s);
    s.push('\x07');
    s.into_bytes()
}

/// `ESC ] 52 ; c ; BEL`: asks the terminal to clear its clipboard.
pub fn osc52_clear() -> Vec<u8> {
    b"\x1b]52;c;\x07".to_vec()
}

/// How many bytes of a sequence go in one of GNU screen's device control strings: well under the
/// string buffer of every screen release (768 bytes in 4.x).
const SCREEN_PIECE: usize = 76;

/// `sequence` cut into pieces, each wrapped in a device control string (`ESC P … ESC \`), which
/// GNU screen passes on to the terminal as is: the terminal sees `sequence` whole. The result holds
/// whatever `sequence` holds; zero it as [`Clipboard::copy`] does.
pub fn for_screen(sequence: &[u8]) -> Vec<u8> {
    let pieces = sequence.len().div_ceil(SCREEN_PIECE);
    // Sized up front so the buffer never reallocates and leaves a copy behind.
    let mut out = Vec::with_capacity(sequence.len() + pieces * 4);
    for piece in sequence.chunks(SCREEN_PIECE) {
        out.extend_from_slice(b"\x1bP");
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\x1b\\");
    }
    out
}

enum Mechanism {
    System(Owner),
    Osc52,
    Tmux(Tmux),
    Screen,
    Unavailable(String),
}

/// Copies secrets to the clipboard and clears them again; see the module documentation.
///
/// Keep one for the life of the program: with the system clipboard, dropping it clears our text
/// (if still ours) and ends the clipboard thread. The terminal's clipboard needs the terminal
/// writer to clear, so at exit call [`Clipboard::clear_if_ours`] when
/// [`Clipboard::needs_terminal_clear`] says so.
pub struct Clipboard {
    mechanism: Mechanism,
    /// What we last copied and have not cleared yet.
    ours: Option<Secret>,
}

impl Clipboard {
    /// Chooses the mechanism once from the real environment (see [`choose`]). Never panics.
    pub fn detect() -> Clipboard {
        let var = |name: &str| std::env::var(name).ok();
        match choose(&var, std::env::consts::OS) {
            Choice::System => match Clipboard::system() {
                Ok(c) => c,
                Err(e) => match terminal_choice(&var) {
                    Choice::Unavailable(reason) => {
                        Clipboard::unavailable_because(format!("{e}, and {reason}"))
                    }
                    Choice::Tmux(socket) => Clipboard::tmux(socket),
                    Choice::Screen => Clipboard::screen(),
                    _ => Clipboard::osc52(),
                },
            },
            Choice::Osc52 => Clipboard::osc52(),
            Choice::Tmux(socket) => Clipboard::tmux(socket),
            Choice::Screen => Clipboard::screen(),
            Choice::Unavailable(reason) => Clipboard::unavailable_because(reason),
        }
    }

    /// The system clipboard, owned by a new long-lived thread. Fails if `arboard` cannot start
    /// (no display server, for one).
    pub fn system() -> Result<Clipboard, String> {
        Ok(Clipboard {
            mechanism: Mechanism::System(Owner::start()?),
            ours: None,
        })
    }

    /// The terminal's clipboard, through OSC 52.
    pub fn osc52() -> Clipboard {
        Clipboard {
            mechanism: Mechanism::Osc52,
            ours: None,
        }
    }

    /// tmux's paste buffers, on the server at `socket` (`None`: the one tmux finds itself).
    pub fn tmux(socket: Option<PathBuf>) -> Clipboard {
        Clipboard {
            mechanism: Mechanism::Tmux(Tmux::new(socket)),
            ours: None,
        }
    }

    /// The terminal's clipboard through GNU screen.
    pub fn screen() -> Clipboard {
        Clipboard {
            mechanism: Mechanism::Screen,
            ours: None,
        }
    }

    /// The tmux paste buffer copies go to, when copying through tmux.
    pub fn tmux_buffer(&self) -> Option<&str> {
        match &self.mechanism {
            Mechanism::Tmux(t) => Some(t.buffer()),
            _ => None,
        }
    }

    /// No clipboard: [`Clipboard::copy`] fails with [`UNAVAILABLE_MESSAGE`].
    pub fn unavailable() -> Clipboard {
        Clipboard::unavailable_because("no display, and the terminal cannot take OSC 52".into())
    }

    fn unavailable_because(reason: String) -> Clipboard {
        Clipboard {
            mechanism: Mechanism::Unavailable(reason),
            ours: None,
        }
    }

    /// A short description for the UI: "system clipboard", "terminal (OSC 52)", or
    /// "no clipboard: " and why.
    pub fn describe(&self) -> String {
        match &self.mechanism {
            Mechanism::System(_) => "system clipboard".into(),
            Mechanism::Osc52 => "terminal (OSC 52)".into(),
            Mechanism::Tmux(t) => format!("tmux buffer {}", t.buffer()),
            Mechanism::Screen => "terminal through GNU screen (OSC 52)".into(),
            Mechanism::Unavailable(reason) => format!("no clipboard: {reason}"),
        }
    }

    /// Whether anything can be copied at all.
    pub fn is_available(&self) -> bool {
        !matches!(self.mechanism, Mechanism::Unavailable(_))
    }

    /// Copies `text`. System: the clipboard thread takes ownership of the clipboard, the text
    /// marked to stay out of history. OSC 52: writes [`osc52_set`]'s bytes to `out` (the terminal)
    /// and flushes; GNU screen: the same bytes wrapped by [`for_screen`]. tmux: loads the text into
    /// tmux's buffer of ours (see [`tmux`]); nothing is written to `out`. Remembers the text to compare against in [`Clipboard::clear_if_ours`]; what was
    /// remembered from an earlier copy is replaced.
    pub fn copy(&mut self, text: &Secret, out: &mut dyn Write) -> Result<Via, String> {
        let via = match &self.mechanism {
            Mechanism::System(owner) => {
                owner.set(copy_of(text))?;
                Via::System
            }
            Mechanism::Osc52 => {
                let bytes = Zeroizing::new(osc52_set(text.expose()));
                to_terminal(out, &bytes)?;
                Via::Osc52
            }
            Mechanism::Tmux(tmux) => {
                tmux.load(text.expose())?;
                Via::Tmux
            }
            Mechanism::Screen => {
                let bytes = Zeroizing::new(for_screen(&Zeroizing::new(osc52_set(text.expose()))));
                to_terminal(out, &bytes)?;
                Via::Screen
            }
            Mechanism::Unavailable(_) => return Err(UNAVAILABLE_MESSAGE.into()),
        };
        self.ours = Some(copy_of(text));
        Ok(via)
    }

    /// Takes our text off the clipboard, if it is still there.
    ///
    /// System: reads the clipboard back and clears it only if it holds exactly what we set;
    /// otherwise leaves it alone ([`ClearOutcome::NotOurs`], or [`ClearOutcome::Nothing`] when it
    /// is empty or holds no text).
    ///
    /// OSC 52: a terminal's clipboard cannot be read back, so this writes the empty OSC 52
    /// ([`osc52_clear`]) if we copied something and have not cleared it yet. That clears whatever
    /// the terminal's clipboard holds: it is still ours only if the admin copied nothing else in
    /// the meantime (through this terminal or, if the terminal shares the desktop's clipboard,
    /// anywhere), which iamwiz cannot know. GNU screen: the same, wrapped by [`for_screen`].
    ///
    /// tmux: blanks what tmux passed on to the terminal's clipboard and deletes tmux's buffer of
    /// ours (see [`tmux`]).
    ///
    /// Forgets the remembered text once the clipboard was checked or the clear was sent, so a
    /// second call reports [`ClearOutcome::Nothing`]. On an error it is kept, so a later call (at
    /// exit, say) tries again.
    pub fn clear_if_ours(&mut self, out: &mut dyn Write) -> Result<ClearOutcome, String> {
        let Some(ours) = &self.ours else {
            return Ok(ClearOutcome::Nothing);
        };
        let outcome = match &self.mechanism {
            Mechanism::System(owner) => owner.clear_if_holds(copy_of(ours))?,
            Mechanism::Osc52 => {
                to_terminal(out, &osc52_clear())?;
                ClearOutcome::Cleared
            }
            Mechanism::Tmux(tmux) => {
                tmux.clear()?;
                ClearOutcome::Cleared
            }
            Mechanism::Screen => {
                to_terminal(out, &for_screen(&osc52_clear()))?;
                ClearOutcome::Cleared
            }
            Mechanism::Unavailable(_) => ClearOutcome::Nothing,
        };
        self.ours = None;
        Ok(outcome)
    }

    /// Whether the terminal's clipboard may still hold our text: the caller should then call
    /// [`Clipboard::clear_if_ours`] with the terminal writer before exiting (dropping cannot,
    /// having no writer).
    pub fn needs_terminal_clear(&self) -> bool {
        matches!(self.mechanism, Mechanism::Osc52 | Mechanism::Screen) && self.ours.is_some()
    }
}

impl Drop for Clipboard {
    /// Best effort: clears our text from the system clipboard if it is still ours, or deletes
    /// tmux's buffer of ours; then ends the clipboard thread. Never panics.
    fn drop(&mut self) {
        if matches!(self.mechanism, Mechanism::System(_) | Mechanism::Tmux(_)) {
            let _ = self.clear_if_ours(&mut std::io::sink());
        }
        if let Mechanism::System(owner) = &mut self.mechanism {
            owner.shut_down();
        }
    }
}

/// Writes `bytes` to the terminal and flushes.
fn to_terminal(out: &mut dyn Write, bytes: &[u8]) -> Result<(), String> {
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| format!("Could not write to the terminal: {e}"))
}

/// A second [`Secret`] holding the same text (the copy is moved in, not left behind).
fn copy_of(s: &Secret) -> Secret {
    Secret::new(s.expose().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn linux_desktop_uses_the_system_clipboard() {
        let e = env(&[("DISPLAY", ":0"), ("TERM", "xterm-256color")]);
        assert_eq!(choose(&e, "linux"), Choice::System);
        let e = env(&[("WAYLAND_DISPLAY", "wayland-0"), ("TERM", "foot")]);
        assert_eq!(choose(&e, "linux"), Choice::System);
    }

    #[test]
    fn linux_without_a_display_uses_osc52() {
        let e = env(&[("TERM", "xterm-256color")]);
        assert_eq!(choose(&e, "linux"), Choice::Osc52);
        // Set but empty counts as unset.
        let e = env(&[("DISPLAY", ""), ("TERM", "tmux-256color")]);
        assert_eq!(choose(&e, "linux"), Choice::Osc52);
        let e = env(&[("TERM", "screen")]);
        assert_eq!(choose(&e, "freebsd"), Choice::Osc52);
    }

    #[test]
    fn ssh_uses_osc52_even_with_a_forwarded_display() {
        let e = env(&[
            ("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22"),
            ("DISPLAY", "localhost:10.0"),
            ("TERM", "xterm-256color"),
        ]);
        assert_eq!(choose(&e, "linux"), Choice::Osc52);
        let e = env(&[("SSH_TTY", "/dev/pts/3"), ("TERM", "xterm")]);
        assert_eq!(choose(&e, "macos"), Choice::Osc52);
    }

    #[test]
    fn inside_tmux_without_a_display_tmux_itself_is_used() {
        let e = env(&[
            ("TMUX", "/tmp/tmux-1000/default,4242,0"),
            ("TERM", "tmux-256color"),
        ]);
        assert_eq!(
            choose(&e, "linux"),
            Choice::Tmux(Some(PathBuf::from("/tmp/tmux-1000/default")))
        );
        // Over SSH too, and even where TERM alone would rule OSC 52 out.
        let e = env(&[
            ("SSH_TTY", "/dev/pts/3"),
            ("DISPLAY", "localhost:10.0"),
            ("TMUX", "/tmp/s,1,0"),
            ("TERM", "dumb"),
        ]);
        assert_eq!(
            choose(&e, "linux"),
            Choice::Tmux(Some(PathBuf::from("/tmp/s")))
        );
        // With a local display the system clipboard is used: tmux is not involved.
        let e = env(&[("DISPLAY", ":0"), ("TMUX", "/tmp/s,1,0")]);
        assert_eq!(choose(&e, "linux"), Choice::System);
    }

    #[test]
    fn inside_gnu_screen_without_tmux_osc52_is_wrapped_for_screen() {
        let e = env(&[("STY", "1234.pts-0.host"), ("TERM", "screen")]);
        assert_eq!(choose(&e, "linux"), Choice::Screen);
        // tmux run inside screen: tmux is the one iamwiz talks to.
        let e = env(&[("STY", "1234.pts-0.host"), ("TMUX", "/tmp/s,1,0")]);
        assert_eq!(
            choose(&e, "linux"),
            Choice::Tmux(Some(PathBuf::from("/tmp/s")))
        );
        let e = env(&[("STY", ""), ("TERM", "xterm")]);
        assert_eq!(choose(&e, "linux"), Choice::Osc52);
    }

    #[test]
    fn screen_pieces_are_short_and_join_to_the_sequence() {
        let seq = osc52_set(&"x".repeat(200));
        let wrapped = for_screen(&seq);
        let pieces: Vec<&[u8]> = wrapped
            .split(|b| *b == b'P')
            .filter(|p| !p.is_empty())
            .collect();
        assert!(pieces.len() >= 4, "{} pieces", pieces.len());
        assert!(wrapped.starts_with(b"\x1bP\x1b]52;c;"));
        assert!(wrapped.ends_with(b"\x07\x1b\\"));
        assert_eq!(for_screen(b""), b"");
    }

    #[test]
    fn macos_and_windows_need_no_display_variable() {
        assert_eq!(choose(&env(&[]), "macos"), Choice::System);
        assert_eq!(choose(&env(&[]), "windows"), Choice::System);
    }

    #[test]
    fn terminals_that_cannot_take_osc52_mean_no_clipboard() {
        for pairs in [
            &[][..],
            &[("TERM", "")][..],
            &[("TERM", "dumb")][..],
            &[("TERM", "linux")][..],
        ] {
            let e = env(pairs);
            match choose(&e, "linux") {
                Choice::Unavailable(why) => assert!(why.starts_with("no display, and "), "{why}"),
                other => panic!("{pairs:?}: {other:?}"),
            }
        }
        let e = env(&[("SSH_TTY", "/dev/pts/1"), ("TERM", "dumb")]);
        assert_eq!(
            choose(&e, "linux"),
            Choice::Unavailable(
                "an SSH session, and this terminal (TERM=dumb) cannot take OSC 52".into()
            )
        );
    }

    #[test]
    fn describe_says_which() {
        assert_eq!(Clipboard::osc52().describe(), "terminal (OSC 52)");
        assert!(
            Clipboard::unavailable()
                .describe()
                .starts_with("no clipboard: ")
        );
        assert!(!Clipboard::unavailable().is_available());
    }

    #[test]
    fn clipboard_can_move_to_another_thread() {
        fn send<T: Send>() {}
        send::<Clipboard>();
    }
}
