//! The `conversation` table: a titled thread of messages, owned by one user.

use chrono::NaiveDateTime;
use diesel::dsl::{And, Eq};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::conversation;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = conversation)]
pub struct Conversation {
    pub id: i64,
    #[serde(skip)]
    pub user_id: String,
    pub title: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = conversation)]
pub struct ConversationInsertForm<'a> {
    pub user_id: &'a str,
    pub title: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The owner's conversation `id`: in every query that names one.
fn owned(
    id: i64,
    user_id: &str,
) -> And<Eq<conversation::id, i64>, Eq<conversation::user_id, &str>> {
    conversation::id
        .eq(id)
        .and(conversation::user_id.eq(user_id))
}

impl Conversation {
    pub fn insert(
        conn: &mut DbConnection,
        form: &ConversationInsertForm<'_>,
    ) -> QueryResult<Conversation> {
        let id: i64 = crate::insert_returning!(conn, conversation::table, form, conversation::id)?;
        Conversation::find_by_id_and_user(conn, id, form.user_id)
    }

    pub fn find_by_id_and_user(
        conn: &mut DbConnection,
        id: i64,
        user_id: &str,
    ) -> QueryResult<Conversation> {
        conversation::table
            .filter(owned(id, user_id))
            .select(Conversation::as_select())
            .get_result(conn)
    }

    /// The owner's conversations, most recently active first.
    pub fn list_by_user(
        conn: &mut DbConnection,
        user_id: &str,
        limit: i64,
    ) -> QueryResult<Vec<Conversation>> {
        conversation::table
            .filter(conversation::user_id.eq(user_id))
            .select(Conversation::as_select())
            .order((conversation::updated_at.desc(), conversation::id.desc()))
            .limit(limit)
            .load(conn)
    }

    /// Marks the conversation as active now, so it moves to the top of the list.
    pub fn touch(
        conn: &mut DbConnection,
        id: i64,
        user_id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(conversation::table)
            .filter(owned(id, user_id))
            .set(conversation::updated_at.eq(now))
            .execute(conn)
    }

    /// A keyset page of the owner's conversations in the order they were
    /// started: after (or, `newest_first`, before) the conversation `after`.
    pub fn page_by_start(
        conn: &mut DbConnection,
        user_id: &str,
        after: Option<i64>,
        newest_first: bool,
        limit: i64,
    ) -> QueryResult<Vec<Conversation>> {
        let mut query = conversation::table
            .filter(conversation::user_id.eq(user_id))
            .select(Conversation::as_select())
            .limit(limit)
            .into_boxed();
        query = match (newest_first, after) {
            (true, Some(after)) => query.filter(conversation::id.lt(after)),
            (false, Some(after)) => query.filter(conversation::id.gt(after)),
            (_, None) => query,
        };
        if newest_first {
            query.order(conversation::id.desc()).load(conn)
        } else {
            query.order(conversation::id.asc()).load(conn)
        }
    }

    /// Renames the owner's conversation; 0 rows when it is not theirs.
    pub fn rename(
        conn: &mut DbConnection,
        id: i64,
        user_id: &str,
        title: &str,
    ) -> QueryResult<usize> {
        diesel::update(conversation::table)
            .filter(owned(id, user_id))
            .set(conversation::title.eq(title))
            .execute(conn)
    }

    /// Deletes the owner's conversation and (by cascade) its messages; 0 rows
    /// when it is not theirs.
    pub fn delete(conn: &mut DbConnection, id: i64, user_id: &str) -> QueryResult<usize> {
        diesel::delete(conversation::table)
            .filter(owned(id, user_id))
            .execute(conn)
    }
}
