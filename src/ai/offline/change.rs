//! Requests that change or remove a task. They are read strictly, because a
//! wrong guess destroys data: the verb must lead the sentence, words match
//! whole, and the task is named by its number in a reference position ("task
//! 3", "#3", "number 3", or a number right after the verb). Anything else that
//! starts with such a verb is `Unclear`, and the assistant asks.

use super::intent::{Change, Intent};
use super::words::{self, Word};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Delete,
    Complete,
    /// "mark": complete or reopen, depending on what follows.
    Mark,
    Reopen,
    /// "change", "update", "edit": a new title or description.
    Update,
    Rename,
    /// "set": only with the field named ("set task 3 description to …").
    Set,
    Describe,
}

const VERBS: &[(&str, Verb)] = &[
    ("delete", Verb::Delete),
    ("del", Verb::Delete),
    ("delet", Verb::Delete),
    ("dlete", Verb::Delete),
    ("deleet", Verb::Delete),
    ("remove", Verb::Delete),
    ("remvoe", Verb::Delete),
    ("cancel", Verb::Delete),
    ("drop", Verb::Delete),
    ("erase", Verb::Delete),
    ("trash", Verb::Delete),
    ("get rid of", Verb::Delete),
    ("complete", Verb::Complete),
    ("compelte", Verb::Complete),
    ("finish", Verb::Complete),
    ("close", Verb::Complete),
    ("done", Verb::Complete),
    ("done with", Verb::Complete),
    ("check off", Verb::Complete),
    ("tick off", Verb::Complete),
    ("cross off", Verb::Complete),
    ("tick", Verb::Complete),
    ("mark", Verb::Mark),
    ("reopen", Verb::Reopen),
    ("re-open", Verb::Reopen),
    ("uncomplete", Verb::Reopen),
    ("unmark", Verb::Reopen),
    ("undo", Verb::Reopen),
    ("change", Verb::Update),
    ("update", Verb::Update),
    ("edit", Verb::Update),
    ("modify", Verb::Update),
    ("rename", Verb::Rename),
    ("retitle", Verb::Rename),
    ("set", Verb::Set),
    ("describe", Verb::Describe),
];

/// Words that may sit around a task reference without changing the request.
const FILLER: &[&str] = &[
    "the", "my", "a", "an", "task", "tasks", "item", "one", "entry", "todo", "to-do", "number",
    "no", "please", "pls", "now", "for", "me", "from", "list", "thanks", "thank", "you", "called",
    "named", "titled", "right", "away", "again", "this", "it",
];
/// Words that say "as complete" after a complete or mark verb.
const DONE_WORDS: &[&str] = &[
    "as",
    "complete",
    "completed",
    "done",
    "finished",
    "off",
    "is",
    "being",
];
/// Words between an update verb and "to" that name what changes.
const FIELD_WORDS: &[&str] = &[
    "the",
    "my",
    "a",
    "task",
    "task's",
    "its",
    "of",
    "title",
    "name",
    "description",
    "desc",
    "details",
    "notes",
    "note",
    "text",
];
const DESCRIPTION_WORDS: &[&str] = &["description", "desc", "details", "notes", "note"];
/// A task said by "all" is many tasks: the assistant acts on one at a time.
const EVERY: &[&str] = &["all", "every", "everything", "each"];

/// The change `words` (the sentence after any politeness) plainly ask for;
/// `Unclear` when it leads with a change verb but not plainly; `None` when it
/// does not lead with one.
pub fn parse(text: &str, words: &[Word]) -> Option<Intent> {
    let (n, verb) = words::longest(words, VERBS)?;
    let after = &words[n..];
    let intent = match verb {
        Verb::Delete => one_task(text, after, &[], Intent::Delete, Intent::DeleteByName),
        Verb::Complete => one_task(
            text,
            after,
            DONE_WORDS,
            Intent::Complete,
            Intent::CompleteByName,
        ),
        Verb::Mark => mark(text, after),
        Verb::Reopen => Intent::Reopen,
        Verb::Update | Verb::Rename | Verb::Set | Verb::Describe => update(text, verb, after),
    };
    Some(intent)
}

/// A reference to one task by number inside `words`: its id and the range of words it takes.
struct Reference {
    id: i64,
    from: usize,
    to: usize,
}

/// Words after a number that make it a count of tasks, not a task: "delete 5 tasks".
const COUNTED: &[&str] = &[
    "task", "tasks", "item", "items", "thing", "things", "todo", "todos", "to-do", "to-dos",
    "entry", "entries", "ones", "of",
];

/// The one task reference in `words`, `Ok(None)` if there is none, `Err` if
/// several or if a number in `words` cannot be one, because it is a count
/// ("5 tasks", "1 item", "2 of them") or has a sign or symbol ("-1", "(3)",
/// "50%"); either way the sentence is not plain, so the assistant asks.
/// A plain number counts only first ("delete 3"); elsewhere a number must
/// follow "task"/"number"/"no"/"item" or carry a `#`.
fn reference(words: &[Word]) -> Result<Option<Reference>, ()> {
    let counts = words
        .windows(2)
        .any(|pair| words::is_numeric(&pair[0]) && COUNTED.contains(&pair[1].key.as_str()));
    if counts || words.iter().any(words::is_other_number) {
        return Err(());
    }
    let mut found = None;
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let labelled = matches!(w.key.as_str(), "task" | "number" | "no" | "item" | "#");
        let here = if labelled {
            // "task 3", "task #3", "task number 3"
            let mut j = i + 1;
            if words.get(j).is_some_and(|x| x.key == "number") {
                j += 1;
            }
            words.get(j).and_then(words::number).map(|id| Reference {
                id,
                from: i,
                to: j + 1,
            })
        } else if i == 0 || w.key.starts_with('#') {
            words::number(w).map(|id| Reference {
                id,
                from: i,
                to: i + 1,
            })
        } else {
            None
        };
        match (here, &found) {
            (Some(r), None) => {
                i = r.to;
                found = Some(r);
            }
            (Some(_), Some(_)) => return Err(()),
            (None, _) => i += 1,
        }
    }
    Ok(found)
}

