//! The offline assistant: deterministic rules instead of a model, so the
//! product works with no key and every test runs without a network. It reads
//! the conversation like a model would, asks for the same tool calls, and
//! streams its answer word by word.

mod answer;
mod change;
#[cfg(test)]
mod corpus_tests;
mod escape;
mod intent;
#[cfg(test)]
mod property_tests;
mod reply;
mod words;

use serde_json::{Value, json};

use super::{Entry, ModelStep, TextSink, ToolCallRequest, ToolResult};
use intent::Intent;

/// What the user can say, shown when a sentence is not understood.
pub const HELP: &str = "I'm the built-in offline assistant, so I understand simple sentences about your tasks, such as:\n\n\
- \"Add a task to buy groceries\"\n\
- \"Show me all my tasks\", \"What's pending?\", \"What have I completed?\"\n\
- \"Mark task 3 as complete\"\n\
- \"Delete the meeting task\" or \"Delete task 2\"\n\
- \"Change task 1 to 'Call mom tonight'\"\n\
- \"Update task 1 description to bring the charger\"";

/// One step of the conversation: the next tool call, or the answer.
pub fn step(entries: &[Entry], sink: TextSink<'_>) -> ModelStep {
    let Some(at) = entries.iter().rposition(|e| matches!(e, Entry::User(_))) else {
        return say(HELP, sink);
    };
    let Entry::User(text) = &entries[at] else {
        return say(HELP, sink);
    };
    // Only the answer to the previous user message counts as a question, so a
    // "yes" never confirms something asked turns ago.
    let asked = entries[..at]
        .iter()
        .rev()
        .take_while(|e| !matches!(e, Entry::User(_)))
        .find_map(|e| match e {
            Entry::Model(step) if !step.text.is_empty() => Some(step.text.as_str()),
            _ => None,
        });
    let intent = Intent::parse(&unquoted(text), asked);
    let results: Vec<&ToolResult> = entries[at + 1..]
        .iter()
        .flat_map(|e| match e {
            Entry::Tools(results) => results.iter().collect(),
            _ => Vec::new(),
        })
        .collect();
    match reply::next(&intent, results.last().copied()) {
        reply::Next::Call(name, args) => call(name, args, results.len()),
        reply::Next::Say(text) => say(&text, sink),
    }
}

/// The message without the lines it quotes (Markdown `>` lines, such as a
/// ChatKit frontend's quoted passage): a quote is context, never a request.
fn unquoted(text: &str) -> String {
    text.lines()
        .filter(|line| !is_quote(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A quote line, also inside a list item (`- > …`) or behind invisible
/// characters that make it look like one (`\u{200b}> …`).
fn is_quote(line: &str) -> bool {
    let invisible = |c: char| c.is_whitespace() || crate::unicode::is_invisible(c);
    let rest = line.trim_start_matches(invisible);
    let rest = match rest.strip_prefix(['-', '*', '+']) {
        Some(item) if item.starts_with(invisible) => item.trim_start_matches(invisible),
        _ => rest,
    };
    rest.starts_with('>')
}

fn call(name: &str, arguments: Value, n: usize) -> ModelStep {
    ModelStep {
        text: String::new(),
        calls: vec![ToolCallRequest {
            id: format!("offline_{n}"),
            name: name.to_owned(),
            arguments,
            signature: None,
        }],
    }
}

/// Streams `text` a word at a time, as a model would.
fn say(text: &str, sink: TextSink<'_>) -> ModelStep {
    for piece in text.split_inclusive(' ') {
        sink(piece);
    }
    ModelStep {
        text: text.to_owned(),
        calls: Vec::new(),
    }
}

/// `{"status": …}` for `list_tasks`.
fn status_args(status: &str) -> Value {
    json!({ "status": status })
}
