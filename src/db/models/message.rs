//! The `message` table: what the user said and what the assistant answered.
//!
//! An assistant message answers one user message (`reply_to`, unique). It is
//! inserted `pending` when a run claims the user message, and becomes `done`
//! or `failed` when the run ends. The unique index makes the claim atomic
//! across replicas: a second run for the same message fails to insert.
//!
//! A pending reply carries its run's id (`run_id`) and a lease
//! (`lease_until`) that the run renews while it works. Every write a run makes
//! names its `run_id`, so a run that lost its claim cannot overwrite the run
//! that took over; a lapsed lease means the run is gone, and whoever reads the
//! reply next marks it failed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::message;

pub const ROLE_USER: &str = "user";
pub const ROLE_ASSISTANT: &str = "assistant";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReplyStatus {
    Pending,
    Done,
    Failed,
}

impl ReplyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyStatus::Pending => "pending",
            ReplyStatus::Done => "done",
            ReplyStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = message)]
pub struct Message {
    pub id: i64,
    pub conversation_id: i64,
    pub user_id: String,
    pub role: String,
    pub content: String,
    /// JSON: the tool calls the assistant made for this reply.
    pub tool_calls: Option<String>,
    pub created_at: NaiveDateTime,
    pub reply_to: Option<i64>,
    pub status: String,
    pub lease_until: Option<NaiveDateTime>,
    pub run_id: Option<String>,
}

impl Message {
    pub fn is_user(&self) -> bool {
        self.role == ROLE_USER
    }

    pub fn status(&self) -> ReplyStatus {
        match self.status.as_str() {
            "pending" => ReplyStatus::Pending,
            "failed" => ReplyStatus::Failed,
            _ => ReplyStatus::Done,
        }
    }
}

/// A user's message named by its owner and its conversation: what a claim
/// on its answer is about. Every query about it names all three.
#[derive(Debug, Clone, Copy)]
pub struct Question<'a> {
    pub id: i64,
    pub conversation_id: i64,
    pub user_id: &'a str,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = message)]
pub struct MessageInsertForm<'a> {
    pub conversation_id: i64,
    pub user_id: &'a str,
    pub role: &'a str,
    pub content: &'a str,
    pub tool_calls: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub reply_to: Option<i64>,
    pub status: &'a str,
    pub lease_until: Option<NaiveDateTime>,
    pub run_id: Option<&'a str>,
}

impl Message {
    pub fn insert(conn: &mut DbConnection, form: &MessageInsertForm<'_>) -> QueryResult<Message> {
        let id: i64 = crate::insert_returning!(conn, message::table, form, message::id)?;
        Message::find_by_id_and_user(conn, id, form.user_id)
    }

    pub fn find_by_id_and_user(
        conn: &mut DbConnection,
        id: i64,
        user_id: &str,
    ) -> QueryResult<Message> {
        message::table
            .filter(message::id.eq(id).and(message::user_id.eq(user_id)))
            .select(Message::as_select())
            .get_result(conn)
    }

    /// The user's own message `question.id`, in that conversation: one query.
    pub fn find_question(conn: &mut DbConnection, question: Question<'_>) -> QueryResult<Message> {
        message::table
            .filter(message::id.eq(question.id))
            .filter(message::conversation_id.eq(question.conversation_id))
            .filter(message::user_id.eq(question.user_id))
            .filter(message::role.eq(ROLE_USER))
            .select(Message::as_select())
            .get_result(conn)
    }

    /// One page of a conversation, oldest first: the `limit` messages before
    /// `before` (or the latest), found through the `(conversation_id, user_id, id)` index.
    pub fn page(
        conn: &mut DbConnection,
        conversation_id: i64,
        user_id: &str,
        before: Option<i64>,
        limit: i64,
    ) -> QueryResult<Vec<Message>> {
        let upto = match before.map(|before| before.checked_sub(1)) {
            // Nothing comes before the smallest id.
            Some(None) => return Ok(Vec::new()),
            Some(upto) => upto,
            None => None,
        };
        let mut page = Message::run_from(conn, conversation_id, user_id, upto, true, limit)?;
        page.reverse();
        Ok(page)
    }

    /// How many of the messages `ids` are in the owner's conversation.
    pub fn count_in(
        conn: &mut DbConnection,
        conversation_id: i64,
        user_id: &str,
        ids: &[i64],
    ) -> QueryResult<i64> {
        message::table
            .filter(message::conversation_id.eq(conversation_id))
            .filter(message::user_id.eq(user_id))
            .filter(message::id.eq_any(ids))
            .count()
            .get_result(conn)
    }

    /// A keyset run of a conversation's messages from `from` (inclusive),
    /// upwards, or downwards when `newest_first`; from either end without `from`.
    pub fn run_from(
        conn: &mut DbConnection,
        conversation_id: i64,
        user_id: &str,
        from: Option<i64>,
        newest_first: bool,
        limit: i64,
    ) -> QueryResult<Vec<Message>> {
        let mut query = message::table
            .filter(message::conversation_id.eq(conversation_id))
            .filter(message::user_id.eq(user_id))
            .select(Message::as_select())
            .limit(limit)
            .into_boxed();
        query = match (newest_first, from) {
            (true, Some(from)) => query.filter(message::id.le(from)),
            (false, Some(from)) => query.filter(message::id.ge(from)),
            (_, None) => query,
        };
        if newest_first {
            query.order(message::id.desc()).load(conn)
        } else {
            query.order(message::id.asc()).load(conn)
        }
    }

