//! The task list's query (`?status=…&sort=…`), parsed strictly: an unknown
//! filter or order is refused, not ignored.

use serde::Deserialize;

use crate::db::models::{TaskFilter, TaskSort};
use crate::error::AppError;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `all` (default), `pending` or `completed`.
    #[param(value_type = Option<TaskFilter>)]
    status: Option<String>,
    /// `created` (default, oldest first) or `title`.
    #[param(value_type = Option<TaskSort>)]
    sort: Option<String>,
}

impl ListQuery {
    /// The filter and order asked for; an unknown one is refused, not ignored.
    pub(super) fn parse(&self) -> Result<(TaskFilter, TaskSort), AppError> {
        let filter = match self.status.as_deref() {
            None => TaskFilter::All,
            Some(s) => TaskFilter::parse(s).ok_or_else(|| {
                AppError::invalid("INVALID_QUERY", "status must be all, pending or completed.")
            })?,
        };
        let sort = match self.sort.as_deref() {
            None => TaskSort::Created,
            Some(s) => TaskSort::parse(s).ok_or_else(|| {
                AppError::invalid("INVALID_QUERY", "sort must be created or title.")
            })?,
        };
        Ok((filter, sort))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::tools::arbitrary::query_string;

    proptest! {
        #[test]
        fn any_task_list_query_parses_to_a_named_filter_and_sort_or_is_refused(
            query in query_string(&["status", "sort"]),
        ) {
            if let Ok(list) = serde_urlencoded::from_str::<ListQuery>(&query)
                && let Ok((filter, sort)) = list.parse()
            {
                // What was asked for is what is used; nothing is guessed.
                let named = |asked: &Option<String>, parse: &dyn Fn(&str) -> bool| {
                    asked.as_deref().is_none_or(parse)
                };
                prop_assert!(named(&list.status, &|s| TaskFilter::parse(s) == Some(filter)));
                prop_assert!(named(&list.sort, &|s| TaskSort::parse(s) == Some(sort)));
                prop_assert!(list.status.is_some() || filter == TaskFilter::All);
                prop_assert!(list.sort.is_some() || sort == TaskSort::Created);
            }
        }
    }
}
