//! Answers to the assistant's own questions: a yes or a no to "Do you want
//! me to delete task #66?", which acts on exactly that task, and a number
//! answering "Which task should I delete?".

use super::intent::Intent;
use super::reply::{ASK_COMPLETE, ASK_DELETE, CONFIRM_COMPLETE, CONFIRM_DELETE};
use super::words::{self, Word};

/// A yes is made of these words only ("yes please", "sure, do it", "go ahead")…
const YES_WORDS: &[&str] = &[
    "yes",
    "y",
    "yeah",
    "yep",
    "yup",
    "sure",
    "ok",
    "okay",
    "do",
    "go",
    "ahead",
    "confirm",
    "confirmed",
    "correct",
    "absolutely",
    "of",
    "course",
    "please",
    "pls",
    "it",
    "thanks",
    "thank",
    "you",
];
/// …with at least one of these.
const YES_CORE: &[&str] = &[
    "yes",
    "y",
    "yeah",
    "yep",
    "yup",
    "sure",
    "ok",
    "okay",
    "do",
    "go",
    "confirm",
    "confirmed",
    "correct",
    "absolutely",
    "course",
];
const NO_WORDS: &[&str] = &[
    "no",
    "n",
    "nope",
    "nah",
    "don't",
    "dont",
    "do",
    "not",
    "cancel",
    "stop",
    "never",
    "mind",
    "nevermind",
    "keep",
    "it",
    "wait",
    "thanks",
    "thank",
    "you",
    "please",
];
const NO_CORE: &[&str] = &[
    "no",
    "n",
    "nope",
    "nah",
    "don't",
    "dont",
    "not",
    "cancel",
    "stop",
    "nevermind",
    "never",
    "keep",
    "wait",
];

/// A yes, a no or a task number answering the assistant's question `asked`.
pub fn parse(all: &[Word], asked: &str) -> Option<Intent> {
    let act: fn(i64) -> Intent = if asked.starts_with(CONFIRM_DELETE) {
        Intent::Delete
    } else if asked.starts_with(CONFIRM_COMPLETE) {
        Intent::Complete
    } else if asked.starts_with(ASK_DELETE) {
        return which(all, Intent::Delete);
    } else if asked.starts_with(ASK_COMPLETE) {
        return which(all, Intent::Complete);
    } else {
        return None;
    };
    let id = asked_id(asked, CONFIRM_DELETE).or_else(|| asked_id(asked, CONFIRM_COMPLETE))?;
    match yes_or_no(all)? {
        true => Some(act(id)),
        false => Some(Intent::Declined),
    }
}

/// The task picked from a list of several, or a no.
fn which(all: &[Word], act: fn(i64) -> Intent) -> Option<Intent> {
    if yes_or_no(all) == Some(false) {
        return Some(Intent::Declined);
    }
    bare_reference(all).map(act)
}

/// The task number right after `prefix` in the assistant's question.
fn asked_id(asked: &str, prefix: &str) -> Option<i64> {
    let rest = asked.strip_prefix(prefix)?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .map_or(rest, |end| &rest[..end]);
    digits.parse().ok().filter(|n| *n > 0)
}

/// `Some(true)` for "yes", "sure", "yes please", "do it"; `Some(false)` for "no", "no thanks".
fn yes_or_no(all: &[Word]) -> Option<bool> {
    let made_of = |words: &[&str], core: &[&str]| {
        all.iter().all(|w| words.contains(&w.key.as_str()))
            && all.iter().any(|w| core.contains(&w.key.as_str()))
    };
    if made_of(NO_WORDS, NO_CORE) {
        Some(false)
    } else if made_of(YES_WORDS, YES_CORE) || words::keys(all) == "please" {
        Some(true)
    } else {
        None
    }
}

/// "2", "#2", "task 2", "number 2", "it's 2", "the 2nd"-free answers to "which task?".
fn bare_reference(all: &[Word]) -> Option<i64> {
    let mut found = None;
    for w in all {
        match (words::number(w), found) {
            (Some(n), None) => found = Some(n),
            (Some(_), Some(_)) => return None,
            (None, _) => {
                let filler = [
                    "task", "number", "no", "it's", "its", "the", "one", "please", "#",
                ];
                if !filler.contains(&w.key.as_str()) {
                    return None;
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_number_answers_the_question_asked() {
        let asked = format!("{ASK_DELETE} Several tasks match. Reply with its number.");
        assert_eq!(Intent::parse("2", Some(&asked)), Intent::Delete(2));
        assert_eq!(Intent::parse("task #4", Some(&asked)), Intent::Delete(4));
        assert_eq!(Intent::parse("2", None), Intent::Unknown);
        assert_eq!(Intent::parse("2 and 3", Some(&asked)), Intent::Unknown);
        assert_eq!(
            Intent::parse("none of them, no", Some(&asked)),
            Intent::Unknown
        );
        assert_eq!(Intent::parse("no", Some(&asked)), Intent::Declined);
    }

    #[test]
    fn a_yes_does_exactly_what_was_asked_and_a_no_nothing() {
        let asked = format!("{CONFIRM_DELETE}66 “Gym”? Reply yes or no.");
        for yes in [
            "yes",
            "Yes please",
            "sure",
            "do it",
            "OK",
            "yes, do it",
            "please",
        ] {
            assert_eq!(
                Intent::parse(yes, Some(&asked)),
                Intent::Delete(66),
                "{yes}"
            );
        }
        for no in ["no", "No thanks", "nope", "don't", "cancel"] {
            assert_eq!(Intent::parse(no, Some(&asked)), Intent::Declined, "{no}");
        }
        let asked = format!("{CONFIRM_COMPLETE}7 “Gym” as complete? Reply yes or no.");
        assert_eq!(Intent::parse("yes", Some(&asked)), Intent::Complete(7));
        assert_eq!(
            Intent::parse("yes", None),
            Intent::Unknown,
            "nothing was asked"
        );
    }

    #[test]
    fn an_add_sentence_is_an_add_even_while_a_question_is_open() {
        let asked = format!("{CONFIRM_DELETE}66 “Gym”? Reply yes or no.");
        assert_eq!(
            Intent::parse("add yes", Some(&asked)),
            Intent::Add {
                title: "Yes".into()
            }
        );
    }
}
