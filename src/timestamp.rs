//! Times on the wire: ISO 8601 in UTC with milliseconds and `Z`
//! (`2026-01-02T03:04:05.678Z`), the one format every JSON answer uses.

use chrono::NaiveDateTime;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};

const FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";

/// A stored UTC time, serialized as [`iso`] writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub NaiveDateTime);

pub fn iso(time: &NaiveDateTime) -> String {
    time.format(FORMAT).to_string()
}

impl From<NaiveDateTime> for Timestamp {
    fn from(time: NaiveDateTime) -> Self {
        Timestamp(time)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.format(FORMAT))
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .examples(["2026-01-02T03:04:05.678Z"])
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_have_milliseconds_and_a_z() {
        let time = chrono::NaiveDate::from_ymd_opt(2026, 1, 2)
            .and_then(|d| d.and_hms_milli_opt(3, 4, 5, 6))
            .unwrap();
        assert_eq!(iso(&time), "2026-01-02T03:04:05.006Z");
        assert_eq!(
            serde_json::to_string(&Timestamp(time)).unwrap(),
            "\"2026-01-02T03:04:05.006Z\""
        );
    }
}
