//! Strict reading of a record's JSON text (docs/audit.md section 2.1).
//!
//! Ordinary JSON readers accept text that the reader of a file and a program may understand
//! differently: a key written twice (most keep the last value, a person reads the first), `-0`,
//! `1e2`, integers too large for a JavaScript number. A record is refused, before anything else is
//! checked, when its text has any of these:
//!
//! - a key twice in one object;
//! - a number that is not an integer in plain decimal (`1.0`, `1e2`: "floats are not allowed in
//!   canonical records"), `-0`, or an integer whose magnitude is 2^53 or more;
//! - anything that is not RFC 8259 JSON (a byte-order mark, a control character inside a string, a
//!   lone UTF-16 surrogate written as `\uXXXX`, invalid UTF-8, trailing text), or nesting deeper than 64.
//!
//! The same rules are implemented in `static/js/recount.js`; the fixtures in
//! `tests/fixtures/audit/cases.json` hold both to the same verdicts.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};
use thiserror::Error;

/// The largest integer a record may contain: 2^53 − 1 (`Number.MAX_SAFE_INTEGER`).
pub const MAX_INTEGER: u64 = (1 << 53) - 1;

/// Nesting deeper than this is refused (a record needs 6 levels).
pub const MAX_DEPTH: usize = 64;

/// Why the text of a record was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the record cannot be read: {problem} (at byte {offset})")]
pub struct StrictError {
    pub offset: usize,
    pub problem: String,
}