    /// What the model sees of the conversation up to and including the user
    /// message `upto`: the last `limit` finished messages, oldest first.
    pub fn history(
        conn: &mut DbConnection,
        conversation_id: i64,
        user_id: &str,
        upto: i64,
        limit: i64,
    ) -> QueryResult<Vec<Message>> {
        let mut history: Vec<Message> = message::table
            .filter(message::conversation_id.eq(conversation_id))
            .filter(message::user_id.eq(user_id))
            .filter(message::id.le(upto))
            .filter(message::status.eq(ReplyStatus::Done.as_str()))
            .select(Message::as_select())
            .order(message::id.desc())
            .limit(limit)
            .load(conn)?;
        history.reverse();
        Ok(history)
    }

    /// The assistant's answer to `question`, if a run has claimed it.
    pub fn find_reply(
        conn: &mut DbConnection,
        question: Question<'_>,
    ) -> QueryResult<Option<Message>> {
        message::table
            .filter(answer_to(
                question.id,
                question.conversation_id,
                question.user_id.to_owned(),
            ))
            .select(Message::as_select())
            .get_result(conn)
            .optional()
    }

    /// Records the outcome of run `run_id` on its pending reply; does nothing
    /// (0 rows) when that run no longer holds the reply.
    pub fn finish_reply(
        conn: &mut DbConnection,
        id: i64,
        run_id: &str,
        content: &str,
        tool_calls: Option<&str>,
        status: ReplyStatus,
    ) -> QueryResult<usize> {
        diesel::update(message::table.filter(held_by(id, run_id.to_owned())))
            .set((
                message::content.eq(content),
                message::tool_calls.eq(tool_calls),
                message::status.eq(status.as_str()),
                message::lease_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
    }

    /// Stores the tool calls run `run_id` has made so far, so a run that dies
    /// later is retried from them instead of repeating them.
    pub fn record_tool_calls(
        conn: &mut DbConnection,
        id: i64,
        run_id: &str,
        tool_calls: &str,
    ) -> QueryResult<usize> {
        diesel::update(message::table.filter(held_by(id, run_id.to_owned())))
            .set(message::tool_calls.eq(tool_calls))
            .execute(conn)
    }

    /// Extends the lease of run `run_id` on its reply; 0 rows when it lost it.
    pub fn renew_lease(
        conn: &mut DbConnection,
        id: i64,
        run_id: &str,
        until: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(message::table.filter(held_by(id, run_id.to_owned())))
            .set(message::lease_until.eq(until))
            .execute(conn)
    }

    /// Marks failed every pending reply in the user's conversation whose run
    /// stopped renewing its lease before `now` (its server died).
    pub fn fail_lapsed(
        conn: &mut DbConnection,
        conversation_id: i64,
        user_id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(message::table)
            .filter(message::conversation_id.eq(conversation_id))
            .filter(message::user_id.eq(user_id))
            .filter(message::status.eq(ReplyStatus::Pending.as_str()))
            .filter(
                message::lease_until.lt(now).or(message::lease_until
                    .is_null()
                    .and(message::created_at.lt(now - UNLEASED_RUN_GIVEN_UP_AFTER))),
            )
            .set((
                message::status.eq(ReplyStatus::Failed.as_str()),
                message::lease_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
    }

    /// Claims a failed reply to `question` for a new run (a retry): it
    /// becomes pending again and keeps the tool calls that already ran, so the
    /// new run continues from them instead of repeating them.
    pub fn take_over_failed_reply(
        conn: &mut DbConnection,
        question: Question<'_>,
        run_id: &str,
        now: NaiveDateTime,
        lease_until: NaiveDateTime,
    ) -> QueryResult<Option<Message>> {
        let failed = answer_to(
            question.id,
            question.conversation_id,
            question.user_id.to_owned(),
        )
        .and(message::status.eq(ReplyStatus::Failed.as_str()));
        let pending = (
            message::status.eq(ReplyStatus::Pending.as_str()),
            message::content.eq(""),
            message::created_at.eq(now),
            message::lease_until.eq(lease_until),
            message::run_id.eq(run_id),
        );
        crate::per_backend!(conn, c => diesel::update(message::table.filter(failed))
            .set(pending)
            .returning(Message::as_returning())
            .get_result(c)
            .optional())
    }
}

/// A pending reply without a lease was claimed by a server from before
/// leases, which may still be running it during a rolling deploy: it is given
/// up only after the time such a server allowed a run.
const UNLEASED_RUN_GIVEN_UP_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

impl Message {
    /// Whether this reply is pending under a lease that lapsed before `now`.
    pub fn lease_lapsed(&self, now: NaiveDateTime) -> bool {
        self.status() == ReplyStatus::Pending
            && match self.lease_until {
                Some(until) => until < now,
                None => self.created_at < now - UNLEASED_RUN_GIVEN_UP_AFTER,
            }
    }
}

/// The answer to the user's message `question_id` in their conversation.
#[diesel::dsl::auto_type]
fn answer_to(question_id: i64, conversation_id: i64, user_id: String) -> _ {
    message::reply_to
        .eq(question_id)
        .and(message::conversation_id.eq(conversation_id))
        .and(message::user_id.eq(user_id))
}

/// The pending reply `id` while run `run_id` holds it.
#[diesel::dsl::auto_type]
fn held_by(id: i64, run_id: String) -> _ {
    let pending: &'static str = "pending";
    message::id
        .eq(id)
        .and(message::run_id.eq(run_id))
        .and(message::status.eq(pending))
}
