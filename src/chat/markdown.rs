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
    use proptest::prelude::*;

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

    /// Pieces of Markdown and HTML that have carried script past renderers.
    const DANGEROUS: &[&str] = &[
        "<script>alert(1)</script>",
        "<SCRIPT src=//evil.example/x.js>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "![i](javascript:alert(1))",
        "<a href=\"data:text/html,<script>alert(1)</script>\">d</a>",
        "<a href='jav&#x61;script:alert(1)'>e</a>",
        "<a href=\" javascript:alert(1)\">f</a>",
        "<svg onload=alert(1)>",
        "<math><mi xlink:href=\"javascript:alert(1)\">m</mi></math>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<style>*{display:none}</style>",
        "<details open ontoggle=alert(1)>",
        "<form action=javascript:alert(1)><button formaction=javascript:alert(1)>b</button></form>",
        "<object data=x></object><embed src=x>",
        "<https://example.com/a>",
        "<javascript:alert(1)>",
        "<mailto:a@example.com>",
        "[r]: javascript:alert(1)\n",
        "[x][r]",
        "[r]\n\n[r]: <data:text/html,x>\n",
        "&lt;script&gt;",
        "&amp;",
        "&#0;",
        "**",
        "_",
        "*",
        "~~",
        "`",
        "```\n",
        "> ",
        "- ",
        "| a | b |\n|---|---|\n| <script> | [x](javascript:1) |\n",
        "\0",
        "\n",
        "\n\n",
        "\r\n",
        " ",
        "\"",
        "'",
        "<",
        ">",
        "=",
        "on",
        "onclick=",
        "é😀",
    ];

    fn markdown() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            3 => proptest::sample::select(DANGEROUS).prop_map(str::to_owned),
            1 => "[a-z ]{1,6}",
        ];
        prop_oneof![
            any::<String>(),
            proptest::collection::vec(piece, 0..24).prop_map(|p| p.concat()),
        ]
    }

    /// `&amp;`, `&quot;`, `&#106;`, `&#x61;` and the like, as a browser reads them.
    fn decode_entities(value: &str) -> String {
        let mut out = String::new();
        let mut rest = value;
        while let Some(at) = rest.find('&') {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            let end = rest.find(';').filter(|&e| e <= 12);
            let decoded = end.and_then(|e| {
                let name = &rest[1..e];
                let code = match name.strip_prefix('#') {
                    Some(n) => match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => n.parse().ok(),
                    },
                    None => [
                        ("amp", 38),
                        ("quot", 34),
                        ("lt", 60),
                        ("gt", 62),
                        ("apos", 39),
                        ("Tab", 9),
                        ("NewLine", 10),
                        ("colon", 58),
                    ]
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, c)| *c),
                };
                Some((char::from_u32(code?)?, e))
            });
            match decoded {
                Some((c, e)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// Every start tag in serialised HTML: its name and its attributes, values decoded.
    fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut tags = Vec::new();
        let mut chars = html.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '<' || chars.peek().is_none_or(|c| !c.is_ascii_alphabetic()) {
                continue;
            }
            let name: String = std::iter::from_fn(|| {
                chars.next_if(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            })
            .collect();
            let mut attributes = Vec::new();
            loop {
                while chars.next_if(|c| c.is_whitespace() || *c == '/').is_some() {}
                match chars.peek() {
                    None => break,
                    Some('>') => {
                        chars.next();
                        break;
                    }
                    Some(_) => {}
                }
                let key: String = std::iter::from_fn(|| {
                    chars.next_if(|c| !c.is_whitespace() && !matches!(c, '=' | '>' | '/'))
                })
                .collect();
                let mut value = String::new();
                if chars.next_if_eq(&'=').is_some() {
                    match chars.next_if(|c| *c == '"' || *c == '\'') {
                        Some(quote) => {
                            value.extend(std::iter::from_fn(|| chars.next_if(|c| *c != quote)))
                        }
                        None => value.extend(std::iter::from_fn(|| {
                            chars.next_if(|c| !c.is_whitespace() && *c != '>')
                        })),
                    }
                    chars.next_if(|c| *c == '"' || *c == '\'');
                }
                attributes.push((key.to_ascii_lowercase(), decode_entities(&value)));
            }
            tags.push((name.to_ascii_lowercase(), attributes));
        }
        tags
    }

    /// Why `html` could run script, load a frame or restyle the page, if it could.
    fn danger(html: &str) -> Option<String> {
        let lower = html.to_ascii_lowercase();
        for tag in [
            "<script", "<iframe", "<style", "<img", "<svg", "<math", "<object", "<embed", "<form",
        ] {
            if lower.contains(tag) {
                return Some(format!("{tag} is in the output"));
            }
        }
        for (tag, attributes) in tags(html) {
            for (name, value) in attributes {
                if name.starts_with("on") {
                    return Some(format!("<{tag} {name}=…> handles an event"));
                }
                if matches!(
                    name.as_str(),
                    "href" | "src" | "action" | "formaction" | "xlink:href" | "data"
                ) {
                    // Browsers drop tabs, newlines and leading blanks from a URL's scheme.
                    let url: String = value
                        .chars()
                        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
                        .collect::<String>()
                        .to_ascii_lowercase();
                    for scheme in ["javascript:", "vbscript:", "data:"] {
                        if url.starts_with(scheme) {
                            return Some(format!("<{tag} {name}=\"{value}\"> is a {scheme} URL"));
                        }
                    }
                }
            }
        }
        None
    }

    #[test]
    fn the_checker_sees_what_it_must() {
        assert!(danger("<a href=\"jav&#x09;ascript:x\">").is_some());
        assert!(danger("<a title=\">\" onclick=\"x\">").is_some());
        assert!(danger("<p>onclick=x &lt;script&gt;</p>").is_none());
        assert!(danger("<a href=\"https://example.com/?a=1&amp;b=2\" rel=\"x\">").is_none());
    }

    proptest! {
        #[test]
        fn any_markdown_renders_without_script_handlers_frames_or_styles(input in markdown()) {
            let html = to_safe_html(&input);
            prop_assert_eq!(danger(&html), None, "{:?} rendered as {}", input, html);
        }
    }
}
