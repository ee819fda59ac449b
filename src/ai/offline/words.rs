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

/// A task number as a word: "3", "#3".
pub fn number(word: &Word) -> Option<i64> {
    let key = word.key.strip_suffix("'s").unwrap_or(&word.key);
    let digits = key.strip_prefix('#').unwrap_or(key);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

/// The user's text from byte `from` to the end, as typed: trimmed, without
/// a leading colon or dash and without the quotes around it.
pub fn text_from(text: &str, from: usize) -> &str {
    let quote = |c: char| matches!(c, '\'' | '"' | '“' | '”' | '‘' | '’' | '«' | '»');
    let text = text
        .get(from..)
        .unwrap_or_default()
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—' | ','))
        .trim();
    let mut chars = text.chars();
    match (chars.next(), chars.next_back()) {
        // Quotes only come off in pairs: "call 'Bob'" keeps its quotes inside, "'y" keeps its one.
        (Some(first), Some(last)) if quote(first) && quote(last) => chars.as_str().trim(),
        _ => text,
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
    fn only_an_ascii_first_letter_is_capitalised() {
        assert_eq!(title_case("buy milk"), "Buy milk");
        assert_eq!(title_case("ß"), "ß");
        assert_eq!(title_case("éclair"), "éclair");
        assert_eq!(title_case("eBay"), "eBay");
        assert_eq!(title_case(""), "");
    }
}
