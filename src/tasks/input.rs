//! What a client may send about a task, parsed with the tools' own rules
//! (title 1–200 characters, description up to 1000).

use serde_json::Value;

use crate::error::AppError;
use crate::tools::args;

/// The JSON a client sends (documentation of what [`TaskInput::from_json`] reads).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct TaskBody {
    /// 1–200 characters; required for POST and PUT.
    title: Option<String>,
    /// Up to 1000 characters; `null` (or, for PUT, leaving it out) clears it.
    description: Option<String>,
    completed: Option<bool>,
}

/// Fields of a task to create or change; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct TaskInput {
    pub title: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    pub completed: Option<bool>,
}

impl TaskInput {
    /// Reads a JSON object; `full` (create, replace) requires the title.
    pub fn from_json(body: &Value, full: bool) -> Result<TaskInput, AppError> {
        let Some(fields) = body.as_object() else {
            return Err(invalid("The body must be a JSON object."));
        };
        let title = match fields.get("title") {
            None | Some(Value::Null) if full => return Err(invalid("title is required.")),
            None | Some(Value::Null) => None,
            Some(v) => Some(args::title(v).map_err(|e| invalid(e.message))?),
        };
        let description = match fields.get("description") {
            None if !full => None,
            other => Some(args::description(other).map_err(|e| invalid(e.message))?),
        };
        let completed = match fields.get("completed") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => return Err(invalid("completed must be true or false.")),
        };
        Ok(TaskInput {
            title,
            description,
            completed,
        })
    }
}

/// The tasks page's form: each field with its own problem, to show beside it.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct TaskForm {
    pub title: String,
    pub description: String,
}

#[derive(Debug, Default)]
pub struct FormErrors {
    pub title: Option<String>,
    pub description: Option<String>,
}

impl TaskForm {
    /// The title and description, or what is wrong with each.
    pub fn parse(&self) -> Result<(String, Option<String>), FormErrors> {
        let title = args::title(&Value::String(self.title.clone()));
        let description = args::description(Some(&Value::String(self.description.clone())));
        match (title, description) {
            (Ok(t), Ok(d)) => Ok((t, d)),
            (t, d) => Err(FormErrors {
                title: t.err().map(|e| sentence(&e.message)),
                description: d.err().map(|e| sentence(&e.message)),
            }),
        }
    }
}

/// "title must not be empty." → "Title must not be empty."
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::invalid("INVALID_ARGUMENT", message)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn creating_needs_a_title_and_patching_does_not() {
        assert!(TaskInput::from_json(&json!({}), true).is_err());
        let patch = TaskInput::from_json(&json!({"completed": true}), false).unwrap();
        assert_eq!(
            (patch.title, patch.description, patch.completed),
            (None, None, Some(true))
        );
    }

    #[test]
    fn bad_fields_are_refused() {
        for body in [
            json!({"title": ""}),
            json!({"title": 5}),
            json!({"title": "x".repeat(201)}),
            json!([]),
            json!({"title": "ok", "description": "x".repeat(1001)}),
            json!({"title": "ok", "completed": "yes"}),
        ] {
            assert!(TaskInput::from_json(&body, true).is_err(), "{body}");
        }
    }

    #[test]
    fn a_full_update_without_description_clears_it() {
        let put = TaskInput::from_json(&json!({"title": "t"}), true).unwrap();
        assert_eq!(put.description, Some(None));
    }
}