/// The words of `words` outside `r`, without filler and `also_ignored`.
fn leftovers<'w, 'a>(
    words: &'w [Word<'a>],
    r: Option<&Reference>,
    also_ignored: &[&str],
) -> Vec<&'w Word<'a>> {
    words
        .iter()
        .enumerate()
        .filter(|(i, _)| r.is_none_or(|r| *i < r.from || *i >= r.to))
        .map(|(_, w)| w)
        .filter(|w| !FILLER.contains(&w.key.as_str()) && !also_ignored.contains(&w.key.as_str()))
        .collect()
}

/// "delete task 3" → `by_id(3)`; "delete the meeting task" → `by_name("meeting")`.
fn one_task(
    text: &str,
    after: &[Word],
    ignored: &[&str],
    by_id: fn(i64) -> Intent,
    by_name: fn(String) -> Intent,
) -> Intent {
    let Ok(r) = reference(after) else {
        return Intent::Unclear;
    };
    let rest = leftovers(after, r.as_ref(), ignored);
    match (r, rest.as_slice()) {
        (Some(r), []) => by_id(r.id),
        (None, [first, ..]) => {
            if rest.iter().any(|w| EVERY.contains(&w.key.as_str())) {
                return Intent::Unclear;
            }
            let end = rest.last().map_or(first.end, |w| w.end);
            // From the first word of the name to its last, as typed.
            by_name(text[first.start..end].to_owned())
        }
        _ => Intent::Unclear,
    }
}

/// "mark task 3 as complete", "mark the groceries task done", "mark 3 as not done".
fn mark(text: &str, after: &[Word]) -> Intent {
    let says = |list: &[&str]| after.iter().any(|w| list.contains(&w.key.as_str()));
    if says(&["not", "incomplete", "undone", "unfinished", "uncompleted"]) {
        Intent::Reopen
    } else if says(&["complete", "completed", "done", "finished", "off"]) {
        one_task(
            text,
            after,
            DONE_WORDS,
            Intent::Complete,
            Intent::CompleteByName,
        )
    } else if says(&["pending", "open", "todo", "to-do"]) {
        Intent::Reopen
    } else {
        Intent::Unclear
    }
}

/// "change task 3 to done" and "set task 3 to done" mean the state, not a
/// title "done", when the user neither quoted it nor named the title. Rename
/// always renames ("rename task 3 to done").
fn state_change(verb: Verb, new: &str, id: i64) -> Option<Intent> {
    if !matches!(verb, Verb::Update | Verb::Set) {
        return None;
    }
    let new_words = words::split(new);
    if words::is_one_of(&new_words, &["done", "complete", "completed", "finished"]) {
        return Some(Intent::Complete(id));
    }
    let reopens = [
        "not done",
        "incomplete",
        "undone",
        "pending",
        "open",
        "not complete",
        "todo",
    ];
    words::is_one_of(&new_words, &reopens).then_some(Intent::Reopen)
}

/// "change task 1 to X", "update task 67 description to X", "rename #2 as X".
fn update(text: &str, verb: Verb, after: &[Word]) -> Intent {
    // The new text starts after the first "to"/"as"/"into", or after a word ending in ':'.
    let Some(cut) = after
        .iter()
        .position(|w| matches!(w.key.as_str(), "to" | "as" | "into") || w.raw.ends_with(':'))
    else {
        return Intent::Unclear;
    };
    let before = match after[cut].key.as_str() {
        "to" | "as" | "into" => &after[..cut],
        _ => &after[..=cut],
    };
    let Ok(Some(r)) = reference(before) else {
        return Intent::Unclear;
    };
    let fields: Vec<&str> = before
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < r.from || *i >= r.to)
        .map(|(_, w)| w.key.strip_suffix("'s").unwrap_or(&w.key))
        .collect();
    if fields.iter().any(|f| !FIELD_WORDS.contains(f)) {
        return Intent::Unclear;
    }
    let describes = verb == Verb::Describe || fields.iter().any(|f| DESCRIPTION_WORDS.contains(f));
    let names_title = fields.iter().any(|f| matches!(*f, "title" | "name"));

    // A quoted new text is always the text itself: "change task 3 to 'done'" renames it.
    let (new, quoted) = words::quoted_text_from(text, after[cut].end);
    if new.is_empty() {
        return Intent::Unclear;
    }
    if describes {
        return Intent::Update {
            id: r.id,
            change: Change::Description(new.to_owned()),
        };
    }
    if !names_title
        && !quoted
        && let Some(state) = state_change(verb, new, r.id)
    {
        return state;
    }
    // "set" needs the field named: "set task 3 to tomorrow" says nothing of what changes.
    if verb == Verb::Set && !names_title {
        return Intent::Unclear;
    }
    Intent::Update {
        id: r.id,
        change: Change::Title(words::title_case(new)),
    }
}
