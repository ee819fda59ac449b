//! What a client may send about a task: the JSON API's bodies and the tasks
//! page's form. Each field is parsed by its own type ([`super::fields`]), so
//! a body that deserializes is valid.

use serde::{Deserialize, Deserializer};

use super::fields::{Completed, TaskDescription, TaskFieldError, TaskTitle};
use super::service::{NewTask, TaskChanges};

/// `POST /api/tasks`, `PUT /api/tasks/{id}`: the whole task. Leaving out the
/// description clears it; leaving out `completed` makes a new task pending
/// and leaves a replaced one as it was.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "TaskPatch")]
pub struct TaskBody {
    pub title: TaskTitle,
    #[schema(required = false)]
    pub description: TaskDescription,
    #[schema(value_type = Option<bool>)]
    pub completed: Option<Completed>,
}

/// `PATCH /api/tasks/{id}`: only the fields sent change. A `null` title
/// leaves it; a `null` description clears it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TaskPatch {
    pub title: Option<TaskTitle>,
    #[serde(default, deserialize_with = "present")]
    pub description: Option<TaskDescription>,
    #[schema(value_type = Option<bool>)]
    pub completed: Option<Completed>,
}

/// A field that is there, `null` included: `null` is for `T` to read.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl TryFrom<TaskPatch> for TaskBody {
    type Error = TaskFieldError;

    fn try_from(patch: TaskPatch) -> Result<Self, Self::Error> {
        Ok(TaskBody {
            title: patch.title.ok_or(TaskFieldError::TitleMissing)?,
            description: patch.description.unwrap_or_default(),
            completed: patch.completed,
        })
    }
}

impl TaskBody {
    pub fn into_new(self) -> NewTask {
        NewTask {
            title: self.title,
            description: self.description,
            completed: self.completed.is_some_and(|c| c.0),
        }
    }

    /// Every field replaced, but `completed` only if sent.
    pub fn into_changes(self) -> TaskChanges {
        TaskChanges {
            title: Some(self.title),
            description: Some(self.description),
            completed: self.completed.map(|c| c.0),
        }
    }
}

impl TaskPatch {
    pub fn into_changes(self) -> TaskChanges {
        TaskChanges {
            title: self.title,
            description: self.description,
            completed: self.completed.map(|c| c.0),
        }
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
    pub fn parse(&self) -> Result<(TaskTitle, TaskDescription), FormErrors> {
        let title = TaskTitle::parse(&self.title);
        let description = TaskDescription::parse(&self.description);
        match (title, description) {
            (Ok(t), Ok(d)) => Ok((t, d)),
            (t, d) => Err(FormErrors {
                title: t.err().map(|e| sentence(&e.to_string())),
                description: d.err().map(|e| sentence(&e.to_string())),
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn body(value: Value) -> Result<TaskBody, String> {
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    #[test]
    fn creating_needs_a_title_and_patching_does_not() {
        assert_eq!(body(json!({})).unwrap_err(), "title is required.");
        let patch: TaskPatch = serde_json::from_value(json!({"completed": true})).unwrap();
        let changes = patch.into_changes();
        assert_eq!(
            (changes.title, changes.description, changes.completed),
            (None, None, Some(true))
        );
    }

    #[test]
    fn bad_fields_are_refused_with_the_fields_message() {
        for (value, message) in [
            (json!({"title": ""}), "title must not be empty."),
            (json!({"title": 5}), "title must be a string."),
            (
                json!({"title": "x".repeat(201)}),
                "title must be at most 200 characters.",
            ),
            (
                json!({"title": "ok", "description": "x".repeat(1001)}),
                "description must be at most 1000 characters.",
            ),
            (
                json!({"title": "ok", "completed": "yes"}),
                "completed must be true or false.",
            ),
        ] {
            assert_eq!(body(value.clone()).unwrap_err(), message, "{value}");
        }
    }

    #[test]
    fn a_full_update_without_description_clears_it_and_a_patch_with_null_does_too() {
        let put = body(json!({"title": "t"})).unwrap().into_changes();
        assert_eq!(put.description, Some(TaskDescription::default()));
        let patch: TaskPatch = serde_json::from_value(json!({"description": null})).unwrap();
        assert_eq!(patch.description, Some(TaskDescription::default()));
        let patch: TaskPatch = serde_json::from_value(json!({"title": null})).unwrap();
        assert_eq!((patch.title, patch.description), (None, None));
    }
}
