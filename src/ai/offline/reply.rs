//! What the offline assistant does next, given the intent and the last tool
//! result. Every piece of user or tool data in its text goes through
//! [`escape_markdown`]: the reply is rendered as Markdown.

use serde_json::{Value, json};

use super::escape::escape_markdown;
use super::intent::{Change, Intent};
use super::{HELP, status_args};
use crate::ai::ToolResult;
use crate::db::models::TaskFilter;

/// Questions whose answer the parser reads in the next message (see `intent::answer`).
pub const ASK_DELETE: &str = "Which task should I delete?";
pub const ASK_COMPLETE: &str = "Which task should I mark as complete?";
/// Followed by the task's number: a "yes" acts on exactly that task.
pub const CONFIRM_DELETE: &str = "Do you want me to delete task #";
pub const CONFIRM_COMPLETE: &str = "Do you want me to mark task #";

const SEE_NUMBERS: &str = "Say \"show me all my tasks\" to see their numbers.";

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
            Next::Say(pick(name, &last.result, Act::Delete))
        }
        (Intent::CompleteByName(name), "list_tasks") => {
            Next::Say(pick(name, &last.result, Act::Complete))
        }
        (Intent::ConfirmDelete(id), "list_tasks") => {
            Next::Say(confirm(*id, &last.result, Act::Delete))
        }
        (Intent::ConfirmComplete(id), "list_tasks") => {
            Next::Say(confirm(*id, &last.result, Act::Complete))
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
        Intent::Update {
            id,
            change: Change::Title(title),
        } => Next::Call("update_task", json!({ "task_id": id, "title": title })),
        Intent::Update {
            id,
            change: Change::Description(text),
        } => Next::Call("update_task", json!({ "task_id": id, "description": text })),
        Intent::DeleteByName(_) => Next::Call("list_tasks", status_args("all")),
        Intent::CompleteByName(_) => Next::Call("list_tasks", status_args("pending")),
        // The task's title goes into the question, so it is looked up first.
        Intent::ConfirmDelete(_) | Intent::ConfirmComplete(_) => {
            Next::Call("list_tasks", status_args("all"))
        }
        Intent::AskAgain(question) => Next::Say(ask_again(question)),
        Intent::AddWithoutTitle => Next::Say(
            "What should the task say? For example: \"Add a task to buy groceries\".".into(),
        ),
        Intent::Reopen => Next::Say(
            "I can't reopen a task: my tools can only mark tasks as complete. \
             You can reopen it with its checkbox on the Tasks page."
                .into(),
        ),
        Intent::Declined => Next::Say("OK, I've left it as it is.".into()),
        Intent::Unclear => Next::Say(format!(
            "Sorry, I'm not sure which task you mean or what to change, so I haven't changed anything. \
             Name the task by its number, like \"Delete task 2\". {SEE_NUMBERS}"
        )),
        Intent::Greeting => Next::Say(format!("Hello! {HELP}")),
        Intent::Thanks => Next::Say("You're welcome. Anything else on your list?".into()),
        Intent::Unknown => Next::Say(format!(
            "Sorry, I didn't understand that: I only manage your tasks. {HELP}"
        )),
    }
}

#[derive(Clone, Copy)]
enum Act {
    Delete,
    Complete,
}

/// Asks to confirm the one task whose title has every word of `name`, or which one of several.
fn pick(name: &str, listed: &Value, act: Act) -> String {
    let tasks = listed.as_array().map(Vec::as_slice).unwrap_or_default();
    let wanted = name_words(name);
    let matches: Vec<&Value> = tasks
        .iter()
        .filter(|t| {
            let title = name_words(t["title"].as_str().unwrap_or_default());
            !wanted.is_empty() && wanted.iter().all(|w| title.iter().any(|t| same_word(t, w)))
        })
        .collect();
    let name = escape_markdown(name);
    match (matches.as_slice(), act) {
        ([], _) => format!(
            "I couldn't find a task matching \"{name}\". Say \"show me all my tasks\" to see them."
        ),
        ([one], act) => confirm_question(one, act),
        (several, act) => format!(
            "{} Several tasks match \"{name}\":\n\n{}\n\nReply with its number.",
            match act {
                Act::Delete => ASK_DELETE,
                Act::Complete => ASK_COMPLETE,
            },
            bullet_list(several)
        ),
    }
}

