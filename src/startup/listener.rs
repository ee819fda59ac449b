//! The listening socket, with a queue for a crowd that arrives at once.

use std::io;
use std::net::{TcpListener, ToSocketAddrs};

use socket2::{Domain, Protocol, Socket, Type};

/// Connections the kernel completes and holds for the accept thread. std's
/// `TcpListener::bind` asks for 128: 10,000 clients connecting in the same
/// second overflowed it, and each one dropped waited a second or more for
/// its retry. Linux caps the figure at `net.core.somaxconn` (4096 since
/// 5.4).
pub const BACKLOG: i32 = 4096;

/// Binds the first address `host:port` resolves to that accepts the bind,
/// as `TcpListener::bind` does (address reuse on), with [`BACKLOG`].
pub fn bind(host: &str, port: u16) -> io::Result<TcpListener> {
    let mut last_error = None;
    for addr in (host, port).to_socket_addrs()? {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        let bound = socket
            .set_reuse_address(true)
            .and_then(|()| socket.bind(&addr.into()))
            .and_then(|()| socket.listen(BACKLOG));
        match bound {
            Ok(()) => return Ok(socket.into()),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address resolved to nothing",
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listener_takes_connections_on_the_port_it_reports() {
        let listener = bind("127.0.0.1", 0).expect("a free port");
        let addr = listener.local_addr().expect("bound");
        assert_ne!(addr.port(), 0);
        let client = std::net::TcpStream::connect(addr).expect("connects");
        let (accepted, from) = listener.accept().expect("accepted");
        assert_eq!(from, client.local_addr().expect("client address"));
        drop(accepted);
    }

    /// With std's backlog of 128, the 130th connection here times out.
    #[test]
    fn a_crowd_connecting_before_any_is_accepted_is_queued_not_dropped() {
        let listener = bind("127.0.0.1", 0).expect("a free port");
        let addr = listener.local_addr().expect("bound");
        let clients: Vec<_> = (0..300)
            .map(|i| {
                std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(500))
                    .unwrap_or_else(|e| panic!("connection {i} was not queued: {e}"))
            })
            .collect();
        assert_eq!(clients.len(), 300);
    }

    #[test]
    fn a_port_in_use_is_an_error() {
        let taken = bind("127.0.0.1", 0).expect("a free port");
        let port = taken.local_addr().expect("bound").port();
        assert!(bind("127.0.0.1", port).is_err());
    }
}