/// A cursor over JSON text that reads it strictly.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0, depth: 0 }
    }

    /// Current byte offset.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The bytes between two offsets.
    pub fn slice(&self, from: usize, to: usize) -> &'a [u8] {
        &self.bytes[from..to]
    }

    pub fn error(&self, problem: impl Into<String>) -> StrictError {
        StrictError { offset: self.pos, problem: problem.into() }
    }

    /// Skip JSON white space (space, tab, LF, CR only).
    #[inline]
    pub fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte after white space, not consumed.
    #[inline]
    pub fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes.get(self.pos).copied()
    }

    /// Consume `b` (after white space) or fail.
    #[inline]
    pub fn expect(&mut self, b: u8) -> Result<(), StrictError> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(&format!("'{}'", b as char)))
        }
    }

    fn unexpected(&self, wanted: &str) -> StrictError {
        match self.bytes.get(self.pos) {
            None => self.error(format!("the text ends where {wanted} was expected")),
            Some(b) => self.error(format!("unexpected character 0x{b:02x} where {wanted} was expected")),
        }
    }

    /// After the last value: only white space may follow.
    pub fn end(&mut self) -> Result<(), StrictError> {
        self.ws();
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            Err(self.error("text after the end of the record"))
        }
    }

    /// Enter an object or array, counting depth.
    pub fn enter(&mut self) -> Result<(), StrictError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("nesting deeper than {MAX_DEPTH}")));
        }
        Ok(())
    }

    pub fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Read a string (the next token must be `"`).
    pub fn string(&mut self) -> Result<Cow<'a, str>, StrictError> {
        self.expect(b'"')?;
        let start = self.pos;
        // Fast path: no escapes.
        loop {
            match self.bytes.get(self.pos) {
                None => return Err(self.error("a string is not closed")),
                Some(b'"') => {
                    let raw = &self.bytes[start..self.pos];
                    self.pos += 1;
                    return std::str::from_utf8(raw)
                        .map(Cow::Borrowed)
                        .map_err(|_| StrictError { offset: start, problem: "a string is not valid UTF-8".into() });
                }
                Some(b'\\') => break,
                Some(b) if *b < 0x20 => return Err(self.error("a control character inside a string")),
                Some(_) => self.pos += 1,
            }
        }
        let mut out: Vec<u8> = self.bytes[start..self.pos].to_vec();
        loop {
            match self.bytes.get(self.pos) {
                None => return Err(self.error("a string is not closed")),
                Some(b'"') => {
                    self.pos += 1;
                    return String::from_utf8(out)
                        .map(Cow::Owned)
                        .map_err(|_| StrictError { offset: start, problem: "a string is not valid UTF-8".into() });
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let esc = self.bytes.get(self.pos).copied();
                    self.pos += 1;
                    match esc {
                        Some(b'"') => out.push(b'"'),
                        Some(b'\\') => out.push(b'\\'),
                        Some(b'/') => out.push(b'/'),
                        Some(b'b') => out.push(0x08),
                        Some(b'f') => out.push(0x0c),
                        Some(b'n') => out.push(b'\n'),
                        Some(b'r') => out.push(b'\r'),
                        Some(b't') => out.push(b'\t'),
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                if self.bytes.get(self.pos) != Some(&b'\\')
                                    || self.bytes.get(self.pos + 1) != Some(&b'u')
                                {
                                    return Err(self.error("a lone surrogate in a string"));
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error("a lone surrogate in a string"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else if (0xDC00..0xE000).contains(&hi) {
                                return Err(self.error("a lone surrogate in a string"));
                            } else {
                                hi
                            };
                            let c = char::from_u32(c).ok_or_else(|| self.error("an invalid \\u escape"))?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return Err(self.error("an invalid escape in a string")),
                    }
                }
                Some(b) if *b < 0x20 => return Err(self.error("a control character inside a string")),
                Some(b) => {
                    out.push(*b);
                    self.pos += 1;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, StrictError> {
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or_else(|| self.error("an invalid \\u escape"))?;
        let mut v = 0u32;
        for d in digits {
            let x = (*d as char).to_digit(16).ok_or_else(|| self.error("an invalid \\u escape"))?;
            v = v * 16 + x;
        }
        self.pos += 4;
        Ok(v)
    }

    /// Read a number, which must be an integer in canonical form and within ±(2^53 − 1).
    pub fn integer(&mut self) -> Result<i64, StrictError> {
        self.ws();
        let start = self.pos;
        let negative = self.bytes.get(self.pos) == Some(&b'-');
        if negative {
            self.pos += 1;
        }
        let digits_start = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        let digits = &self.bytes[digits_start..self.pos];
        if let Some(b'.' | b'e' | b'E') = self.bytes.get(self.pos) {
            return Err(StrictError { offset: start, problem: "floats are not allowed in canonical records".into() });
        }
        let text = String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned();
        if digits.is_empty() {
            return Err(StrictError { offset: start, problem: "a number has no digits".into() });
        }
        if digits.len() > 1 && digits[0] == b'0' {
            return Err(StrictError { offset: start, problem: format!("non-canonical number {text}") });
        }
        if negative && digits == b"0" {
            return Err(StrictError { offset: start, problem: "non-canonical number -0".into() });
        }
        let magnitude = if digits.len() > 16 {
            None
        } else {
            digits.iter().try_fold(0u64, |acc, d| acc.checked_mul(10)?.checked_add(u64::from(d - b'0')))
        };
        match magnitude {
            Some(m) if m <= MAX_INTEGER => Ok(if negative { -(m as i64) } else { m as i64 }),
            _ => Err(StrictError {
                offset: start,
                problem: format!("integer {text} is out of range (a record's integers are below 2^53)"),
            }),
        }
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), StrictError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.unexpected("a value"))
        }
    }

    /// Read any value into a `serde_json::Value`.
    pub fn value(&mut self) -> Result<Value, StrictError> {
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                self.enter()?;
                let mut map = Map::new();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        let at = self.offset();
                        let key = self.string()?.into_owned();
                        self.expect(b':')?;
                        let v = self.value()?;
                        if map.contains_key(&key) {
                            return Err(StrictError { offset: at, problem: format!("duplicate key {key:?}") });
                        }
                        map.insert(key, v);
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(self.unexpected("',' or '}'")),
                        }
                    }
                }
                self.leave();
                Ok(Value::Object(map))
            }
            Some(b'[') => {
                self.pos += 1;
                self.enter()?;
                let mut items = Vec::new();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        items.push(self.value()?);
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(self.unexpected("',' or ']'")),
                        }
                    }
                }
                self.leave();
                Ok(Value::Array(items))
            }
            Some(b'"') => Ok(Value::String(self.string()?.into_owned())),
            Some(b'-' | b'0'..=b'9') => Ok(Value::Number(Number::from(self.integer()?))),
            Some(b't') => self.literal(b"true").map(|()| Value::Bool(true)),
            Some(b'f') => self.literal(b"false").map(|()| Value::Bool(false)),
            Some(b'n') => self.literal(b"null").map(|()| Value::Null),
            _ => Err(self.unexpected("a value")),
        }
    }
}

