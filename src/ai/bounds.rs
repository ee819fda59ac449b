//! How much one answer of the model may hold. A provider that loops, or a
//! server that is not the provider it claims to be, could otherwise stream
//! text or tool calls without end into a run's memory (and, through the
//! stored reply, into the database). Real answers of a task assistant are a
//! few kilobytes and a handful of calls; past these bounds the answer is
//! refused as unreadable and the reply fails, to be retried.

use super::ProviderError;

/// Text of one answer, in bytes (about 64,000 tokens).
pub const TEXT_BYTES: usize = 256 * 1024;

/// Tool calls in one answer ("complete all my tasks" may ask for dozens).
pub const CALLS: usize = 64;

/// One tool call's name and arguments, in bytes (a task's title and
/// description, 1,200 characters at most, are far shorter).
pub const CALL_BYTES: usize = 16 * 1024;

/// Everything the model sends in one chat turn, all its steps together: what
/// the reply stores and each next step sends back. Without it six steps of
/// 64 calls at the bounds above stored 24 MB in one reply.
pub const TURN_BYTES: usize = 1024 * 1024;

pub fn text(len: usize) -> Result<(), ProviderError> {
    within(len, TEXT_BYTES, "bytes of text")
}

pub fn calls(count: usize) -> Result<(), ProviderError> {
    within(count, CALLS, "tool calls")
}

pub fn call(len: usize) -> Result<(), ProviderError> {
    within(len, CALL_BYTES, "bytes in one tool call")
}

pub fn turn(len: usize) -> Result<(), ProviderError> {
    within(len, TURN_BYTES, "bytes in one chat turn")
}

fn within(n: usize, most: usize, what: &str) -> Result<(), ProviderError> {
    if n > most {
        return Err(ProviderError::Malformed(format!(
            "an answer with more than {most} {what}"
        )));
    }
    Ok(())
}
