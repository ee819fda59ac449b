//! A sentence as words that remember where they are in the user's own text.
//! Keywords are compared word by word on a lowercased copy of each word, and
//! anything cut out (a title, a name) is sliced from the original by the
//! original's offsets: lowercasing changes lengths (İ, K, ß, ﬁ), so offsets
//! found in a lowercased copy would cut the wrong place or panic.

#[derive(Debug, Clone)]
pub struct Word<'a> {
    /// The word as typed.
    pub raw: &'a str,
    /// Byte offset just past the word in the sentence.
    pub end: usize,
    /// Byte offset of the word in the sentence.
    pub start: usize,
    /// Lowercased, without the punctuation around it; only for comparing.
    pub key: String,
}

/// The whitespace-separated words of `text` that contain a letter, digit or `#`.
pub fn split(text: &str) -> Vec<Word<'_>> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                push(&mut words, text, s, i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        push(&mut words, text, s, text.len());
    }
    words
}

fn push<'a>(words: &mut Vec<Word<'a>>, text: &'a str, start: usize, end: usize) {
    let raw = &text[start..end];
    let key = raw
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '#')
        .replace('’', "'")
        .to_lowercase();
    if !key.is_empty() {
        words.push(Word {
            raw,
            start,
            end,
            key,
        });
    }
}

/// How many words `phrase` ("add a task to") covers at the start of `words`, if it is there.
pub fn starts_with(words: &[Word], phrase: &str) -> Option<usize> {
    let mut n = 0;
    for part in phrase.split(' ') {
        if words.get(n)?.key != part {
            return None;
        }
        n += 1;
    }
    Some(n)
}

/// The longest of `phrases` that `words` start with: (its length, its value).
pub fn longest<T: Copy>(words: &[Word], phrases: &[(&str, T)]) -> Option<(usize, T)> {
    phrases
        .iter()
        .filter_map(|(p, v)| starts_with(words, p).map(|n| (n, *v)))
        .max_by_key(|(n, _)| *n)
}

/// How many words the longest of `phrases` that `words` start with covers.
pub fn longest_of(words: &[Word], phrases: &[&str]) -> Option<usize> {
    phrases.iter().filter_map(|p| starts_with(words, p)).max()
}

/// True when the keys of `words`, joined by spaces, are one of `phrases`.
pub fn is_one_of(words: &[Word], phrases: &[&str]) -> bool {
    let joined = keys(words);
    phrases.contains(&joined.as_str())
}

pub fn keys(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.key.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A task number as a word: "3", "#3", "3's", or one of those with a comma,
/// full stop, colon, semicolon, "!" or "?" after it ("delete task 3, please").
/// Read from the word as typed: a sign or symbol around the digits ("-1",
/// "+3", "~3", "(3)", "3.5", "50%") makes it some other number, not a task
/// reference, so it is not one here (see [`is_other_number`]).
pub fn number(word: &Word) -> Option<i64> {
    let raw = word.raw.trim_end_matches([',', '.', ':', ';', '!', '?']);
    let raw = raw
        .strip_suffix("'s")
        .or_else(|| raw.strip_suffix("’s"))
        .unwrap_or(raw);
    let digits = raw.strip_prefix('#').unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

/// A number that is not a task number: digits with a sign or symbol around
/// them ("-1", "+3", "~3", "(3)", "50%"), a fraction or grouping ("3.5",
/// "1,000"), zero, or too large for an id. Words such as "3rd" or "10am" are
/// not numbers at all.
pub fn is_other_number(word: &Word) -> bool {
    let core = word.raw.trim_matches(|c: char| !c.is_alphanumeric());
    number(word).is_none()
        && core.bytes().any(|b| b.is_ascii_digit())
        && core
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
}

/// Whether `word` is a number of any kind, a task number or not.
pub fn is_numeric(word: &Word) -> bool {
    number(word).is_some() || is_other_number(word)
}

/// The user's text from byte `from` to the end, as typed: trimmed, without
/// a leading colon or dash and without the quotes around it.
pub fn text_from(text: &str, from: usize) -> &str {
    quoted_text_from(text, from).0
}

/// [`text_from`], and whether it was in quotes ("'done'" rather than "done").
pub fn quoted_text_from(text: &str, from: usize) -> (&str, bool) {
    let quote = |c: char| matches!(c, '\'' | '"' | '“' | '”' | '‘' | '’' | '«' | '»');
    let text = text
        .get(from..)
        .unwrap_or_default()
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—' | ','))
        .trim();
    let mut chars = text.chars();
    match (chars.next(), chars.next_back()) {
        // Quotes only come off in pairs: "call 'Bob'" keeps its quotes inside, "'y" keeps its one.
        (Some(first), Some(last)) if quote(first) && quote(last) => (chars.as_str().trim(), true),
        _ => (text, false),
    }
}

/// A title as the user typed it, with its first letter capitalised when that
/// letter is ASCII a–z ("buy groceries" → "Buy groceries"), unless the word is
/// written like "eBay". Only ASCII is touched because only there is the
/// capital exactly one character of the same length, so the title stays the
/// user's text but for that one letter.
pub fn title_case(text: &str) -> String {
    let mut title = text.to_owned();
    let camel = text.chars().nth(1).is_some_and(char::is_uppercase);
    if let (Some(first), false) = (title.get_mut(..1), camel) {
        first.make_ascii_uppercase();
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_their_place_in_the_original_text() {
        let text = "Add tasK: İİ ß";
        let words = split(text);
        let keys: Vec<&str> = words.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(keys, ["add", "task", "i̇i̇", "ß"]);
        assert_eq!(&text[words[2].start..words[2].end], "İİ");
        assert_eq!(text_from(text, words[1].end), "İİ ß");
    }

    #[test]
    fn punctuation_only_words_are_skipped() {
        assert_eq!(keys(&split("add - : milk")), "add milk");
    }

    #[test]
    fn a_task_number_is_plain_digits() {
        let number_in = |text: &str| split(text).first().and_then(number);
        for (text, n) in [
            ("3", 3),
            ("#3", 3),
            ("3,", 3),
            ("3.", 3),
            ("3's", 3),
            ("3’s", 3),
            ("3:", 3),
        ] {
            assert_eq!(number_in(text), Some(n), "{text}");
        }
        for other in [
            "-1",
            "+372",
            "~374",
            "(373)",
            "3.5",
            "5%",
            "0",
            "1,000",
            "99999999999999999999",
        ] {
            assert_eq!(number_in(other), None, "{other}");
            assert!(split(other).first().is_some_and(is_other_number), "{other}");
        }
        for word in ["3rd", "10am", "milk", "#"] {
            assert!(!split(word).first().is_some_and(is_numeric), "{word}");
        }
    }

    #[test]
    fn only_an_ascii_first_letter_is_capitalised() {
        assert_eq!(title_case("buy milk"), "Buy milk");
        assert_eq!(title_case("ß"), "ß");
        assert_eq!(title_case("éclair"), "éclair");
        assert_eq!(title_case("eBay"), "eBay");
        assert_eq!(title_case(""), "");
    }
}
