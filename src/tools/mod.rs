//! The five task tools, defined once: name, description, JSON Schema of the
//! arguments, and execution as a given user. The chat agent, the offline
//! assistant and `/mcp` all call [`execute`].
//!
//! The user is never an argument: `user_id` comes from the authenticated
//! request, whatever the model writes. Another user's task is "not found",
//! exactly like a task that does not exist.

mod add_task;
#[cfg(test)]
pub(crate) mod arbitrary;
pub(crate) mod args;
mod complete_task;
mod delete_task;
mod list_tasks;
mod update_task;

use diesel::QueryResult;
use serde::Serialize;
use serde_json::Value;

use crate::db::DbConnection;
use crate::db::models::Task;
use crate::tasks::fields::TaskFieldError;
use crate::tasks::service::ListFull;

/// A tool as the model sees it.
pub struct Tool {
    pub name: &'static str,
    pub description: &'static str,
    /// JSON Schema of the arguments object.
    pub parameters: fn() -> Value,
    run: fn(&mut DbConnection, &str, &Value) -> QueryResult<Result<Value, ToolError>>,
}

/// Every tool, in the order the model is told about them.
pub static TOOLS: [Tool; 5] = [
    add_task::TOOL,
    list_tasks::TOOL,
    complete_task::TOOL,
    delete_task::TOOL,
    update_task::TOOL,
];

pub fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.name == name)
}

/// Why a tool call did not do what it was asked; shown to the model so it can explain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ToolError {
    pub code: &'static str,
    pub message: String,
}

impl ToolError {
    pub fn invalid(message: impl Into<String>) -> Self {
        ToolError {
            code: "INVALID_ARGUMENT",
            message: message.into(),
        }
    }

    pub fn task_not_found(id: i64) -> Self {
        ToolError {
            code: "TASK_NOT_FOUND",
            message: format!("There is no task #{id}."),
        }
    }

    /// `{"error": {"code", "message"}}`, the shape every door reports.
    pub fn to_json(&self) -> Value {
        json_of(&ToolErrorBody {
            error: ToolErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
            },
        })
    }
}

impl From<ListFull> for ToolError {
    fn from(full: ListFull) -> Self {
        ToolError {
            code: "TASK_LIMIT_REACHED",
            message: full.to_string(),
        }
    }
}

impl From<TaskFieldError> for ToolError {
    fn from(e: TaskFieldError) -> Self {
        ToolError::invalid(e.to_string())
    }
}

/// Runs the tool `name` with `args` as `user_id`. The outer result is the
/// database failing; the inner one is the tool's own answer, success or
/// structured error, which goes back to the model either way.
pub fn execute(
    conn: &mut DbConnection,
    user_id: &str,
    name: &str,
    args: &Value,
) -> QueryResult<Result<Value, ToolError>> {
    let Some(tool) = find(name) else {
        return Ok(Err(ToolError {
            code: "UNKNOWN_TOOL",
            message: format!("There is no tool named {name:?}."),
        }));
    };
    if let Err(e) = args::object(args) {
        return Ok(Err(e));
    }
    (tool.run)(conn, user_id, args)
}

/// The JSON value a tool call produced, success or error, as stored and shown.
pub fn outcome_json(outcome: &Result<Value, ToolError>) -> Value {
    match outcome {
        Ok(value) => value.clone(),
        Err(e) => e.to_json(),
    }
}

/// Runs `run` on the arguments `parse` makes of `input`; arguments it refuses
/// are the tool's answer (for the model to explain), not a database error.
fn parsed_then<A>(
    input: &Value,
    parse: fn(&Value) -> Result<A, ToolError>,
    run: impl FnOnce(A) -> QueryResult<Result<Value, ToolError>>,
) -> QueryResult<Result<Value, ToolError>> {
    match parse(input) {
        Ok(args) => run(args),
        Err(e) => Ok(Err(e)),
    }
}

/// The answer of every tool that changes one task.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskChanged {
    pub task_id: i64,
    pub status: Change,
    pub title: String,
}

/// What a tool did to the task.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Created,
    Completed,
    Deleted,
    Updated,
}

/// A tool's refusal, as stored and shown: `{"error": {"code", "message"}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ToolErrorBody {
    pub error: ToolErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ToolErrorDetail {
    pub code: String,
    pub message: String,
}

/// What a tool call returned, for the schema of stored calls: a change, the
/// tasks listed, or a refusal.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ToolResultView {
    Changed(TaskChanged),
    Listed(Vec<crate::tasks::json::TaskView>),
    Refused(ToolErrorBody),
}

fn changed(task: &Task, status: Change) -> Value {
    json_of(&TaskChanged {
        task_id: task.id,
        status,
        title: task.title.clone(),
    })
}

/// A view as the JSON value tools answer with.
fn json_of(view: &impl Serialize) -> Value {
    serde_json::to_value(view).unwrap_or(Value::Null)
}

