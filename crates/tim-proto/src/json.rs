//! [`Json`]: JSON text carried as it is, for the stateless ops (their data is the official
//! method's parameters and result, which the SDK never looks inside).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The struct name serde_json writes as raw JSON text (with its `raw_value` feature); the
/// SDK's own serializer knows it too.
pub const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// JSON text, written into a frame as it is (not as a string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Json(pub String);

/// `null`.
impl Default for Json {
    fn default() -> Self {
        Json("null".into())
    }
}

impl Json {
    /// The text of `value` (a type that cannot fail to serialize).
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Json {
        Json(serde_json::to_string(value).unwrap_or_else(|_| "null".into()))
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut raw = s.serialize_struct(RAW_VALUE_TOKEN, 1)?;
        raw.serialize_field(RAW_VALUE_TOKEN, self.0.as_str())?;
        raw.end()
    }
}

/// Read as a JSON value and written back compact (frames are read through serde's buffering of
/// flattened fields, which serde_json's raw values cannot go through).
impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Json(serde_json::Value::deserialize(d)?.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_travels_as_itself() {
        let j: Json = serde_json::from_str(r#" {"a": [1, "x"]}"#).unwrap();
        assert_eq!(j.0, r#"{"a":[1,"x"]}"#);
        assert_eq!(serde_json::to_string(&j).unwrap(), r#"{"a":[1,"x"]}"#);
        let frame: crate::ClientFrame =
            serde_json::from_str(r#"{"id":1,"op":"getUserProfile","data":{"userIDList":["a"]}}"#)
                .unwrap();
        assert_eq!(
            frame.request,
            crate::Request::stateless(
                crate::Op::GetUserProfile,
                Json(r#"{"userIDList":["a"]}"#.into())
            )
            .unwrap()
        );
        let back = serde_json::to_string(&frame).unwrap();
        assert_eq!(
            back,
            r#"{"id":1,"op":"getUserProfile","data":{"userIDList":["a"]}}"#
        );
    }
}
