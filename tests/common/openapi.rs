//! Checks answers against upstream's OpenAPI description (spreed's `openapi-full.json`, OpenAPI
//! 3.0). The validator covers what that document uses: `$ref`, `allOf`/`oneOf`/`anyOf`,
//! `nullable`, `type`, `enum`, `required`, `properties`, `additionalProperties`, `items`,
//! `minItems`, `minLength`, `minimum`, `maximum`. Request-parameter patterns are not checked
//! (responses have none).

use serde_json::Value;

/// Where the upstream documents live: `TALK_OPENAPI_DIR`, else the shared checkout next to the
/// repository.
fn spec_dir() -> std::path::PathBuf {
    std::env::var_os("TALK_OPENAPI_DIR")
        .map(Into::into)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/upstream/openapi"))
}

pub struct Spec {
    doc: Value,
}

/// One way an answer departs from the description: where (a JSON pointer into the body) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub at: String,
    pub kind: ViolationKind,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViolationKind {
    /// PHP's empty array `[]` where the description says object (PHP cannot tell them apart).
    EmptyArrayForObject,
    WrongType,
    MissingProperty,
    UnexpectedProperty,
    NotInEnum,
    OutOfRange,
    TooShort,
    Combinator,
    NoOperation,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({:?}): {}", self.at, self.kind, self.detail)
    }
}