/// Maps "no such row" to the tool's not-found error; other database errors stay errors.
fn not_found_as(result: QueryResult<Task>, id: i64) -> QueryResult<Result<Task, ToolError>> {
    match result {
        Ok(task) => Ok(Ok(task)),
        Err(diesel::result::Error::NotFound) => Ok(Err(ToolError::task_not_found(id))),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;
    use crate::db::models::TaskFilter;
    use crate::tasks::fields::{TaskDescription, TaskTitle};

    /// The rules for a title, written out: a string whose trimmed text has
    /// 1–200 characters and no NUL.
    fn rule_title(value: &Value) -> Option<String> {
        let text = value.as_str()?.trim();
        let length = text.chars().count();
        ((1..=200).contains(&length) && !text.contains('\0')).then(|| text.to_owned())
    }

    /// A description: absent or null, or a string of at most 1000 trimmed
    /// characters without NUL (empty means none).
    fn rule_description(value: Option<&Value>) -> Option<Option<String>> {
        match value {
            None | Some(Value::Null) => Some(None),
            Some(Value::String(s)) => {
                let text = s.trim();
                (text.chars().count() <= 1000 && !text.contains('\0'))
                    .then(|| (!text.is_empty()).then(|| text.to_owned()))
            }
            Some(_) => None,
        }
    }

    /// A task id: a positive integer, or a string of one after an optional `#`.
    fn rule_task_id(input: &Value) -> Option<i64> {
        let id = match input.get("task_id")? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().trim_start_matches('#').parse().ok(),
            _ => None,
        };
        id.filter(|id| *id > 0)
    }

    /// A tool's parser as [`execute`] applies it: the object check first.
    fn parsed<T>(input: &Value, parse: fn(&Value) -> Result<T, ToolError>) -> Result<T, ToolError> {
        args::object(input)?;
        parse(input)
    }

    fn is_invalid_argument<T>(result: &Result<T, ToolError>) -> bool {
        result
            .as_ref()
            .err()
            .is_some_and(|e| e.code == "INVALID_ARGUMENT")
    }

    #[test]
    fn a_title_with_a_nul_is_refused_before_it_reaches_the_database() {
        let input = serde_json::json!({"title": "milk\u{0}"});
        assert!(is_invalid_argument(&parsed(&input, add_task::parse)));
    }

    proptest! {
        #[test]
        fn add_task_accepts_exactly_the_arguments_the_rules_allow(input in arbitrary::tool_arguments()) {
            let result = parsed(&input, add_task::parse)
                .map(|new| (new.title.into_string(), new.description.into_option()));
            let rules = input.is_object().then(|| {
                Some((rule_title(input.get("title")?)?, rule_description(input.get("description"))?))
            }).flatten();
            match rules {
                Some(expected) => prop_assert_eq!(result.ok(), Some(expected)),
                None => prop_assert!(is_invalid_argument(&result), "{:?}", result),
            }
        }

        #[test]
        fn update_task_accepts_exactly_the_arguments_the_rules_allow(input in arbitrary::tool_arguments()) {
            let result = parsed(&input, update_task::parse);
            let rules = input.is_object().then(|| {
                let id = rule_task_id(&input)?;
                let title = match input.get("title") {
                    None | Some(Value::Null) => None,
                    Some(v) => Some(rule_title(v)?),
                };
                let description = match input.get("description") {
                    None => None,
                    some => Some(rule_description(some)?),
                };
                (title.is_some() || description.is_some()).then_some((id, title, description))
            }).flatten();
            match (rules, result) {
                (Some(expected), Ok(c)) => {
                    let title = c.changes.title.map(TaskTitle::into_string);
                    let description = c.changes.description.map(TaskDescription::into_option);
                    prop_assert_eq!((c.id, title, description), expected)
                }
                (None, result) => prop_assert!(is_invalid_argument(&result), "{:?}", result),
                (Some(expected), Err(e)) => prop_assert!(false, "{:?} refused: {}", expected, e),
            }
        }

        #[test]
        fn complete_and_delete_take_only_a_positive_task_id(input in arbitrary::tool_arguments()) {
            let expected = input.is_object().then(|| rule_task_id(&input)).flatten();
            // Both tools read their arguments with exactly this.
            let result = parsed(&input, args::task_id);
            match expected {
                Some(id) => prop_assert_eq!(result.ok(), Some(id)),
                None => prop_assert!(is_invalid_argument(&result), "{:?}", result),
            }
        }

        #[test]
        fn list_tasks_takes_a_known_status_or_none(input in arbitrary::tool_arguments()) {
            let result = parsed(&input, list_tasks::parse);
            let expected = match input.get("status") {
                _ if !input.is_object() && !input.is_null() => None,
                None | Some(Value::Null) => Some(TaskFilter::All),
                Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                    "all" => Some(TaskFilter::All),
                    "pending" | "open" | "todo" => Some(TaskFilter::Pending),
                    "completed" | "done" | "complete" => Some(TaskFilter::Completed),
                    _ => None,
                },
                Some(_) => None,
            };
            match expected {
                Some(filter) => prop_assert_eq!(result.ok(), Some(filter)),
                None => prop_assert!(is_invalid_argument(&result), "{:?}", result),
            }
        }
    }
}
