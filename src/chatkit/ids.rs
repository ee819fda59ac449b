//! ChatKit ids for our rows: `thr_<conversation>`, `msg_<message>` for a
//! message, `task_<reply>_<n>` for the n-th tool call of a reply. Ids order
//! a thread's items: by message, and within a reply its tasks before its text.

/// Where an item sits in its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ItemKey {
    pub message: i64,
    pub slot: Slot,
}

/// A reply's tool calls come before its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    Task(u32),
    Message,
}

pub fn thread(id: i64) -> String {
    format!("thr_{id}")
}

pub fn item(key: ItemKey) -> String {
    match key.slot {
        Slot::Message => format!("msg_{}", key.message),
        Slot::Task(n) => format!("task_{}_{n}", key.message),
    }
}

/// The conversation a thread id names; `None` for anything we did not make.
pub fn parse_thread(id: &str) -> Option<i64> {
    positive(id.strip_prefix("thr_")?)
}

/// The place an item id names; `None` for anything we did not make.
pub fn parse_item(id: &str) -> Option<ItemKey> {
    if let Some(message) = id.strip_prefix("msg_") {
        return Some(ItemKey {
            message: positive(message)?,
            slot: Slot::Message,
        });
    }
    let (message, n) = id.strip_prefix("task_")?.split_once('_')?;
    let n = n.parse::<u32>().ok().filter(|_| digits(n))?;
    Some(ItemKey {
        message: positive(message)?,
        slot: Slot::Task(n),
    })
}

/// Plain decimal digits (no sign, no spaces) naming a row.
fn positive(digits_only: &str) -> Option<i64> {
    if !digits(digits_only) {
        return None;
    }
    digits_only.parse::<i64>().ok().filter(|n| *n > 0)
}

/// A number as we print it: digits only, no leading zero.
fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_order_tasks_before_the_text() {
        let text = ItemKey {
            message: 7,
            slot: Slot::Message,
        };
        let task = ItemKey {
            message: 7,
            slot: Slot::Task(1),
        };
        assert_eq!(parse_item(&item(text)), Some(text));
        assert_eq!(parse_item(&item(task)), Some(task));
        assert_eq!(item(task), "task_7_1");
        assert!(task < text);
        assert!(
            text < ItemKey {
                message: 8,
                slot: Slot::Task(0)
            }
        );
        assert_eq!(parse_thread(&thread(12)), Some(12));
    }

    proptest::proptest! {
        #[test]
        fn any_string_parses_to_what_prints_it_back_or_to_nothing(id in ".{0,24}") {
            if let Some(key) = parse_item(&id) {
                proptest::prop_assert_eq!(item(key), id.clone());
            }
            if let Some(n) = parse_thread(&id) {
                proptest::prop_assert_eq!(thread(n), id);
            }
        }
    }

    #[test]
    fn foreign_ids_name_nothing() {
        for id in [
            "",
            "thr_",
            "thr_0",
            "thr_-1",
            "thr_+1",
            "thr_ 1",
            "thr_1x",
            "msg_01x",
            "task_1",
            "task_1_",
            "task_1_-1",
            "thr_99999999999999999999",
            "cthr_1",
            "msg_01",
            "task_1_01",
        ] {
            assert_eq!((parse_thread(id), parse_item(id)), (None, None), "{id}");
        }
    }
}
