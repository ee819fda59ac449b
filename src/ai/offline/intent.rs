//! What a sentence asks for, by rules. Adding and listing are read leniently;
//! anything that changes or removes a task only when the sentence plainly
//! says so (see `change`), and otherwise the assistant asks.

use super::words::{self, Word};
use super::{answer, change};
use crate::db::models::TaskFilter;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    Add {
        title: String,
    },
    /// "add a task" with nothing to add.
    AddWithoutTitle,
    List(TaskFilter),
    Complete(i64),
    Delete(i64),
    /// No tool can reopen a task, so the assistant says so.
    Reopen,
    Update {
        id: i64,
        change: Change,
    },
    /// Find the task by name first (list, then ask).
    CompleteByName(String),
    DeleteByName(String),
    /// "delete task 18?": a request asked as a question, so the assistant
    /// asks "Do you want me to delete task #18 …?" and acts on the next "yes".
    ConfirmDelete(i64),
    ConfirmComplete(i64),
    /// "no" to a "Do you want me to …?" question.
    Declined,
    /// Neither a yes nor a no to "Do you want me to …?" ("ok", "thanks"):
    /// the assistant repeats its question, which it wrote itself.
    AskAgain(String),
    /// A change was asked for, but not plainly enough to act on.
    Unclear,
    Greeting,
    Thanks,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Title(String),
    Description(String),
}

impl Intent {
    /// Whether acting on this intent changes or removes an existing task.
    #[cfg(test)]
    pub fn changes_a_task(&self) -> bool {
        matches!(
            self,
            Intent::Complete(_)
                | Intent::Delete(_)
                | Intent::Reopen
                | Intent::Update { .. }
                | Intent::CompleteByName(_)
                | Intent::DeleteByName(_)
        )
    }
}

/// Starts of a sentence that make it an add, whatever follows.
pub(super) const ADD_PHRASES: &[&str] = &[
    "add",
    "add a task",
    "add a task to",
    "add a task called",
    "add a task named",
    "add a new task",
    "add a new task to",
    "add new task",
    "add task",
    "add task to",
    "add to my list",
    "add to my tasks",
    "add a todo",
    "add todo",
    "add an item",
    "create",
    "create a task",
    "create a task to",
    "create a new task",
    "create a new task to",
    "create task",
    "create new task",
    "make a task",
    "make a task to",
    "make a new task",
    "new task",
    "new task to",
    "new todo",
    "remind me to",
    "remind me about",
    "remind me that",
    "remember to",
    "don't forget to",
    "dont forget to",
    "i need to",
    "i need to remember to",
    "i have to",
    "i have to remember to",
    "i must",
    "i must remember to",
    "i should",
    "i should remember to",
    "i gotta",
    "i've got to",
    "i got to",
    "i want to remember to",
];

/// Starts that make an add only with a colon: "todo: milk", but "todo list?" is a question.
pub(super) const ADD_LABELS: &[&str] = &["todo", "to-do", "to do", "task", "new todo", "reminder"];

/// Said before the request and meaning nothing for it.
const POLITENESS: &[&str] = &[
    "please",
    "pls",
    "plz",
    "kindly",
    "hey",
    "hi",
    "hello",
    "ok",
    "okay",
    "so",
    "now",
    "just",
    "also",
    "and",
    "then",
    "can you",
    "could you",
    "would you",
    "will you",
    "can u",
    "could u",
    "would you mind",
    "i want you to",
    "i'd like you to",
    "i would like you to",
    "go ahead and",
];

const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hiya",
    "yo",
    "hi there",
    "hello there",
    "hey there",
    "good morning",
    "good afternoon",
    "good evening",
    "help",
    "what can you do",
];

const THANKS: &[&str] = &[
    "thanks",
    "thank you",
    "thank you so much",
    "thanks a lot",
    "thx",
    "ty",
    "cheers",
    "great",
    "ok",
    "okay",
    "cool",
    "nice",
    "perfect",
    "awesome",
];

