//! What a ChatKit frontend asks: `{"type", "params", "metadata"?}`, parsed
//! into one [`Request`] with our ids, or refused with a 4xx that says why.
//! Fields the SDK may add later are ignored; missing or mistyped ones are not.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ids::{self, ItemKey};
use crate::chat::text::{ConversationTitle, MessageText};
use crate::error::AppError;

/// How many threads or items a page holds unless asked: the SDK's default.
pub const DEFAULT_LIMIT: i64 = 20;
/// The most a page holds, whatever is asked.
pub const MAX_LIMIT: i64 = 100;

/// A request: a turn (answered as an event stream) or a read or change of
/// threads (answered as JSON).
#[derive(Debug)]
pub enum Request {
    Turn(Turn),
    Read(Read),
}

#[derive(Debug)]
pub enum Turn {
    Create { input: MessageText },
    AddMessage { thread: i64, input: MessageText },
    Retry { thread: i64, item: ItemKey },
}

#[derive(Debug)]
pub enum Read {
    Get {
        thread: i64,
    },
    Threads(Listing<i64>),
    Items {
        thread: i64,
        listing: Listing<ItemKey>,
    },
    Rename {
        thread: i64,
        title: ConversationTitle,
    },
    Delete {
        thread: i64,
    },
    Feedback {
        thread: i64,
        items: Vec<ItemKey>,
    },
}

/// A page request: how many, which way, after which element.
#[derive(Debug, Clone, Copy)]
pub struct Listing<K> {
    pub limit: i64,
    pub newest_first: bool,
    pub after: Option<K>,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    params: Option<Value>,
}

#[derive(Deserialize)]
struct GetParams {
    thread_id: String,
}

#[derive(Deserialize)]
struct DeleteParams {
    thread_id: String,
}

#[derive(Deserialize)]
struct CreateParams {
    input: Input,
}

#[derive(Deserialize)]
struct AddParams {
    thread_id: String,
    input: Input,
}

#[derive(Deserialize)]
struct RetryParams {
    thread_id: String,
    item_id: String,
}

#[derive(Deserialize)]
struct UpdateParams {
    thread_id: String,
    title: String,
}

#[derive(Deserialize)]
struct FeedbackParams {
    thread_id: String,
    item_ids: Vec<String>,
    #[allow(dead_code)]
    kind: FeedbackKind,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum FeedbackKind {
    Positive,
    Negative,
}

#[derive(Deserialize)]
struct ListParams {
    limit: Option<i64>,
    #[serde(default)]
    order: Order,
    after: Option<String>,
}

#[derive(Deserialize)]
struct ItemsParams {
    thread_id: String,
    #[serde(flatten)]
    list: ListParams,
}

#[derive(Deserialize, Default, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Order {
    Asc,
    #[default]
    Desc,
}

/// `UserMessageInput`.
#[derive(Deserialize)]
struct Input {
    content: Vec<Part>,
    attachments: Vec<String>,
    quoted_text: Option<String>,
    #[allow(dead_code)]
    inference_options: Value,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Part {
    InputText { text: String },
    InputTag { text: String },
}

/// Types of the protocol Tasktalk does not take.
const UNSUPPORTED: &[&str] = &[
    "threads.add_client_tool_output",
    "threads.add_structured_input",
    "threads.custom_action",
    "threads.sync_custom_action",
    "attachments.create",
    "attachments.delete",
    "input.transcribe",
];

pub fn parse(body: &[u8]) -> Result<Request, AppError> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(refused)?;
    let params = match envelope.params {
        Some(params @ Value::Object(_)) => params,
        _ => {
            return Err(AppError::invalid(
                "INVALID_CHATKIT_REQUEST",
                "Malformed request: params must be an object.",
            ));
        }
    };
    match envelope.kind.as_str() {
        "threads.create" => take::<CreateParams>(params),
        "threads.add_user_message" => take::<AddParams>(params),
        "threads.retry_after_item" => take::<RetryParams>(params),
        "threads.get_by_id" => take::<GetParams>(params),
        "threads.delete" => take::<DeleteParams>(params),
        "threads.list" => take::<ListParams>(params),
        "items.list" => take::<ItemsParams>(params),
        "threads.update" => take::<UpdateParams>(params),
        "items.feedback" => take::<FeedbackParams>(params),
        kind if UNSUPPORTED.contains(&kind) => Err(unsupported(format!(
            "Tasktalk does not support `{kind}` requests."
        ))),
        _ => Err(unsupported("Unknown request type.".to_owned())),
    }
}

/// The params of one request type, and the request they make.
trait Params: DeserializeOwned {
    fn request(self) -> Result<Request, AppError>;
}

fn take<P: Params>(params: Value) -> Result<Request, AppError> {
    params_of::<P>(params)?.request()
}

