//! JSON output the way PHP's `json_encode(..., JSON_HEX_TAG)` writes it, because Nextcloud
//! answers are produced that way and byte-exact comparisons (ETags, harness fixtures) see it:
//! `/` becomes `\/`, `<` and `>` become `\u003C` / `\u003E`, every non-ASCII character is a
//! `\uXXXX` escape (UTF-16 surrogate pairs above the BMP), control characters use lowercase hex.

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter};
use std::io::{self, Write};

struct PhpFormatter;

impl Formatter for PhpFormatter {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        // Most strings (tokens, ids, names) need nothing: find the first byte that does.
        let needs_escape = |b: &u8| matches!(b, b'/' | b'<' | b'>') || !b.is_ascii();
        let Some(first) = fragment.as_bytes().iter().position(needs_escape) else {
            return w.write_all(fragment.as_bytes());
        };
        let bytes = fragment.as_bytes();
        w.write_all(&bytes[..first])?;
        let mut start = first;
        for (offset, ch) in fragment[first..].char_indices() {
            let i = first + offset;
            let escaped: Option<&[u8]> = match ch {
                '/' => Some(b"\\/"),
                '<' => Some(b"\\u003C"),
                '>' => Some(b"\\u003E"),
                _ => None,
            };
            if escaped.is_none() && ch.is_ascii() {
                continue;
            }
            w.write_all(&bytes[start..i])?;
            match escaped {
                Some(e) => w.write_all(e)?,
                None => {
                    let mut units = [0u16; 2];
                    for unit in ch.encode_utf16(&mut units) {
                        write!(w, "\\u{unit:04x}")?;
                    }
                }
            }
            start = i + ch.len_utf8();
        }
        w.write_all(&bytes[start..])
    }

    fn write_char_escape<W: ?Sized + Write>(&mut self, w: &mut W, escape: CharEscape) -> io::Result<()> {
        let s: &[u8] = match escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::Solidus => b"\\/",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::AsciiControl(byte) => return write!(w, "\\u{byte:04x}"),
        };
        w.write_all(s)
    }
}

/// Serialises `value` as PHP would. Serialising a `serde_json::Value` or our own wire structs
/// cannot fail, so an error here is a programming error and is reported as such.
pub fn to_php_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_php_json(&mut out, value);
    out
}

/// [`to_php_json`] appending to `out`; on the (impossible) error, writes `null` instead.
pub fn write_php_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let start = out.len();
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, PhpFormatter);
    if let Err(e) = value.serialize(&mut ser) {
        tracing::error!(error = %e, "failed to serialise a response body");
        out.truncate(start);
        out.extend_from_slice(b"null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_like_php() {
        let v = json!({"a": "<b>/é😀\u{1}\"\\\n"});
        assert_eq!(
            String::from_utf8(to_php_json(&v)).unwrap(),
            r#"{"a":"\u003Cb\u003E\/\u00e9\ud83d\ude00\u0001\"\\\n"}"#
        );
    }
}