/// Read a whole text as one strict JSON value.
pub fn parse(bytes: &[u8]) -> Result<Value, StrictError> {
    let mut r = Reader::new(bytes);
    let v = r.value()?;
    r.end()?;
    Ok(v)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problem(text: &str) -> String {
        parse(text.as_bytes()).unwrap_err().problem
    }

    #[test]
    fn ordinary_json_reads_as_serde_json_does() {
        for text in [
            r#"{"a":[1,-2,0,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"],"b":{}, "c" : [ ] }"#,
            "9007199254740991",
            "-9007199254740991",
            r#""€ſ\ufeff""#,
        ] {
            assert_eq!(parse(text.as_bytes()).unwrap(), serde_json::from_str::<Value>(text).unwrap(), "{text}");
        }
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        assert_eq!(problem(r#"{"eligible":150,"eligible":50}"#), "duplicate key \"eligible\"");
        assert_eq!(problem(r#"{"a":{"b":1,"c":2,"b":1}}"#), "duplicate key \"b\"");
        // Escapes are decoded before comparing.
        assert_eq!(problem(r#"{"a":1,"\u0061":2}"#), "duplicate key \"a\"");
        assert_eq!(parse(br#"[{"a":1},{"a":1}]"#).unwrap(), json!([{"a": 1}, {"a": 1}]));
    }

    #[test]
    fn non_canonical_numbers_are_refused() {
        for (text, want) in [
            ("-0", "non-canonical number -0"),
            ("01", "non-canonical number 01"),
            ("-01", "non-canonical number -01"),
            ("1.0", "floats are not allowed in canonical records"),
            ("1e2", "floats are not allowed in canonical records"),
            ("1E2", "floats are not allowed in canonical records"),
            ("9007199254740992", "integer 9007199254740992 is out of range (a record's integers are below 2^53)"),
            ("-9007199254740992", "integer -9007199254740992 is out of range (a record's integers are below 2^53)"),
            (
                "123456789012345678901234567890",
                "integer 123456789012345678901234567890 is out of range (a record's integers are below 2^53)",
            ),
            ("-", "a number has no digits"),
        ] {
            assert_eq!(problem(text), want, "{text}");
        }
    }

    #[test]
    fn not_json_is_refused() {
        assert!(problem("\u{feff}{}").starts_with("unexpected character 0xef"));
        assert_eq!(problem("{} x"), "text after the end of the record");
        assert_eq!(problem(r#""\ud800""#), "a lone surrogate in a string");
        assert_eq!(problem(r#""\udc00x""#), "a lone surrogate in a string");
        assert_eq!(problem("\"a\tb\""), "a control character inside a string");
        assert_eq!(problem(r#""\x""#), "an invalid escape in a string");
        assert_eq!(problem(r#"{"a" 1}"#), "unexpected character 0x31 where ':' was expected");
        assert_eq!(problem("[1,]"), "unexpected character 0x5d where a value was expected");
        assert_eq!(problem("tru"), "unexpected character 0x74 where a value was expected");
        assert_eq!(problem("[1"), "the text ends where ',' or ']' was expected");
        assert_eq!(problem(&"[".repeat(65)), "nesting deeper than 64");
        assert_eq!(parse(&[b'"', 0xff, b'"']).unwrap_err().problem, "a string is not valid UTF-8");
        assert!(parse(format!("{}{}", "[".repeat(64), "]".repeat(64)).as_bytes()).is_ok());
    }

    proptest::proptest! {
        /// Whatever serde_json writes from integers within range, strings, arrays and objects reads back
        /// unchanged.
        #[test]
        fn round_trips_what_serde_json_writes(v in arb_value()) {
            let text = serde_json::to_string(&v).unwrap();
            proptest::prop_assert_eq!(parse(text.as_bytes()).unwrap(), v);
        }
    }

    fn arb_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-(MAX_INTEGER as i64)..=MAX_INTEGER as i64).prop_map(|n| json!(n)),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