impl Params for CreateParams {
    fn request(self) -> Result<Request, AppError> {
        let input = self.input.text()?;
        Ok(Request::Turn(Turn::Create { input }))
    }
}

impl Params for AddParams {
    fn request(self) -> Result<Request, AppError> {
        Ok(Request::Turn(Turn::AddMessage {
            thread: thread_of(&self.thread_id)?,
            input: self.input.text()?,
        }))
    }
}

impl Params for RetryParams {
    fn request(self) -> Result<Request, AppError> {
        Ok(Request::Turn(Turn::Retry {
            thread: thread_of(&self.thread_id)?,
            item: ids::parse_item(&self.item_id).ok_or(AppError::NotFound)?,
        }))
    }
}

impl Params for GetParams {
    fn request(self) -> Result<Request, AppError> {
        let thread = thread_of(&self.thread_id)?;
        Ok(Request::Read(Read::Get { thread }))
    }
}

impl Params for DeleteParams {
    fn request(self) -> Result<Request, AppError> {
        let thread = thread_of(&self.thread_id)?;
        Ok(Request::Read(Read::Delete { thread }))
    }
}

impl Params for ListParams {
    fn request(self) -> Result<Request, AppError> {
        Ok(Request::Read(Read::Threads(
            self.listing(ids::parse_thread)?,
        )))
    }
}

impl Params for ItemsParams {
    fn request(self) -> Result<Request, AppError> {
        Ok(Request::Read(Read::Items {
            thread: thread_of(&self.thread_id)?,
            listing: self.list.listing(ids::parse_item)?,
        }))
    }
}

impl Params for UpdateParams {
    fn request(self) -> Result<Request, AppError> {
        let title = ConversationTitle::parse(&self.title)
            .map_err(|e| AppError::invalid("INVALID_TITLE", e.to_string()))?;
        Ok(Request::Read(Read::Rename {
            thread: thread_of(&self.thread_id)?,
            title,
        }))
    }
}

impl Params for FeedbackParams {
    fn request(self) -> Result<Request, AppError> {
        if self.item_ids.len() > MAX_LIMIT as usize {
            return Err(AppError::invalid(
                "INVALID_CHATKIT_REQUEST",
                format!("item_ids can hold at most {MAX_LIMIT} ids."),
            ));
        }
        let items = self.item_ids.iter().map(|id| ids::parse_item(id));
        Ok(Request::Read(Read::Feedback {
            thread: thread_of(&self.thread_id)?,
            items: items.collect::<Option<_>>().ok_or(AppError::NotFound)?,
        }))
    }
}

fn params_of<T: DeserializeOwned>(params: Value) -> Result<T, AppError> {
    serde_json::from_value(params).map_err(refused)
}

/// A thread id we did not make names nothing: not found, like another user's.
fn thread_of(id: &str) -> Result<i64, AppError> {
    ids::parse_thread(id).ok_or(AppError::NotFound)
}

fn refused(e: serde_json::Error) -> AppError {
    AppError::invalid("INVALID_CHATKIT_REQUEST", format!("Malformed request: {e}"))
}

fn unsupported(message: String) -> AppError {
    AppError::invalid("UNSUPPORTED_CHATKIT_REQUEST", message)
}

impl ListParams {
    fn listing<K>(self, parse: impl Fn(&str) -> Option<K>) -> Result<Listing<K>, AppError> {
        let limit = match self.limit {
            None | Some(0) => DEFAULT_LIMIT,
            Some(n) if n < 0 => {
                return Err(AppError::invalid(
                    "INVALID_CHATKIT_REQUEST",
                    "limit cannot be negative.",
                ));
            }
            Some(n) => n.min(MAX_LIMIT),
        };
        let after = match self.after.as_deref() {
            None => None,
            Some(after) => Some(parse(after).ok_or_else(|| {
                AppError::invalid("INVALID_CHATKIT_REQUEST", "after is not an id from a page.")
            })?),
        };
        Ok(Listing {
            limit,
            newest_first: self.order == Order::Desc,
            after,
        })
    }
}

