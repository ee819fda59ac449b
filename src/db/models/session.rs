//! The `session` table. `token` is the SHA-256 of the token the client holds,
//! so a leaked table does not leak usable sessions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{session, user};

use super::User;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = session)]
pub struct Session {
    pub id: String,
    pub token: String,
    pub user_id: String,
    pub expires_at: NaiveDateTime,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = session)]
pub struct NewSession<'a> {
    pub id: &'a str,
    pub token: &'a str,
    pub user_id: &'a str,
    pub expires_at: NaiveDateTime,
    pub ip_address: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A session row together with its owner, as every authenticated request needs.
#[derive(Debug, Clone)]
pub struct SessionWithUser {
    pub session: Session,
    pub user: User,
}

impl Session {
    pub fn insert(conn: &mut DbConnection, new: &NewSession<'_>) -> QueryResult<Session> {
        diesel::insert_into(session::table)
            .values(new)
            .execute(conn)?;
        session::table
            .find(new.id)
            .select(Session::as_select())
            .get_result(conn)
    }

    /// The unexpired session whose token hashes to `token_hash`, with its user.
    pub fn find_active_by_token_hash(
        conn: &mut DbConnection,
        token_hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<SessionWithUser>> {
        session::table
            .inner_join(user::table)
            .filter(session::token.eq(token_hash))
            .filter(session::expires_at.gt(now))
            .select((Session::as_select(), User::as_select()))
            .get_result(conn)
            .optional()
            .map(|found| found.map(|(session, user)| SessionWithUser { session, user }))
    }

    /// The unexpired session `id` of `user_id`, with its user (what a JWT names).
    pub fn find_active_by_id_and_user(
        conn: &mut DbConnection,
        id: &str,
        user_id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<SessionWithUser>> {
        session::table
            .inner_join(user::table)
            .filter(session::id.eq(id))
            .filter(session::user_id.eq(user_id))
            .filter(session::expires_at.gt(now))
            .select((Session::as_select(), User::as_select()))
            .get_result(conn)
            .optional()
            .map(|found| found.map(|(session, user)| SessionWithUser { session, user }))
    }

    /// Pushes the expiry of a session forward (sliding expiry).
    pub fn extend(
        conn: &mut DbConnection,
        id: &str,
        expires_at: NaiveDateTime,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(session::table.find(id))
            .set((
                session::expires_at.eq(expires_at),
                session::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// Deletes the session with this token hash; true if there was one.
    pub fn delete_by_token_hash(conn: &mut DbConnection, token_hash: &str) -> QueryResult<bool> {
        Ok(diesel::delete(session::table.filter(session::token.eq(token_hash))).execute(conn)? > 0)
    }

    /// Deletes the expired session with this token hash, if any.
    pub fn delete_expired_by_token_hash(
        conn: &mut DbConnection,
        token_hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::delete(
            session::table
                .filter(session::token.eq(token_hash))
                .filter(session::expires_at.le(now)),
        )
        .execute(conn)
        .map(|_| ())
    }

    /// Deletes every expired session; returns how many.
    pub fn delete_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
        diesel::delete(session::table.filter(session::expires_at.le(now))).execute(conn)
    }

    pub fn delete_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
        Ok(diesel::delete(session::table.find(id)).execute(conn)? > 0)
    }

    /// Deletes the user's session `id` (a JWT names it by `sid`).
    pub fn delete_by_id_and_user(
        conn: &mut DbConnection,
        id: &str,
        user_id: &str,
    ) -> QueryResult<bool> {
        let owned = session::id.eq(id).and(session::user_id.eq(user_id));
        Ok(diesel::delete(session::table.filter(owned)).execute(conn)? > 0)
    }

    pub fn delete_all_of_user(conn: &mut DbConnection, user_id: &str) -> QueryResult<usize> {
        diesel::delete(session::table.filter(session::user_id.eq(user_id))).execute(conn)
    }

    /// Every session (of one user, if given), newest first, with its owner.
    pub fn list(
        conn: &mut DbConnection,
        user_id: Option<&str>,
    ) -> QueryResult<Vec<SessionWithUser>> {
        let mut query = session::table
            .inner_join(user::table)
            .select((Session::as_select(), User::as_select()))
            .order(session::created_at.desc())
            .into_boxed();
        if let Some(user_id) = user_id {
            query = query.filter(session::user_id.eq(user_id.to_owned()));
        }
        Ok(query
            .load::<(Session, User)>(conn)?
            .into_iter()
            .map(|(session, user)| SessionWithUser { session, user })
            .collect())
    }
}
