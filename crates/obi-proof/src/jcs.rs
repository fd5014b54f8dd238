//! JSON Canonicalization Scheme (RFC 8785).
//!
//! Object members sorted by their UTF-16 code units, no whitespace, strings with the minimal
//! JSON escapes, numbers in ECMAScript `Number.prototype.toString` form. The one implementation
//! lives in obi-ld (JSON-LD needs it for `@json` literals); this is the proof layer's name for it.

use serde_json::Value;

/// Serializes `value` in RFC 8785 canonical form.
#[must_use]
pub fn canonicalize(value: &Value) -> String {
    obi_ld::canonical_json(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            "\\PC{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map("\\PC{0,8}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn parses_back_and_is_idempotent(v in arb_json()) {
            let text = canonicalize(&v);
            let back: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(canonicalize(&back), text);
        }
    }

    #[test]
    fn rfc8785_examples() {
        // RFC 8785 section 3.2.2 number samples.
        let cases = [
            (1e30, "1e+30"),
            (4.5, "4.5"),
            (0.002, "0.002"),
            (1e-27, "1e-27"),
            (333_333_333.333_333_3, "333333333.3333333"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1e-7, "1e-7"),
            (1e-6, "0.000001"),
            (-1.5, "-1.5"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (9007199254740992.0, "9007199254740992"),
            (295147905179352830000.0, "295147905179352830000"),
        ];
        for (f, want) in cases {
            assert_eq!(canonicalize(&serde_json::json!(f)), want, "{f}");
        }
        let v: Value = serde_json::from_str(
            r#"{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],
                "string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
                "literals":[null,true,false]}"#,
        )
        .unwrap();
        assert_eq!(
            canonicalize(&v),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    #[test]
    fn sorting_by_utf16() {
        let v = json!({"\u{20ac}": 1, "\r": 2, "1": 3, "\u{1f600}": 4, "\u{0080}": 5, "\u{00f6}": 6, "\u{fb33}": 7});
        assert_eq!(
            canonicalize(&v),
            "{\"\\r\":2,\"1\":3,\"\u{0080}\":5,\"\u{00f6}\":6,\"\u{20ac}\":1,\"\u{1f600}\":4,\"\u{fb33}\":7}"
        );
    }
}
