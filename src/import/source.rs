//! The old deployment's database, opened read-only: which of the tables we
//! know it has, under which names, and their rows as text.
//!
//! Better-Auth's column names depend on its configuration (camelCase by
//! default, snake_case in some setups) and the backend's tables on whoever
//! wrote it, so each column is looked up among the names it goes by. Every
//! value is read as text (`CAST(… AS TEXT)`) and parsed here, which makes
//! PostgreSQL's `timestamptz` and booleans and SQLite's ISO strings and 0/1
//! one problem.

use anyhow::{Context, bail};
use diesel::connection::SimpleConnection;
use diesel::sql_types::{Nullable, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};

use crate::db::{Backend, DbConnection};

/// A table we read, the names it goes by, and its columns.
pub struct TableSpec {
    pub label: &'static str,
    pub names: &'static [&'static str],
    pub columns: &'static [ColumnSpec],
    /// Rows are read in the order of the first of these columns the table has.
    pub order_by: &'static [usize],
}

/// A column, the names it goes by (camelCase first, then snake_case), and
/// whether the import cannot go on without it.
pub struct ColumnSpec {
    pub names: &'static [&'static str],
    pub needed: bool,
}

const fn needed(names: &'static [&'static str]) -> ColumnSpec {
    ColumnSpec {
        names,
        needed: true,
    }
}

const fn optional(names: &'static [&'static str]) -> ColumnSpec {
    ColumnSpec {
        names,
        needed: false,
    }
}

/// Better-Auth's `user`; column order is the index rows are read by.
pub const USERS: TableSpec = TableSpec {
    label: "user",
    names: &["user", "users"],
    columns: &[
        needed(&["id"]),
        needed(&["email"]),
        optional(&["name"]),
        optional(&["emailVerified", "email_verified"]),
        optional(&["image"]),
        optional(&["createdAt", "created_at"]),
        optional(&["updatedAt", "updated_at"]),
    ],
    order_by: &[5, 0],
};

pub const ACCOUNTS: TableSpec = TableSpec {
    label: "account",
    names: &["account", "accounts"],
    columns: &[
        optional(&["id"]),
        needed(&["userId", "user_id"]),
        needed(&["providerId", "provider_id"]),
        needed(&["password"]),
        optional(&["createdAt", "created_at"]),
        optional(&["updatedAt", "updated_at"]),
    ],
    order_by: &[4, 0],
};

pub const TASKS: TableSpec = TableSpec {
    label: "tasks",
    names: &["tasks", "task"],
    columns: &[
        optional(&["id"]),
        needed(&["user_id", "userId"]),
        needed(&["title"]),
        optional(&["description"]),
        optional(&["completed"]),
        optional(&["created_at", "createdAt"]),
        optional(&["updated_at", "updatedAt"]),
    ],
    order_by: &[0, 5],
};

pub const CONVERSATIONS: TableSpec = TableSpec {
    label: "conversations",
    names: &["conversations", "conversation"],
    columns: &[
        needed(&["id"]),
        needed(&["user_id", "userId"]),
        optional(&["title"]),
        optional(&["created_at", "createdAt"]),
        optional(&["updated_at", "updatedAt"]),
    ],
    order_by: &[0, 3],
};

pub const MESSAGES: TableSpec = TableSpec {
    label: "messages",
    names: &["messages", "message"],
    columns: &[
        optional(&["id"]),
        needed(&["conversation_id", "conversationId"]),
        optional(&["user_id", "userId"]),
        needed(&["role"]),
        needed(&["content"]),
        optional(&["created_at", "createdAt"]),
    ],
    order_by: &[0, 5],
};

/// The most columns a spec has; every read selects this many.
const MAX_COLUMNS: usize = 8;

/// A table as found in the source: its real name and, per spec column, the
/// real column name if it has one.
#[derive(Debug, Clone)]
pub struct FoundTable {
    pub name: String,
    pub columns: Vec<Option<String>>,
}

impl FoundTable {
    /// "camelCase" or "snake_case" when the columns say which, for the report.
    pub fn naming(&self) -> Option<&'static str> {
        let found = self.columns.iter().flatten();
        let camel = found.clone().any(|c| c.chars().any(char::is_uppercase));
        let snake = found.clone().any(|c| c.contains('_'));
        match (camel, snake) {
            (true, false) => Some("camelCase"),
            (false, true) => Some("snake_case"),
            _ => None,
        }
    }
}

/// One row: the spec's columns, in its order, as text.
#[derive(Debug, Clone, QueryableByName)]
pub struct RawRow {
    #[diesel(sql_type = Nullable<Text>)]
    c0: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c2: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c3: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c4: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c5: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c6: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c7: Option<String>,
}

impl RawRow {
    /// The value of the spec's column `index`; `None` for NULL or a column the table lacks.
    pub fn get(&self, index: usize) -> Option<&str> {
        [
            &self.c0, &self.c1, &self.c2, &self.c3, &self.c4, &self.c5, &self.c6, &self.c7,
        ]
        .get(index)
        .and_then(|v| v.as_deref())
    }

