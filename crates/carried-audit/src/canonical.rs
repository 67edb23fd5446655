//! Canonical JSON: the exact bytes that are hashed and signed.
//!
//! The encoding is the JSON Canonicalization Scheme (RFC 8785, "JCS") restricted to
//! the values a record may contain: `null`, booleans, integers, strings, arrays and
//! objects. Floats are rejected, so no number formatting rules are needed.
//!
//! - no whitespace anywhere;
//! - object members sorted by their keys compared as sequences of UTF-16 code units;
//! - strings: `"` and `\` escaped as `\"` and `\\`; U+0008, U+0009, U+000A, U+000C,
//!   U+000D as `\b`, `\t`, `\n`, `\f`, `\r`; every other character below U+0020 as
//!   `\u00xx` with lowercase hex; every other character written literally as UTF-8
//!   (including `/`, DEL and U+2028);
//! - integers in plain decimal, `-` for negatives, no leading zeros, no exponent.
//!
//! The writer below is self-contained: it does not depend on the order in which
//! `serde_json` keeps object members.

use serde_json::Value;
use thiserror::Error;

/// Why a value has no canonical encoding.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CanonicalError {
    /// The value contains a number that is not an integer.
    #[error("floats are not allowed in canonical records")]
    Float,
}

/// The canonical bytes of `v` (see the module documentation).
pub fn canonical_json(v: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::new();
    write_value(&mut out, v)?;
    Ok(out)
}

/// Append the canonical bytes of `v` to `out` (no allocation of its own beyond `out`'s growth).
pub fn write_canonical(out: &mut Vec<u8>, v: &Value) -> Result<(), CanonicalError> {
    write_value(out, v)
}

/// Append a canonical JSON string (quoted and escaped) to `out`.
pub fn write_canonical_str(out: &mut Vec<u8>, s: &str) {
    write_string(out, s)
}

/// The canonical bytes of an object without one of its top-level members (the record's signature),
/// without copying the object.
pub fn canonical_json_without(v: &Value, skip: &str) -> Result<Vec<u8>, CanonicalError> {
    let Value::Object(map) = v else {
        return canonical_json(v);
    };
    let mut members: Vec<(&String, &Value)> = map.iter().filter(|(k, _)| k.as_str() != skip).collect();
    members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    let mut out = Vec::new();
    out.push(b'{');
    for (i, (key, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(&mut out, key);
        out.push(b':');
        write_value(&mut out, value)?;
    }
    out.push(b'}');
    Ok(out)
}

fn write_value(out: &mut Vec<u8>, v: &Value) -> Result<(), CanonicalError> {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                write_u64(out, u);
            } else if let Some(i) = n.as_i64() {
                out.push(b'-');
                write_u64(out, i.unsigned_abs());
            } else {
                return Err(CanonicalError::Float);
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push(b'{');
            for (i, (key, value)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(out, key);
                out.push(b':');
                write_value(out, value)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// Plain decimal, without going through a String.
pub fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

fn write_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{08}' => out.extend_from_slice(b"\\b"),
            '\u{09}' => out.extend_from_slice(b"\\t"),
            '\u{0a}' => out.extend_from_slice(b"\\n"),
            '\u{0c}' => out.extend_from_slice(b"\\f"),
            '\u{0d}' => out.extend_from_slice(b"\\r"),
            c if (c as u32) < 0x20 => {
                let b = c as u32 as usize;
                out.extend_from_slice(b"\\u00");
                out.push(HEX[b >> 4]);
                out.push(HEX[b & 0x0f]);
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canon(v: &Value) -> String {
        String::from_utf8(canonical_json(v).unwrap()).unwrap()
    }

    #[test]
    fn scalars() {
        assert_eq!(canon(&json!(null)), "null");
        assert_eq!(canon(&json!(true)), "true");
        assert_eq!(canon(&json!(false)), "false");
        assert_eq!(canon(&json!(0)), "0");
        assert_eq!(canon(&json!(-17)), "-17");
        assert_eq!(canon(&json!(u64::MAX)), "18446744073709551615");
        assert_eq!(canon(&json!(i64::MIN)), "-9223372036854775808");
        assert_eq!(canon(&json!("")), "\"\"");
    }

    #[test]
    fn floats_are_rejected_anywhere() {
        for v in [
            json!(1.5),
            json!([1, 2.0]),
            json!({"a": {"b": [0.1]}}),
            serde_json::from_str::<Value>("1e2").unwrap(),
            serde_json::from_str::<Value>("1.0").unwrap(),
        ] {
            assert_eq!(canonical_json(&v), Err(CanonicalError::Float), "{v}");
        }
        assert_eq!(CanonicalError::Float.to_string(), "floats are not allowed in canonical records");
    }

    /// RFC 8785 section 3.2.2.2: string escaping.
    #[test]
    fn jcs_string_vector() {
        let input = r#""\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/""#;
        let v: Value = serde_json::from_str(input).unwrap();
        assert_eq!(canon(&v), "\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"");
    }

    #[test]
    fn all_control_characters() {
        let s: String = (0u8..0x20).map(char::from).collect();
        let expected = concat!(
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007",
            "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f",
            "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017",
            "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\""
        );
        assert_eq!(canon(&json!(s)), expected);
        // DEL, U+2028 and non-BMP characters are literal.
        assert_eq!(canon(&json!("\u{7f}\u{2028}😀")), "\"\u{7f}\u{2028}😀\"");
    }

    /// RFC 8785 section 3.2.3: members sorted by UTF-16 code units, so U+1F600
    /// (surrogates D83D DE00) sorts before U+FB33 even though its code point is larger.
    #[test]
    fn jcs_sorting_vector() {
        let input = r#"{
            "\u20ac": "Euro Sign",
            "\r": "Carriage Return",
            "\ufb33": "Hebrew Letter Dalet With Dagesh",
            "1": "One",
            "\ud83d\ude00": "Emoji: Grinning Face",
            "\u0080": "Control",
            "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let v: Value = serde_json::from_str(input).unwrap();
        let expected = concat!(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",",
            "\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",",
            "\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
        assert_eq!(canon(&v), expected);
    }

    #[test]
    fn nested_structures_have_no_whitespace() {
        let v = json!({"b": [1, {"z": null, "a": true}], "a": "x", "": []});
        assert_eq!(canon(&v), r#"{"":[],"a":"x","b":[1,{"a":true,"z":null}]}"#);
    }

    #[test]
    fn key_order_does_not_depend_on_insertion_order() {
        let mut m1 = serde_json::Map::new();
        m1.insert("seq".into(), json!(1));
        m1.insert("answers".into(), json!(["yes"]));
        let mut m2 = serde_json::Map::new();
        m2.insert("answers".into(), json!(["yes"]));
        m2.insert("seq".into(), json!(1));
        assert_eq!(canon(&Value::Object(m1)), canon(&Value::Object(m2)));
    }

    #[test]
    fn prefix_keys_sort_first() {
        let v = json!({"ab": 1, "a": 2, "b": 3, "aa": 4});
        assert_eq!(canon(&v), r#"{"a":2,"aa":4,"ab":1,"b":3}"#);
    }
}
