//! A request body must arrive within [`BODY_DEADLINE`] of its headers.
//!
//! actix's `client_request_timeout` covers only the headers: a client that
//! trickles its body a byte at a time would otherwise hold a connection (and
//! whatever the handler holds) for as long as it likes. The payload is wrapped
//! in a stream that fails once the deadline passes, and the answer is a 408
//! that closes the connection, whatever the handler made of the failed read.
//!
//! An answer given before the body was read (a 408, or a 401 that never
//! looked at it) closes the connection too ([`close_if_unread`]): the payload
//! is kept alive until the answer is sent, so actix closes the connection
//! instead of draining a body the client may trickle forever.

use std::cell::{Cell, RefCell};
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::HttpMessage;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use futures_util::Stream;
use tokio::time::{Instant, Sleep, sleep_until};

use crate::error::AppError;

/// How long a request body may take to arrive, in total. Our largest body
/// (64 KiB) needs 6.5 KiB/s, far below any working connection.
pub const BODY_DEADLINE: Duration = Duration::from_secs(10);

/// Middleware: see the module docs.
pub async fn limit(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !has_body(&req) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let timed_out = Rc::new(Cell::new(false));
    let inner = Rc::new(RefCell::new(req.take_payload()));
    req.set_payload(Payload::Stream {
        payload: Box::pin(Deadline {
            inner,
            deadline: Instant::now() + BODY_DEADLINE,
            sleep: None,
            timed_out: Rc::clone(&timed_out),
        }),
    });
    let res = next.call(req).await?;
    if timed_out.get() {
        let (req, _) = res.into_parts();
        return Ok(ServiceResponse::from_err(AppError::RequestTimeout, req));
    }
    Ok(res.map_into_boxed_body())
}

/// Middleware, outermost (so no other one replaces the answer after it):
/// the request's payload is held by the answer until it is sent, and actix
/// closes a connection whose body was not read to its end.
pub async fn close_if_unread(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !has_body(&req) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let payload = Rc::new(RefCell::new(req.take_payload()));
    req.set_payload(Payload::Stream {
        payload: Box::pin(Shared(Rc::clone(&payload))),
    });
    let res = next.call(req).await?;
    Ok(res.map_body(|_, body| {
        BoxBody::new(HoldingBody {
            body: body.boxed(),
            _payload: payload,
        })
    }))
}

/// An answer's body that keeps the request's payload alive until it has
/// been sent, when actix decides whether to close the connection.
struct HoldingBody {
    body: BoxBody,
    _payload: Rc<RefCell<Payload>>,
}

impl MessageBody for HoldingBody {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

/// A payload read through a shared handle.
struct Shared(Rc<RefCell<Payload>>);

impl Stream for Shared {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut *self.0.borrow_mut()).poll_next(cx)
    }
}

/// Whether the request announces a body (a length above zero, or chunks).
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0")
}

/// The payload, failing once `deadline` has passed.
struct Deadline<S> {
    inner: Rc<RefCell<S>>,
    deadline: Instant,
    /// Made on first read, so a body nobody reads costs no timer.
    sleep: Option<Pin<Box<Sleep>>>,
    timed_out: Rc<Cell<bool>>,
}

impl<S> Stream for Deadline<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.timed_out.get() {
            return Poll::Ready(None);
        }
        let deadline = this.deadline;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(sleep_until(deadline)));
        if sleep.as_mut().poll(cx).is_ready() {
            this.timed_out.set(true);
            return Poll::Ready(Some(Err(PayloadError::Io(io::Error::new(
                io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            )))));
        }
        Pin::new(&mut *this.inner.borrow_mut()).poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    #[tokio::test]
    async fn a_body_that_stops_arriving_fails_at_the_deadline_and_stays_failed() {
        let timed_out = Rc::new(Cell::new(false));
        let mut body = Deadline {
            inner: Rc::new(RefCell::new(futures_util::stream::pending::<
                Result<Bytes, PayloadError>,
            >())),
            deadline: Instant::now() + Duration::from_millis(20),
            sleep: None,
            timed_out: Rc::clone(&timed_out),
        };
        let read = body.next().await;
        assert!(matches!(read, Some(Err(PayloadError::Io(_)))));
        assert!(timed_out.get());
        assert!(body.next().await.is_none());
    }

    #[tokio::test]
    async fn a_body_that_arrives_in_time_passes_unchanged() {
        let timed_out = Rc::new(Cell::new(false));
        let chunks = vec![Ok(Bytes::from_static(b"ab")), Ok(Bytes::from_static(b"c"))];
        let body = Deadline {
            inner: Rc::new(RefCell::new(futures_util::stream::iter(chunks))),
            deadline: Instant::now() + BODY_DEADLINE,
            sleep: None,
            timed_out: Rc::clone(&timed_out),
        };
        let read: Vec<_> = body.map(|c| c.unwrap()).collect().await;
        assert_eq!(
            read,
            vec![Bytes::from_static(b"ab"), Bytes::from_static(b"c")]
        );
        assert!(!timed_out.get());
    }
}
