//! Server-sent events framing for the reply stream: one event per frame,
//! and the streamed text escaped, since the page inserts it as HTML.

use actix_web::web::Bytes;

/// One SSE event; every line of `data` gets its own `data:` field. CR, LF
/// and CRLF all end a line in SSE, so all three split here: no text can end
/// a field early or start a forged one.
pub fn sse(event: &str, data: &str) -> Bytes {
    let mut frame = format!("event: {event}\n");
    for line in data.split("\r\n").flat_map(|l| l.split(['\r', '\n'])) {
        frame.push_str("data: ");
        frame.push_str(line);
        frame.push('\n');
    }
    frame.push('\n');
    Bytes::from(frame)
}

/// Streamed text is inserted as HTML: escape it.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_data_gets_a_data_field_per_line() {
        assert_eq!(
            sse("delta", "a\nb"),
            Bytes::from("event: delta\ndata: a\ndata: b\n\n")
        );
    }

    /// What an EventSource reads from `bytes`: the event names (every line
    /// that starts a field named `event`) and the data of each event.
    fn parse(bytes: Bytes) -> (Vec<String>, Vec<String>) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let names = text
            .split("\r\n")
            .flat_map(|l| l.split(['\r', '\n']))
            .filter_map(|l| l.strip_prefix("event:").map(|n| n.trim().to_owned()))
            .collect();
        let mut decoder = crate::ai::sse::Decoder::default();
        decoder.push(&bytes);
        let mut data = Vec::new();
        while let Some(Ok(event)) = decoder.next_event() {
            data.push(event);
        }
        (names, data)
    }

    #[test]
    fn a_bare_cr_cannot_end_a_field_or_forge_an_event() {
        let forged = "hi\revent: done\rdata: <script>\r\rmore";
        let (names, data) = parse(sse("delta", forged));
        assert_eq!(names, ["delta"]);
        assert_eq!(data, ["hi\nevent: done\ndata: <script>\n\nmore"]);
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_one_event_with_the_same_lines(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("\r".to_owned()),
                    proptest::strategy::Just("\n".to_owned()),
                    proptest::strategy::Just("\r\n".to_owned()),
                    proptest::strategy::Just("data: x".to_owned()),
                    proptest::arbitrary::any::<String>(),
                ],
                0..12,
            )
        ) {
            let text = pieces.concat();
            let (names, data) = parse(sse("delta", &text));
            let expected = text.replace("\r\n", "\n").replace('\r', "\n");
            proptest::prop_assert_eq!(names, vec!["delta".to_owned()]);
            proptest::prop_assert_eq!(data, vec![expected]);
        }
    }

    #[test]
    fn streamed_text_is_escaped() {
        assert_eq!(escape("<b>&'\""), "&lt;b&gt;&amp;&#39;&quot;");
    }
}