/// "Do you want me to delete task #18 “Gym”?": the question whose "yes" acts on exactly that task.
fn confirm_question(task: &Value, act: Act) -> String {
    let (id, title) = (id_of(&task["id"]), title_of(task));
    match act {
        Act::Delete => format!("{CONFIRM_DELETE}{id} “{title}”? Reply yes or no."),
        Act::Complete => {
            format!("{CONFIRM_COMPLETE}{id} “{title}” as complete? Reply yes or no.")
        }
    }
}

/// Asks to confirm task `id`, found among the `listed` tasks, asked about as a question.
fn confirm(id: i64, listed: &Value, act: Act) -> String {
    let tasks = listed.as_array().map(Vec::as_slice).unwrap_or_default();
    match tasks.iter().find(|t| t["id"].as_i64() == Some(id)) {
        None => format!("I couldn't find task #{id}, so I haven't changed anything. {SEE_NUMBERS}"),
        Some(task) if matches!(act, Act::Complete) && task["completed"].as_bool() == Some(true) => {
            format!("Task #{id} “{}” is already complete.", title_of(task))
        }
        Some(task) => confirm_question(task, act),
    }
}

/// The same question again, after an answer that was neither a yes nor a no.
/// It must still start with the question so that the next "yes" answers it.
fn ask_again(question: &str) -> String {
    let question = question.strip_suffix(NOTHING_YET).unwrap_or(question);
    format!("{question}{NOTHING_YET}")
}

const NOTHING_YET: &str = " I haven't changed anything yet.";

/// Lowercased words of a title or name, for matching whole words.
fn name_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !matches!(w.as_str(), "the" | "my" | "a" | "an" | "task" | "tasks"))
        .collect()
}

/// Whole words, forgiving a plural: "meeting" finds "meetings".
fn same_word(title_word: &str, wanted: &str) -> bool {
    title_word == wanted
        || title_word.strip_suffix('s') == Some(wanted)
        || wanted.strip_suffix('s') == Some(title_word)
}

