//! The HTTP server: the application on actix-http's HTTP/1 service, as
//! actix-web's `HttpServer` would run it, except that each connection's
//! socket is [`Gated`] by its worker's [`Door`]: while the door is full, a
//! connection with nothing in the application leaves its next request in the
//! kernel's buffer (see `middleware::admission`); and a client that stops
//! taking its answers is let go (see `send_patience`).

use std::future::ready;
use std::net::TcpListener;
use std::time::Duration;

use actix_http::{Extensions, HttpService, Protocol};
use actix_server::{Server, ServerBuilder};
use actix_service::{IntoServiceFactory, ServiceFactoryExt, fn_service, map_config};
use actix_web::App;
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, ServiceFactory, ServiceRequest, ServiceResponse};
use tokio::net::TcpStream;

use super::send_patience::{self, Patient};
use crate::metrics::scrape::ArrivedOn;
use crate::middleware::admission::{self, Door, Gated};

/// How long a new connection has to send its first request's head.
const REQUEST_HEAD_WITHIN: Duration = Duration::from_secs(5);
/// How long a closing connection has to take its last bytes.
const DISCONNECT_WITHIN: Duration = Duration::from_secs(1);

/// What the server needs besides its application.
pub struct Serve {
    pub listeners: Vec<TcpListener>,
    /// HTTP workers; `None` for one per core.
    pub workers: Option<usize>,
    /// How long stopping waits for connections before closing them.
    pub shutdown_timeout: Duration,
    /// How long a client may take no byte of its answer (see `send_patience`).
    pub send_patience: Duration,
}

impl Serve {
    /// Builds the server; `app` makes one worker's application around that
    /// worker's door. Signals are not handled here (the caller stops it).
    pub fn start<F, T, B>(self, app: F) -> std::io::Result<Server>
    where
        F: Fn(Door) -> App<T> + Send + Clone + 'static,
        T: ServiceFactory<
                ServiceRequest,
                Config = (),
                Response = ServiceResponse<B>,
                Error = actix_web::Error,
                InitError = (),
            > + 'static,
        B: MessageBody + 'static,
    {
        let mut builder = ServerBuilder::default()
            .disable_signals()
            .shutdown_timeout(self.shutdown_timeout.as_secs());
        if let Some(workers) = self.workers {
            builder = builder.workers(workers);
        }
        let stopping = builder.graceful_shutdown_signal();
        for listener in self.listeners {
            let addr = listener.local_addr()?;
            let (app, stopping) = (app.clone(), stopping.clone());
            let send_patience = self.send_patience;
            builder = builder.listen(format!("tasktalk-{addr}"), listener, move || {
                let door = Door::new(admission::PER_WORKER, admission::HOLD);
                let stopping = stopping.clone();
                let application = app(door.clone())
                    .into_factory()
                    .map_err(|e: actix_web::Error| e.as_response_error().error_response());
                let http = HttpService::build()
                    // Keep-alive connections close when the server stops.
                    .graceful_shutdown_signal(move || {
                        let stopping = stopping.clone();
                        async move { stopping.notified().await }
                    })
                    .client_request_timeout(REQUEST_HEAD_WITHIN)
                    .client_disconnect_timeout(DISCONNECT_WITHIN)
                    // A client that closes its side of the connection while its
                    // request is in flight has gone away (browsers, curl and load
                    // balancers do not half-close and wait): the request is
                    // dropped, and its database calls and password hashes not yet
                    // started are skipped, instead of computed for nobody ahead of
                    // everyone else.
                    .h1_allow_half_closed(false)
                    .local_addr(addr)
                    .on_connect_ext(
                        move |io: &Patient<Gated<TcpStream>>, data: &mut Extensions| {
                            data.insert(io.get_ref().connection());
                            data.insert(ArrivedOn(addr));
                        },
                    )
                    .finish(map_config(application, |()| AppConfig::default()));
                fn_service(move |io: TcpStream| {
                    let peer = io.peer_addr().ok();
                    send_patience::small_send_buffer(&io);
                    ready(Ok::<_, actix_http::error::DispatchError>((
                        Patient::new(door.gate(io), send_patience),
                        Protocol::Http1,
                        peer,
                    )))
                })
                .and_then(http)
            })?;
        }
        Ok(builder.run())
    }
}
