//! The OCS XML rendering, shaped like Nextcloud's (PHP `XMLWriter`, indent of one space):
//! list entries and numeric keys become `<element>`, keys starting with `@` become attributes,
//! `true` is `1`, `false` and `""` are an open/close pair with nothing inside, `null` and empty
//! arrays are self-closing.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use serde_json::Value;
use std::borrow::Cow;

/// Renders `{"ocs": {"meta": ..., "data": ...}}` (passed as the `ocs` object) as an XML document.
pub fn render(root_name: &str, root: &Value) -> Vec<u8> {
    let mut writer = Writer::new_with_indent(Vec::with_capacity(512), b' ', 1);
    // Writing into a Vec cannot fail; quick-xml still returns io::Result.
    let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", None, None)));
    write_value(&mut writer, root_name, root);
    let mut out = writer.into_inner();
    out.push(b'\n');
    out
}

fn write_value(w: &mut Writer<Vec<u8>>, name: &str, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut start = BytesStart::new(name);
            let mut children = Vec::with_capacity(map.len());
            for (k, v) in map {
                if let Some(attr) = k.strip_prefix('@') {
                    let text = scalar_text(v);
                    start.push_attribute((attr.as_bytes(), escape(&text, true).as_bytes()));
                } else {
                    children.push((element_name(k), v));
                }
            }
            write_children(w, start, name, children);
        }
        Value::Array(items) => {
            let children = items.iter().map(|v| (Cow::Borrowed("element"), v)).collect();
            write_children(w, BytesStart::new(name), name, children);
        }
        Value::Null => {
            let _ = w.write_event(Event::Empty(BytesStart::new(name)));
        }
        scalar => {
            let text = scalar_text(scalar);
            // An empty text event keeps the indenter from breaking `<a></a>` over two lines.
            let _ = w.write_event(Event::Start(BytesStart::new(name)));
            let _ = w.write_event(Event::Text(BytesText::from_escaped(escape(&text, false))));
            let _ = w.write_event(Event::End(BytesEnd::new(name)));
        }
    }
}

fn write_children(w: &mut Writer<Vec<u8>>, start: BytesStart<'_>, name: &str, children: Vec<(Cow<'_, str>, &Value)>) {
    if children.is_empty() {
        let _ = w.write_event(Event::Empty(start));
        return;
    }
    let _ = w.write_event(Event::Start(start));
    for (k, v) in children {
        write_value(w, &k, v);
    }
    let _ = w.write_event(Event::End(BytesEnd::new(name)));
}

/// PHP turns integer-like keys (list positions, attendee ids) into `element`.
fn element_name(key: &str) -> Cow<'_, str> {
    if key.parse::<i64>().is_ok() {
        Cow::Borrowed("element")
    } else {
        Cow::Borrowed(key)
    }
}

fn scalar_text(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s.as_str()),
        Value::Bool(true) => Cow::Borrowed("1"),
        Value::Bool(false) | Value::Null => Cow::Borrowed(""),
        other => Cow::Owned(other.to_string()),
    }
}

/// libxml escapes `&`, `<`, `>` and carriage returns in text (plus `"` in attributes).
/// Characters XML 1.0 cannot carry at all are replaced so the document stays well-formed.
fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if attribute => out.push_str("&quot;"),
            '\t' | '\n' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_nested_values() {
        let v = json!({"meta": {"status": "ok", "message": ""}, "data": [{"a": true, "b": false, "c": null, "d": [], "e": "<&>"}]});
        let xml = String::from_utf8(render("ocs", &v)).unwrap();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\"?>\n<ocs>\n <meta>\n  <status>ok</status>\n  <message></message>\n </meta>\n <data>\n  <element>\n   <a>1</a>\n   <b></b>\n   <c/>\n   <d/>\n   <e>&lt;&amp;&gt;</e>\n  </element>\n </data>\n</ocs>\n"
        );
    }
}
