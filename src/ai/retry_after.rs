//! The pause a provider asks for before a retry, read defensively: it is
//! outside input, and `Duration::from_secs_f64` panics on what a `Duration`
//! cannot hold (`"1e30s"`).

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Any longer request is read as this long. That is still far beyond any
/// retry wait we accept, so the caller gives up on the provider as it would
/// for the true value.
pub const CAP: Duration = Duration::from_secs(24 * 60 * 60);

/// A delay in seconds: `None` unless a finite number ≥ 0; at most [`CAP`].
pub fn from_secs(secs: f64) -> Option<Duration> {
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(secs).map_or(CAP, |d| d.min(CAP)))
}

/// A delay in (possibly fractional) milliseconds, as `retry-after-ms` carries it.
pub fn from_millis(text: &str) -> Option<Duration> {
    from_secs(text.trim().parse::<f64>().ok()? / 1000.0)
}

/// A `Retry-After` value: delay-seconds, or an HTTP-date measured from `now`
/// (a date already past means now).
pub fn from_header(text: &str, now: DateTime<Utc>) -> Option<Duration> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<f64>() {
        return from_secs(secs);
    }
    let date = DateTime::parse_from_rfc2822(text).ok()?;
    let wait = date.with_timezone(&Utc) - now;
    Some(wait.to_std().map_or(Duration::ZERO, |d| d.min(CAP)))
}

/// A protobuf `Duration` in its JSON form (`"22s"`, `"0.5s"`), as Gemini's
/// `RetryInfo.retryDelay` carries it.
pub fn from_proto_duration(text: &str) -> Option<Duration> {
    from_secs(text.trim().strip_suffix('s')?.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    fn noon() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2015, 10, 21, 7, 28, 0)
            .single()
            .unwrap()
    }

    #[test]
    fn seconds_milliseconds_and_proto_durations_are_read() {
        assert_eq!(from_header("2", noon()), Some(Duration::from_secs(2)));
        assert_eq!(
            from_header(" 1.5 ", noon()),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(from_millis("1500"), Some(Duration::from_millis(1500)));
        assert_eq!(from_proto_duration("22s"), Some(Duration::from_secs(22)));
        assert_eq!(
            from_proto_duration("0.5s"),
            Some(Duration::from_millis(500))
        );
    }

    #[test]
    fn an_http_date_is_the_time_until_it() {
        let date = "Wed, 21 Oct 2015 07:28:30 GMT";
        assert_eq!(from_header(date, noon()), Some(Duration::from_secs(30)));
        let past = "Wed, 21 Oct 2015 07:00:00 GMT";
        assert_eq!(from_header(past, noon()), Some(Duration::ZERO));
    }

    #[test]
    fn huge_values_are_capped_and_nonsense_is_no_delay() {
        assert_eq!(from_proto_duration("1e30s"), Some(CAP));
        assert_eq!(from_header("18446744073709551616", noon()), Some(CAP));
        assert_eq!(from_millis("1e300"), Some(CAP));
        assert_eq!(
            from_header("Fri, 31 Dec 9999 23:59:59 GMT", noon()),
            Some(CAP)
        );
        for nonsense in ["-1", "NaN", "inf", "-inf", "", "soon", "1e30"] {
            assert_eq!(from_proto_duration(nonsense), None, "{nonsense}");
        }
        for nonsense in ["-1", "NaN", "inf", "infinity", "-0.5", "", "soon"] {
            assert_eq!(from_header(nonsense, noon()), None, "{nonsense}");
            assert_eq!(from_millis(nonsense), None, "{nonsense}");
        }
    }

    /// Text that looks like a number, a duration or a date, and anything else.
    fn delay_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            any::<f64>().prop_map(|f| f.to_string()),
            any::<f64>().prop_map(|f| format!("{f:e}s")),
            any::<u64>().prop_map(|n| format!("{n}s")),
            "[-+]?[0-9]{0,40}(\\.[0-9]{0,20})?([eE][-+]?[0-9]{1,4})?s?",
            "(Mon|Sun), [0-9]{1,2} (Jan|Feb|Oct) [0-9]{1,6} [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2} (GMT|UTC|\\+9999|-0000)",
        ]
    }

    proptest! {
        #[test]
        fn any_text_gives_no_delay_or_one_within_the_cap(
            text in delay_text(),
            now_secs in -8_000_000_000_i64..250_000_000_000,
        ) {
            let now = DateTime::from_timestamp(now_secs, 0).unwrap_or_default();
            for delay in [
                from_header(&text, now),
                from_millis(&text),
                from_proto_duration(&text),
            ] {
                prop_assert!(delay.is_none_or(|d| d <= CAP));
            }
        }

        #[test]
        fn any_number_of_seconds_gives_no_delay_or_one_within_the_cap(secs in any::<f64>()) {
            let delay = from_secs(secs);
            prop_assert!(delay.is_none_or(|d| d <= CAP));
            prop_assert_eq!(delay.is_some(), secs.is_finite() && secs >= 0.0);
        }
    }
}
