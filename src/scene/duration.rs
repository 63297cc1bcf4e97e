//! Durations with their unit, as users write them: `Seconds(40)`, `Minutes(20)`.

use serde::{Deserialize, Serialize};

/// A span of simulated time. Always written with its unit; the engine works
/// in seconds.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub enum Duration {
    Seconds(f64),
    Minutes(f64),
    Hours(f64),
    Days(f64),
}

impl Duration {
    /// The duration in seconds.
    pub fn secs(self) -> f64 {
        match self {
            Duration::Seconds(v) => v,
            Duration::Minutes(v) => v * 60.0,
            Duration::Hours(v) => v * 3600.0,
            Duration::Days(v) => v * 86_400.0,
        }
    }
}

/// Parses a simulated time: `90s`, `45m`, `30h`, `2d`, a plain number of
/// seconds, or a weekday and clock time such as `Tue 10:30` (the first week).
pub fn parse_time(text: &str) -> Result<f64, crate::error::Diagnostic> {
    use crate::error::Diagnostic;
    let t = text.trim();
    let bad = || {
        Diagnostic::new(format!("--at \"{text}\" is not a time"))
            .with_help("write e.g. 90s, 45m, 30h, 2d or \"Tue 10:30\"")
    };
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    if let Some((day, clock)) = t.split_once(' ') {
        let d = DAYS
            .iter()
            .position(|x| day.trim().eq_ignore_ascii_case(x))
            .ok_or_else(bad)?;
        let (h, m) = clock.trim().split_once(':').ok_or_else(bad)?;
        let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h > 23 || m > 59 {
            return Err(bad());
        }
        return Ok(d as f64 * 86_400.0 + f64::from(h * 3600 + m * 60));
    }
    let (number, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c),
        _ => (t, 's'),
    };
    let v: f64 = number.trim().parse().map_err(|_| bad())?;
    let scale = match unit {
        's' => 1.0,
        'm' => 60.0,
        'h' => 3600.0,
        'd' => 86_400.0,
        _ => return Err(bad()),
    };
    if !(v.is_finite() && v >= 0.0) {
        return Err(bad());
    }
    Ok(v * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert_to_seconds() {
        assert_eq!(Duration::Seconds(40.0).secs(), 40.0);
        assert_eq!(Duration::Minutes(20.0).secs(), 1200.0);
        assert_eq!(Duration::Hours(6.0).secs(), 21_600.0);
        assert_eq!(Duration::Days(1.5).secs(), 129_600.0);
    }

    #[test]
    fn times_parse() {
        assert_eq!(parse_time("90").unwrap(), 90.0);
        assert_eq!(parse_time("45m").unwrap(), 2700.0);
        assert_eq!(parse_time("30h").unwrap(), 108_000.0);
        assert_eq!(parse_time("Tue 10:30").unwrap(), 86_400.0 + 37_800.0);
        assert!(parse_time("Tue 25:00").is_err() && parse_time("soon").is_err());
    }
}