    pub fn take(&mut self, index: usize) -> Option<String> {
        [
            &mut self.c0,
            &mut self.c1,
            &mut self.c2,
            &mut self.c3,
            &mut self.c4,
            &mut self.c5,
            &mut self.c6,
            &mut self.c7,
        ]
        .into_iter()
        .nth(index)
        .and_then(Option::take)
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The source database.
pub struct Source {
    conn: DbConnection,
    tables: Vec<String>,
}

impl Source {
    /// Opens `url` (`postgres://…` or `sqlite://…`) for reading only.
    pub fn open(url: &str) -> anyhow::Result<Source> {
        let mut conn = match Backend::from_url(url)? {
            Backend::Sqlite(path) => {
                if !std::path::Path::new(&path).is_file() {
                    bail!("there is no SQLite database at {path}");
                }
                let uri = format!("file:{}?mode=ro", encode_path(&path));
                DbConnection::Sqlite(
                    SqliteConnection::establish(&uri)
                        .with_context(|| format!("could not open the SQLite database {path}"))?,
                )
            }
            postgres @ Backend::Postgres(_) => {
                let mut conn = postgres
                    .connect()
                    .context("could not connect to the source database")?;
                // Timestamps as UTC text; one consistent snapshot; no writes.
                conn.batch_execute(
                    "SET TIME ZONE 'UTC'; \
                     BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;",
                )
                .context("could not start reading the source database")?;
                conn
            }
        };
        let tables = match conn {
            DbConnection::Sqlite(_) => names(
                &mut conn,
                "SELECT name AS name FROM sqlite_master WHERE type IN ('table', 'view')",
            ),
            DbConnection::Pg(_) => names(
                &mut conn,
                "SELECT table_name::text AS name FROM information_schema.tables \
                 WHERE table_schema = current_schema()",
            ),
        }
        .context("could not list the source's tables")?;
        Ok(Source { conn, tables })
    }

    /// The table `spec` describes, if the source has it under one of its names.
    pub fn find(&mut self, spec: &TableSpec) -> anyhow::Result<Option<FoundTable>> {
        let Some(name) = spec
            .names
            .iter()
            .find_map(|want| pick(&self.tables, want))
            .map(str::to_owned)
        else {
            return Ok(None);
        };
        let query = match self.conn {
            DbConnection::Sqlite(_) => format!(
                "SELECT name AS name FROM pragma_table_info({})",
                literal(&name)
            ),
            DbConnection::Pg(_) => format!(
                "SELECT column_name::text AS name FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = {}",
                literal(&name)
            ),
        };
        let present = names(&mut self.conn, &query)
            .with_context(|| format!("could not read the columns of {name}"))?;
        let columns = spec
            .columns
            .iter()
            .map(|column| {
                column
                    .names
                    .iter()
                    .find_map(|want| pick(&present, want))
                    .map(str::to_owned)
            })
            .collect();
        Ok(Some(FoundTable { name, columns }))
    }

    /// Every row of `table` (found by `spec`), in the spec's order, as text.
    pub fn rows(&mut self, spec: &TableSpec, table: &FoundTable) -> anyhow::Result<Vec<RawRow>> {
        let select: Vec<String> = (0..MAX_COLUMNS)
            .map(|i| match table.columns.get(i).and_then(Option::as_ref) {
                Some(column) => format!("CAST({} AS TEXT) AS c{i}", ident(column)),
                None => format!("CAST(NULL AS TEXT) AS c{i}"),
            })
            .collect();
        let order = spec
            .order_by
            .iter()
            .find_map(|&i| table.columns.get(i).and_then(Option::as_ref))
            .map(|column| format!(" ORDER BY {}", ident(column)))
            .unwrap_or_default();
        let query = format!(
            "SELECT {} FROM {}{order}",
            select.join(", "),
            ident(&table.name)
        );
        diesel::sql_query(query)
            .load(&mut self.conn)
            .with_context(|| format!("could not read {}", table.name))
    }
}

fn names(conn: &mut DbConnection, query: &str) -> diesel::QueryResult<Vec<String>> {
    let rows: Vec<Name> = diesel::sql_query(query).load(conn)?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// `want` among `present`: exactly, else ignoring case (PostgreSQL folds
/// unquoted names to lower case).
fn pick<'a>(present: &'a [String], want: &str) -> Option<&'a str> {
    present
        .iter()
        .find(|p| p.as_str() == want)
        .or_else(|| present.iter().find(|p| p.eq_ignore_ascii_case(want)))
        .map(String::as_str)
}

fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A path as the path of a `file:` URI: the characters a URI gives meaning to, escaped.
fn encode_path(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, &URI_PATH).to_string()
}

const URI_PATH: percent_encoding::AsciiSet = percent_encoding::CONTROLS
    .add(b'%')
    .add(b'?')
    .add(b'#')
    .add(b' ');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_fits_the_row() {
        for spec in [USERS, ACCOUNTS, TASKS, CONVERSATIONS, MESSAGES] {
            assert!(spec.columns.len() <= MAX_COLUMNS, "{}", spec.label);
        }
    }

    #[test]
    fn names_match_exactly_first_then_ignoring_case() {
        let present = vec!["emailverified".to_owned(), "emailVerified".to_owned()];
        assert_eq!(pick(&present, "emailVerified"), Some("emailVerified"));
        let folded = vec!["emailverified".to_owned()];
        assert_eq!(pick(&folded, "emailVerified"), Some("emailverified"));
        assert_eq!(pick(&folded, "email_verified"), None);
    }

    #[test]
    fn identifiers_and_paths_are_quoted() {
        assert_eq!(ident("us\"er"), "\"us\"\"er\"");
        assert_eq!(literal("o'k"), "'o''k'");
        assert_eq!(encode_path("/a b/c?#.db"), "/a%20b/c%3F%23.db");
    }
}
