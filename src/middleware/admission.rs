//! Admission: each worker lets a bounded number of requests into the
//! application at once; the rest wait, as cheaply as waiting can be made.
//!
//! A crowd of 10,000 keep-alive connections each with a request in flight
//! would otherwise build 10,000 middleware and handler futures, all waiting
//! for the same few database threads. More requests inside than the database
//! and the CPU can serve buys no throughput, only memory (measured with
//! `bench/crowd.sh`: a request inside costs about 9 KB more than one waiting
//! at the door).
//!
//! Waiting is not free either: a request let in later is woken and polled
//! once more, when its connection's state has left the CPU's caches. With 64
//! places a worker, 1,000 connections cost 25–50 % more CPU per request than
//! 50 did. With [`PER_WORKER`] places it stays open up to 512 requests a
//! worker (1,000 connections on two workers) and closes only for a crowd
//! whose memory it must bound: about 5 MB of requests inside, per worker.
//!
//! While the door is full, a kept-alive connection with nothing in the
//! application does not read its next request ([`Gated`]): the request stays
//! in the kernel's buffer, where it costs the server nothing, instead of
//! being parsed into a request head (about 7 KB each, in actix-http) to wait
//! in line. When places free, as many of the longest-waiting connections
//! read next. A new connection reads its first request at once: a load
//! balancer's health check comes on one, and a client that connects, asks
//! and hangs up is seen gone at once instead of holding its socket in line.
//! A kept-alive connection in line looks at its waiting bytes without taking
//! them ([`Peek`]): a health check, a scrape or its client's close passes. A connection with a request in the application reads on (its body,
//! or its client hanging up). At 10,000 connections this keeps about 70 MB
//! of parsed requests out of memory (`bench/crowd.sh`). A connection that has
//! waited in line for [`LINE_PATIENCE`] reads anyway, and its request waits
//! at the door as before: actix closes a connection whose request has not
//! arrived within 5 s, and a crowd that long in line is better served late
//! than dropped.
//!
//! A request that is still inside after [`HOLD`] (a chat turn answered as a
//! whole, a slow client's body) gives its place to the next one and goes on:
//! long waits must not shut the door on quick requests. `/healthz` and
//! `/metrics` never wait at the door: a load balancer's check and a scrape
//! must not queue behind the crowd they are watching (neither queues for the
//! database either).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::{Instant, Sleep};

/// Requests inside the application at once, per worker.
pub const PER_WORKER: usize = 512;

/// How long a request keeps its place before it lets the next one in.
pub const HOLD: Duration = Duration::from_secs(1);

/// How long a connection waits in line before it reads its next request
/// anyway (well within actix's 5 s for a request head to arrive).
pub const LINE_PATIENCE: Duration = Duration::from_secs(2);

/// One worker's door. Cloned into that worker's middleware and sockets;
/// never shared between workers, so admitting a request costs no atomic
/// contention.
#[derive(Clone)]
pub struct Door {
    places: Rc<Semaphore>,
    hold: Duration,
    patience: Duration,
    /// Connections waiting to read their next request, oldest first.
    readers: Rc<RefCell<VecDeque<Weak<Connection>>>>,
    /// Connections called from the line that have not read yet.
    called: Rc<Cell<usize>>,
}

/// One connection's side of the door, shared by its socket ([`Gated`]) and
/// its requests (through the connection data actix keeps for them).
#[derive(Default)]
pub struct Connection {
    /// Its requests in the application: waiting for a place, or inside.
    in_app: Cell<u32>,
    /// It has read before: its next request is one it may wait in line for.
    kept_alive: Cell<bool>,
    /// In the door's line of readers.
    queued: Cell<bool>,
    /// Woken from that line: if it has nothing to read, the next one gets the turn.
    called: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

/// How long a connection has been in line, and the timer that ends its wait.
struct InLine {
    since: Instant,
    patience: Pin<Box<Sleep>>,
}

impl Door {
    pub fn new(places: usize, hold: Duration) -> Self {
        Door {
            places: Rc::new(Semaphore::new(places)),
            hold,
            patience: LINE_PATIENCE,
            readers: Rc::default(),
            called: Rc::default(),
        }
    }

    /// The same door, with connections in line for `patience` at most.
    pub fn with_patience(self, patience: Duration) -> Self {
        Door { patience, ..self }
    }

    /// A connection's socket, which reads only when the door lets it.
    pub fn gate<T>(&self, io: T) -> Gated<T> {
        Gated {
            io,
            door: self.clone(),
            connection: Rc::default(),
            in_line: None,
        }
    }

