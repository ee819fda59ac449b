//! Server-sent events from raw body chunks, as the WHATWG event-stream rules
//! read them. Lines are cut on bytes (CR and LF never occur inside a UTF-8
//! sequence), so a chunk boundary inside a character or between CR and LF
//! changes nothing; only whole lines are decoded as UTF-8.

/// Longer lines or events are refused: a stream that never ends a line must not
/// grow without bound, and an event is parsed whole into JSON, which can take
/// 30 times its size. Real provider events are a few kilobytes.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;

const BOM: &[u8] = "\u{feff}".as_bytes();

/// Why the bytes are not an event stream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    #[error("an event's data is not UTF-8")]
    NotUtf8,
    #[error("an event longer than {MAX_EVENT_BYTES} bytes")]
    TooLong,
}

/// Feed it chunks with [`Decoder::push`], take events with [`Decoder::next_event`].
#[derive(Default)]
pub struct Decoder {
    buffer: Vec<u8>,
    /// Where the unread bytes of `buffer` start.
    read: usize,
    /// How many unread bytes are known to hold no line end, so a long line
    /// arriving in small chunks is scanned once, not once per chunk.
    scanned: usize,
    /// The last line ended with a CR at the end of a chunk: an LF next belongs to it.
    after_cr: bool,
    /// The stream's first bytes have been checked for a byte order mark.
    started: bool,
    /// The data lines of the event being read, each followed by LF.
    data: String,
    failed: bool,
}

impl Decoder {
    pub fn push(&mut self, chunk: &[u8]) {
        self.buffer.drain(..self.read);
        self.read = 0;
        self.buffer.extend_from_slice(chunk);
    }

    /// The next complete event's data, `None` until more bytes arrive. After
    /// an error there are no more events. At the end of the body, an event
    /// without its blank line is dropped, as the standard says.
    pub fn next_event(&mut self) -> Option<Result<String, SseError>> {
        if self.failed {
            return None;
        }
        let result = self.read_event();
        if matches!(result, Some(Err(_))) {
            self.failed = true;
        }
        result
    }

