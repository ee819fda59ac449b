//! A client that stops taking its answers is let go.
//!
//! What the server has still to send a client sits in memory until the
//! client reads it: a large answer, or the answers to requests it pipelined
//! without reading any. A client that never reads would hold that memory as
//! long as it keeps its connection open, and many of them all of it.
//!
//! - Each connection's kernel send buffer is kept small ([`SEND_BUFFER`],
//!   which the kernel doubles), instead of growing to 4 MB: what a client
//!   has not taken stays in the server's own memory, where the answer
//!   budget counts it, and the kernel's share of 10,000 such clients is
//!   bounded (1,500 clients not reading 740 KB answers held 1.5 GB of the
//!   kernel's TCP memory, the whole machine's limit, with 4 MB buffers).
//! - A socket [`Patient`] with its client gives up once the client has
//!   taken no byte for [`SEND_PATIENCE`] while bytes wait for it: the write
//!   fails, and actix closes the connection and drops what was still to be
//!   sent. (A run streaming a reply goes on and saves it: a viewer leaving
//!   never stops one.)
//!
//! Only a stall counts: a client that keeps reading, or a reply stream with
//! nothing to send for a while, is never cut. With the small buffer a write
//! can go on as soon as the client has taken about 40 KB, so a reader taking
//! 2 KB a second is never stalled for 30 s. (With 4 MB buffers a socket
//! reported room only once about a third of it had drained, and steady
//! readers at 20 KB/s were cut; the kernel's own `TCP_USER_TIMEOUT` cut
//! readers at 6 KB/s on loopback, whose window opens in 64 KB steps.)
//! nginx's `send_timeout` (60 s) works the same way.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

/// How long a client may leave bytes waiting for it without taking one.
pub const SEND_PATIENCE: Duration = Duration::from_secs(30);

/// Each connection's kernel send buffer, as asked for (Linux doubles it).
pub const SEND_BUFFER: usize = 64 * 1024;

/// Keeps `socket`'s kernel send buffer at [`SEND_BUFFER`].
pub fn small_send_buffer(socket: &TcpStream) {
    if let Err(e) = socket2::SockRef::from(socket).set_send_buffer_size(SEND_BUFFER) {
        tracing::warn!(error = %e, "could not set a connection's send buffer");
    }
}

/// A socket whose writes fail once its client has taken nothing for its
/// patience while there was something to send.
pub struct Patient<T> {
    io: T,
    patience: Duration,
    /// Set while a write waits for the client; ends the wait when it fires.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<T> Patient<T> {
    pub fn new(io: T, patience: Duration) -> Self {
        Patient {
            io,
            patience,
            stalled: None,
        }
    }

    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// What a write that could not go on becomes: pending while the client
    /// still has time, an error once its patience is over. A write that went
    /// on (or failed) ends the stall.
    fn waited<R>(
        &mut self,
        cx: &mut Context<'_>,
        written: Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        if written.is_ready() {
            self.stalled = None;
            return written;
        }
        let patience = self.patience;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(patience)));
        if stalled.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client took nothing of its answer for too long",
            )));
        }
        Poll::Pending
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Patient<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Patient<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.io).poll_write(cx, buf);
        this.waited(cx, written)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.waited(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let flushed = Pin::new(&mut this.io).poll_flush(cx);
        this.waited(cx, flushed)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::Patient;

    const PATIENCE: Duration = Duration::from_secs(30);

    /// A connection whose client side can hold 64 bytes unread.
    fn connection() -> (Patient<tokio::io::DuplexStream>, tokio::io::DuplexStream) {
        let (server, client) = tokio::io::duplex(64);
        (Patient::new(server, PATIENCE), client)
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_takes_nothing_is_let_go_after_its_patience() {
        let (mut server, _client) = connection();
        let started = tokio::time::Instant::now();
        let error = server
            .write_all(&[b'x'; 1024])
            .await
            .expect_err("the write gives up");
        assert_eq!(error.kind(), std::io::ErrorKind::TimedOut);
        assert_eq!(started.elapsed(), PATIENCE);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_client_that_keeps_reading_is_never_cut() {
        let (mut server, mut client) = connection();
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            let mut chunk = [0u8; 16];
            loop {
                // Sixteen bytes every 20 s: slower than the patience allows
                // for the whole answer, never stalled for as long.
                tokio::time::sleep(Duration::from_secs(20)).await;
                match client.read(&mut chunk).await.unwrap() {
                    0 => return got,
                    n => got.extend_from_slice(&chunk[..n]),
                }
            }
        });
        server.write_all(&[b'x'; 256]).await.expect("all sent");
        server.shutdown().await.unwrap();
        drop(server);
        assert_eq!(reader.await.unwrap().len(), 256);
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_connection_with_nothing_to_send_is_kept() {
        let (mut server, mut client) = connection();
        server.write_all(b"first").await.unwrap();
        tokio::time::sleep(PATIENCE * 4).await;
        let mut got = [0u8; 5];
        client.read_exact(&mut got).await.unwrap();
        server.write_all(b"later").await.expect("still open");
        client.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"later");
    }
}
