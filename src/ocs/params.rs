//! Request parameters read the way Nextcloud's `Request` and `Dispatcher` read them: query
//! string, form body (any method) and JSON body merged into one map (body wins over query),
//! then cast PHP-style when a handler asks for a type (`"3"` and `3` are the same integer).

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use indexmap::IndexMap;
use serde_json::Value;
use std::convert::Infallible;

#[derive(Debug, Clone, Default)]
pub struct Params {
    values: IndexMap<String, Value>,
}

impl Params {
    /// Parses query string and body. Malformed bodies are ignored, as upstream ignores a JSON
    /// body that does not decode to a non-empty array: the request goes on without those values.
    pub fn from_request(parts: &Parts, body: &[u8]) -> Params {
        let mut params = Params::default();
        if let Some(query) = parts.uri.query() {
            params.merge_urlencoded(query.as_bytes());
        }
        if body.is_empty() {
            return params;
        }
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if is_json_content_type(&content_type) {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) => params.values.extend(map),
                Ok(Value::Array(list)) => params
                    .values
                    .extend(list.into_iter().enumerate().map(|(i, v)| (i.to_string(), v))),
                _ => {}
            }
        } else if content_type.contains("application/x-www-form-urlencoded") {
            params.merge_urlencoded(body);
        }
        params
    }

    /// Builds parameters from pairs; used by tests and fixtures.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, Value)>) -> Params {
        Params {
            values: pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        }
    }

    /// PHP turns `a[]=1&a[]=2` into a list and `a[k]=v` into a map; anything else is a string.
    fn merge_urlencoded(&mut self, input: &[u8]) {
        for (key, value) in form_urlencoded_pairs(input) {
            if let Some(base) = key.strip_suffix("[]") {
                let entry = self
                    .values
                    .entry(base.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = entry {
                    list.push(Value::String(value));
                } else {
                    *entry = Value::Array(vec![Value::String(value)]);
                }
            } else if let Some((base, sub)) = key
                .split_once('[')
                .and_then(|(b, rest)| Some((b, rest.strip_suffix(']')?)))
            {
                let entry = self
                    .values
                    .entry(base.to_owned())
                    .or_insert_with(|| Value::Object(Default::default()));
                if !entry.is_object() {
                    *entry = Value::Object(Default::default());
                }
                if let Value::Object(map) = entry {
                    map.insert(sub.to_owned(), Value::String(value));
                }
            } else {
                self.values.insert(key, Value::String(value));
            }
        }
    }

    pub fn raw(&self, name: &str) -> Option<&Value> {
        self.values.get(name).filter(|v| !v.is_null())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    /// A declared `int` argument: PHP `settype($v, 'integer')`.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.raw(name).map(php_int)
    }

    /// A declared `string` argument: PHP `settype($v, 'string')`.
    pub fn string(&self, name: &str) -> Option<String> {
        self.raw(name).map(php_string)
    }

    /// An optional string where clients send `""` to mean "not given".
    pub fn non_empty_string(&self, name: &str) -> Option<String> {
        self.string(name).filter(|s| !s.is_empty())
    }

    /// A declared `bool` argument: `"false"` is false, otherwise PHP truthiness.
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.raw(name).map(|v| match v {
            Value::Bool(b) => *b,
            Value::String(s) => !(s.is_empty() || s == "0" || s.eq_ignore_ascii_case("false")),
            Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            Value::Null => false,
        })
    }

    /// A list parameter (`groups[]=a&groups[]=b` or a JSON array); a lone string is one item.
    pub fn string_list(&self, name: &str) -> Vec<String> {
        match self.raw(name) {
            Some(Value::Array(items)) => items.iter().filter(|v| !v.is_null()).map(php_string).collect(),
            Some(Value::Object(map)) => map.values().map(php_string).collect(),
            Some(other) => vec![php_string(other)],
            None => Vec::new(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Params>().cloned().unwrap_or_default())
    }
}

fn is_json_content_type(content_type: &str) -> bool {
    let Some(rest) = content_type.trim_start().strip_prefix("application/") else {
        return false;
    };
    let subtype = rest.split(';').next().unwrap_or("").trim();
    subtype == "json" || subtype.ends_with("+json")
}

