//! Answers to the assistant's own questions: a yes or a no to "Do you want
//! me to delete task #66?", which acts on exactly that task, and a number
//! answering "Which task should I delete?", which acts only on a task that
//! question offered.

use super::intent::Intent;
use super::reply::{ASK_COMPLETE, ASK_DELETE, CONFIRM_COMPLETE, CONFIRM_DELETE};
use super::words::{self, Word};

/// A yes is made of these words only ("yes please", "sure, do it", "go ahead",
/// "yes, delete it")…
const YES_WORDS: &[&str] = &[
    "yes",
    "y",
    "yeah",
    "yep",
    "yup",
    "sure",
    "thing",
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
    "that",
    "thanks",
    "thank",
    "you",
];
/// …with at least one of these. "ok" and "thanks" are not among them: "ok",
/// "ok thanks" or "ok cool" acknowledge what was said rather than agree to a
/// deletion, so the assistant asks again; "ok, do it" is a yes by its "do".
const YES_CORE: &[&str] = &[
    "yes",
    "y",
    "yeah",
    "yep",
    "yup",
    "sure",
    "do",
    "go",
    "confirm",
    "confirmed",
    "correct",
    "absolutely",
    "course",
];
/// Words that only acknowledge: said alone to "Do you want me to …?", they ask it again.
const ACKNOWLEDGE: &[&str] = &[
    "ok", "okay", "k", "kk", "thanks", "thank", "you", "thx", "cool", "great", "nice", "fine",
    "alright", "right", "hmm", "hm", "maybe", "perhaps", "i", "guess", "think", "so", "well",
    "got", "it", "good", "perfect", "awesome",
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
    let (act, verbs): (fn(i64) -> Intent, &[&str]) = if asked.starts_with(CONFIRM_DELETE) {
        (Intent::Delete, &["delete", "remove"])
    } else if asked.starts_with(CONFIRM_COMPLETE) {
        (
            Intent::Complete,
            &["complete", "mark", "finish", "as", "done"],
        )
    } else if asked.starts_with(ASK_DELETE) {
        return which(all, asked, Intent::Delete, &["delete", "remove"]);
    } else if asked.starts_with(ASK_COMPLETE) {
        return which(
            all,
            asked,
            Intent::Complete,
            &["complete", "mark", "finish"],
        );
    } else {
        return None;
    };
    let id = asked_id(asked, CONFIRM_DELETE).or_else(|| asked_id(asked, CONFIRM_COMPLETE))?;
    match yes_or_no(all, verbs) {
        Some(true) => Some(act(id)),
        Some(false) => Some(Intent::Declined),
        None if !all.is_empty() && all.iter().all(|w| ACKNOWLEDGE.contains(&w.key.as_str())) => {
            Some(Intent::AskAgain(asked.to_owned()))
        }
        None => None,
    }
}

/// The task picked from the ones the question listed, or a no. A number the
/// question did not offer ("40" when it listed #38 and #39), a number with a
/// no ("no, 39") or a number that is not a task number ("-39") picks nothing.
fn which(all: &[Word], asked: &str, act: fn(i64) -> Intent, verbs: &[&str]) -> Option<Intent> {
    if yes_or_no(all, &[]) == Some(false) {
        return Some(Intent::Declined);
    }
    match bare_reference(all, verbs) {
        Some(id) if offered(asked).contains(&id) => Some(act(id)),
        _ if all.iter().any(words::is_numeric) => Some(Intent::Unclear),
        _ => None,
    }
}

/// The task numbers a "Which task …?" question listed, one per line as "- #38 Title".
/// Titles cannot start a line: they are escaped onto one line (see `escape`).
fn offered(asked: &str) -> Vec<i64> {
    asked
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("- #")?;
            let end = rest.find(|c: char| !c.is_ascii_digit())?;
            rest[end..]
                .starts_with(' ')
                .then(|| rest[..end].parse().ok())?
        })
        .collect()
}

/// The task number right after `prefix` in the assistant's question.
fn asked_id(asked: &str, prefix: &str) -> Option<i64> {
    let rest = asked.strip_prefix(prefix)?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .map_or(rest, |end| &rest[..end]);
    digits.parse().ok().filter(|n| *n > 0)
}

/// `Some(true)` for "yes", "sure", "yes please", "do it", "yes, delete it"
/// (with `verbs`, the question's own verbs); `Some(false)` for "no", "no thanks".
fn yes_or_no(all: &[Word], verbs: &[&str]) -> Option<bool> {
    let made_of = |words: &[&str], core: &[&str]| {
        all.iter()
            .all(|w| words.contains(&w.key.as_str()) || verbs.contains(&w.key.as_str()))
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

/// "2", "#2", "task 2", "number 2", "it's 2", "delete 2" answering "which task?".
/// "no" is not filler here: "no, 40" is a refusal or a correction, never a choice.
fn bare_reference(all: &[Word], verbs: &[&str]) -> Option<i64> {
    let mut found = None;
    for w in all {
        match (words::number(w), found) {
            (Some(n), None) => found = Some(n),
            (Some(_), Some(_)) => return None,
            (None, _) => {
                let filler = ["task", "number", "it's", "its", "the", "one", "please", "#"];
                let key = w.key.as_str();
                if !filler.contains(&key) && !verbs.contains(&key) {
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
        let asked = format!(
            "{ASK_DELETE} Several tasks match \"x\":\n\n- #2 X\n- #4 X y\n\nReply with its number."
        );
        assert_eq!(Intent::parse("2", Some(&asked)), Intent::Delete(2));
        assert_eq!(Intent::parse("task #4", Some(&asked)), Intent::Delete(4));
        assert_eq!(Intent::parse("2", None), Intent::Unknown);
        assert_eq!(Intent::parse("2 and 3", Some(&asked)), Intent::Unclear);
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
            "ok, do it",
            "yes, do it",
            "yes delete it",
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
        for ack in ["ok", "OK, thanks", "thanks", "ok cool"] {
            assert_eq!(
                Intent::parse(ack, Some(&asked)),
                Intent::AskAgain(asked.clone()),
                "{ack}"
            );
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
    fn only_a_task_the_question_listed_can_be_picked() {
        let asked = format!(
            "{ASK_DELETE} Several tasks match \"gym\":\n\n- #38 Gym\n- #39 Gym bag #40\n\nReply with its number."
        );
        assert_eq!(offered(&asked), [38, 39]);
        assert_eq!(Intent::parse("39", Some(&asked)), Intent::Delete(39));
        assert_eq!(Intent::parse("delete 38", Some(&asked)), Intent::Delete(38));
        for not_offered in [
            "40",
            "no, 40",
            "no 39",
            "nope 38",
            "cancel 38",
            "-39",
            "+38",
            "(38)",
            "38 tasks",
        ] {
            assert_eq!(
                Intent::parse(not_offered, Some(&asked)),
                Intent::Unclear,
                "{not_offered}"
            );
        }
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
