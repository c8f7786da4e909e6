//! Envelope rendering: names and messages with markup, control characters and characters XML
//! cannot carry. The JSON must read back to the same value; the XML must be well-formed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quick_xml::events::Event;
use serde_json::{json, Value};
use talk_breakout::ocs::{json::to_php_json, xml};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let value = json!({
        "meta": {"status": "failure", "statuscode": 400, "message": text},
        "data": [{"displayName": text, "message": text, "messageParameters": [], "n": data.len(), "flag": data.len() % 2 == 0}],
        "@attr": text,
    });
    let encoded = to_php_json(&value);
    let decoded: Value = serde_json::from_slice(&encoded).expect("our JSON parses");
    assert_eq!(decoded, value);

    let document = xml::render("ocs", &value);
    let mut reader = quick_xml::Reader::from_reader(document.as_slice());
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("malformed XML ({e}): {}", String::from_utf8_lossy(&document)),
        }
        buf.clear();
    }
});
