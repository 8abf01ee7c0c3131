//! Building file contents that hold secrets without leaving copies behind: the content is
//! emitted twice, once to count its bytes and once into a buffer allocated at exactly that size,
//! which then becomes a [`Secret`] without reallocating (a reallocation would leave an unzeroed
//! copy in freed memory). Every export that writes a secret builds it here.

use zeroize::Zeroize;

use crate::secret::Secret;

/// Where [`build_secret`]'s emitter writes: first only counting bytes, then filling a buffer
/// allocated at exactly that size.
pub(crate) enum Out {
    Count(usize),
    Fill(String),
}

impl Out {
    pub(crate) fn push(&mut self, s: &str) {
        match self {
            Out::Count(n) => *n += s.len(),
            Out::Fill(buf) => buf.push_str(s),
        }
    }
}

/// Runs `emit` twice, once to measure and once to write, so the content is written into a single
/// allocation of its exact final size and moved into a [`Secret`] without reallocating
/// (`Secret::new` turns the `String` into a boxed `str`, which would reallocate — leaving an
/// unzeroed copy behind — if there were spare capacity).
pub(crate) fn build_secret(emit: impl Fn(&mut Out)) -> Secret {
    Secret::new(exact_string(emit))
}

/// What [`build_secret`] moves into the secret: a `String` whose capacity is its length.
pub(crate) fn exact_string(emit: impl Fn(&mut Out)) -> String {
    let mut count = Out::Count(0);
    emit(&mut count);
    let Out::Count(len) = count else {
        unreachable!("counting pass")
    };
    let mut out = Out::Fill(String::with_capacity(len));
    emit(&mut out);
    let Out::Fill(mut buf) = out else {
        unreachable!("filling pass")
    };
    if buf.capacity() != buf.len() {
        // Only if `emit` wrote something else the second time: copy to an exact buffer, wipe the
        // first.
        let mut exact = String::with_capacity(buf.len());
        exact.push_str(&buf);
        buf.zeroize();
        buf = exact;
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::CSV_HEADER;

    #[test]
    fn secret_contents_are_built_in_one_exact_allocation() {
        let emit = |out: &mut Out| {
            out.push("abc");
            out.push("");
            out.push("défg");
        };
        let s = exact_string(emit);
        assert_eq!(s, "abcdéfg");
        assert_eq!(
            s.capacity(),
            s.len(),
            "no spare capacity: Secret::new will not reallocate"
        );
        assert_eq!(build_secret(emit).expose(), "abcdéfg");
        let csv = exact_string(|out| {
            out.push(CSV_HEADER);
            out.push("\r\n");
        });
        assert_eq!(csv.capacity(), csv.len());
    }
}
