//! Calendar dates as the tools read and write them: local, ISO `YYYY-MM-DD`.

use crate::error::{Error, Result};
use chrono::{Datelike, Days, NaiveDate};

/// The years a date may fall in: four digits, as the files and every export format expect.
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// Whether `d` falls in [`YEARS`].
pub fn in_range(d: NaiveDate) -> bool {
    YEARS.contains(&d.year())
}

/// Appends `d` as `YYYY-MM-DD` (as chrono writes it), without the general formatter.
pub fn write_iso(out: &mut String, d: NaiveDate) {
    if !in_range(d) {
        out.push_str(&d.to_string());
        return;
    }
    let (y, m, day) = (d.year() as u32, d.month(), d.day());
    let digits = [
        y / 1000,
        y / 100 % 10,
        y / 10 % 10,
        y % 10,
        m / 10,
        m % 10,
        day / 10,
        day % 10,
    ];
    for (i, n) in digits.into_iter().enumerate() {
        if i == 4 || i == 6 {
            out.push('-');
        }
        out.push(char::from(b'0' + n as u8));
    }
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

/// The spans of time [`parse_offset`] accepts, for messages.
pub const SPAN_FORMS: &str = "30d, 6w, 3m, 1y, or 30 days, 6 weeks, 3 months, 1 year";

/// A date given as an offset from `today`: a number and a unit, with or without a space:
/// `30d`, `6w`, `3m` (months of 30 days), `1y` (365 days), or the words `30 days`, `6 weeks`,
/// `3 months`, `1 year` (singular or plural).
pub fn parse_offset(s: &str, today: NaiveDate) -> Result<NaiveDate> {
    let t = s.trim();
    let bad = || {
        Error::usage(format!(
            "{t:?} is not a span of time; write it like {SPAN_FORMS}"
        ))
    };
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let n: u64 = num.parse().map_err(|_| bad())?;
    let per = match unit.trim_start().to_ascii_lowercase().as_str() {
        "d" | "day" | "days" => 1,
        "w" | "week" | "weeks" => 7,
        "m" | "month" | "months" => 30,
        "y" | "year" | "years" => 365,
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

/// Checks a span given by its first and last day: the first must not be after the last.
pub fn check_range(since: Option<NaiveDate>, until: Option<NaiveDate>) -> Result<()> {
    match (since, until) {
        (Some(s), Some(u)) if s > u => Err(Error::usage(format!(
            "the first day, {s}, is after the last, {u}; swap them"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_written_as_chrono_writes_it() {
        for (y, m, d) in [
            (2026, 3, 1),
            (1, 1, 1),
            (9999, 12, 31),
            (987, 10, 9),
            (10000, 1, 30),
        ] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let mut s = String::from("x");
            write_iso(&mut s, day);
            assert_eq!(s, format!("x{day}"));
        }
    }

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
        for (words, short) in [
            ("30 days", "30d"),
            ("6 weeks", "6w"),
            ("3 months", "3m"),
            ("1 year", "1y"),
            ("1 day", "1d"),
            ("2 Weeks", "2w"),
            (" 6weeks ", "6w"),
        ] {
            assert_eq!(
                parse_offset(words, d).unwrap(),
                parse_offset(short, d).unwrap(),
                "{words}"
            );
        }
        assert_eq!(parse_offset("1y", d).unwrap().to_string(), "2027-01-31");
        for bad in ["6 wk", "weeks", "-3d", "3 d s", "99999999999999999999d"] {
            let e = parse_offset(bad, d).unwrap_err().to_string();
            assert!(e.contains("30 days, 6 weeks"), "{bad}: {e}");
        }
        assert!(
            parse_offset("11y", d)
                .unwrap_err()
                .to_string()
                .contains("ten years")
        );
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

    /// Core names no option: the edge knows how the days were given.
    #[test]
    fn a_swapped_range_is_a_usage_error_that_names_no_option() {
        let (s, u) = (
            parse_date("2026-03-05").unwrap(),
            parse_date("2026-03-01").unwrap(),
        );
        check_range(Some(u), Some(s)).unwrap();
        let e = check_range(Some(s), Some(u)).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let msg = e.to_string();
        assert!(msg.contains("2026-03-05") && msg.contains("swap"), "{msg}");
        assert!(!msg.contains("--"), "{msg}");
    }
}
