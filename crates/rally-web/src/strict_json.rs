//! Reads a parsed JSON body into a request type the way the API document describes it: a struct
//! only from an object. serde's derived structs also take an array of their fields in order, and
//! serde_json offers it (`{"commitment": [null, null]}` would be read as a commitment); no client
//! means that, and the document does not say it. [`Strict`] is a deserializer over a
//! [`serde_json::Value`] that answers a struct (or map) only from an object, at any depth, and is
//! otherwise what serde_json's own `Value` deserializer is. [`parse`] reads the body into that value,
//! refusing a name given twice in one object (RFC 8259 leaves its meaning open; readers differ).

use serde::de::value::{MapAccessDeserializer, MapDeserializer, SeqDeserializer};
use serde::de::{self, IntoDeserializer, Unexpected, Visitor};
use serde_json::{Error, Map, Value};

/// Parses a whole JSON text: one value, nothing after it, no object naming a member twice.
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = de::Deserializer::deserialize_any(&mut deserializer, Unique)?;
    deserializer.end()?;
    Ok(value)
}

/// Builds a [`Value`] as serde_json does, but an object's member named a second time is an error
/// (serde_json keeps the last): `{"lead": 1, "lead": 1, …}` is not a map of one stage.
struct Unique;

impl<'de> de::DeserializeSeed<'de> for Unique {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(Unique)
    }
}

impl<'de> Visitor<'de> for Unique {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    /// A number that is a whole number is read as one: `3.0` and `1e3` are the integers 3 and 1000 in
    /// JSON (and in the API document's `integer`), but serde reads them as floats and an integer field
    /// refuses them. From 2^53 on, where a float is no longer exact, it stays a float.
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        if v.is_finite() && v.fract() == 0.0 && v.abs() < EXACT {
            return Ok(Value::from(v as i64));
        }
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(Unique)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Unique)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Unique)?;
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!("`{key}` is given twice in one object")));
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// A JSON value to deserialize, structs from objects only.
pub(crate) struct Strict(pub Value);

impl<'de> IntoDeserializer<'de, Error> for Strict {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

fn visit_array<'de, V: Visitor<'de>>(items: Vec<Value>, visitor: V) -> Result<V::Value, Error> {
    let mut seq = SeqDeserializer::new(items.into_iter().map(Strict));
    let value = visitor.visit_seq(&mut seq)?;
    seq.end()?;
    Ok(value)
}

fn visit_object<'de, V: Visitor<'de>>(object: Map<String, Value>, visitor: V) -> Result<V::Value, Error> {
    let mut map = MapDeserializer::new(object.into_iter().map(|(k, v)| (k, Strict(v))));
    let value = visitor.visit_map(&mut map)?;
    map.end()?;
    Ok(value)
}

impl<'de> de::Deserializer<'de> for Strict {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => visitor.visit_u64(u),
                (None, Some(i)) => visitor.visit_i64(i),
                _ => visitor.visit_f64(n.as_f64().unwrap_or_default()),
            },
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visit_array(items, visitor),
            Value::Object(object) => visit_object(object, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            value => visitor.visit_some(Strict(value)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(object) => visit_object(object, visitor),
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(variant) => visitor.visit_enum(variant.into_deserializer()),
            Value::Object(object) if object.len() == 1 => {
                let map = MapDeserializer::new(object.into_iter().map(|(k, v)| (k, Strict(v))));
                visitor.visit_enum(MapAccessDeserializer::new(map))
            }
            other => Err(de::Error::invalid_type(unexpected(&other), &"a variant name, or an object with one key")),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde_json::json;

    use super::Strict;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        a: Option<i64>,
        b: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum When {
        Now,
        At { day: String },
        Later(u32),
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        inner: Option<Inner>,
        list: Option<Vec<Inner>>,
        map: Option<BTreeMap<String, u8>>,
        when: Option<When>,
    }

    fn read(value: serde_json::Value) -> Result<Outer, String> {
        Outer::deserialize(Strict(value)).map_err(|e| e.to_string())
    }

    #[test]
    fn structs_are_read_from_objects_only_at_any_depth() {
        let whole =
            json!({"inner": {"a": 1, "b": "x"}, "list": [{"a": 2}], "map": {"k": 3}, "when": {"at": {"day": "mon"}}});
        assert_eq!(
            read(whole),
            Ok(Outer {
                inner: Some(Inner { a: Some(1), b: Some("x".into()) }),
                list: Some(vec![Inner { a: Some(2), b: None }]),
                map: Some(BTreeMap::from([("k".into(), 3)])),
                when: Some(When::At { day: "mon".into() }),
            })
        );
        assert_eq!(read(json!({"when": "now"})).map(|o| o.when), Ok(Some(When::Now)));
        assert_eq!(read(json!({"when": {"later": 4}})).map(|o| o.when), Ok(Some(When::Later(4))));
        assert_eq!(read(json!({"inner": null})).map(|o| o.inner), Ok(None));
        for arrays in [
            json!([null, null, null, null]),
            json!({"inner": [1, "x"]}),
            json!({"list": [[2, null]]}),
            json!({"map": [["k", 3]]}),
            json!({"when": {"at": ["mon"]}}),
            json!({"when": ["now"]}),
        ] {
            assert!(read(arrays.clone()).is_err(), "{arrays} was read");
        }
        assert!(read(json!({"inner": {"c": 1}})).is_err(), "unknown fields are still refused");
    }

    #[test]
    fn a_member_named_twice_is_refused_and_the_rest_parses_as_serde_json_does() {
        let text = r#"{"a": [1, -2, 2.5, true, null, "x\u00e9"], "b": {"c": {}}, "d": 18446744073709551615}"#;
        assert_eq!(super::parse(text.as_bytes()).ok(), serde_json::from_str(text).ok());
        let twice = super::parse(br#"{"a": {"b": 1, "b": 1}}"#).map_err(|e| e.to_string());
        assert!(twice.is_err_and(|e| e.contains("`b` is given twice")));
        assert!(super::parse(br#"{"a": 1} x"#).is_err(), "nothing may follow the value");
        assert!(super::parse(br#"{"a": 1"#).is_err());
    }

    #[test]
    fn whole_numbers_are_read_as_integers() {
        let cases: [(&str, &str); 6] = [
            (r#"{"quantity": 57804.0}"#, r#"{"quantity": 57804}"#),
            (r#"{"a": [1.0, -2.00, 1e3, 2.5E1, 0.5, 1.5e300]}"#, r#"{"a": [1, -2, 1000, 25, 0.5, 1.5e300]}"#),
            (r#"{"t": "1.0 \"2.0\" \\", "n": 3.0}"#, r#"{"t": "1.0 \"2.0\" \\", "n": 3}"#),
            (r#"{"big": 9007199254740993.0}"#, r#"{"big": 9007199254740993.0}"#),
            (r#"{"x": 12}"#, r#"{"x": 12}"#),
            (r#"{"x": -0.0}"#, r#"{"x": 0}"#),
        ];
        for (input, expected) in cases {
            let read = super::parse(input.as_bytes()).map(|v| v.to_string()).unwrap_or_default();
            let want: serde_json::Value = serde_json::from_str(expected).unwrap_or_default();
            assert_eq!(read, want.to_string(), "{input}");
        }
    }
}
