//! proptest strategies for outside input: any JSON value or query string, with
//! the keys and awkward values our parsers care about mixed in often enough to
//! matter.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value};

/// Keys the tools and JSON-RPC read, so generated objects hit real code paths.
const KEYS: &[&str] = &[
    "title",
    "description",
    "task_id",
    "status",
    "name",
    "arguments",
    "jsonrpc",
    "id",
    "method",
    "params",
    "protocolVersion",
];

/// Pieces that break naive text handling: multi-byte characters, line ends,
/// quotes, NUL, markup.
const AWKWARD: &[&str] = &[
    "é", "😀", "İ", "\u{212a}", "ß", "\u{feff}", "\r\n", "\r", "\n", "\t", "\"", "\\", "\0", " ",
    "#", "-", "0", "7", "data: ", "[DONE]", "<", ">", "&", "{", "}",
];

/// Any string, or one assembled from awkward pieces and plain words.
pub fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![select(AWKWARD).prop_map(str::to_owned), "[a-zA-Z]{1,6}",];
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat()),
    ]
}

/// Numbers at the edges: extremes of every width, fractions, huge, negative.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // NaN and infinities become null, as serde_json builds them.
        any::<f64>().prop_map(Value::from),
        (-3i64..300).prop_map(Value::from),
        select(&[0.5, -0.0, 1.0, 3.0, 1e300, -1e300, 2.5e-8][..]).prop_map(Value::from),
        select(&[i64::MIN, i64::MAX, 0, -1][..]).prop_map(Value::from),
    ]
}

/// Strings a parser of ids, statuses and lengths will weigh up.
fn telling_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ #+-]{0,3}[0-9]{1,25}[ ]?",
        select(
            &[
                "all",
                "pending",
                "completed",
                "DONE",
                " open ",
                "todo",
                "2.0",
                ""
            ][..]
        )
        .prop_map(str::to_owned),
        (0usize..1100, select(&["x", "é", "😀", " "][..])).prop_map(|(n, c)| c.repeat(n)),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
        telling_string().prop_map(Value::String),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(KEYS).prop_map(str::to_owned),
        1 => text(),
    ]
}

/// Any JSON value: leaves, arrays and objects nested a few levels deep.
pub fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// An object with any of the tool argument keys set to any value, as a model
/// would send, or any JSON value at all.
pub fn tool_arguments() -> impl Strategy<Value = Value> {
    let field = proptest::option::of(prop_oneof![leaf(), json_value()]);
    prop_oneof![
        3 => (field.clone(), field.clone(), field.clone(), field).prop_map(
            |(title, description, task_id, status)| {
                let mut map = Map::new();
                for (key, value) in [
                    ("title", title),
                    ("description", description),
                    ("task_id", task_id),
                    ("status", status),
                ] {
                    if let Some(value) = value {
                        map.insert(key.to_owned(), value);
                    }
                }
                Value::Object(map)
            }
        ),
        1 => json_value(),
    ]
}

/// Any query string, or `key=value` pairs over `keys` with numbers at the
/// edges, words, and broken or hostile percent-escapes.
pub fn query_string(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    let value = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        "-?[0-9]{1,30}",
        select(
            &[
                "",
                "0",
                "1",
                "200",
                "201",
                "-1",
                "1e3",
                "2.5",
                "+5",
                "%2B5",
                "%00",
                "%ff",
                "%zz",
                "%",
                "all",
                "DONE",
                "title",
                "%E2%80%AE"
            ][..]
        )
        .prop_map(str::to_owned),
        "[a-zA-Z%+&=;#/\\.]{0,12}",
    ];
    let pair = (select(keys), value).prop_map(|(key, value)| format!("{key}={value}"));
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(pair, 0..4).prop_map(|pairs| pairs.join("&")),
    ]
}