impl Input {
    /// The message as typed: its text parts joined (a tag counts as its
    /// text), after the passage it quotes.
    fn text(self) -> Result<MessageText, AppError> {
        if !self.attachments.is_empty() {
            return Err(unsupported(
                "Tasktalk does not take attachments.".to_owned(),
            ));
        }
        let mut text = String::new();
        if let Some(quoted) = self.quoted_text.filter(|q| !q.trim().is_empty()) {
            for line in quoted.trim().lines() {
                text.push_str("> ");
                text.push_str(line);
                text.push('\n');
            }
            text.push('\n');
        }
        for part in self.content {
            match part {
                Part::InputText { text: t } | Part::InputTag { text: t } => text.push_str(&t),
            }
        }
        Ok(MessageText::parse(&text)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(value: Value) -> Result<Request, AppError> {
        parse(value.to_string().as_bytes())
    }

    fn code(result: Result<Request, AppError>) -> &'static str {
        match result {
            Err(AppError::Invalid { code, .. }) => code,
            Err(AppError::NotFound) => "NOT_FOUND",
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn input(text: &str) -> Value {
        json!({"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}})
    }

    #[test]
    fn a_new_thread_takes_its_text_parts_and_quote() {
        let request = parsed(json!({"type": "threads.create", "params": {"input": {
            "content": [{"type": "input_text", "text": "add "}, {"type": "input_tag", "id": "t", "text": "milk", "data": {}}],
            "attachments": [], "quoted_text": "earlier\nwords", "inference_options": {}}}}))
        .unwrap();
        let Request::Turn(Turn::Create { input }) = request else {
            panic!("{request:?}")
        };
        assert_eq!(input.as_str(), "> earlier\n> words\n\nadd milk");
    }

    #[test]
    fn bad_requests_are_refused_with_what_is_wrong() {
        let cases = [
            (json!({"type": "threads.create"}), "INVALID_CHATKIT_REQUEST"),
            (
                json!({"type": "threads.create", "params": {}}),
                "INVALID_CHATKIT_REQUEST",
            ),
            (
                json!({"type": "threads.create", "params": {"input": {"content": "hi"}}}),
                "INVALID_CHATKIT_REQUEST",
            ),
            (
                json!({"type": "threads.create", "params": {"input": input("  ")}}),
                "INVALID_MESSAGE",
            ),
            (
                json!({"type": "threads.create", "params": {"input": input(&"x".repeat(4001))}}),
                "INVALID_MESSAGE",
            ),
            (
                json!({"type": "threads.create", "params": {"input": {"content": [], "attachments": ["a"], "inference_options": {}}}}),
                "UNSUPPORTED_CHATKIT_REQUEST",
            ),
            (
                json!({"type": "threads.get_by_id", "params": {"thread_id": 5}}),
                "INVALID_CHATKIT_REQUEST",
            ),
            (
                json!({"type": "threads.get_by_id", "params": {"thread_id": "5"}}),
                "NOT_FOUND",
            ),
            (
                json!({"type": "threads.list", "params": {"limit": -1}}),
                "INVALID_CHATKIT_REQUEST",
            ),
            (
                json!({"type": "threads.list", "params": {"order": "up"}}),
                "INVALID_CHATKIT_REQUEST",
            ),
            (
                json!({"type": "threads.list", "params": {"after": "msg_1"}}),
                "INVALID_CHATKIT_REQUEST",
            ),
            (
                json!({"type": "items.list", "params": {"thread_id": "thr_1", "after": "thr_1"}}),
                "INVALID_CHATKIT_REQUEST",
            ),
            (
                json!({"type": "threads.update", "params": {"thread_id": "thr_1", "title": " "}}),
                "INVALID_TITLE",
            ),
            (
                json!({"type": "items.feedback", "params": {"thread_id": "thr_1", "item_ids": [], "kind": "meh"}}),
                "INVALID_CHATKIT_REQUEST",
            ),
            (
                json!({"type": "attachments.create", "params": {}}),
                "UNSUPPORTED_CHATKIT_REQUEST",
            ),
            (
                json!({"type": "threads.explode", "params": {}}),
                "UNSUPPORTED_CHATKIT_REQUEST",
            ),
            (json!({"params": {}}), "INVALID_CHATKIT_REQUEST"),
            (
                json!({"type": "threads.get_by_id", "params": ["thr_1"]}),
                "INVALID_CHATKIT_REQUEST",
            ),
            (json!([1, 2]), "INVALID_CHATKIT_REQUEST"),
        ];
        for (body, expected) in cases {
            assert_eq!(code(parsed(body.clone())), expected, "{body}");
        }
        assert_eq!(code(parse(b"{not json")), "INVALID_CHATKIT_REQUEST");
    }

    #[test]
    fn pages_default_to_20_newest_first_and_hold_at_most_100() {
        let Ok(Request::Read(Read::Threads(listing))) =
            parsed(json!({"type": "threads.list", "params": {}}))
        else {
            panic!()
        };
        assert_eq!(
            (listing.limit, listing.newest_first, listing.after),
            (20, true, None)
        );
        let Ok(Request::Read(Read::Items { listing, .. })) = parsed(json!({"type": "items.list",
            "params": {"thread_id": "thr_3", "limit": 1000, "order": "asc", "after": "task_4_0"}}))
        else {
            panic!()
        };
        assert_eq!((listing.limit, listing.newest_first), (100, false));
        assert_eq!(listing.after.map(ids::item), Some("task_4_0".to_owned()));
    }

    proptest::proptest! {
        #[test]
        fn any_body_parses_or_is_refused_without_panicking(body in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = parse(&body);
        }
    }
}
