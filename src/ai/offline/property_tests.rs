//! Properties of the sentence parser for any input: it never panics, what it
//! cuts out is the user's own text, an add is never anything else, and a
//! count, a signed number, an acknowledgement, a number the assistant did not
//! offer or a bare question never changes a task.
//! Case counts follow `PROPTEST_CASES` (default 256 per property).

use proptest::prelude::*;

use super::intent::{ADD_LABELS, ADD_PHRASES, Change, Intent};
use super::reply::{ASK_COMPLETE, ASK_DELETE, CONFIRM_COMPLETE, CONFIRM_DELETE};

/// Words the parser reacts to, and characters that change length or shape when lowercased.
const PIECES: &[&str] = &[
    "add",
    "a",
    "task",
    "to",
    "delete",
    "remove",
    "cancel",
    "mark",
    "as",
    "done",
    "complete",
    "rename",
    "change",
    "update",
    "edit",
    "set",
    "description",
    "title",
    "of",
    "reopen",
    "not",
    "please",
    "can you",
    "yes",
    "no",
    "remind me to",
    "I need to",
    "todo:",
    "task:",
    "#",
    "#3",
    "number",
    "the",
    "show",
    "pending",
    "my",
    "İ",
    "K",
    "ß",
    "ﬁ",
    "Ⱥ",
    "ẞ",
    "ǅ",
    "Σ",
    "e\u{301}",
    "\u{301}",
    "\u{200f}",
    "مهمة",
    "\u{202e}",
    "🙂",
    "👩‍👩‍👧",
    "\u{0}",
    "'",
    "\"",
    "“",
    ":",
    "-",
    ".",
    "!",
    "?",
    "’s",
];
const SEPARATORS: &[&str] = &[" ", "  ", "\t", "\n", "\u{a0}", "\u{3000}", ""];

/// Sentences made of the pieces above, numbers and any text, joined in odd ways.
fn sentence() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(PIECES).prop_map(str::to_owned),
        2 => (0u64..100).prop_map(|n| n.to_string()),
        1 => Just("99999999999999999999999".to_owned()),
        1 => any::<String>(),
    ];
    prop::collection::vec((piece, prop::sample::select(SEPARATORS)), 0..10).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(p, sep)| format!("{p}{sep}"))
            .collect()
    })
}

/// The previous assistant message: none, one of its questions, or anything.
fn asked() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        (1i64..100).prop_map(|n| Some(format!("{CONFIRM_DELETE}{n} “x”? Reply yes or no."))),
        (1i64..100).prop_map(|n| Some(format!("{CONFIRM_COMPLETE}{n} “x” as complete?"))),
        Just(Some(format!("{ASK_DELETE} Reply with its number."))),
        prop::collection::vec(1i64..100, 0..4).prop_map(|ids| Some(which_question(&ids))),
        Just(Some(ASK_COMPLETE.to_owned())),
        any::<String>().prop_map(Some),
    ]
}

/// "Which task should I delete?" listing `ids`, as the assistant writes it.
fn which_question(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(|id| format!("- #{id} Gym {id}")).collect();
    format!(
        "{ASK_DELETE} Several tasks match \"gym\":\n\n{}\n\nReply with its number.",
        list.join("\n")
    )
}

/// Whether `intent` changes a task without asking first; finding a task by
/// name ("delete 1/2" looks for a task called "1/2") always asks.
fn acts_at_once(intent: &Intent) -> bool {
    matches!(
        intent,
        Intent::Delete(_) | Intent::Complete(_) | Intent::Update { .. }
    )
}

/// A verb that deletes or completes a task by number.
const ACTING_VERBS: &[&str] = &[
    "delete",
    "remove",
    "cancel",
    "drop",
    "erase",
    "complete",
    "finish",
    "close",
    "mark",
    "done with",
    "check off",
];

