//! Parsing tool arguments. Models send surprising JSON (numbers as strings,
//! padded titles, extra fields), so parsing is lenient in form and strict in
//! meaning: a title is 1–200 characters, a description at most 1000, and
//! neither holds a NUL character, which PostgreSQL cannot store in text.

use serde_json::{Value, json};

use super::ToolError;

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 1000;

/// A tool's arguments are an object; `null` (no arguments at all) reads as `{}`.
pub fn object(args: &Value) -> Result<(), ToolError> {
    if args.is_object() || args.is_null() {
        Ok(())
    } else {
        Err(ToolError::invalid("The arguments must be a JSON object."))
    }
}

/// A task title: trimmed, 1–200 characters.
pub fn title(value: &Value) -> Result<String, ToolError> {
    let Some(text) = value.as_str() else {
        return Err(ToolError::invalid("title must be a string."));
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(ToolError::invalid("title must not be empty."));
    }
    if text.chars().count() > TITLE_MAX {
        return Err(ToolError::invalid(format!(
            "title must be at most {TITLE_MAX} characters."
        )));
    }
    if text.contains('\0') {
        return Err(ToolError::invalid("title must not contain NUL characters."));
    }
    Ok(text.to_owned())
}

/// An optional description: trimmed, at most 1000 characters; empty or null means none.
pub fn description(value: Option<&Value>) -> Result<Option<String>, ToolError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            let text = text.trim();
            if text.chars().count() > DESCRIPTION_MAX {
                return Err(ToolError::invalid(format!(
                    "description must be at most {DESCRIPTION_MAX} characters."
                )));
            }
            if text.contains('\0') {
                return Err(ToolError::invalid(
                    "description must not contain NUL characters.",
                ));
            }
            Ok((!text.is_empty()).then(|| text.to_owned()))
        }
        Some(_) => Err(ToolError::invalid("description must be a string.")),
    }
}

/// The required `task_id`: a positive integer, or a string of one ("3", "#3").
pub fn task_id(args: &Value) -> Result<i64, ToolError> {
    let id = match args.get("task_id") {
        None | Some(Value::Null) => return Err(ToolError::invalid("task_id is required.")),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().trim_start_matches('#').parse().ok(),
        Some(_) => None,
    };
    match id {
        Some(id) if id > 0 => Ok(id),
        _ => Err(ToolError::invalid("task_id must be a positive integer.")),
    }
}

/// The schema of a tool whose only argument is the task's id.
pub fn task_id_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "task_id": {"type": "integer", "description": "The task's id (its number).", "minimum": 1}
        },
        "required": ["task_id"],
        "additionalProperties": false
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(title(&json!("  Buy milk ")).unwrap(), "Buy milk");
        assert!(title(&json!("   ")).is_err());
        assert!(title(&json!(5)).is_err());
        assert!(title(&json!("é".repeat(200))).is_ok());
        assert!(title(&json!("x".repeat(201))).is_err());
        assert!(title(&json!("a\u{0}b")).is_err());
    }

    #[test]
    fn descriptions_are_optional_and_bounded() {
        assert_eq!(description(None).unwrap(), None);
        assert_eq!(description(Some(&json!(""))).unwrap(), None);
        assert_eq!(
            description(Some(&json!(" 2 litres "))).unwrap().as_deref(),
            Some("2 litres")
        );
        assert!(description(Some(&json!("x".repeat(1001)))).is_err());
        assert!(description(Some(&json!([]))).is_err());
        assert!(description(Some(&json!("a\u{0}b"))).is_err());
    }

    #[test]
    fn task_ids_accept_numbers_and_numeric_strings() {
        assert_eq!(task_id(&json!({"task_id": 3})).unwrap(), 3);
        assert_eq!(task_id(&json!({"task_id": "#3"})).unwrap(), 3);
        assert!(task_id(&json!({"task_id": 0})).is_err());
        assert!(task_id(&json!({"task_id": 2.5})).is_err());
        assert!(task_id(&json!({"task_id": "three"})).is_err());
        assert!(task_id(&json!({})).is_err());
    }
}
