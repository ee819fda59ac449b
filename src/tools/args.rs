//! Parsing tool arguments. Models send surprising JSON (numbers as strings,
//! padded titles, extra fields), so parsing is lenient in form and strict in
//! meaning: a task's fields follow [`crate::tasks::fields`], an id is a
//! positive integer, and a status may be said several ways.

use serde_json::{Value, json};

use super::ToolError;
use crate::db::models::TaskFilter;
use crate::tasks::fields::{TaskDescription, TaskFieldError, TaskTitle};

/// A tool's arguments are an object; `null` (no arguments at all) reads as `{}`.
pub fn object(args: &Value) -> Result<(), ToolError> {
    if args.is_object() || args.is_null() {
        Ok(())
    } else {
        Err(ToolError::invalid("The arguments must be a JSON object."))
    }
}

/// The required `title`.
pub fn title(args: &Value) -> Result<TaskTitle, ToolError> {
    let value = args.get("title").ok_or(TaskFieldError::TitleMissing)?;
    Ok(TaskTitle::try_from(value.clone())?)
}

/// The `title`, if given (`null` is not given).
pub fn new_title(args: &Value) -> Result<Option<TaskTitle>, ToolError> {
    match args.get("title") {
        None | Some(Value::Null) => Ok(None),
        Some(value) => Ok(Some(TaskTitle::try_from(value.clone())?)),
    }
}

/// The `description`, if given; `null` or empty is given, and clears it.
pub fn description(args: &Value) -> Result<Option<TaskDescription>, ToolError> {
    let value = args.get("description").cloned();
    Ok(value.map(TaskDescription::try_from).transpose()?)
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

/// A status as a model may say it: the filter's own names, or "open",
/// "todo", "done", "complete".
pub fn status(said: &str) -> Option<TaskFilter> {
    match said.trim().to_ascii_lowercase().as_str() {
        "open" | "todo" => Some(TaskFilter::Pending),
        "done" | "complete" => Some(TaskFilter::Completed),
        other => TaskFilter::parse(other),
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
    fn a_title_is_required_and_a_new_title_is_not() {
        assert_eq!(title(&json!({})).unwrap_err().message, "title is required.");
        assert_eq!(
            title(&json!({"title": " Buy milk "})).unwrap().as_str(),
            "Buy milk"
        );
        assert_eq!(new_title(&json!({"title": null})).unwrap(), None);
        assert!(new_title(&json!({"title": 5})).is_err());
    }

    #[test]
    fn a_description_given_as_null_or_empty_clears_it() {
        assert_eq!(description(&json!({})).unwrap(), None);
        assert_eq!(
            description(&json!({"description": null})).unwrap(),
            Some(TaskDescription::default())
        );
        assert_eq!(
            description(&json!({"description": ""})).unwrap(),
            Some(TaskDescription::default())
        );
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

    #[test]
    fn a_status_may_be_said_the_assistants_ways() {
        assert_eq!(status(" Done "), Some(TaskFilter::Completed));
        assert_eq!(status("todo"), Some(TaskFilter::Pending));
        assert_eq!(status("completed"), Some(TaskFilter::Completed));
        assert_eq!(status("sideways"), None);
    }
}
