//! Values as the source wrote them, read from their text form: times in any
//! of the shapes Better-Auth, SQLModel and the two backends write, and
//! booleans as `true`/`false`, `t`/`f` or `1`/`0`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound};

/// A UTC time at the millisecond precision we store. Accepts ISO-8601 with
/// `T` or a space, with or without fractions and an offset (`Z`, `+00`,
/// `+02:00`), a bare date, and Unix time in seconds or milliseconds.
pub fn time(text: &str) -> Result<NaiveDateTime, String> {
    let text = text.trim();
    let bad = || format!("{text:?} is not a time");
    if let Ok(number) = text.parse::<i64>() {
        // Milliseconds from 1973 on; seconds before that (or far after).
        let at = if number.abs() >= 100_000_000_000 {
            DateTime::from_timestamp_millis(number)
        } else {
            DateTime::from_timestamp(number, 0)
        };
        return at.map(|t| t.naive_utc().trunc_subsecs(3)).ok_or_else(bad);
    }
    let iso = text.replacen(' ', "T", 1);
    if let Ok(at) = DateTime::parse_from_rfc3339(&iso) {
        return Ok(at.naive_utc().trunc_subsecs(3));
    }
    if let Ok(at) = DateTime::parse_from_str(&iso, "%Y-%m-%dT%H:%M:%S%.f%#z") {
        return Ok(at.naive_utc().trunc_subsecs(3));
    }
    if let Ok(at) = NaiveDateTime::parse_from_str(&iso, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(at.trunc_subsecs(3));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or_else(bad)
}

pub fn boolean(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "t" | "true" | "yes" | "y" => Ok(true),
        "0" | "f" | "false" | "no" | "n" => Ok(false),
        _ => Err(format!("{text:?} is neither true nor false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> String {
        time(text)
            .unwrap()
            .format("%Y-%m-%d %H:%M:%S%.3f")
            .to_string()
    }

    #[test]
    fn times_in_every_shape_the_sources_write() {
        assert_eq!(at("2026-11-25T14:36:02.113Z"), "2026-11-25 14:36:02.113");
        assert_eq!(at("2026-11-25 14:36:03.178+00"), "2026-11-25 14:36:03.178");
        assert_eq!(at("2026-11-25 16:36:03+02:00"), "2026-11-25 14:36:03.000");
        assert_eq!(at("2025-12-20 10:00:00"), "2025-12-20 10:00:00.000");
        assert_eq!(at("2025-12-20 10:00:00.123456"), "2025-12-20 10:00:00.123");
        assert_eq!(at("2025-12-20"), "2025-12-20 00:00:00.000");
        assert_eq!(at("1766224800"), "2025-12-20 10:00:00.000");
        assert_eq!(at("1766224800123"), "2025-12-20 10:00:00.123");
        assert!(time("yesterday").is_err());
        assert!(time("").is_err());
    }

    #[test]
    fn booleans_in_every_shape_the_sources_write() {
        for yes in ["1", "t", "true", "TRUE"] {
            assert_eq!(boolean(yes), Ok(true));
        }
        for no in ["0", "f", "false"] {
            assert_eq!(boolean(no), Ok(false));
        }
        assert!(boolean("maybe").is_err());
    }
}
