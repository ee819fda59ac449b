//! A client that stops taking its answers is let go.
//!
//! What the server has still to send a client sits in its memory until the
//! client reads it: a large answer, or the answers to requests it pipelined
//! without reading any. A client that never reads would hold that memory as
//! long as it keeps its connection open. Each connection's socket is told
//! (`TCP_USER_TIMEOUT`) to give up once its client has taken nothing for
//! [`SEND_PATIENCE`] while data waits for it (its receive window stayed
//! closed), or once what was sent has gone unacknowledged that long (a
//! client that vanished from the network). The kernel then closes the
//! connection, actix's next write fails, and what was still to be sent is
//! dropped. (A run streaming a reply goes on and saves it: a viewer leaving
//! never stops one.)
//!
//! The kernel measures the client's progress, not the server's: a slow
//! client that keeps reading, however slowly, opens its window again and
//! again and is never cut, and an idle connection or a reply stream with
//! nothing to send has nothing waiting. (Timing the server's own writes
//! instead cut clients reading steadily at 20 KB/s: a socket whose 4 MB
//! buffer is full reports room only once about a third of it has drained.)

use std::time::Duration;

use tokio::net::TcpStream;

/// How long a client may leave data waiting for it without taking any.
pub const SEND_PATIENCE: Duration = Duration::from_secs(30);

/// Lets `socket`'s client go once it has taken nothing for `patience`.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn let_go_after(socket: &TcpStream, patience: Duration) {
    if let Err(e) = socket2::SockRef::from(socket).set_tcp_user_timeout(Some(patience)) {
        tracing::warn!(error = %e, "could not set the send timeout on a connection");
    }
}

/// Elsewhere the system's own timeouts apply.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn let_go_after(_: &TcpStream, _: Duration) {}
