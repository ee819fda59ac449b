//! `/tasks`: the list with its filter tabs and counts, and adding a task.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::view::{self, AddForm, Added, FilterQuery, TasksPage};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::models::TaskFilter;
use crate::error::AppError;
use crate::htmx::{is_htmx, vary_on_htmx};
use crate::respond::{html, see_other};
use crate::tasks::input::{FormErrors, TaskForm};
use crate::tasks::service::{self, Listing, NewTask};

/// The page, or (for HTMX, after a filter tab) the list and counts alone.
#[get("/tasks")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = query.filter();
    let response = if is_htmx(&req) {
        let changed = view::changed(&state.pool, &current.user.id, filter).await?;
        html(&changed, StatusCode::OK)?
    } else {
        let page = whole_page(&state, &current, filter, TaskForm::default(), None).await?;
        html(&page, StatusCode::OK)?
    };
    Ok(vary_on_htmx(response))
}

#[post("/tasks")]
pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
    query: web::Query<FilterQuery>,
    form: web::Form<TaskForm>,
) -> Result<HttpResponse, AppError> {
    let filter = query.filter();
    let form = form.into_inner();
    let (title, description) = match form.parse() {
        Ok(parsed) => parsed,
        Err(errors) if is_htmx(&req) => {
            let filter = filter.as_str();
            let again = AddForm {
                filter,
                form,
                errors,
            };
            return html(&again, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(errors) => {
            let page = whole_page(&state, &current, filter, form, Some(errors)).await?;
            return html(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let new = NewTask {
        title,
        description,
        completed: false,
    };
    service::create(&state.pool, &current.user.id, new).await??;
    if !is_htmx(&req) {
        return Ok(see_other(&format!("/tasks?status={}", filter.as_str())));
    }
    let Listing { tasks, counts } =
        service::list_with_counts(&state.pool, &current.user.id, filter).await?;
    let added = Added {
        filter: filter.as_str(),
        tasks,
        counts,
        form: TaskForm::default(),
        errors: FormErrors::default(),
    };
    html(&added, StatusCode::OK)
}

/// The whole page under `filter`, with the add form as typed and what is wrong with it.
async fn whole_page(
    state: &AppState,
    current: &CurrentUser,
    filter: TaskFilter,
    form: TaskForm,
    errors: Option<FormErrors>,
) -> Result<TasksPage, AppError> {
    let Listing { tasks, counts } =
        service::list_with_counts(&state.pool, &current.user.id, filter).await?;
    Ok(TasksPage {
        email: current.user.email.clone(),
        filter: filter.as_str(),
        tasks,
        counts,
        form,
        errors: errors.unwrap_or_default(),
        oob: false,
    })
}
