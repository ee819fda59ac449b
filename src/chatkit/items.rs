//! A thread's items from its messages: a user message is one item; a reply
//! is a `task` item per tool call, then its text once it is finished. Items
//! are paged by their place ([`ItemKey`]), whichever way the client reads.

use super::ids::{self, ItemKey, Slot};
use super::request::Listing;
use super::wire::{Item, ItemBody, Page};
use crate::chat::calls;
use crate::chat::service::threads;
use crate::chat::view::Card;
use crate::db::DbPool;
use crate::db::models::{Message, ReplyStatus};
use crate::error::AppError;

/// The item of `message` at `slot`.
pub fn at(message: &Message, slot: Slot, body: ItemBody) -> Item {
    Item {
        id: ids::item(ItemKey {
            message: message.id,
            slot,
        }),
        thread_id: ids::thread(message.conversation_id),
        created_at: message.created_at.into(),
        body,
    }
}

/// The items `message` shows as, in thread order.
pub fn of(message: &Message) -> Vec<(ItemKey, Item)> {
    let item = |slot, body| {
        let key = ItemKey {
            message: message.id,
            slot,
        };
        (key, at(message, slot, body))
    };
    if message.is_user() {
        return vec![item(
            Slot::Message,
            ItemBody::user_message(&message.content),
        )];
    }
    let mut items: Vec<_> = calls::of(message)
        .iter()
        .zip(0u32..)
        .map(|(call, n)| item(Slot::Task(n), ItemBody::task(Card::of(call))))
        .collect();
    if message.status() == ReplyStatus::Done && !message.content.is_empty() {
        items.push(item(
            Slot::Message,
            ItemBody::assistant_message(&message.content),
        ));
    }
    items
}

/// One page of the items of the user's thread `conversation_id`.
pub async fn page(
    pool: &DbPool,
    user_id: &str,
    conversation_id: i64,
    listing: Listing<ItemKey>,
) -> Result<Page<Item>, AppError> {
    let Listing {
        limit,
        newest_first,
        after,
    } = listing;
    let wanted = usize::try_from(limit).unwrap_or(1);
    let past_cursor = |key: ItemKey| match after {
        None => true,
        Some(after) if newest_first => key < after,
        Some(after) => key > after,
    };
    // Messages from the cursor's own (it may have items left), a batch at a
    // time, until one item more than the page or the end of the thread.
    let mut from = after.map(|a| a.message);
    let mut found: Vec<(ItemKey, Item)> = Vec::new();
    loop {
        let batch = threads::messages_from(
            pool,
            user_id,
            conversation_id,
            from,
            newest_first,
            limit + 1,
        )
        .await?;
        for message in &batch {
            let mut items = of(message);
            if newest_first {
                items.reverse();
            }
            found.extend(items.into_iter().filter(|(key, _)| past_cursor(*key)));
        }
        let at_end = batch.len() < wanted + 1;
        if found.len() > wanted || at_end {
            break;
        }
        from = batch
            .last()
            .map(|m| if newest_first { m.id - 1 } else { m.id + 1 });
    }
    let has_more = found.len() > wanted;
    found.truncate(wanted);
    let after = found.last().map(|(key, _)| ids::item(*key));
    Ok(Page {
        data: found.into_iter().map(|(_, item)| item).collect(),
        has_more,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ai::CallRecord;

    fn message(id: i64, role: &str, content: &str, status: ReplyStatus, calls: usize) -> Message {
        let calls: Vec<CallRecord> = (0..calls)
            .map(|n| CallRecord {
                name: "add_task".into(),
                arguments: serde_json::json!({"title": format!("t{n}")}),
                result: serde_json::json!({"task_id": n + 1, "status": "created", "title": format!("t{n}")}),
                step: 0,
                id: String::new(),
                signature: None,
            })
            .collect();
        Message {
            id,
            conversation_id: 3,
            user_id: "u".into(),
            role: role.into(),
            content: content.into(),
            tool_calls: (!calls.is_empty()).then(|| serde_json::to_string(&calls).unwrap()),
            created_at: chrono::NaiveDateTime::default(),
            reply_to: None,
            status: status.as_str().into(),
            lease_until: None,
            run_id: None,
        }
    }

    fn ids_of(message: &Message) -> Vec<String> {
        of(message).into_iter().map(|(_, item)| item.id).collect()
    }

    #[test]
    fn a_reply_is_its_tasks_then_its_text_once_finished() {
        let user = message(1, "user", "add two", ReplyStatus::Done, 0);
        assert_eq!(ids_of(&user), ["msg_1"]);
        let done = message(2, "assistant", "Added both.", ReplyStatus::Done, 2);
        assert_eq!(ids_of(&done), ["task_2_0", "task_2_1", "msg_2"]);
        let failed = message(2, "assistant", "half", ReplyStatus::Failed, 1);
        assert_eq!(ids_of(&failed), ["task_2_0"]);
        let pending = message(2, "assistant", "", ReplyStatus::Pending, 0);
        assert!(ids_of(&pending).is_empty());
        let json = serde_json::to_value(&of(&done)[0].1).unwrap();
        assert_eq!(json["type"], "task");
        assert_eq!(json["thread_id"], "thr_3");
        assert_eq!(json["task"]["title"], "Added task #1");
        assert_eq!(json["task"]["content"], "t0");
    }
}