    fn is_full(&self) -> bool {
        self.places.available_permits() == 0
    }

    /// Puts `connection` in the line of readers (once), to be woken through `waker`.
    fn wait_to_read(&self, connection: &Rc<Connection>, waker: &Waker) {
        let mut stored = connection.waker.borrow_mut();
        match stored.as_ref() {
            Some(w) if w.will_wake(waker) => {}
            _ => *stored = Some(waker.clone()),
        }
        if !connection.queued.replace(true) {
            self.readers
                .borrow_mut()
                .push_back(Rc::downgrade(connection));
        }
    }

    /// Places are free: as many of the longest-waiting readers still
    /// connected may read (less those called already and yet to read).
    fn call_next_readers(&self) {
        while self.called.get() < self.places.available_permits() {
            let Some(waiting) = self.readers.borrow_mut().pop_front() else {
                return;
            };
            let Some(next) = waiting.upgrade() else {
                continue;
            };
            next.queued.set(false);
            next.called.set(true);
            self.called.set(self.called.get() + 1);
            let waker = next.waker.borrow_mut().take();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }

    /// A called connection has read (or closed): it no longer counts as called.
    fn answered_call(&self) {
        self.called.set(self.called.get().saturating_sub(1));
    }

    async fn take_place(&self) -> Place<'_> {
        // The semaphore is never closed, so a place always comes.
        let permit = self.places.acquire().await.ok();
        Place { permit, door: self }
    }

    /// Middleware: waits for a place, then serves the request.
    pub fn admit<B: MessageBody + 'static>(
        &self,
        req: ServiceRequest,
        next: Next<B>,
    ) -> impl Future<Output = Result<ServiceResponse<B>, actix_web::Error>> + use<B> {
        let door = self.clone();
        let waits = !matches!(req.path(), "/healthz" | "/metrics");
        let in_app = req
            .conn_data::<Rc<Connection>>()
            .map(|c| InApp::enter(c.clone()));
        async move {
            let _in_app = in_app;
            if !waits {
                let res = next.call(req).await;
                // It may have been called from the line for a place it did not take.
                door.call_next_readers();
                return res;
            }
            let place = door.take_place().await;
            let serve = next.call(req);
            tokio::pin!(serve);
            tokio::select! {
                res = &mut serve => return res,
                () = tokio::time::sleep(door.hold) => drop(place),
            }
            serve.await
        }
    }
}

/// A place inside; when it is given back, the next reader in line is called.
struct Place<'a> {
    permit: Option<SemaphorePermit<'a>>,
    door: &'a Door,
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        drop(self.permit.take());
        self.door.call_next_readers();
    }
}

/// A request of a connection in the application, from the door until its
/// answer (or until it is dropped, when its client hangs up).
struct InApp(Rc<Connection>);

impl InApp {
    fn enter(connection: Rc<Connection>) -> Self {
        connection.in_app.set(connection.in_app.get() + 1);
        InApp(connection)
    }
}

impl Drop for InApp {
    fn drop(&mut self) {
        self.0.in_app.set(self.0.in_app.get() - 1);
    }
}

/// A socket that reads only when its connection has a request in the
/// application or the door has a free place; writes pass through.
pub struct Gated<T> {
    io: T,
    door: Door,
    connection: Rc<Connection>,
    in_line: Option<InLine>,
}

impl<T> Gated<T> {
    /// What this connection's requests carry (as connection data) to the door.
    pub fn connection(&self) -> Rc<Connection> {
        Rc::clone(&self.connection)
    }
}

/// A socket whose waiting bytes can be looked at without taking them.
pub trait Peek {
    fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<usize>>;
}

impl Peek for tokio::net::TcpStream {
    fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<usize>> {
        tokio::net::TcpStream::poll_peek(self, cx, buf)
    }
}

/// Whether a connection in line may read what waits on its socket at once:
/// a health check or a scrape alone (they take no place and must not queue
/// behind the crowd they watch; one with another request after it would
/// take that request past the line), its client's close (its socket is let
/// go at once), or an error. Anything else, or nothing yet, waits; the peek
/// also wakes the connection when bytes or a close arrive.
fn may_pass<T: Peek>(io: &T, cx: &mut Context<'_>) -> bool {
    const PASS: [&[u8]; 3] = [b"GET /healthz ", b"HEAD /healthz ", b"GET /metrics "];
    let mut bytes = [0u8; 1024];
    let mut waiting = ReadBuf::new(&mut bytes);
    match io.poll_peek(cx, &mut waiting) {
        Poll::Pending => false,
        Poll::Ready(Err(_) | Ok(0)) => true,
        Poll::Ready(Ok(_)) => {
            let waiting = waiting.filled();
            let head_ends = waiting
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map(|at| at + 4);
            PASS.iter().any(|p| waiting.starts_with(p)) && head_ends == Some(waiting.len())
        }
    }
}

