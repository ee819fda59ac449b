//! The `account` table: how a user proves who they are. Passwords live in
//! the `credential` account as an argon2id PHC string (or, for an account
//! imported from Better-Auth that has not signed in since, its scrypt hash).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{account, user};

use super::User;

pub const CREDENTIAL_PROVIDER: &str = "credential";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = account)]
pub struct Account {
    pub id: String,
    pub account_id: String,
    pub provider_id: String,
    pub user_id: String,
    pub password: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = account)]
pub struct NewAccount<'a> {
    pub id: &'a str,
    pub account_id: &'a str,
    pub provider_id: &'a str,
    pub user_id: &'a str,
    pub password: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Account {
    pub fn insert(conn: &mut DbConnection, new: &NewAccount<'_>) -> QueryResult<()> {
        diesel::insert_into(account::table)
            .values(new)
            .execute(conn)
            .map(|_| ())
    }

    /// The user with this email and their password hash, if they have one.
    pub fn find_credential_by_email(
        conn: &mut DbConnection,
        email: &str,
    ) -> QueryResult<Option<(User, String)>> {
        let found: Option<(User, Option<String>)> = user::table
            .inner_join(account::table)
            .filter(user::email.eq(email))
            .filter(account::provider_id.eq(CREDENTIAL_PROVIDER))
            .select((User::as_select(), account::password))
            .get_result(conn)
            .optional()?;
        Ok(found.and_then(|(user, hash)| hash.map(|hash| (user, hash))))
    }

    /// Replaces the user's password hash `old` with `new`; does nothing if
    /// the hash changed meanwhile (another sign-in upgraded it first).
    pub fn replace_password(
        conn: &mut DbConnection,
        user_id: &str,
        old: &str,
        new: &str,
    ) -> QueryResult<usize> {
        diesel::update(account::table)
            .filter(account::user_id.eq(user_id))
            .filter(account::provider_id.eq(CREDENTIAL_PROVIDER))
            .filter(account::password.eq(old))
            .set((
                account::password.eq(new),
                account::updated_at.eq(crate::db::now()),
            ))
            .execute(conn)
    }

    /// The password hash of the user's credential account, if they have one.
    pub fn find_password_by_user(
        conn: &mut DbConnection,
        user_id: &str,
    ) -> QueryResult<Option<String>> {
        let found: Option<Option<String>> = account::table
            .filter(account::user_id.eq(user_id))
            .filter(account::provider_id.eq(CREDENTIAL_PROVIDER))
            .select(account::password)
            .get_result(conn)
            .optional()?;
        Ok(found.flatten())
    }
}