/// `application/x-www-form-urlencoded` pairs; invalid percent-escapes and non-UTF-8 bytes are
/// kept lossily (U+FFFD) rather than failing the request.
fn form_urlencoded_pairs(input: &[u8]) -> Vec<(String, String)> {
    input
        .split(|b| *b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &b""[..]),
            };
            (decode_component(k), decode_component(v))
        })
        .collect()
}

fn decode_component(raw: &[u8]) -> String {
    let plus_as_space: Vec<u8> = raw.iter().map(|b| if *b == b'+' { b' ' } else { *b }).collect();
    let decoded: Vec<u8> = percent_encoding::percent_decode(&plus_as_space).collect();
    String::from_utf8_lossy(&decoded).into_owned()
}

/// PHP's string-to-int: leading whitespace, a leading numeric prefix (with fraction or exponent
/// taken through a float), saturating on overflow; no numeric prefix gives 0.
pub fn php_string_to_int(s: &str) -> i64 {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let bytes = t.as_bytes();
    let mut end = 0;
    if end < bytes.len() && (bytes[end] == b'+' || bytes[end] == b'-') {
        end += 1;
    }
    let digits_start = end;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    let int_digits = end - digits_start;
    let mut is_float = false;
    if end < bytes.len() && bytes[end] == b'.' {
        let mut j = end + 1;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if j > end + 1 || int_digits > 0 {
            is_float = j > end + 1;
            end = j;
        }
    }
    if int_digits == 0 && !is_float {
        return 0;
    }
    if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
        let mut j = end + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        let exp_start = j;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if j > exp_start {
            is_float = true;
            end = j;
        }
    }
    let number = &t[..end];
    if is_float {
        return float_to_int(number.parse::<f64>().unwrap_or(0.0));
    }
    number
        .parse::<i64>()
        .unwrap_or_else(|_| if number.starts_with('-') { i64::MIN } else { i64::MAX })
}

/// PHP casts out-of-range floats saturating (`zend_dval_to_lval_cap`); NaN is 0.
fn float_to_int(f: f64) -> i64 {
    if f.is_nan() {
        0
    } else {
        // `as` saturates in Rust, matching the cap behaviour.
        f.trunc() as i64
    }
}

pub fn php_int(v: &Value) -> i64 {
    match v {
        Value::String(s) => php_string_to_int(s),
        Value::Number(n) => n.as_i64().unwrap_or_else(|| float_to_int(n.as_f64().unwrap_or(0.0))),
        Value::Bool(b) => i64::from(*b),
        Value::Array(a) => i64::from(!a.is_empty()),
        Value::Object(o) => i64::from(!o.is_empty()),
        Value::Null => 0,
    }
}

pub fn php_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "1".to_owned(),
        Value::Bool(false) | Value::Null => String::new(),
        Value::Number(n) => n.to_string(),
        Value::Array(_) | Value::Object(_) => "Array".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_integer_casts() {
        for (input, expected) in [
            ("12", 12),
            ("12abc", 12),
            ("abc", 0),
            ("", 0),
            (" 7", 7),
            ("-3", -3),
            ("1e3", 1000),
            ("1.9", 1),
            (".5", 0),
            ("99999999999999999999", i64::MAX),
            ("-99999999999999999999", i64::MIN),
            ("1e400", i64::MAX),
            ("+4", 4),
            ("0x1A", 0),
        ] {
            assert_eq!(php_string_to_int(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn arrays_in_forms() {
        let mut p = Params::default();
        p.merge_urlencoded(b"groups%5B%5D=a&groups[]=b&x=1+2&m[k]=v&bad=%ZZ%ff");
        assert_eq!(p.string_list("groups"), vec!["a", "b"]);
        assert_eq!(p.string("x").as_deref(), Some("1 2"));
        assert_eq!(p.raw("m"), Some(&serde_json::json!({"k": "v"})));
        assert_eq!(p.string("bad").as_deref(), Some("%ZZ\u{FFFD}"));
    }
}