impl<T: AsyncRead + Peek + Unpin> AsyncRead for Gated<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let connection = &this.connection;
        if connection.kept_alive.get()
            && connection.in_app.get() == 0
            && this.door.is_full()
            && !may_pass(&this.io, cx)
        {
            let patience = this.door.patience;
            let in_line = this.in_line.get_or_insert_with(|| InLine {
                since: Instant::now(),
                patience: Box::pin(tokio::time::sleep(patience)),
            });
            if in_line.since.elapsed() < patience {
                this.door.wait_to_read(&this.connection, cx.waker());
                // Woken by a free place, or by its patience running out.
                if in_line.patience.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
            }
        }
        this.in_line = None;
        let called = this.connection.called.replace(false);
        let before = buf.filled().len();
        let read = Pin::new(&mut this.io).poll_read(cx, buf);
        let got = buf.filled().len() > before;
        if got {
            this.connection.kept_alive.set(true);
        }
        if called {
            this.door.answered_call();
            if !got {
                // Called with nothing to read: the turn goes to the next in line.
                this.door.call_next_readers();
            }
        }
        read
    }
}

impl<T> Drop for Gated<T> {
    fn drop(&mut self) {
        if self.connection.called.get() {
            self.door.answered_call();
            self.door.call_next_readers();
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Gated<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;
    use std::time::Duration;

    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    use super::Door;

    /// A handler that counts how many requests are inside at once.
    fn app_counting(
        door: Door,
        inside: Rc<Cell<usize>>,
        most: Rc<Cell<usize>>,
        work: Duration,
    ) -> App<
        impl actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    > {
        App::new()
            .wrap(from_fn(move |req, next| door.admit(req, next)))
            .route("/healthz", web::get().to(HttpResponse::Ok))
            .route(
                "/",
                web::get().to(move || {
                    let (inside, most) = (inside.clone(), most.clone());
                    async move {
                        inside.set(inside.get() + 1);
                        most.set(most.get().max(inside.get()));
                        tokio::time::sleep(work).await;
                        inside.set(inside.get() - 1);
                        HttpResponse::Ok().finish()
                    }
                }),
            )
    }

    #[actix_web::test]
    async fn no_more_requests_are_inside_than_the_door_has_places() {
        let (inside, most) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let door = Door::new(3, Duration::from_secs(60));
        let app = test::init_service(app_counting(
            door,
            inside,
            most.clone(),
            Duration::from_millis(20),
        ))
        .await;
        let calls =
            (0..12).map(|_| test::call_service(&app, test::TestRequest::get().to_request()));
        let answers = futures_util::future::join_all(calls).await;
        assert!(answers.iter().all(|r| r.status().is_success()));
        assert_eq!(most.get(), 3, "every place used, never more");
    }

    #[actix_web::test]
    async fn a_request_inside_too_long_lets_the_next_one_in() {
        let (inside, most) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let door = Door::new(1, Duration::from_millis(10));
        let app = test::init_service(app_counting(
            door,
            inside,
            most.clone(),
            Duration::from_millis(200),
        ))
        .await;
        let calls = (0..3).map(|_| test::call_service(&app, test::TestRequest::get().to_request()));
        let answers = futures_util::future::join_all(calls).await;
        assert!(answers.iter().all(|r| r.status().is_success()));
        assert_eq!(most.get(), 3, "slow requests do not hold the only place");
    }

    /// A waker that notes it was woken.
    fn flag() -> (std::sync::Arc<Woken>, std::task::Waker) {
        let woken = std::sync::Arc::new(Woken::default());
        (woken.clone(), std::task::Waker::from(woken))
    }

    #[derive(Default)]
    struct Woken(std::sync::atomic::AtomicBool);

    impl Woken {
        fn take(&self) -> bool {
            self.0.swap(false, std::sync::atomic::Ordering::SeqCst)
        }
    }

    impl std::task::Wake for Woken {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// An in-memory socket cannot be peeked at: it waits in line whatever it holds.
    impl super::Peek for tokio::io::DuplexStream {
        fn poll_peek(
            &self,
            _: &mut std::task::Context<'_>,
            _: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<usize>> {
            std::task::Poll::Pending
        }
    }

    /// A gated socket of a kept-alive connection whose client has sent `sent`.
    async fn socket_with(
        door: &Door,
        sent: &[u8],
    ) -> (
        super::Gated<tokio::io::DuplexStream>,
        tokio::io::DuplexStream,
    ) {
        use tokio::io::AsyncWriteExt;
        let (server, mut client) = tokio::io::duplex(1024);
        client.write_all(sent).await.expect("sent");
        let socket = door.gate(server);
        socket.connection.kept_alive.set(true);
        (socket, client)
    }

    fn poll_read(
        socket: &mut super::Gated<tokio::io::DuplexStream>,
        waker: &std::task::Waker,
    ) -> std::task::Poll<Vec<u8>> {
        use tokio::io::AsyncRead;
        let mut bytes = [0u8; 64];
        let mut buf = tokio::io::ReadBuf::new(&mut bytes);
        let mut cx = std::task::Context::from_waker(waker);
        std::pin::Pin::new(socket)
            .poll_read(&mut cx, &mut buf)
            .map(|read| {
                read.expect("read");
                buf.filled().to_vec()
            })
    }

    #[tokio::test]
    async fn a_connection_with_nothing_inside_reads_only_once_a_place_is_free() {
        let door = Door::new(1, Duration::from_secs(60));
        let (mut socket, _client) = socket_with(&door, b"GET / HTTP/1.1\r\n\r\n").await;
        let (woken, waker) = flag();

        let place = door.take_place().await;
        assert!(
            poll_read(&mut socket, &waker).is_pending(),
            "read while the door was full"
        );
        assert!(poll_read(&mut socket, &waker).is_pending());
        assert_eq!(
            door.readers.borrow().len(),
            1,
            "in line once, however often polled"
        );
        assert!(!woken.take());

        drop(place);
        assert!(
            woken.take(),
            "the freed place called the waiting connection"
        );
        assert_eq!(
            poll_read(&mut socket, &waker),
            std::task::Poll::Ready(b"GET / HTTP/1.1\r\n\r\n".to_vec())
        );
    }

    #[tokio::test]
    async fn health_checks_and_closes_pass_the_line() {
        use tokio::io::{AsyncRead, AsyncWriteExt};
        let door = Door::new(1, Duration::from_secs(60));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bound");
        let addr = listener.local_addr().expect("address");
        let _place = door.take_place().await;
        let (_, waker) = flag();

        for (sent, close, passes) in [
            (
                &b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"[..],
                false,
                true,
            ),
            (b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", false, true),
            (b"GET /api/tasks HTTP/1.1\r\nHost: x\r\n\r\n", false, false),
            (
                b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/tasks HTTP/1.1\r\nHost: x\r\n\r\n",
                false,
                false,
            ),
            (b"GET /healthz HTTP/1.1\r\nHost:", false, false),
            (b"", true, true),
        ] {
            let mut client = tokio::net::TcpStream::connect(addr)
                .await
                .expect("connected");
            let (server, _) = listener.accept().await.expect("accepted");
            let mut socket = door.gate(server);
            socket.connection.kept_alive.set(true);
            client.write_all(sent).await.expect("sent");
            if close {
                client.shutdown().await.expect("closed");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            let mut bytes = [0u8; 64];
            let mut buf = tokio::io::ReadBuf::new(&mut bytes);
            let polled = std::pin::Pin::new(&mut socket)
                .poll_read(&mut std::task::Context::from_waker(&waker), &mut buf);
            assert_eq!(
                polled.is_ready(),
                passes,
                "{:?}",
                String::from_utf8_lossy(sent)
            );
        }
    }

    #[tokio::test]
    async fn a_new_connection_reads_its_first_request_at_a_full_door() {
        let door = Door::new(1, Duration::from_secs(60));
        let (server, mut client) = tokio::io::duplex(1024);
        let mut socket = door.gate(server);
        let (_, waker) = flag();
        let _place = door.take_place().await;

        tokio::io::AsyncWriteExt::write_all(&mut client, b"GET /healthz HTTP/1.1\r\n\r\n")
            .await
            .expect("sent");
        assert!(
            poll_read(&mut socket, &waker).is_ready(),
            "its first request"
        );
        tokio::io::AsyncWriteExt::write_all(&mut client, b"GET / HTTP/1.1\r\n\r\n")
            .await
            .expect("sent");
        assert!(
            poll_read(&mut socket, &waker).is_pending(),
            "its next one waits in line"
        );
    }

    #[tokio::test]
    async fn freed_places_call_as_many_readers_as_there_are_places() {
        let door = Door::new(2, Duration::from_secs(60));
        let mut sockets = Vec::new();
        for _ in 0..4 {
            sockets.push(socket_with(&door, b"GET / HTTP/1.1\r\n\r\n").await);
        }
        let wakers: Vec<_> = (0..4).map(|_| flag()).collect();
        let (first, second) = (door.take_place().await, door.take_place().await);
        for ((socket, _), (_, waker)) in sockets.iter_mut().zip(&wakers) {
            assert!(poll_read(socket, waker).is_pending());
        }

        drop(first);
        drop(second);
        let called: Vec<bool> = wakers.iter().map(|(woken, _)| woken.take()).collect();
        assert_eq!(
            called,
            [true, true, false, false],
            "two places, the two longest in line"
        );

        // One of them had nothing to ask after all: its place is not lost.
        drop(sockets.remove(0));
        assert!(wakers[2].0.take(), "the third was called in its stead");
        assert!(!wakers[3].0.take());
    }

    #[tokio::test]
    async fn a_connection_in_line_past_its_patience_reads_anyway() {
        let door = Door::new(1, Duration::from_secs(60)).with_patience(Duration::from_millis(50));
        let (mut socket, _client) = socket_with(&door, b"GET / HTTP/1.1\r\n\r\n").await;
        let (woken, waker) = flag();
        let _place = door.take_place().await;

        assert!(poll_read(&mut socket, &waker).is_pending());
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(woken.take(), "its patience ran out and woke it");
        assert!(
            poll_read(&mut socket, &waker).is_ready(),
            "read though the door is still full"
        );
    }

    #[tokio::test]
    async fn a_connection_with_a_request_in_the_application_reads_on_at_a_full_door() {
        let door = Door::new(1, Duration::from_secs(60));
        let (mut socket, _client) = socket_with(&door, b"the rest of a body").await;
        let (_, waker) = flag();
        let _place = door.take_place().await;

        let _in_app = super::InApp::enter(socket.connection());
        assert_eq!(
            poll_read(&mut socket, &waker),
            std::task::Poll::Ready(b"the rest of a body".to_vec())
        );
    }

    #[tokio::test]
    async fn a_called_connection_with_nothing_to_read_passes_the_turn_on() {
        let door = Door::new(1, Duration::from_secs(60));
        let (mut idle, _idle_client) = socket_with(&door, b"").await;
        let (mut asking, _asking_client) = socket_with(&door, b"GET / HTTP/1.1\r\n\r\n").await;
        let (gone, _gone_client) = socket_with(&door, b"GET / HTTP/1.1\r\n\r\n").await;
        let (idle_woken, idle_waker) = flag();
        let (asking_woken, asking_waker) = flag();
        let (_, gone_waker) = flag();

        let place = door.take_place().await;
        let mut gone = gone;
        assert!(poll_read(&mut gone, &gone_waker).is_pending());
        drop(gone);
        assert!(poll_read(&mut idle, &idle_waker).is_pending());
        assert!(poll_read(&mut asking, &asking_waker).is_pending());

        drop(place);
        assert!(idle_woken.take(), "a closed connection in line is skipped");
        assert!(!asking_woken.take());
        assert!(
            poll_read(&mut idle, &idle_waker).is_pending(),
            "its client sent nothing"
        );
        assert!(asking_woken.take(), "the turn went on to the next in line");
        assert!(poll_read(&mut asking, &asking_waker).is_ready());
    }

    #[actix_web::test]
    async fn the_health_check_does_not_wait_at_a_full_door() {
        let (inside, most) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let door = Door::new(1, Duration::from_secs(60));
        let app = test::init_service(app_counting(
            door,
            inside.clone(),
            most,
            Duration::from_secs(60),
        ))
        .await;
        let slow = test::call_service(&app, test::TestRequest::get().to_request());
        let health =
            test::call_service(&app, test::TestRequest::get().uri("/healthz").to_request());
        tokio::pin!(slow);
        tokio::select! {
            biased;
            _ = &mut slow => panic!("the slow request ended first"),
            res = health => assert!(res.status().is_success()),
        }
        assert_eq!(inside.get(), 1, "while the only place is taken");
    }
}