impl Intent {
    /// Reads `text`; `asked` is the assistant's previous message, so that a
    /// "yes" or a bare number can answer the question it asked.
    pub fn parse(text: &str, asked: Option<&str>) -> Intent {
        let typed = text.trim();
        let text = typed.trim_end_matches(['.', '!', '?']).trim_end();
        let question = typed[text.len()..].contains('?');
        let all = words::split(text);
        let rest = skip_politeness(&all);
        if let Some(n) = add_phrase(rest) {
            return add(text, &rest[n..], rest[n - 1].end);
        }
        if let Some(intent) = asked.and_then(|q| answer::parse(&all, q)) {
            return intent;
        }
        if words::is_one_of(&all, GREETINGS) {
            return Intent::Greeting;
        }
        if words::is_one_of(&all, THANKS) {
            return Intent::Thanks;
        }
        if let Some(intent) = change::parse(text, rest) {
            return if question && !polite_request(&all[..all.len() - rest.len()]) {
                confirm_first(intent)
            } else {
                intent
            };
        }
        list_filter(rest).map_or(Intent::Unknown, Intent::List)
    }
}

/// Whether the politeness before a request makes a question of it a request:
/// "can you delete task 3?" asks for the deletion as plainly as "delete task
/// 3" does, while a bare "delete task 3?" (or "so, delete task 3?") asks
/// whether to, so the assistant confirms first.
fn polite_request(politeness: &[Word]) -> bool {
    politeness
        .iter()
        .any(|w| matches!(w.key.as_str(), "can" | "could" | "would" | "will"))
}

/// A change asked as a question: a delete or complete becomes the assistant's
/// own "Do you want me to …?" question; a new title or description, which
/// no question confirms, is not done.
fn confirm_first(intent: Intent) -> Intent {
    match intent {
        Intent::Delete(id) => Intent::ConfirmDelete(id),
        Intent::Complete(id) => Intent::ConfirmComplete(id),
        Intent::Update { .. } => Intent::Unclear,
        other => other,
    }
}

/// How many words of `words` are an add phrase at its start.
fn add_phrase(words: &[Word]) -> Option<usize> {
    let labelled = words::longest_of(words, ADD_LABELS).filter(|n| words[n - 1].raw.ends_with(':'));
    let phrase = words::longest_of(words, ADD_PHRASES);
    labelled.max(phrase)
}

fn skip_politeness<'w, 'a>(mut words: &'w [Word<'a>]) -> &'w [Word<'a>] {
    while let Some(n) = words::longest_of(words, POLITENESS) {
        words = &words[n..];
    }
    words
}

/// The add whose title follows byte `from`, ignoring a "called"/"named" in front of it.
fn add(text: &str, after: &[Word], from: usize) -> Intent {
    let from = match after.first() {
        Some(w) if matches!(w.key.as_str(), "called" | "named" | "titled" | "saying") => w.end,
        _ => from,
    };
    let title = words::text_from(text, from);
    if title.is_empty() {
        Intent::AddWithoutTitle
    } else {
        Intent::Add {
            title: words::title_case(title),
        }
    }
}

/// Which tasks a request to see them asks for; `None` when it is not one.
fn list_filter(words: &[Word]) -> Option<TaskFilter> {
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.key.as_str()));
    let asks = has(&[
        "show",
        "list",
        "what",
        "what's",
        "whats",
        "which",
        "see",
        "view",
        "display",
        "tasks",
        "todo",
        "todos",
        "to-do",
        "to-dos",
        "check",
        "give",
        "tell",
        "get",
        "remaining",
        "pending",
        "completed",
        "shwo",
        "lsit",
        "tsks",
        "tasklist",
    ]);
    if !asks {
        return None;
    }
    let to_do = words
        .windows(2)
        .any(|pair| pair[0].key == "to" && pair[1].key == "do");
    if has(&["completed", "complete", "done", "finished", "closed"]) {
        Some(TaskFilter::Completed)
    } else if to_do
        || has(&[
            "pending",
            "left",
            "open",
            "remaining",
            "todo",
            "todos",
            "to-do",
            "to-dos",
            "outstanding",
            "unfinished",
            "incomplete",
            "due",
        ])
    {
        Some(TaskFilter::Pending)
    } else if has(&[
        "task",
        "tasks",
        "list",
        "all",
        "everything",
        "tsks",
        "tasklist",
    ]) {
        Some(TaskFilter::All)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Intent {
        Intent::parse(text, None)
    }

    #[test]
    fn add_without_a_title_asks_for_one() {
        assert_eq!(parse("add a task"), Intent::AddWithoutTitle);
        assert_eq!(parse("Add task:"), Intent::AddWithoutTitle);
    }
}
