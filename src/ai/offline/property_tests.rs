//! Properties of the sentence parser for any input: it never panics, what it
//! cuts out is the user's own text, and an add is never anything else.
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
        Just(Some(ASK_COMPLETE.to_owned())),
        any::<String>().prop_map(Some),
    ]
}

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
}
