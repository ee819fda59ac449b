//! The `user` table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{account, conversation, message, session, task, user};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = user)]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
    pub email_verified: bool,
    pub image: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = user)]
pub struct NewUser<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub email_verified: bool,
    pub image: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// How many rows of each kind a user owns (for operators).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserFootprint {
    pub sessions: i64,
    pub accounts: i64,
    pub tasks: i64,
    pub conversations: i64,
    pub messages: i64,
}

impl User {
    pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>) -> QueryResult<User> {
        diesel::insert_into(user::table).values(new).execute(conn)?;
        user::table
            .find(new.id)
            .select(User::as_select())
            .get_result(conn)
    }

    pub fn find_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<User>> {
        user::table
            .find(id)
            .select(User::as_select())
            .get_result(conn)
            .optional()
    }

    pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<User>> {
        user::table
            .filter(user::email.eq(email))
            .select(User::as_select())
            .get_result(conn)
            .optional()
    }

    pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<User>> {
        user::table
            .order(user::created_at.asc())
            .select(User::as_select())
            .load(conn)
    }

    /// Deletes the user; the database's cascades remove everything they own.
    /// Returns whether a user was deleted.
    pub fn delete_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
        Ok(diesel::delete(user::table.find(id)).execute(conn)? > 0)
    }

    pub fn footprint(conn: &mut DbConnection, id: &str) -> QueryResult<UserFootprint> {
        Ok(UserFootprint {
            sessions: session::table
                .filter(session::user_id.eq(id))
                .count()
                .get_result(conn)?,
            accounts: account::table
                .filter(account::user_id.eq(id))
                .count()
                .get_result(conn)?,
            tasks: task::table
                .filter(task::user_id.eq(id))
                .count()
                .get_result(conn)?,
            conversations: conversation::table
                .filter(conversation::user_id.eq(id))
                .count()
                .get_result(conn)?,
            messages: message::table
                .filter(message::user_id.eq(id))
                .count()
                .get_result(conn)?,
        })
    }
}