fn describe(intent: &Intent, last: &ToolResult) -> String {
    let result = &last.result;
    if let Some(message) = result.pointer("/error/message").and_then(Value::as_str) {
        return format!(
            "I couldn't do that: {} {SEE_NUMBERS}",
            escape_markdown(message)
        );
    }
    let id = id_of(&result["task_id"]);
    let title = title_of(result);
    match (last.name.as_str(), intent) {
        ("add_task", _) => format!("Added task #{id}: **{title}**."),
        ("complete_task", _) => format!("Marked task #{id} **{title}** as complete."),
        ("delete_task", _) => format!("Deleted task #{id}: **{title}**."),
        (
            "update_task",
            Intent::Update {
                change: Change::Description(_),
                ..
            },
        ) => format!("Updated the description of task #{id} **{title}**."),
        ("update_task", _) => format!("Updated task #{id} to **{title}**."),
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
    let list = bullet_list(&tasks.iter().collect::<Vec<_>>());
    if tasks.len() > LISTED_MAX {
        return format!(
            "{heading}\n\n{list}\n\nAsk for your pending or completed tasks, or see them all on the Tasks page."
        );
    }
    format!("{heading}\n\n{list}")
}

/// The most tasks a reply lists one by one: a chat answer is read, and a
/// list of thousands is neither readable nor cheap to store and show.
pub const LISTED_MAX: usize = 50;

/// The tasks as a Markdown list, the first [`LISTED_MAX`] of them, and how
/// many more there are.
fn bullet_list(tasks: &[&Value]) -> String {
    let more = tasks.len().saturating_sub(LISTED_MAX);
    let listed = tasks
        .iter()
        .take(LISTED_MAX)
        .map(|t| {
            let done = if t["completed"].as_bool() == Some(true) {
                " (completed)"
            } else {
                ""
            };
            format!("- #{} {}{done}", id_of(&t["id"]), title_of(t))
        })
        .collect::<Vec<_>>()
        .join("\n");
    match more {
        0 => listed,
        more => format!("{listed}\n- …and {more} more"),
    }
}

/// A task's number as text; anything but a number (a tool never sends one) shows as "?".
fn id_of(value: &Value) -> String {
    value
        .as_i64()
        .map_or_else(|| "?".to_owned(), |id| id.to_string())
}

/// A task's title, escaped for Markdown.
fn title_of(task: &Value) -> String {
    escape_markdown(task["title"].as_str().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::markdown::to_safe_html;

    fn listed(tasks: Value) -> ToolResult {
        ToolResult {
            call_id: "offline_0".into(),
            name: "list_tasks".into(),
            result: tasks,
        }
    }

    fn said(next: Next) -> String {
        match next {
            Next::Say(text) => text,
            Next::Call(name, _) => panic!("called {name} instead of answering"),
        }
    }

    #[test]
    fn a_long_list_shows_its_first_tasks_and_how_many_more() {
        let tasks: Value = (1..=LISTED_MAX + 70)
            .map(|id| json!({"id": id, "title": format!("Task {id}"), "completed": false}))
            .collect();
        let text = said(next(&Intent::List(TaskFilter::All), Some(&listed(tasks))));
        assert_eq!(text.matches("\n- #").count(), LISTED_MAX, "{text}");
        assert!(text.contains("- #50 Task 50\n- …and 70 more"), "{text}");
        assert!(text.ends_with("see them all on the Tasks page."), "{text}");
        let short: Value = (1..=LISTED_MAX)
            .map(|id| json!({"id": id, "title": "Task", "completed": false}))
            .collect();
        let text = said(next(&Intent::List(TaskFilter::All), Some(&listed(short))));
        assert!(!text.contains("more"), "{text}");
    }

    #[test]
    fn a_listed_title_is_text_not_a_link() {
        let tasks = json!([
            {"id": 1, "title": "[Verify](https://evil.example/login)", "completed": false},
            {"id": 2, "title": "<iframe src=https://evil.example>", "completed": false},
            {"id": 3, "title": "# big", "completed": true}
        ]);
        let text = said(next(&Intent::List(TaskFilter::All), Some(&listed(tasks))));
        let html = to_safe_html(&text);
        for bad in ["<a", "<iframe", "<h1"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("# big (completed)"), "{html}");
        assert_eq!(html.matches("<li>").count(), 3, "{html}");
    }

    #[test]
    fn one_match_by_name_is_a_question_not_an_action() {
        let tasks = json!([{"id": 66, "title": "Gym", "completed": false}, {"id": 7, "title": "Gymnastics"}]);
        let text = said(next(
            &Intent::DeleteByName("gym".into()),
            Some(&listed(tasks)),
        ));
        assert_eq!(
            text,
            "Do you want me to delete task #66 “Gym”? Reply yes or no."
        );
    }

    #[test]
    fn several_matches_are_listed_and_none_is_said() {
        let tasks =
            json!([{"id": 1, "title": "Team meeting"}, {"id": 2, "title": "Meetings notes"}]);
        let text = said(next(
            &Intent::CompleteByName("meeting".into()),
            Some(&listed(tasks.clone())),
        ));
        assert!(text.starts_with(ASK_COMPLETE) && text.contains("#1") && text.contains("#2"));
        let text = said(next(
            &Intent::DeleteByName("*car*".into()),
            Some(&listed(tasks)),
        ));
        assert!(text.contains("matching \"\\*car\\*\""), "{text}");
    }

    #[test]
    fn a_request_asked_as_a_question_is_confirmed_with_the_tasks_title() {
        let tasks = json!([{"id": 18, "title": "*Gym*", "completed": false}, {"id": 19, "title": "Done", "completed": true}]);
        let ask = |intent: Intent| said(next(&intent, Some(&listed(tasks.clone()))));
        assert_eq!(
            ask(Intent::ConfirmDelete(18)),
            "Do you want me to delete task #18 “\\*Gym\\*”? Reply yes or no."
        );
        assert_eq!(
            ask(Intent::ConfirmComplete(18)),
            "Do you want me to mark task #18 “\\*Gym\\*” as complete? Reply yes or no."
        );
        assert!(ask(Intent::ConfirmComplete(19)).contains("already complete"));
        assert!(ask(Intent::ConfirmDelete(20)).starts_with("I couldn't find task #20"));
        assert!(matches!(
            next(&Intent::ConfirmDelete(18), None),
            Next::Call("list_tasks", _)
        ));
    }

    #[test]
    fn a_question_asked_again_still_starts_with_the_question() {
        let question = "Do you want me to delete task #66 “Gym”? Reply yes or no.";
        let again = said(next(&Intent::AskAgain(question.into()), None));
        assert!(again.starts_with(question), "{again}");
        let twice = said(next(&Intent::AskAgain(again.clone()), None));
        assert_eq!(twice, again);
    }

    #[test]
    fn a_tool_error_message_is_escaped_too() {
        let failed = ToolResult {
            call_id: "offline_0".into(),
            name: "delete_task".into(),
            result: json!({"error": {"code": "X", "message": "[x](https://evil.example)"}}),
        };
        let html = to_safe_html(&said(next(&Intent::Delete(1), Some(&failed))));
        assert!(!html.contains("<a"), "{html}");
    }
}
