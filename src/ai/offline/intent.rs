//! What a sentence asks for, by rules.

use crate::db::models::TaskFilter;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    Add {
        title: String,
    },
    List(TaskFilter),
    Complete(i64),
    Delete(i64),
    Update {
        id: i64,
        title: String,
    },
    /// Find the task by name first (list, then act).
    CompleteByName(String),
    DeleteByName(String),
    Greeting,
    Thanks,
    Unknown,
}

const ADD_PREFIXES: &[&str] = &[
    "i need to remember to ",
    "i have to remember to ",
    "remember to ",
    "remind me to ",
    "please add a task to ",
    "add a task to ",
    "add a new task to ",
    "add task to ",
    "create a task to ",
    "new task to ",
    "add a task: ",
    "add task: ",
    "new task: ",
    "add a task ",
    "add task ",
    "create task ",
    "create a task ",
    "new task ",
    "add ",
    "i need to ",
    "i have to ",
    "todo: ",
    "to do: ",
];
const DELETE_WORDS: &[&str] = &["delete", "remove", "cancel", "drop", "get rid of", "erase"];
const COMPLETE_WORDS: &[&str] = &[
    "complete",
    "done",
    "finish",
    "check off",
    "tick off",
    "mark",
];
const UPDATE_WORDS: &[&str] = &["change", "rename", "update", "edit", "retitle"];

impl Intent {
    /// Reads `text`; `asked` is the assistant's previous message, so that a bare
    /// number can answer its "which task?" question.
    pub fn parse(text: &str, asked: Option<&str>) -> Intent {
        let original = text.trim().trim_end_matches(['.', '!', '?']).trim();
        let lower = original.to_lowercase();
        let number = first_number(&lower);
        let bare = lower.trim_end_matches([',', ' ', '!']);
        if [
            "hi",
            "hello",
            "hey",
            "hiya",
            "good morning",
            "good evening",
            "help",
        ]
        .contains(&bare)
        {
            return Intent::Greeting;
        }
        if [
            "thanks",
            "thank you",
            "thx",
            "cheers",
            "great",
            "ok",
            "okay",
            "cool",
        ]
        .contains(&bare)
        {
            return Intent::Thanks;
        }

        if let (Some(id), true) = (number, has_any(&lower, UPDATE_WORDS)) {
            if let Some(title) = after_to(original, &lower) {
                return Intent::Update { id, title };
            }
        }
        if let Some(id) = number {
            if has_any(&lower, DELETE_WORDS) {
                return Intent::Delete(id);
            }
            if has_any(&lower, COMPLETE_WORDS) {
                return Intent::Complete(id);
            }
            if is_bare_reference(&lower) {
                match asked {
                    Some(q) if q.starts_with(super::reply::ASK_DELETE) => {
                        return Intent::Delete(id);
                    }
                    Some(q) if q.starts_with(super::reply::ASK_COMPLETE) => {
                        return Intent::Complete(id);
                    }
                    _ => {}
                }
            }
        }
        if let Some(title) = add_title(original, &lower) {
            return Intent::Add { title };
        }
        if let Some(filter) = list_filter(&lower) {
            return Intent::List(filter);
        }
        if let Some(word) = DELETE_WORDS.iter().find(|w| lower.starts_with(*w)) {
            if let Some(name) = task_name(&lower[word.len()..]) {
                return Intent::DeleteByName(name);
            }
        }
        if lower.starts_with("mark ")
            || lower.starts_with("complete ")
            || lower.starts_with("finish ")
        {
            let rest = lower.split_once(' ').map(|(_, r)| r).unwrap_or_default();
            let rest = rest
                .trim_end_matches(" as complete")
                .trim_end_matches(" as completed")
                .trim_end_matches(" as done")
                .trim_end_matches(" done")
                .trim_end_matches(" complete");
            if let Some(name) = task_name(rest) {
                return Intent::CompleteByName(name);
            }
        }
        Intent::Unknown
    }
}

fn has_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

/// The first whole number in the text ("task 3", "#3", "3").
fn first_number(text: &str) -> Option<i64> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
        .filter(|n| *n > 0)
}

/// "2", "#2", "task 2", "number 2", "the 2nd one"-like answers to a question.
fn is_bare_reference(text: &str) -> bool {
    let rest = text
        .trim_start_matches("task")
        .trim_start_matches("number")
        .trim_start_matches("it's")
        .trim()
        .trim_start_matches('#');
    rest.chars()
        .all(|c| c.is_ascii_digit() || c.is_whitespace())
}

