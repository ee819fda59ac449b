//! What the offline assistant does next, given the intent and the last tool result.

use serde_json::{Value, json};

use super::{HELP, Intent, status_args};
use crate::ai::ToolResult;
use crate::db::models::TaskFilter;

pub const ASK_DELETE: &str = "Which task should I delete?";
pub const ASK_COMPLETE: &str = "Which task should I mark as complete?";

pub enum Next {
    Call(&'static str, Value),
    Say(String),
}

pub fn next(intent: &Intent, last: Option<&ToolResult>) -> Next {
    let Some(last) = last else {
        return first_call(intent);
    };
    match (intent, last.name.as_str()) {
        (Intent::DeleteByName(name), "list_tasks") => {
            pick(name, &last.result, "delete_task", ASK_DELETE)
        }
        (Intent::CompleteByName(name), "list_tasks") => {
            pick(name, &last.result, "complete_task", ASK_COMPLETE)
        }
        _ => Next::Say(describe(intent, last)),
    }
}

fn first_call(intent: &Intent) -> Next {
    match intent {
        Intent::Add { title } => Next::Call("add_task", json!({ "title": title })),
        Intent::List(filter) => Next::Call("list_tasks", status_args(filter.as_str())),
        Intent::Complete(id) => Next::Call("complete_task", json!({ "task_id": id })),
        Intent::Delete(id) => Next::Call("delete_task", json!({ "task_id": id })),
        Intent::Update { id, title } => {
            Next::Call("update_task", json!({ "task_id": id, "title": title }))
        }
        Intent::DeleteByName(_) => Next::Call("list_tasks", status_args("all")),
        Intent::CompleteByName(_) => Next::Call("list_tasks", status_args("pending")),
        Intent::Greeting => Next::Say(format!("Hello! {HELP}")),
        Intent::Thanks => Next::Say("You're welcome. Anything else on your list?".into()),
        Intent::Unknown => Next::Say(format!(
            "Sorry, I can't help with that: I only manage your tasks. {HELP}"
        )),
    }
}

/// Acts on the one task whose title contains `name`, or asks which one.
fn pick(name: &str, listed: &Value, tool: &'static str, question: &str) -> Next {
    let tasks = listed.as_array().map(Vec::as_slice).unwrap_or_default();
    let words: Vec<&str> = name.split_whitespace().collect();
    let matches: Vec<&Value> = tasks
        .iter()
        .filter(|t| {
            let title = t["title"].as_str().unwrap_or_default().to_lowercase();
            words.iter().all(|w| title.contains(w))
        })
        .collect();
    match matches.as_slice() {
        [one] => Next::Call(tool, json!({ "task_id": one["id"] })),
        [] => Next::Say(format!(
            "I couldn't find a task matching \"{name}\". Say \"show me all my tasks\" to see them."
        )),
        several => Next::Say(format!(
            "{question} Several tasks match \"{name}\":\n\n{}\n\nReply with its number.",
            bullet_list(several)
        )),
    }
}

fn describe(intent: &Intent, last: &ToolResult) -> String {
    let result = &last.result;
    if let Some(message) = result.pointer("/error/message").and_then(Value::as_str) {
        return format!(
            "I couldn't do that: {message} Say \"show me all my tasks\" to see their numbers."
        );
    }
    let id = &result["task_id"];
    let title = result["title"].as_str().unwrap_or_default();
    match last.name.as_str() {
        "add_task" => format!("Added task #{id}: **{title}**."),
        "complete_task" => format!("Marked task #{id} **{title}** as complete."),
        "delete_task" => format!("Deleted task #{id}: **{title}**."),
        "update_task" => format!("Updated task #{id} to **{title}**."),
        _ => describe_list(intent, result),
    }
}

fn describe_list(intent: &Intent, result: &Value) -> String {
    let tasks = result.as_array().map(Vec::as_slice).unwrap_or_default();
    let filter = match intent {
        Intent::List(filter) => *filter,
        _ => TaskFilter::All,
    };
    if tasks.is_empty() {
        return match filter {
            TaskFilter::All => "You have no tasks yet. Try \"Add a task to buy groceries\".".into(),
            TaskFilter::Pending => "Nothing is pending. Well done!".into(),
            TaskFilter::Completed => "You haven't completed any tasks yet.".into(),
        };
    }
    let heading = match filter {
        TaskFilter::All => "Here are your tasks:",
        TaskFilter::Pending => "Still to do:",
        TaskFilter::Completed => "You have completed:",
    };
    format!(
        "{heading}\n\n{}",
        bullet_list(&tasks.iter().collect::<Vec<_>>())
    )
}

fn bullet_list(tasks: &[&Value]) -> String {
    tasks
        .iter()
        .map(|t| {
            let done = if t["completed"].as_bool() == Some(true) {
                " (completed)"
            } else {
                ""
            };
            format!(
                "- #{} {}{done}",
                t["id"],
                t["title"].as_str().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
