//! Where to send someone after signing in. `next` comes from the request, so
//! it is parsed as a URL reference against our own origin and kept only if it
//! is a plain path there; anything else leads to the chat.
//!
//! Browsers read `\` as `/` and drop tabs and newlines inside URLs, so
//! `/\evil.example` and `/<tab>/evil.example` mean `//evil.example` (another
//! site) to them. Those, control characters, and their percent-encoded forms
//! are refused outright rather than repaired.

use url::Url;

/// Where a missing or refused `next` leads.
pub use crate::respond::HOME;

/// The origin relative references are resolved against. Only the path and
/// query of the result are kept, so any origin gives the same answer; what
/// matters is that the result is still on it.
const BASE: &str = "http://tasktalk.invalid/";

/// How many rounds of percent-decoding are looked through (`%252f` is `%2f`, is `/`).
const DECODE_ROUNDS: usize = 3;

/// `next` if it is a path on this site, else [`HOME`]. The answer is always
/// safe to put in a `Location` header: printable ASCII, one leading `/`.
pub fn local_path(next: Option<&str>) -> String {
    next.and_then(parse).unwrap_or_else(|| HOME.to_owned())
}

fn parse(next: &str) -> Option<String> {
    let mut text = next.to_owned();
    for _ in 0..=DECODE_ROUNDS {
        if !is_plain_path(&text) {
            return None;
        }
        let decoded = percent_decode(&text);
        if decoded == text {
            break;
        }
        text = decoded;
    }
    let base = Url::parse(BASE).ok()?;
    let joined = base.join(next).ok()?;
    if joined.origin() != base.origin() {
        return None;
    }
    let mut path = joined.path().to_owned();
    if let Some(query) = joined.query() {
        path.push('?');
        path.push_str(query);
    }
    // Dot segments can collapse into `//` (`/.//evil.example`): check the result too.
    (is_plain_path(&path) && path.is_ascii()).then_some(path)
}

/// One `/`, then something other than `/` or `\`; no `\` or control character anywhere.
fn is_plain_path(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), None | Some('/' | '\\'))
        && !text.chars().any(|c| c == '\\' || c.is_control())
}

/// `%XX` to its byte; anything else as it is. Invalid UTF-8 becomes U+FFFD.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            // Two hex digits are at most 0xff.
            out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What the property tests demand of every answer.
    fn assert_safe(answer: &str) {
        let mut chars = answer.chars();
        assert_eq!(chars.next(), Some('/'), "{answer:?}");
        assert!(
            !matches!(chars.next(), None | Some('/' | '\\')),
            "{answer:?}"
        );
        assert!(
            !answer.chars().any(|c| c.is_control() || c == '\\'),
            "{answer:?}"
        );
        assert!(
            actix_web::http::header::HeaderValue::from_str(answer).is_ok(),
            "{answer:?}"
        );
    }

    #[test]
    fn local_paths_are_kept_with_their_query() {
        for (next, kept) in [
            ("/tasks?status=pending", "/tasks?status=pending"),
            ("/chat/12", "/chat/12"),
            ("/tasks?status=pending#top", "/tasks?status=pending"),
            ("/a/../tasks", "/tasks"),
            ("/tâches", "/t%C3%A2ches"),
        ] {
            assert_eq!(local_path(Some(next)), kept, "{next:?}");
        }
    }

    #[test]
    fn anything_that_could_leave_the_site_leads_to_the_chat() {
        for next in [
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/%09/evil.example",
            "/%0a/evil.example",
            "%2f%2fevil.example",
            "/%2fevil.example",
            "/%5cevil.example",
            "/%255cevil.example",
            "/%2F%2Fevil.example",
            "/.//evil.example",
            "/%2e//evil.example",
            "/x%0d%0aSet-Cookie:a=b",
            "/x%00",
            "/x%7f",
            "/x\u{85}",
            "tasks",
            "/",
            "",
        ] {
            assert_eq!(local_path(Some(next)), HOME, "{next:?}");
        }
        assert_eq!(local_path(None), HOME);
    }

    proptest! {
        #[test]
        fn any_text_leads_home_or_to_a_plain_local_path(next in any::<String>()) {
            assert_safe(&local_path(Some(&next)));
        }

        #[test]
        fn any_path_like_text_leads_home_or_to_a_plain_local_path(
            next in "[/\\\\%.?#=&a-f0-9 \t\r\n\u{0}\u{7f}\u{85}é]{0,24}"
        ) {
            assert_safe(&local_path(Some(&next)));
        }
    }
}
