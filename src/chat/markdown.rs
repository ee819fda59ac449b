//! Assistant Markdown to HTML that is safe to put in a page: the model's
//! output is untrusted input, so the HTML pulldown-cmark makes goes through
//! ammonia's allow-list (no scripts, no event handlers, no `javascript:` links).

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        // Remote images would be blocked by the CSP anyway; drop them outright.
        .rm_tags(["img"]);
    builder
});

pub fn to_safe_html(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TABLES);
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    CLEANER.clean(&unsafe_html).to_string()
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn markdown_is_rendered() {
        let html = to_safe_html("Added **Buy milk**\n\n- one\n- two");
        assert!(html.contains("<strong>Buy milk</strong>"));
        assert!(html.contains("<li>one</li>"));
    }

    #[test]
    fn scripts_handlers_and_javascript_links_come_out_inert() {
        let html = to_safe_html(
            "<script>alert(1)</script> <img src=x onerror=alert(2)>\n\n[click](javascript:void) <a href=\"javascript:alert(4)\" onclick=\"x()\">a</a>",
        );
        assert!(html.contains(">click</a>"), "{html}");
        for bad in ["<script", "onerror", "href=\"javascript", "onclick", "<img"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }

    #[test]
    fn links_open_safely() {
        let html = to_safe_html("[docs](https://example.com)");
        assert!(html.contains("href=\"https://example.com\""));
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
    }
}