    fn read_event(&mut self) -> Option<Result<String, SseError>> {
        if !self.started {
            let unread = &self.buffer[self.read..];
            if unread.len() < BOM.len() && BOM.starts_with(unread) {
                return None; // could still become a byte order mark
            }
            if unread.starts_with(BOM) {
                self.read += BOM.len();
            }
            self.started = true;
        }
        loop {
            if self.after_cr && self.read < self.buffer.len() {
                self.after_cr = false;
                if self.buffer[self.read] == b'\n' {
                    self.read += 1;
                }
            }
            let unread = &self.buffer[self.read..];
            let Some(end) = unread[self.scanned..]
                .iter()
                .position(|&b| b == b'\r' || b == b'\n')
                .map(|at| self.scanned + at)
            else {
                self.scanned = unread.len();
                return (unread.len() > MAX_EVENT_BYTES).then_some(Err(SseError::TooLong));
            };
            self.scanned = 0;
            if end > MAX_EVENT_BYTES {
                return Some(Err(SseError::TooLong));
            }
            let line_end = self.read + end;
            let line = self.read..line_end;
            self.read = line_end + 1;
            if self.buffer[line_end] == b'\r' {
                match self.buffer.get(self.read) {
                    Some(b'\n') => self.read += 1,
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
            if line.is_empty() {
                if let Some(data) = self.dispatch() {
                    return Some(Ok(data));
                }
                continue;
            }
            if let Err(e) = self.field(line) {
                return Some(Err(e));
            }
        }
    }

    /// One non-empty line. Only `data` matters to us; `event`, `id`, `retry`
    /// and comments are read past.
    fn field(&mut self, line: std::ops::Range<usize>) -> Result<(), SseError> {
        let line = &self.buffer[line];
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        if name != b"data" {
            return Ok(());
        }
        let value = std::str::from_utf8(value).map_err(|_| SseError::NotUtf8)?;
        if self.data.len() + value.len() >= MAX_EVENT_BYTES {
            return Err(SseError::TooLong);
        }
        self.data.push_str(value);
        self.data.push('\n');
        Ok(())
    }

    /// A blank line ends an event; one without data lines is no event.
    fn dispatch(&mut self) -> Option<String> {
        let mut data = std::mem::take(&mut self.data);
        data.pop()?; // the LF after the last data line
        Some(data)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Every event (and the first error) from `chunks`, read as a client would:
    /// after each chunk, take all the events it completed.
    pub(crate) fn decode<'a>(
        chunks: impl IntoIterator<Item = &'a [u8]>,
    ) -> Vec<Result<String, SseError>> {
        let mut decoder = Decoder::default();
        let mut events = Vec::new();
        for chunk in chunks {
            decoder.push(chunk);
            events.extend(std::iter::from_fn(|| decoder.next_event()));
        }
        events
    }

    /// `items` cut at each of `cuts` (positions taken modulo the length, in any order).
    pub(crate) fn split<T: Clone>(items: &[T], cuts: &[usize]) -> Vec<Vec<T>> {
        let mut at: Vec<usize> = cuts
            .iter()
            .map(|c| c % (items.len() + 1))
            .chain([0, items.len()])
            .collect();
        at.sort_unstable();
        at.windows(2).map(|w| items[w[0]..w[1]].to_vec()).collect()
    }

    fn events(stream: &str) -> Vec<Result<String, SseError>> {
        decode([stream.as_bytes()])
    }

    #[test]
    fn events_end_at_a_blank_line_with_lf_crlf_or_cr() {
        let expected = vec![Ok("a".to_owned()), Ok("b".to_owned())];
        assert_eq!(events("data: a\n\ndata: b\n\n"), expected);
        assert_eq!(events("data: a\r\n\r\ndata: b\r\n\r\n"), expected);
        assert_eq!(events("data: a\r\rdata: b\r\r"), expected);
    }

    #[test]
    fn data_lines_join_with_lf_and_other_fields_are_ignored() {
        let stream = ": keep-alive\nevent: x\nid: 7\ndata: one\ndata:two\nretry: 5\n\n";
        assert_eq!(events(stream), vec![Ok("one\ntwo".to_owned())]);
    }

    #[test]
    fn a_blank_line_without_data_is_no_event_and_a_last_unfinished_event_is_dropped() {
        assert_eq!(events("\n\n: hi\n\ndata: cut"), vec![]);
        assert_eq!(events("data\n\n"), vec![Ok(String::new())]);
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped_even_when_split() {
        let stream = "\u{feff}data: a\n\n".as_bytes();
        assert_eq!(
            decode([&stream[..1], &stream[1..2], &stream[2..]]),
            vec![Ok("a".to_owned())]
        );
    }

    #[test]
    fn a_crlf_split_between_chunks_is_one_line_end() {
        let chunks: [&[u8]; 3] = [b"data: a\r", b"\ndata: b\r", b"\n\r\n"];
        assert_eq!(decode(chunks), vec![Ok("a\nb".to_owned())]);
    }

    #[test]
    fn invalid_utf8_is_an_error_and_ends_the_stream() {
        let chunks: [&[u8]; 1] = [b"data: ok\n\ndata: \xff\n\ndata: later\n\n"];
        assert_eq!(
            decode(chunks),
            vec![Ok("ok".to_owned()), Err(SseError::NotUtf8)]
        );
    }

    #[test]
    fn a_line_that_never_ends_is_refused_once_too_long() {
        let long = vec![b'x'; MAX_EVENT_BYTES + 1];
        assert_eq!(decode([&long[..]]), vec![Err(SseError::TooLong)]);
    }

    proptest! {
        #[test]
        fn any_bytes_split_anywhere_decode_to_the_same_events(
            bytes in proptest::collection::vec(
                prop_oneof![
                    4 => any::<u8>(),
                    2 => Just(b'\n'),
                    2 => Just(b'\r'),
                    1 => Just(b':'),
                ],
                0..300,
            ),
            prefix in prop_oneof![Just(&b""[..]), Just(&b"data: "[..]), Just(BOM)],
            cuts in proptest::collection::vec(any::<usize>(), 0..12),
        ) {
            let bytes = [prefix, &bytes].concat();
            let whole = decode([&bytes[..]]);
            let pieces = split(&bytes, &cuts);
            prop_assert_eq!(decode(pieces.iter().map(Vec::as_slice)), whole);
        }

        #[test]
        fn events_written_with_any_text_and_line_ends_read_back_whole(
            datas in proptest::collection::vec("[^\r\n]*", 0..8),
            line_end in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
            cuts in proptest::collection::vec(any::<usize>(), 0..12),
        ) {
            let stream: String = datas
                .iter()
                .map(|d| format!("data: {d}{line_end}{line_end}"))
                .collect();
            let pieces = split(stream.as_bytes(), &cuts);
            let expected: Vec<_> = datas.iter().cloned().map(Ok).collect();
            prop_assert_eq!(decode(pieces.iter().map(Vec::as_slice)), expected);
        }
    }
}
