//! Parameter reading: arbitrary query strings and bodies under every content type the server
//! distinguishes, then every PHP-style cast. Nothing may panic.
#![no_main]

use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use talk_breakout::ocs::params::{php_string_to_int, Params};

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=UTF-8",
    "application/vnd.api+json",
    "multipart/form-data; boundary=x",
    "text/plain",
    "",
];
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE"];

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let content_type = CONTENT_TYPES[data[0] as usize % CONTENT_TYPES.len()];
    let method = METHODS[data[1] as usize % METHODS.len()];
    let rest = &data[2..];
    let split = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
    let (query, body) = rest.split_at(split);
    let query: String = query
        .iter()
        .map(|b| if b.is_ascii_graphic() && *b != b'#' { *b as char } else { '%' })
        .collect();
    let Ok(request) = Request::builder()
        .method(method)
        .uri(format!("/ocs/v2.php/x?{query}"))
        .header("content-type", content_type)
        .body(())
    else {
        return;
    };
    let (parts, ()) = request.into_parts();
    let params = Params::from_request(&parts, body);
    for key in ["mode", "amount", "attendeeMap", "format", "message", "a", "a[]", "0"] {
        let _ = params.int(key);
        let _ = params.string(key);
        let _ = params.bool(key);
        let _ = params.string_list(key);
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let n = php_string_to_int(text);
        // A plain run of digits that fits reads as itself.
        if !text.is_empty() && text.len() < 18 && text.bytes().all(|b| b.is_ascii_digit()) {
            assert_eq!(n, text.parse::<i64>().unwrap());
        }
    }
});
