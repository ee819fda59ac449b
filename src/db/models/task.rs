//! The `task` table. Every query names the owner; another user's task is
//! indistinguishable from one that does not exist.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::task;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = task)]
pub struct Task {
    pub id: i64,
    pub user_id: String,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = task)]
pub struct TaskInsertForm<'a> {
    pub user_id: &'a str,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub completed: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The fields an edit may change; `None` leaves a field as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = task)]
pub struct TaskUpdateForm<'a> {
    pub title: Option<&'a str>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<&'a str>>,
    pub completed: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Which tasks a listing shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum TaskFilter {
    #[default]
    All,
    Pending,
    Completed,
}

impl TaskFilter {
    /// `all`, `pending` or `completed` (trimmed, any case).
    pub fn parse(s: &str) -> Option<TaskFilter> {
        match s.trim().to_ascii_lowercase().as_str() {
            "all" => Some(TaskFilter::All),
            "pending" => Some(TaskFilter::Pending),
            "completed" => Some(TaskFilter::Completed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaskFilter::All => "all",
            TaskFilter::Pending => "pending",
            TaskFilter::Completed => "completed",
        }
    }
}

/// The order of a listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum TaskSort {
    /// Oldest first.
    #[default]
    Created,
    /// Alphabetically by title.
    Title,
}

impl TaskSort {
    pub fn parse(s: &str) -> Option<TaskSort> {
        match s.trim().to_ascii_lowercase().as_str() {
            "created" | "created_at" => Some(TaskSort::Created),
            "title" => Some(TaskSort::Title),
            _ => None,
        }
    }
}

impl Task {
    pub fn insert(conn: &mut DbConnection, form: &TaskInsertForm<'_>) -> QueryResult<Task> {
        crate::per_backend!(conn, c => diesel::insert_into(task::table)
            .values(form)
            .returning(Task::as_returning())
            .get_result(c))
    }

    pub fn find_by_id_and_user(
        conn: &mut DbConnection,
        id: i64,
        user_id: &str,
    ) -> QueryResult<Task> {
        task::table
            .filter(task::id.eq(id).and(task::user_id.eq(user_id)))
            .select(Task::as_select())
            .get_result(conn)
    }

    /// How many tasks the owner has: `(all, completed)`.
    /// One statement: a count per state.
    pub fn counts_by_user(conn: &mut DbConnection, user_id: &str) -> QueryResult<(i64, i64)> {
        let per_state: Vec<(bool, i64)> = task::table
            .filter(task::user_id.eq(user_id))
            .group_by(task::completed)
            .select((task::completed, diesel::dsl::count_star()))
            .load(conn)?;
        let count = |done: bool| {
            per_state
                .iter()
                .filter(|(completed, _)| *completed == done)
                .map(|(_, n)| n)
                .sum::<i64>()
        };
        Ok((count(false) + count(true), count(true)))
    }

    /// The owner's tasks that pass `filter`, in `sort` order.
    pub fn list_by_user(
        conn: &mut DbConnection,
        user_id: &str,
        filter: TaskFilter,
        sort: TaskSort,
    ) -> QueryResult<Vec<Task>> {
        let mut query = task::table
            .filter(task::user_id.eq(user_id))
            .select(Task::as_select())
            .into_boxed();
        query = match sort {
            TaskSort::Created => query.order(task::id.asc()),
            TaskSort::Title => query.order((task::title.asc(), task::id.asc())),
        };
        match filter {
            TaskFilter::All => {}
            TaskFilter::Pending => query = query.filter(task::completed.eq(false)),
            TaskFilter::Completed => query = query.filter(task::completed.eq(true)),
        }
        query.load(conn)
    }

    /// Applies `form` to the owner's task and returns it as stored; `NotFound` if
    /// there is no such task of this owner.
    pub fn update_by_id_and_user(
        conn: &mut DbConnection,
        id: i64,
        user_id: &str,
        form: &TaskUpdateForm<'_>,
    ) -> QueryResult<Task> {
        let owned = task::id.eq(id).and(task::user_id.eq(user_id));
        crate::per_backend!(conn, c => diesel::update(task::table.filter(owned))
            .set(form)
            .returning(Task::as_returning())
            .get_result(c))
    }

    /// Flips the owner's task between pending and completed.
    pub fn toggle_by_id_and_user(
        conn: &mut DbConnection,
        id: i64,
        user_id: &str,
    ) -> QueryResult<Task> {
        let owned = task::id.eq(id).and(task::user_id.eq(user_id));
        let now = crate::db::now();
        crate::per_backend!(conn, c => diesel::update(task::table.filter(owned))
            .set((task::completed.eq(diesel::dsl::not(task::completed)), task::updated_at.eq(now)))
            .returning(Task::as_returning())
            .get_result(c))
    }

    /// Deletes the owner's task and returns what it was; `NotFound` if there is none.
    /// One statement: on SQLite a read-then-delete transaction fails with
    /// "database is locked" when another write lands between the two.
    pub fn delete_by_id_and_user(
        conn: &mut DbConnection,
        id: i64,
        user_id: &str,
    ) -> QueryResult<Task> {
        let owned = task::id.eq(id).and(task::user_id.eq(user_id));
        crate::per_backend!(conn, c => diesel::delete(task::table.filter(owned))
            .returning(Task::as_returning())
            .get_result(c))
    }
}
