//! The tool calls stored with a reply (`message.tool_calls`, JSON text).
//!
//! A call's result is kept as the tool gave it, up to [`KEPT_RESULT_BYTES`].
//! A larger one (a `list_tasks` of hundreds of tasks: up to 25 MB for a full
//! list of 5,000) served the turn that asked for it and is kept as what it
//! was, `{"omitted": …, "count": n}`: otherwise every reply that listed the
//! tasks would store the whole list, every later turn would send it to the
//! model again, and every read of the conversation would carry it.

use serde_json::{Value, json};

use crate::ai::CallRecord;
use crate::db::models::Message;

/// The largest tool result kept whole with its reply (about 300 typical tasks).
pub const KEPT_RESULT_BYTES: usize = 64 * 1024;

/// The tool calls stored with `message`; none if there are none, or if what
/// is stored cannot be read.
pub fn of(message: &Message) -> Vec<CallRecord> {
    message
        .tool_calls
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default()
}

/// `calls` as stored with their reply (`None` for none), each result kept
/// whole or, past [`KEPT_RESULT_BYTES`], as what it was.
pub fn stored(calls: &[CallRecord]) -> Option<String> {
    if calls.is_empty() {
        return None;
    }
    let kept: Vec<CallRecord> = calls
        .iter()
        .map(|call| CallRecord {
            result: kept(&call.result),
            ..call.clone()
        })
        .collect();
    Some(serde_json::to_string(&kept).unwrap_or_else(|_| "[]".to_owned()))
}

fn kept(result: &Value) -> Value {
    let bytes = serde_json::to_vec(result).map_or(usize::MAX, |json| json.len());
    if bytes <= KEPT_RESULT_BYTES {
        return result.clone();
    }
    json!({
        "omitted": "too large to keep with the reply: ask again for the list",
        "count": result.as_array().map_or(0, Vec::len),
    })
}

/// How many items a result held: its array's length, or the count kept in
/// its place.
pub fn count(result: &Value) -> usize {
    result.as_array().map_or_else(
        || {
            result["count"]
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(0)
        },
        Vec::len,
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn call(result: serde_json::Value) -> CallRecord {
        CallRecord {
            name: "list_tasks".into(),
            arguments: json!({}),
            result,
            step: 0,
            id: "c1".into(),
            signature: None,
        }
    }

    fn tasks(n: usize) -> serde_json::Value {
        (0..n)
            .map(|i| json!({"id": i, "title": "Buy oat milk and bread", "completed": false}))
            .collect()
    }

    #[test]
    fn a_small_result_is_kept_whole() {
        let calls = [call(tasks(3))];
        let back: Vec<CallRecord> = serde_json::from_str(&stored(&calls).unwrap()).unwrap();
        assert_eq!(back[0].result, tasks(3));
        assert_eq!(count(&back[0].result), 3);
        assert_eq!(stored(&[]), None);
    }

    #[test]
    fn a_large_result_is_kept_as_its_count() {
        let calls = [
            call(tasks(5_000)),
            call(json!({"task_id": 1, "status": "deleted"})),
        ];
        let json = stored(&calls).unwrap();
        assert!(json.len() < 1024, "{} bytes", json.len());
        let back: Vec<CallRecord> = serde_json::from_str(&json).unwrap();
        assert_eq!(count(&back[0].result), 5_000);
        assert!(back[0].result["omitted"].is_string());
        assert_eq!(back[0].id, "c1", "the call itself is kept");
        assert_eq!(back[1].result, calls[1].result);
    }
}
