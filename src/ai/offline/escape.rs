//! User data inside the assistant's own Markdown: a task title is text, so
//! `[Verify](https://evil.example)` must not become a link nor `# x` a heading.

/// `text` as Markdown that renders to exactly `text`, on one line.
///
/// Every ASCII punctuation character Markdown gives a meaning to is
/// backslash-escaped (CommonMark allows escaping any of them), which covers
/// links, emphasis, code, headings, lists (`-`, `+`, `1.`), tables (`|`),
/// strikethrough (`~`), raw HTML (`<`) and entities (`&`). Line breaks become
/// spaces so that a title cannot end the list it is in.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '<' | '>' | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_markdown;
    use crate::chat::markdown::to_safe_html;

    /// Renders `text` escaped inside a list item, as the assistant shows titles.
    fn rendered(text: &str) -> String {
        to_safe_html(&format!(
            "Here are your tasks:\n\n- #1 {}\n- #2 after",
            escape_markdown(text)
        ))
    }

    #[test]
    fn a_markdown_link_in_a_title_stays_text() {
        let html = rendered("[Verify](https://evil.example/login)");
        assert!(!html.contains("<a"), "{html}");
        assert!(
            html.contains("[Verify](https://evil.example/login)"),
            "{html}"
        );
    }

    #[test]
    fn headings_html_and_emphasis_in_a_title_stay_text() {
        for (title, shown, bad) in [
            ("# x", "# x", "<h1"),
            ("<iframe src=x>", "&lt;iframe src=x&gt;", "<iframe"),
            ("**bold** _it_", "**bold** _it_", "<strong"),
            ("`code`", "`code`", "<code"),
            ("a | b", "a | b", "<table"),
            ("~~gone~~", "~~gone~~", "<del"),
            ("<https://evil.example>", "&lt;https://evil.example&gt;", "<a"),
            ("AT&amp;T", "AT&amp;amp;T", "<a"),
            ("![x](https://evil.example/x.png)", "![x](https://evil.example/x.png)", "<img"),
        ] {
            let html = rendered(title);
            assert!(html.contains(shown), "{title}: {html}");
            assert!(!html.contains(bad), "{title}: {html}");
        }
    }

    #[test]
    fn a_title_cannot_start_a_list_or_end_the_one_it_is_in() {
        let html = to_safe_html(&escape_markdown("- one"));
        assert!(!html.contains("<li"), "{html}");
        let html = to_safe_html(&escape_markdown("1. one"));
        assert!(!html.contains("<ol"), "{html}");
        let html = rendered("x\n\n# heading\n\n<iframe");
        assert!(!html.contains("<h1") && !html.contains("<iframe"), "{html}");
        assert!(html.contains("<li>#2 after</li>"), "the list goes on: {html}");
    }

    #[test]
    fn ordinary_titles_are_unchanged() {
        assert_eq!(escape_markdown("Buy groceries"), "Buy groceries");
        assert_eq!(escape_markdown("Çağrı’yı ara ß ﬁ"), "Çağrı’yı ara ß ﬁ");
    }
}
