//! What HTMX adds to a request and asks of a response: whether it made the
//! request, and `Vary: HX-Request` on a URL that answers it differently.
//! At the bottom floor, so the error renderer and the pages both use it.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};

/// Whether HTMX made the request (it wants a fragment, or a toast for an error).
pub fn is_htmx(req: &HttpRequest) -> bool {
    req.headers().contains_key("hx-request")
}

/// Marks a response whose body depends on `HX-Request` (a page or its
/// fragment), so caches and the back button keep the two apart.
pub fn vary_on_htmx(mut response: HttpResponse) -> HttpResponse {
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    response
}
