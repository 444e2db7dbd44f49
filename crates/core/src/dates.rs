//! Calendar dates as the tools read and write them: local, ISO `YYYY-MM-DD`.

use crate::error::{Error, Result};
use chrono::{Datelike, Days, NaiveDate};

/// The years a date may fall in: four digits, as the files and every export format expect.
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// Whether `d` falls in [`YEARS`].
pub fn in_range(d: NaiveDate) -> bool {
    YEARS.contains(&d.year())
}

/// `n` days after `d`, or the last day there is.
pub fn days_after(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX)
}

/// `n` days before `d`, or the first day there is.
pub fn days_before(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(NaiveDate::MIN)
}

/// Parses a strict ISO date, rejecting impossible ones such as 2026-02-30, and years before 1.
pub fn parse_date(s: &str) -> Result<NaiveDate> {
    let t = s.trim();
    let shape_ok = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) if shape_ok && in_range(d) => Ok(d),
        Ok(_) if shape_ok => Err(Error::usage(format!(
            "{t:?} is before the year 1; pick a real day"
        ))),
        _ if shape_ok => Err(Error::usage(format!(
            "{t:?} is not a real date; check the day and month"
        ))),
        _ => Err(Error::usage(format!(
            "{t:?} is not a date; write it as YYYY-MM-DD, for example 2026-03-14"
        ))),
    }
}

/// For clap: the same as [`parse_date`], with the message as a string.
pub fn date_arg(s: &str) -> Result<NaiveDate, String> {
    parse_date(s).map_err(|e| e.to_string())
}

/// A date given as an offset from `today`: `30d`, `6w` or `3m` (months of 30 days).
pub fn parse_offset(s: &str, today: NaiveDate) -> Result<NaiveDate> {
    let t = s.trim();
    let bad = || {
        Error::usage(format!(
            "{t:?} is not a span of time; write it like 30d, 6w or 3m"
        ))
    };
    let mut chars = t.chars();
    let unit = chars.next_back().ok_or_else(bad)?;
    let n: u64 = chars.as_str().parse().map_err(|_| bad())?;
    let per = match unit {
        'd' => 1,
        'w' => 7,
        'm' => 30,
        _ => return Err(bad()),
    };
    let too_far = || {
        Error::usage(format!(
            "{t:?} is more than ten years away; pick a closer date"
        ))
    };
    let days = n
        .checked_mul(per)
        .filter(|d| *d <= 3660)
        .ok_or_else(too_far)?;
    today
        .checked_add_days(Days::new(days))
        .filter(|d| in_range(*d))
        .ok_or_else(|| Error::usage(format!("{t:?} from {today} is past the year 9999")))
}

/// Checks a `--since`/`--until` pair: the first must not be after the second.
pub fn check_range(since: Option<NaiveDate>, until: Option<NaiveDate>) -> Result<()> {
    match (since, until) {
        (Some(s), Some(u)) if s > u => Err(Error::usage(format!(
            "--since {s} is after --until {u}; swap them"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_and_malformed_dates_are_refused() {
        assert_eq!(parse_date("2026-02-28").unwrap().to_string(), "2026-02-28");
        assert!(
            parse_date("2026-02-30")
                .unwrap_err()
                .to_string()
                .contains("not a real date")
        );
        assert!(
            parse_date("2026-2-3")
                .unwrap_err()
                .to_string()
                .contains("YYYY-MM-DD")
        );
        assert!(parse_date("tomorrow").is_err());
    }

    #[test]
    fn offsets_count_from_today() {
        let d = parse_date("2026-01-31").unwrap();
        assert_eq!(parse_offset("30d", d).unwrap().to_string(), "2026-03-02");
        assert_eq!(parse_offset("2w", d).unwrap().to_string(), "2026-02-14");
        assert!(parse_offset("3x", d).is_err());
        assert!(parse_offset("d", d).is_err());
        for bad in [
            "3ä",
            "ä",
            "",
            "ää",
            "-3d",
            "99999999999999999999d",
            "999999999999999999m",
        ] {
            assert!(parse_offset(bad, d).is_err(), "{bad}");
        }
        let late = parse_date("9999-12-01").unwrap();
        assert!(parse_offset("3m", late).is_err());
        assert!(parse_offset("30d", late).is_ok());
    }

    #[test]
    fn years_run_from_1_to_9999() {
        assert!(parse_date("0000-01-01").is_err());
        assert!(parse_date("0001-01-01").is_ok() && parse_date("9999-12-31").is_ok());
        assert!(parse_date("+10000-01-01").is_err() && parse_date("-0001-01-01").is_err());
    }

    #[test]
    fn a_range_must_run_forwards() {
        let (a, b) = (
            parse_date("2026-01-01").unwrap(),
            parse_date("2026-01-02").unwrap(),
        );
        assert!(check_range(Some(a), Some(b)).is_ok() && check_range(Some(a), None).is_ok());
        assert!(
            check_range(Some(b), Some(a))
                .unwrap_err()
                .to_string()
                .contains("swap")
        );
    }
}