/// An add phrase ("remind me to", "todo:") in any mix of upper and lower case.
fn add_phrase() -> impl Strategy<Value = String> {
    let phrase = prop_oneof![
        prop::sample::select(ADD_PHRASES).prop_map(str::to_owned),
        prop::sample::select(ADD_LABELS).prop_map(|p| format!("{p}:")),
    ];
    (phrase, any::<u64>()).prop_map(|(p, bits)| {
        p.chars()
            .enumerate()
            .map(|(i, c)| {
                if bits >> (i % 64) & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect()
    })
}

/// The texts the parser took from the sentence.
fn extracted(intent: &Intent) -> Vec<&str> {
    match intent {
        Intent::Add { title } => vec![title],
        Intent::Update { change, .. } => match change {
            Change::Title(t) | Change::Description(t) => vec![t],
        },
        Intent::DeleteByName(name) | Intent::CompleteByName(name) => vec![name],
        _ => Vec::new(),
    }
}

/// `part` is in `input` as typed, but for a title's first letter, which may
/// have been capitalised from ASCII a–z.
fn is_users_text(part: &str, input: &str) -> bool {
    let mut first_lowered = part.to_owned();
    if let Some(first) = first_lowered.get_mut(..1) {
        first.make_ascii_lowercase();
    }
    !part.is_empty() && (input.contains(part) || input.contains(&first_lowered))
}

fn check_extracted(input: &str, intent: &Intent) -> Result<(), TestCaseError> {
    for part in extracted(intent) {
        prop_assert!(
            is_users_text(part, input),
            "{part:?} is not from {input:?} ({intent:?})"
        );
    }
    Ok(())
}

proptest! {
    #[test]
    fn any_text_parses_without_panicking(input in any::<String>(), asked in asked()) {
        let intent = Intent::parse(&input, asked.as_deref());
        check_extracted(&input, &intent)?;
    }

    #[test]
    fn keyword_soup_parses_without_panicking(input in sentence(), asked in asked()) {
        let intent = Intent::parse(&input, asked.as_deref());
        check_extracted(&input, &intent)?;
    }

    #[test]
    fn a_quoted_request_is_never_acted_on(
        quoted in sentence(),
        typed in prop::sample::select(&["", " ", "thanks", "thank you", "this", "ok", "interesting", "hello", "do it", "what is this?"][..]),
        marker in prop::sample::select(&["> ", ">", "  > ", ">> ", "- > ", "* > ", "\u{200b}> ", "\u{feff}> "][..]),
    ) {
        let quote: String = quoted.lines().map(|line| format!("{marker}{line}\n")).collect();
        for input in [format!("{quote}\n{typed}"), format!("{typed}\n\n{quote}")] {
            let entries = [crate::ai::Entry::User(input.clone())];
            let step = super::step(&entries, &|_| {});
            let changing: Vec<_> = step.calls.iter().filter(|c| c.name != "list_tasks").collect();
            prop_assert!(changing.is_empty(), "{input:?} made {changing:?}");
        }
    }

    #[test]
    fn a_sentence_starting_with_an_add_phrase_never_changes_a_task(
        phrase in add_phrase(),
        rest in sentence(),
        asked in asked(),
    ) {
        let input = format!("{phrase} {rest}");
        let intent = Intent::parse(&input, asked.as_deref());
        prop_assert!(
            matches!(intent, Intent::Add { .. } | Intent::AddWithoutTitle),
            "{input:?} read as {intent:?}"
        );
        prop_assert!(!intent.changes_a_task());
        check_extracted(&input, &intent)?;
    }

    #[test]
    fn a_change_verb_inside_a_longer_word_changes_nothing(
        word in prop::sample::select(&["cancelled", "market", "credit", "abandoned", "deleted", "marked", "remarks", "undone", "completed"][..]),
        n in 1i64..1000,
    ) {
        for input in [format!("{word} {n}"), format!("{word} task {n}"), format!("{word} #{n}")] {
            let intent = Intent::parse(&input, None);
            prop_assert!(!intent.changes_a_task(), "{input:?} read as {intent:?}");
        }
    }

    #[test]
    fn a_count_of_tasks_is_never_a_task_number(
        verb in prop::sample::select(ACTING_VERBS),
        the in prop::sample::select(&["", "the ", "my ", "task ", "#"][..]),
        n in 1i64..1000,
        noun in prop::sample::select(&["task", "tasks", "items", "item", "things", "todos", "of them", "of my tasks"][..]),
        tail in prop::sample::select(&["", " as done", " please", "?", "."][..]),
    ) {
        let input = format!("{verb} {the}{n} {noun}{tail}");
        let intent = Intent::parse(&input, None);
        prop_assert!(!intent.changes_a_task(), "{input:?} read as {intent:?}");
    }

    #[test]
    fn a_number_with_a_sign_or_symbol_is_never_a_task_number(
        verb in prop::sample::select(&["delete", "delete task", "remove #", "complete task", "mark task", "rename task", "change task"][..]),
        (before, after) in prop::sample::select(&[("-", ""), ("+", ""), ("~", ""), ("(", ")"), ("", "%"), ("", ".5"), ("", ",000"), ("±", ""), ("[", "]"), ("", "/2")][..]),
        n in 1i64..1000,
        tail in prop::sample::select(&["", " as done", " to x", " to 'y'", " description to z"][..]),
    ) {
        let input = format!("{verb} {before}{n}{after}{tail}");
        let intent = Intent::parse(&input, None);
        prop_assert!(!acts_at_once(&intent), "{input:?} read as {intent:?}");
    }

    #[test]
    fn only_a_task_the_question_listed_can_be_picked(
        ids in prop::collection::vec(1i64..100, 0..4),
        answer in sentence(),
    ) {
        let asked = which_question(&ids);
        let intent = Intent::parse(&answer, Some(&asked));
        if let Intent::Delete(id) | Intent::Complete(id) = intent {
            prop_assert!(ids.contains(&id), "{answer:?} picked #{id}, offered {ids:?}");
        }
    }

    #[test]
    fn an_acknowledgement_never_confirms(
        id in 1i64..1000,
        words in prop::collection::vec(prop::sample::select(&["ok", "okay", "thanks", "thank you", "cool", "great", "nice", "fine", "alright", "got it", "hmm"][..]), 1..4),
        sep in prop::sample::select(&[" ", ", ", "! ", ". "][..]),
    ) {
        let answer = words.join(sep);
        for asked in [
            format!("{CONFIRM_DELETE}{id} “x”? Reply yes or no."),
            format!("{CONFIRM_COMPLETE}{id} “x” as complete? Reply yes or no."),
        ] {
            let intent = Intent::parse(&answer, Some(&asked));
            prop_assert_eq!(&intent, &Intent::AskAgain(asked.clone()), "{:?}", answer);
        }
    }

    #[test]
    fn a_bare_request_asked_as_a_question_never_acts(
        lead in prop::sample::select(&["", "so ", "so, ", "ok ", "please ", "now ", "hey, ", "and "][..]),
        verb in prop::sample::select(ACTING_VERBS),
        reference in prop::sample::select(&["task ", "#", "", "task number "][..]),
        n in 1i64..1000,
        tail in prop::sample::select(&["?", "??", "?!", " ?", " please?", " now?", " as done?"][..]),
    ) {
        let input = format!("{lead}{verb} {reference}{n}{tail}");
        let intent = Intent::parse(&input, None);
        prop_assert!(!intent.changes_a_task() || matches!(intent, Intent::Reopen), "{input:?} read as {intent:?}");
    }

    #[test]
    fn a_quoted_new_text_is_always_a_title(
        verb in prop::sample::select(&["change", "update", "edit", "rename"][..]),
        n in 1i64..1000,
        state in prop::sample::select(&["done", "complete", "completed", "finished", "not done", "pending", "open"][..]),
        (open, close) in prop::sample::select(&[("'", "'"), ("\"", "\""), ("“", "”"), ("‘", "’")][..]),
    ) {
        let input = format!("{verb} task {n} to {open}{state}{close}");
        let intent = Intent::parse(&input, None);
        let title = super::words::title_case(state);
        prop_assert_eq!(intent, Intent::Update { id: n, change: Change::Title(title) }, "{}", input);
    }
}
