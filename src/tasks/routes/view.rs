//! What the tasks page draws, and loading it.

use askama::Template;

use crate::db::DbPool;
use crate::db::models::{Task, TaskFilter};
use crate::error::AppError;
use crate::tasks::input::{FormErrors, TaskForm};
use crate::tasks::service::{self, Counts, Listing};

/// The filter tabs above the list.
pub trait Tabs {
    fn tabs(&self, filter: &str) -> [(&'static str, &'static str, i64, bool); 3];
}

impl Tabs for Counts {
    /// `(status, label, count, active)` of each filter tab.
    fn tabs(&self, filter: &str) -> [(&'static str, &'static str, i64, bool); 3] {
        [
            ("all", "All", self.all, filter == "all"),
            (
                "pending",
                "Pending",
                self.all - self.completed,
                filter == "pending",
            ),
            (
                "completed",
                "Completed",
                self.completed,
                filter == "completed",
            ),
        ]
    }
}

/// The whole page.
#[derive(Template)]
#[template(path = "tasks/page.html")]
pub struct TasksPage {
    pub email: String,
    pub filter: &'static str,
    pub tasks: Vec<Task>,
    pub counts: Counts,
    pub form: TaskForm,
    pub errors: FormErrors,
    pub oob: bool,
}

/// The list and the counts (after a filter change, a toggle or a delete).
#[derive(Template)]
#[template(path = "tasks/_changed.html")]
pub struct Changed {
    pub filter: &'static str,
    pub tasks: Vec<Task>,
    pub counts: Counts,
    pub oob: bool,
}

/// A fresh add form, with the list and counts out of band (after adding).
#[derive(Template)]
#[template(path = "tasks/_added.html")]
pub struct Added {
    pub filter: &'static str,
    pub tasks: Vec<Task>,
    pub counts: Counts,
    pub form: TaskForm,
    pub errors: FormErrors,
}

/// The add form again, with what was typed and what is wrong.
#[derive(Template)]
#[template(path = "tasks/_add.html")]
pub struct AddForm {
    pub filter: &'static str,
    pub form: TaskForm,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "tasks/_row.html")]
pub struct Row {
    pub filter: &'static str,
    pub task: Task,
}

#[derive(Template)]
#[template(path = "tasks/_edit.html")]
pub struct EditRow {
    pub filter: &'static str,
    pub task: Task,
    pub form: TaskForm,
    pub errors: FormErrors,
}

/// `?status=` of the page's links and forms; anything unknown shows all.
#[derive(serde::Deserialize, Default)]
pub struct FilterQuery {
    pub status: Option<String>,
}

impl FilterQuery {
    pub fn filter(&self) -> TaskFilter {
        self.status
            .as_deref()
            .and_then(TaskFilter::parse)
            .unwrap_or_default()
    }
}

/// The list and counts after a change, under `filter`.
pub async fn changed(
    pool: &DbPool,
    user_id: &str,
    filter: TaskFilter,
) -> Result<Changed, AppError> {
    let Listing { tasks, counts } = service::list_with_counts(pool, user_id, filter).await?;
    Ok(Changed {
        filter: filter.as_str(),
        tasks,
        counts,
        oob: false,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::tools::arbitrary::query_string;

    proptest! {
        #[test]
        fn any_page_filter_query_shows_the_named_filter_or_all(
            query in query_string(&["status"]),
        ) {
            if let Ok(page) = serde_urlencoded::from_str::<FilterQuery>(&query) {
                let named = page.status.as_deref().and_then(TaskFilter::parse);
                prop_assert_eq!(page.filter(), named.unwrap_or(TaskFilter::All));
            }
        }
    }
}
