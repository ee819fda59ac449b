//! The tool calls stored with a reply (`message.tool_calls`, JSON text).

use crate::ai::CallRecord;
use crate::db::models::Message;

/// The tool calls stored with `message`; none if there are none, or if what
/// is stored cannot be read.
pub fn of(message: &Message) -> Vec<CallRecord> {
    message
        .tool_calls
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default()
}
