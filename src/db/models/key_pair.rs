//! The `jwks` table: the key pairs JWTs are signed with. One is current (no
//! `expires_at`, enforced by a unique index); rotated ones keep the time they
//! stopped signing and are published until their last tokens expire.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::jwks;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = jwks)]
pub struct KeyPair {
    /// The tokens' `kid`.
    pub id: String,
    /// The public JWK, JSON.
    pub public_key: String,
    /// The private JWK, encrypted (see `auth::jwks::key`).
    pub private_key: String,
    pub alg: String,
    pub crv: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
}

impl KeyPair {
    /// The key new tokens are signed with, if there is one yet.
    pub fn find_current(conn: &mut DbConnection) -> QueryResult<Option<KeyPair>> {
        jwks::table
            .filter(jwks::expires_at.is_null())
            .select(KeyPair::as_select())
            .get_result(conn)
            .optional()
    }

    /// The current key; `candidate` becomes it if there is none. When several
    /// servers race to add theirs, the unique index lets one in and the
    /// others read it.
    pub fn find_or_add_current(
        conn: &mut DbConnection,
        candidate: &KeyPair,
    ) -> QueryResult<KeyPair> {
        if let Some(current) = KeyPair::find_current(conn)? {
            return Ok(current);
        }
        match diesel::insert_into(jwks::table)
            .values(candidate)
            .execute(conn)
        {
            Ok(_) => Ok(candidate.clone()),
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => KeyPair::find_current(conn)?.ok_or(diesel::result::Error::NotFound),
            Err(e) => Err(e),
        }
    }

    /// The current key and those that stopped signing after `retired_since`,
    /// newest first.
    pub fn list_published(
        conn: &mut DbConnection,
        retired_since: NaiveDateTime,
    ) -> QueryResult<Vec<KeyPair>> {
        jwks::table
            .filter(
                jwks::expires_at
                    .is_null()
                    .or(jwks::expires_at.gt(retired_since)),
            )
            .order(jwks::created_at.desc())
            .select(KeyPair::as_select())
            .load(conn)
    }

    /// Makes `new` the current key: the old one stops signing at `now`, and
    /// keys that stopped before `forget_before` (whose tokens have all
    /// expired) are deleted. Returns how many were deleted.
    pub fn rotate(
        conn: &mut DbConnection,
        new: &KeyPair,
        now: NaiveDateTime,
        forget_before: NaiveDateTime,
    ) -> QueryResult<usize> {
        conn.transaction(|conn| {
            diesel::update(jwks::table.filter(jwks::expires_at.is_null()))
                .set(jwks::expires_at.eq(now))
                .execute(conn)?;
            diesel::insert_into(jwks::table).values(new).execute(conn)?;
            diesel::delete(jwks::table.filter(jwks::expires_at.lt(forget_before))).execute(conn)
        })
    }

    pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<KeyPair>> {
        jwks::table
            .order(jwks::created_at.desc())
            .select(KeyPair::as_select())
            .load(conn)
    }
}
