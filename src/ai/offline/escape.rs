//! User data inside the assistant's own Markdown: a task title is text, so
//! `[Verify](https://evil.example)` must not become a link nor `# x` a heading.

/// `text` as Markdown that renders to exactly `text`, on one line.
///
/// Characters with a meaning anywhere in a line are backslash-escaped
/// (CommonMark lets any ASCII punctuation be escaped): links and images (`[`),
/// emphasis, code, tables, strikethrough, raw HTML (`<`) and entities (`&`).
/// Those that only mean something at the start of a line (`#`, `-`, `+`, `=`,
/// `>`, and `1.` or `1)`) are escaped there only, so an ordinary sentence such
/// as "There is no task #42." stays readable in the raw text. Line breaks
/// become spaces so that a title cannot end the list it is in.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut line_start = true;
    let mut leading_digits = false;
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if line_start && c.is_whitespace() {
            // Leading spaces would make an indented code block; they show as nothing anyway.
            continue;
        }
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' | '|' => true,
            '#' | '-' | '+' | '=' => line_start,
            '.' | ')' => leading_digits,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        leading_digits = (line_start || leading_digits) && c.is_ascii_digit();
        line_start = false;
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
            (
                "<https://evil.example>",
                "&lt;https://evil.example&gt;",
                "<a",
            ),
            ("AT&amp;T", "AT&amp;amp;T", "<a"),
            (
                "![x](https://evil.example/x.png)",
                "![x](https://evil.example/x.png)",
                "<img",
            ),
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
        for numbered in ["1. one", "12) one", "  3. one"] {
            let html = to_safe_html(&escape_markdown(numbered));
            assert!(!html.contains("<ol"), "{html}");
        }
        for line_start in ["+ one", "> quote", "  # x", "===", "---"] {
            let html = to_safe_html(&format!("text\n{}", escape_markdown(line_start)));
            for bad in ["<li", "<blockquote", "<h1", "<h2", "<hr"] {
                assert!(!html.contains(bad), "{line_start}: {html}");
            }
        }
        let html = rendered("x\n\n# heading\n\n<iframe");
        assert!(!html.contains("<h1") && !html.contains("<iframe"), "{html}");
        assert!(
            html.contains("<li>#2 after</li>"),
            "the list goes on: {html}"
        );
    }

    #[test]
    fn ordinary_titles_are_unchanged() {
        assert_eq!(escape_markdown("Buy groceries"), "Buy groceries");
        assert_eq!(escape_markdown("Çağrı’yı ara ß ﬁ"), "Çağrı’yı ara ß ﬁ");
        assert_eq!(
            escape_markdown("There is no task #42. Pay rent - 3 + 4."),
            "There is no task #42. Pay rent - 3 + 4."
        );
    }

    proptest::proptest! {
        /// Whatever the text, it renders as one plain paragraph: no tag but `<p>`.
        #[test]
        fn any_escaped_text_renders_as_a_plain_paragraph(text in "\\PC*|[ ]{0,6}[-#*_`\\[\\]()<>&|~!+=.0-9 \n]{0,40}") {
            let html = to_safe_html(&escape_markdown(&text));
            let inner = html.trim().trim_start_matches("<p>").trim_end_matches("</p>");
            proptest::prop_assert!(!inner.contains('<'), "{text:?} → {html}");
        }
    }
}
