//! The `account` table: how a user proves who they are. Passwords live in
//! the `credential` account as an argon2id PHC string.

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
}
