//! Large answers share one budget of memory while they wait for their
//! clients.
//!
//! An answer is made whole before it is sent (a list of 5,000 tasks is up
//! to 25 MB of JSON when every title and description is at its longest in
//! four-byte characters) and stays in memory until its client has taken
//! it. Sixty clients asking for such a list and not reading held 1.5 GB
//! until the send timeout let them go. Every answer of [`LARGE`] bytes or
//! more now takes its size from a budget of [`BUDGET_BYTES`] for the whole
//! server, and gives it back once its last byte has been handed to the
//! socket or its connection is gone. An answer that does not fit is not
//! sent: its client is told to try again in a few seconds (`429` with
//! `Retry-After`), and its memory is freed at once.
//!
//! One user's answers may hold at most [`PER_USER`] of the places at once,
//! so one account whose clients never read cannot keep everyone else's
//! large answers refused (it would need several accounts).
//!
//! Such an answer is also handed to actix a slice at a time ([`SLICE`]):
//! actix asks for the next slice only once what it holds for the socket is
//! below 32 KB, so the answer is never copied whole into the connection's
//! write buffer, and what waits is the one copy the budget counts.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::AppError;

/// Memory all large answers waiting for their clients may hold together.
pub const BUDGET_BYTES: usize = 128 * 1024 * 1024;

/// Answers this large or larger count against the budget.
pub const LARGE: usize = 64 * 1024;

/// How much of a large answer actix is handed at a time.
pub const SLICE: usize = 64 * 1024;

/// Large answers one user may have waiting at once (the largest, a list of
/// 5,000 longest tasks, is 25 MB).
pub const PER_USER: usize = 2;

/// How soon a client whose answer did not fit is told to ask again.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// The server's budget, shared by its workers. Counted in KiB, so that any
/// answer's share fits a semaphore's `u32`.
#[derive(Clone)]
pub struct AnswerBudget {
    kib: Arc<Semaphore>,
    /// Large answers waiting, per user who has any.
    waiting: Waiting,
}

impl AnswerBudget {
    pub fn new(bytes: usize) -> Self {
        AnswerBudget {
            kib: Arc::new(Semaphore::new(bytes / 1024)),
            waiting: Arc::default(),
        }
    }

    /// One more large answer for `user`, unless they have [`PER_USER`]
    /// waiting already. Anonymous answers count only against the budget.
    fn user_place(&self, user: Option<String>) -> Option<UserPlace> {
        let Some(user) = user else {
            return Some(UserPlace(None));
        };
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let held = waiting.entry(user.clone()).or_default();
        if *held >= PER_USER {
            return None;
        }
        *held += 1;
        Some(UserPlace(Some((Arc::clone(&self.waiting), user))))
    }

    /// Middleware: see the module docs.
    pub async fn limit(
        self,
        req: ServiceRequest,
        next: Next<impl MessageBody + 'static>,
    ) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
        let res = next.call(req).await?;
        let len = match res.response().body().size() {
            BodySize::Sized(len) => usize::try_from(len).unwrap_or(usize::MAX),
            BodySize::None | BodySize::Stream => 0,
        };
        if len < LARGE {
            return Ok(res.map_into_boxed_body());
        }
        let kib = u32::try_from(len.div_ceil(1024)).unwrap_or(u32::MAX);
        let user = crate::auth::current_user::resolved_user_id(res.request());
        let place = self.user_place(user);
        let share = place.and_then(|place| {
            let share = Arc::clone(&self.kib).try_acquire_many_owned(kib).ok()?;
            Some((share, place))
        });
        let Some(share) = share else {
            let (req, _) = res.into_parts();
            let busy = AppError::RateLimited {
                retry_after: RETRY_AFTER,
            };
            return Ok(ServiceResponse::from_err(busy, req).map_into_boxed_body());
        };
        Ok(res.map_body(|_, body| match body.try_into_bytes() {
            Ok(bytes) => BoxBody::new(Sliced {
                rest: bytes,
                len: len as u64,
                _share: share,
            }),
            // A stream is not held whole: nothing to count.
            Err(body) => BoxBody::new(body),
        }))
    }
}

/// A large answer, handed out [`SLICE`] bytes at a time, holding its share
/// of the budget until it is dropped (sent, or its connection gone).
struct Sliced {
    rest: Bytes,
    len: u64,
    _share: (OwnedSemaphorePermit, UserPlace),
}

/// How many large answers each user has waiting.
type Waiting = Arc<Mutex<HashMap<String, usize>>>;

/// One of a user's [`PER_USER`] places, given back when dropped.
struct UserPlace(Option<(Waiting, String)>);

impl Drop for UserPlace {
    fn drop(&mut self) {
        let Some((waiting, user)) = self.0.take() else {
            return;
        };
        let mut waiting = waiting.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(held) = waiting.get_mut(&user) {
            *held -= 1;
            if *held == 0 {
                waiting.remove(&user);
            }
        }
    }
}

impl MessageBody for Sliced {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.len)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        if this.rest.is_empty() {
            return Poll::Ready(None);
        }
        let slice = this.rest.split_to(SLICE.min(this.rest.len()));
        Poll::Ready(Some(Ok(slice)))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    use super::{AnswerBudget, LARGE};

    async fn app(
        budget: AnswerBudget,
    ) -> impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
    > {
        test::init_service(
            App::new()
                .wrap(from_fn(move |req, next| budget.clone().limit(req, next)))
                .route(
                    "/large",
                    web::get().to(|| async { HttpResponse::Ok().body(vec![b'x'; LARGE * 3]) }),
                )
                .route(
                    "/small",
                    web::get().to(|| async { HttpResponse::Ok().body("small") }),
                ),
        )
        .await
    }

    #[actix_web::test]
    async fn a_large_answer_holds_its_share_until_it_is_gone() {
        let budget = AnswerBudget::new(LARGE * 4);
        let app = app(budget.clone()).await;
        let first =
            test::call_service(&app, test::TestRequest::get().uri("/large").to_request()).await;
        assert_eq!(first.status(), 200);
        assert_eq!(budget.kib.available_permits(), LARGE / 1024);

        // A second does not fit while the first waits: ask again later.
        let second =
            test::call_service(&app, test::TestRequest::get().uri("/large").to_request()).await;
        assert_eq!(second.status(), 429);
        assert_eq!(second.headers().get("retry-after").unwrap(), "5");
        // Small answers never count.
        let small =
            test::call_service(&app, test::TestRequest::get().uri("/small").to_request()).await;
        assert_eq!(small.status(), 200);

        // The first, sent whole, in slices, gives its share back.
        let body = test::read_body(first).await;
        assert_eq!(body.len(), LARGE * 3);
        assert_eq!(budget.kib.available_permits(), LARGE * 4 / 1024);
        let third =
            test::call_service(&app, test::TestRequest::get().uri("/large").to_request()).await;
        assert_eq!(third.status(), 200);
    }

    #[actix_web::test]
    async fn a_large_answer_is_handed_out_a_slice_at_a_time_with_its_length() {
        use actix_web::body::{BodySize, MessageBody};
        let app = app(AnswerBudget::new(LARGE * 4)).await;
        let res =
            test::call_service(&app, test::TestRequest::get().uri("/large").to_request()).await;
        let mut body = res.into_body();
        assert_eq!(body.size(), BodySize::Sized((LARGE * 3) as u64));
        let mut slices = Vec::new();
        while let Some(slice) =
            futures_util::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_next(cx)).await
        {
            slices.push(slice.map_or(0, |s| s.len()));
        }
        assert_eq!(slices, [super::SLICE; 3]);
    }
}
