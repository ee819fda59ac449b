//! Logging: a tracing subscriber, one span per request (with its id and, once
//! known, the user's id), and panics logged without what users typed.
//!
//! Logs are for operators: no passwords, tokens, keys or message text.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Installs the global subscriber: `RUST_LOG` filters (default `info`),
/// `LOG_FORMAT=json` switches to one JSON object per line.
pub fn init_subscriber(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tracing_actix_web=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::CLOSE)
        .with_target(false);
    // A second init (tests, or a CLI command after serve) keeps the first.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Logs panics as one line with where they happened. A message written into
/// the code (`panic!("literal")`) is logged; a formatted one is not, as it
/// can quote what a user typed (a parser that choked on their text).
pub fn log_panics_without_payload() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&'static str>()
            .copied()
            .unwrap_or("(not logged: it may hold user data)");
        tracing::error!(%location, message, "a task panicked");
    }));
}

/// The request span: tracing-actix-web's fields plus `user_id`, filled in
/// by the `CurrentUser` extractor.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        tracing_actix_web::root_span!(request, user_id = tracing::field::Empty)
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_panic_is_logged_with_its_place_and_only_a_message_written_in_the_code() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let previous = std::panic::take_hook();
        log_panics_without_payload();
        let outcome = std::thread::spawn(move || {
            tracing::subscriber::with_default(subscriber, || {
                let fixed = std::panic::catch_unwind(|| panic!("the queue is gone"));
                assert!(fixed.is_err());
                let typed = "rename İİ 1 to my secret plan";
                panic!("could not read {typed}");
            })
        })
        .join();
        std::panic::set_hook(previous);

        assert!(outcome.is_err());
        let logged = String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(|e| e.into_inner()))
            .into_owned();
        assert!(logged.contains("a task panicked"), "{logged}");
        assert!(logged.contains("telemetry.rs"), "{logged}");
        assert!(logged.contains("the queue is gone"), "{logged}");
        assert!(!logged.contains("secret plan"), "{logged}");
    }
}
