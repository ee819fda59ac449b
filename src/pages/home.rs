//! `/`: the chat is the home of a signed-in person.

use actix_web::{HttpResponse, get};

use crate::auth::CurrentUser;
use crate::respond::{HOME, see_other};

#[get("/")]
pub async fn home(_current: CurrentUser) -> HttpResponse {
    see_other(HOME)
}