/// The new title in "change task 1 to 'Call mom tonight'", with its case kept.
fn after_to(original: &str, lower: &str) -> Option<String> {
    let at = lower.find(" to ")?;
    let title = original[at + 4..].trim();
    let title = title
        .trim_matches(|c| matches!(c, '\'' | '"' | '“' | '”' | '‘' | '’'))
        .trim();
    (!title.is_empty()).then(|| title.to_owned())
}

fn add_title(original: &str, lower: &str) -> Option<String> {
    let prefix = ADD_PREFIXES.iter().find(|p| lower.starts_with(*p))?;
    let title = original[prefix.len()..].trim();
    let title = title
        .trim_matches(|c| matches!(c, '\'' | '"' | '“' | '”' | '‘' | '’'))
        .trim();
    let mut chars = title.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

fn list_filter(lower: &str) -> Option<TaskFilter> {
    let asks = [
        "show", "list", "what", "which", "see", "view", "display", "tasks", "todo", "to-do",
    ]
    .iter()
    .any(|w| lower.contains(w));
    if !asks {
        return None;
    }
    if has_any(lower, &["complete", "done", "finished"]) {
        Some(TaskFilter::Completed)
    } else if has_any(
        lower,
        &[
            "pending",
            "left",
            "open",
            "remaining",
            "to do",
            "todo",
            "outstanding",
            "unfinished",
        ],
    ) {
        Some(TaskFilter::Pending)
    } else if has_any(lower, &["task", "list", "all"]) {
        Some(TaskFilter::All)
    } else {
        None
    }
}

/// "the meeting task" → "meeting".
fn task_name(rest: &str) -> Option<String> {
    let words: Vec<&str> = rest
        .split_whitespace()
        .filter(|w| {
            !matches!(
                *w,
                "the"
                    | "my"
                    | "a"
                    | "task"
                    | "tasks"
                    | "one"
                    | "item"
                    | "please"
                    | "about"
                    | "called"
                    | "named"
            )
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Intent {
        Intent::parse(text, None)
    }

    #[test]
    fn the_product_sentences_are_understood() {
        assert_eq!(
            parse("Add a task to buy groceries"),
            Intent::Add {
                title: "Buy groceries".into()
            }
        );
        assert_eq!(
            parse("I need to remember to pay bills"),
            Intent::Add {
                title: "Pay bills".into()
            }
        );
        assert_eq!(parse("Show me all my tasks"), Intent::List(TaskFilter::All));
        assert_eq!(parse("What's pending?"), Intent::List(TaskFilter::Pending));
        assert_eq!(
            parse("What have I completed?"),
            Intent::List(TaskFilter::Completed)
        );
        assert_eq!(parse("Mark task 3 as complete"), Intent::Complete(3));
        assert_eq!(
            parse("Delete the meeting task"),
            Intent::DeleteByName("meeting".into())
        );
        assert_eq!(
            parse("Change task 1 to 'Call mom tonight'"),
            Intent::Update {
                id: 1,
                title: "Call mom tonight".into()
            }
        );
    }

    #[test]
    fn obvious_variants_are_understood() {
        assert_eq!(
            parse("add buy milk"),
            Intent::Add {
                title: "Buy milk".into()
            }
        );
        assert_eq!(parse("done with 3"), Intent::Complete(3));
        assert_eq!(parse("remove task 2"), Intent::Delete(2));
        assert_eq!(
            parse("rename task 1 to Call the plumber"),
            Intent::Update {
                id: 1,
                title: "Call the plumber".into()
            }
        );
        assert_eq!(parse("show completed"), Intent::List(TaskFilter::Completed));
        assert_eq!(parse("list my tasks"), Intent::List(TaskFilter::All));
        assert_eq!(
            parse("mark the groceries task as done"),
            Intent::CompleteByName("groceries".into())
        );
        assert_eq!(parse("What's the weather like?"), Intent::Unknown);
        assert_eq!(parse("Hello!"), Intent::Greeting);
        assert_eq!(parse("thanks"), Intent::Thanks);
    }

    #[test]
    fn a_bare_number_answers_the_question_asked() {
        let asked = format!("{} Reply with its number.", super::super::reply::ASK_DELETE);
        assert_eq!(Intent::parse("2", Some(&asked)), Intent::Delete(2));
        assert_eq!(Intent::parse("task #4", Some(&asked)), Intent::Delete(4));
        assert_eq!(Intent::parse("2", None), Intent::Unknown);
    }
}