impl Spec {
    pub fn load() -> Spec {
        let path = spec_dir().join("spreed-openapi-full.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("upstream OpenAPI description {} unreadable: {e}", path.display()));
        Spec {
            doc: serde_json::from_str(&text).expect("OpenAPI JSON"),
        }
    }

    /// The path template of the document that `path` (without query) matches; literal segments
    /// beat placeholders when several match.
    pub fn template_for(&self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.split('/').collect();
        let paths = self.doc["paths"].as_object()?;
        paths
            .keys()
            .filter_map(|template| {
                let parts: Vec<&str> = template.split('/').collect();
                if parts.len() != segments.len() {
                    return None;
                }
                let mut literal = 0;
                for (p, s) in parts.iter().zip(&segments) {
                    if p.starts_with('{') && p.ends_with('}') {
                        if s.is_empty() {
                            return None;
                        }
                    } else if p == s {
                        literal += 1;
                    } else {
                        return None;
                    }
                }
                Some((literal, template.clone()))
            })
            .max()
            .map(|(_, t)| t)
    }

    /// The response schema for `method path` answering `status`.
    pub fn response_schema(&self, method: &str, path: &str, status: u16) -> Option<&Value> {
        let template = self.template_for(path)?;
        self.doc["paths"][&template][method.to_ascii_lowercase()]["responses"][status.to_string()]["content"]
            ["application/json"]["schema"]
            .as_object()
            .map(|_| {
                &self.doc["paths"][&template][method.to_ascii_lowercase()]["responses"][status.to_string()]["content"]
                    ["application/json"]["schema"]
            })
    }

    /// Validates a whole JSON answer (the envelope) of `method path` with `status`.
    pub fn check_response(&self, method: &str, path: &str, status: u16, body: &Value) -> Vec<Violation> {
        let path = path.split('?').next().unwrap_or(path);
        match self.response_schema(method, path, status) {
            Some(schema) => {
                let mut out = Vec::new();
                self.check(schema, body, "", &mut out);
                out
            }
            None => vec![Violation {
                at: String::new(),
                kind: ViolationKind::NoOperation,
                detail: format!("no documented {status} answer for {method} {path}"),
            }],
        }
    }

    /// Validates `value` against the component schema `name`.
    pub fn check_component(&self, name: &str, value: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check(
            &Value::String(format!("#/components/schemas/{name}")).pipe_ref(),
            value,
            "",
            &mut out,
        );
        out
    }

    fn resolve<'a>(&'a self, reference: &str) -> &'a Value {
        let pointer = reference.strip_prefix('#').unwrap_or(reference);
        self.doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("unresolvable $ref {reference}"))
    }

    fn check(&self, schema: &Value, v: &Value, at: &str, out: &mut Vec<Violation>) {
        let push = |out: &mut Vec<Violation>, kind, detail: String| {
            out.push(Violation {
                at: at.to_owned(),
                kind,
                detail,
            })
        };
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let target = self.resolve(reference);
            self.check(target, v, at, out);
            return;
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for s in all {
                self.check(s, v, at, out);
            }
        }
        for (key, exactly_one) in [("oneOf", true), ("anyOf", false)] {
            if let Some(options) = schema.get(key).and_then(Value::as_array) {
                let passing = options
                    .iter()
                    .filter(|s| {
                        let mut inner = Vec::new();
                        self.check(s, v, at, &mut inner);
                        inner.is_empty()
                    })
                    .count();
                if (exactly_one && passing != 1) || passing == 0 {
                    push(
                        out,
                        ViolationKind::Combinator,
                        format!("{passing} of the {key} options match"),
                    );
                }
            }
        }
        if v.is_null() {
            let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
            if !nullable && schema.get("type").is_some() {
                push(out, ViolationKind::WrongType, "null is not allowed".into());
            }
            return;
        }
        if let Some(t) = schema.get("type").and_then(Value::as_str) {
            let ok = match t {
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                "array" => v.is_array(),
                "object" => v.is_object(),
                _ => true,
            };
            if !ok {
                if t == "object" && v.as_array().is_some_and(|a| a.is_empty()) {
                    push(
                        out,
                        ViolationKind::EmptyArrayForObject,
                        "[] where an object is described".into(),
                    );
                } else {
                    push(out, ViolationKind::WrongType, format!("expected {t}, got {v}"));
                }
                return;
            }
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array) {
            if !options.contains(v) {
                push(
                    out,
                    ViolationKind::NotInEnum,
                    format!("{v} not in {}", Value::Array(options.clone())),
                );
            }
        }
        if let Some(n) = v.as_f64() {
            if schema.get("minimum").and_then(Value::as_f64).is_some_and(|min| n < min) {
                push(
                    out,
                    ViolationKind::OutOfRange,
                    format!("{n} below minimum {}", schema["minimum"]),
                );
            }
            if schema.get("maximum").and_then(Value::as_f64).is_some_and(|max| n > max) {
                push(
                    out,
                    ViolationKind::OutOfRange,
                    format!("{n} above maximum {}", schema["maximum"]),
                );
            }
        }
        if let Some(s) = v.as_str() {
            if schema
                .get("minLength")
                .and_then(Value::as_u64)
                .is_some_and(|min| (s.chars().count() as u64) < min)
            {
                push(
                    out,
                    ViolationKind::TooShort,
                    format!("{s:?} shorter than {}", schema["minLength"]),
                );
            }
        }
        if let Some(items) = v.as_array() {
            if schema
                .get("minItems")
                .and_then(Value::as_u64)
                .is_some_and(|min| (items.len() as u64) < min)
            {
                push(
                    out,
                    ViolationKind::TooShort,
                    format!("{} items, fewer than {}", items.len(), schema["minItems"]),
                );
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    self.check(item_schema, item, &format!("{at}/{i}"), out);
                }
            }
        }
        if let Some(object) = v.as_object() {
            let properties = schema.get("properties").and_then(Value::as_object);
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for key in required.iter().filter_map(Value::as_str) {
                    if !object.contains_key(key) {
                        push(out, ViolationKind::MissingProperty, format!("required `{key}` missing"));
                    }
                }
            }
            for (key, value) in object {
                let here = format!("{at}/{key}");
                match properties.and_then(|p| p.get(key)) {
                    Some(s) => self.check(s, value, &here, out),
                    None => match schema.get("additionalProperties") {
                        Some(Value::Bool(false)) => out.push(Violation {
                            at: here,
                            kind: ViolationKind::UnexpectedProperty,
                            detail: format!("`{key}` is not described"),
                        }),
                        Some(s @ Value::Object(_)) => self.check(s, value, &here, out),
                        _ => {}
                    },
                }
            }
        }
    }
}

/// `{"$ref": name}` from a reference string.
trait PipeRef {
    fn pipe_ref(self) -> Value;
}

impl PipeRef for Value {
    fn pipe_ref(self) -> Value {
        serde_json::json!({ "$ref": self })
    }
}
