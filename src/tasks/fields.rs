//! A task's title and description, valid by construction: a title is 1–200
//! characters, a description at most 1000 (empty means none), both trimmed,
//! neither holding a control character other than a tab or a line break
//! (PostgreSQL cannot store NUL in text; the others are invisible, and JSON
//! writes each as six bytes, `\u0001`).
//! The JSON API, the tasks page and the tools all parse them here.

use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{RefOr, schema::SchemaType};

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 1000;

/// What is wrong with a task field; the message is for the person (or model)
/// who sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TaskFieldError {
    #[error("title is required.")]
    TitleMissing,
    #[error("title must be a string.")]
    TitleNotText,
    #[error("title must not be empty.")]
    TitleEmpty,
    #[error("title must be at most {TITLE_MAX} characters.")]
    TitleTooLong,
    #[error("title must not contain control characters (other than tabs and line breaks).")]
    TitleControl,
    #[error("description must be a string.")]
    DescriptionNotText,
    #[error("description must be at most {DESCRIPTION_MAX} characters.")]
    DescriptionTooLong,
    #[error("description must not contain control characters (other than tabs and line breaks).")]
    DescriptionControl,
    #[error("completed must be true or false.")]
    CompletedNotBool,
}

/// A control character a title or description may not hold: any but a tab
/// or a line break (NUL, the other C0 controls, DEL and the C1 controls).
fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// A task title: trimmed, 1–200 characters, no control character but a
/// tab or a line break.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "Value")]
pub struct TaskTitle(String);

impl TaskTitle {
    pub fn parse(text: &str) -> Result<TaskTitle, TaskFieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(TaskFieldError::TitleEmpty);
        }
        if text.chars().count() > TITLE_MAX {
            return Err(TaskFieldError::TitleTooLong);
        }
        if text.chars().any(is_refused_control) {
            return Err(TaskFieldError::TitleControl);
        }
        Ok(TaskTitle(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl TryFrom<Value> for TaskTitle {
    type Error = TaskFieldError;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        match value {
            Value::String(text) => TaskTitle::parse(&text),
            _ => Err(TaskFieldError::TitleNotText),
        }
    }
}

/// A task description: trimmed, at most 1000 characters, no control
/// character but a tab or a line break. Empty (or
/// JSON `null`) is a description of nothing, which clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "Value")]
pub struct TaskDescription(Option<String>);

impl TaskDescription {
    pub fn parse(text: &str) -> Result<TaskDescription, TaskFieldError> {
        let text = text.trim();
        if text.chars().count() > DESCRIPTION_MAX {
            return Err(TaskFieldError::DescriptionTooLong);
        }
        if text.chars().any(is_refused_control) {
            return Err(TaskFieldError::DescriptionControl);
        }
        Ok(TaskDescription((!text.is_empty()).then(|| text.to_owned())))
    }

    /// The text, or `None` for no description.
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }

    pub fn into_option(self) -> Option<String> {
        self.0
    }
}

impl TryFrom<Value> for TaskDescription {
    type Error = TaskFieldError;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        match value {
            Value::Null => Ok(TaskDescription(None)),
            Value::String(text) => TaskDescription::parse(&text),
            _ => Err(TaskFieldError::DescriptionNotText),
        }
    }
}

/// `completed`: true or false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "Value")]
pub struct Completed(pub bool);

impl TryFrom<Value> for Completed {
    type Error = TaskFieldError;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        value
            .as_bool()
            .map(Completed)
            .ok_or(TaskFieldError::CompletedNotBool)
    }
}

fn text_schema(min: Option<usize>, max: usize, nullable: bool, about: &str) -> RefOr<Schema> {
    let kind = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::new(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .min_length(min)
        .max_length(Some(max))
        .description(Some(about))
        .into()
}

impl utoipa::PartialSchema for TaskTitle {
    fn schema() -> RefOr<Schema> {
        text_schema(
            Some(1),
            TITLE_MAX,
            false,
            "Trimmed; 1–200 characters, no NUL.",
        )
    }
}

impl utoipa::ToSchema for TaskTitle {}

impl utoipa::PartialSchema for TaskDescription {
    fn schema() -> RefOr<Schema> {
        text_schema(
            None,
            DESCRIPTION_MAX,
            true,
            "Trimmed; up to 1000 characters, no NUL. Empty or `null` clears it.",
        )
    }
}

impl utoipa::ToSchema for TaskDescription {}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn title(value: Value) -> Result<String, TaskFieldError> {
        TaskTitle::try_from(value).map(TaskTitle::into_string)
    }

    fn description(value: Value) -> Result<Option<String>, TaskFieldError> {
        TaskDescription::try_from(value).map(TaskDescription::into_option)
    }

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(title(json!("  Buy milk ")).unwrap(), "Buy milk");
        assert_eq!(title(json!("   ")), Err(TaskFieldError::TitleEmpty));
        assert_eq!(title(json!(5)), Err(TaskFieldError::TitleNotText));
        assert!(title(json!("é".repeat(200))).is_ok());
        assert_eq!(
            title(json!("x".repeat(201))),
            Err(TaskFieldError::TitleTooLong)
        );
        assert_eq!(title(json!("a\u{0}b")), Err(TaskFieldError::TitleControl));
    }

    #[test]
    fn descriptions_are_optional_and_bounded() {
        assert_eq!(description(Value::Null).unwrap(), None);
        assert_eq!(description(json!("")).unwrap(), None);
        assert_eq!(
            description(json!(" 2 litres ")).unwrap().as_deref(),
            Some("2 litres")
        );
        assert_eq!(
            description(json!("x".repeat(1001))),
            Err(TaskFieldError::DescriptionTooLong)
        );
        assert_eq!(
            description(json!([])),
            Err(TaskFieldError::DescriptionNotText)
        );
        assert_eq!(
            description(json!("a\u{0}b")),
            Err(TaskFieldError::DescriptionControl)
        );
    }

    #[test]
    fn every_control_character_but_tabs_and_line_breaks_is_refused() {
        let controls = (0u32..0x20).chain([0x7f]).chain(0x80..0xa0);
        for c in controls.filter_map(char::from_u32) {
            let text = format!("a{c}b");
            let (t, d) = (title(json!(text)), description(json!(text)));
            if matches!(c, '\t' | '\n' | '\r') {
                assert!(t.is_ok() && d.is_ok(), "{c:?} is kept");
            } else {
                assert_eq!(t, Err(TaskFieldError::TitleControl), "{c:?}");
                assert_eq!(d, Err(TaskFieldError::DescriptionControl), "{c:?}");
            }
        }
        // Invisible but not control characters are text like any other.
        assert!(title(json!("a\u{200b}b\u{202e}c")).is_ok());
    }

    #[test]
    fn the_messages_name_the_field_and_the_rule() {
        assert_eq!(
            TaskFieldError::TitleTooLong.to_string(),
            "title must be at most 200 characters."
        );
        assert_eq!(
            TaskFieldError::DescriptionTooLong.to_string(),
            "description must be at most 1000 characters."
        );
    }
}
