//! Working calendars: a weekly pattern of on-intervals built from a [`Shift`].

use super::Shift;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

const DAY: f64 = 86_400.0;
const WEEK: f64 = 7.0 * DAY;

/// Days of the week; simulated time 0 is Monday 00:00.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

/// The shifts an object follows: `shift: "day"` or `shift: ["early", "late"]`
/// (on while any of them is on); empty when it follows none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shifts(pub Vec<String>);

impl Shifts {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// One shift.
    pub fn one(id: &str) -> Self {
        Self(vec![id.to_string()])
    }
}

impl fmt::Display for Shifts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" + "))
    }
}

impl Serialize for Shifts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => s.serialize_str(one),
            many => many.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Shifts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Shifts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a shift id such as \"day\", or a list such as [\"early\", \"late\"]")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Shifts, E> {
                Ok(Shifts::one(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Shifts, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<String>()? {
                    ids.push(id);
                }
                if ids.is_empty() {
                    return Err(serde::de::Error::custom(
                        "`shift: []` names no shift: leave `shift` out to follow none",
                    ));
                }
                Ok(Shifts(ids))
            }
            // `shift: Some("day")`, as an Option field was written.
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Shifts, D::Error> {
                d.deserialize_any(Visit)
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Shifts, E> {
                Ok(Shifts::default())
            }
        }
        d.deserialize_any(Visit)
    }
}

/// The weekly on-intervals of a shift, sorted and disjoint, in seconds from
/// Monday 00:00.
#[derive(Clone, Debug, PartialEq)]
pub struct ShiftCalendar {
    on: Vec<(f64, f64)>,
}

fn clock(text: &str) -> Result<f64, String> {
    let bad = || format!("\"{text}\" is not a time of day: write \"HH:MM\", e.g. \"08:30\"");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    let m: u32 = m.trim().parse().map_err(|_| bad())?;
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(f64::from(h * 3600 + m * 60))
}

impl ShiftCalendar {
    /// Builds the calendar; errors name the offending field.
    pub fn new(shift: &Shift) -> Result<Self, String> {
        if shift.days.is_empty() {
            return Err("`days` is empty: the shift would never be on".into());
        }
        let start = clock(&shift.start)?;
        let mut end = clock(&shift.end)?;
        if end <= start {
            end += DAY; // a night shift runs past midnight
        }
        let mut breaks = Vec::new();
        for (a_text, b_text) in &shift.breaks {
            let mut a = clock(a_text)?;
            let mut b = clock(b_text)?;
            if a < start {
                a += DAY;
            }
            if b < a {
                b += DAY;
            }
            if b > end || b <= a {
                return Err(format!(
                    "break (\"{a_text}\", \"{b_text}\") does not lie inside the shift {}-{}",
                    shift.start, shift.end
                ));
            }
            breaks.push((a, b));
        }
        breaks.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut on = Vec::new();
        for day in &shift.days {
            let base = *day as usize as f64 * DAY;
            let mut cursor = start;
            for &(a, b) in &breaks {
                if a > cursor {
                    on.push((base + cursor, base + a));
                }
                cursor = cursor.max(b);
            }
            if end > cursor {
                on.push((base + cursor, base + end));
            }
        }
        // Wrap intervals that run past Sunday midnight, then sort and merge.
        let mut wrapped = Vec::new();
        for (a, b) in on {
            if a >= WEEK {
                wrapped.push((a - WEEK, b - WEEK));
            } else if b > WEEK {
                wrapped.push((a, WEEK));
                wrapped.push((0.0, b - WEEK));
            } else {
                wrapped.push((a, b));
            }
        }
        wrapped.sort_by(|x, y| x.0.total_cmp(&y.0));
        Ok(Self { on: merge(wrapped) })
    }

    /// On while any of `calendars` is on (several shifts followed as one).
    pub fn union<'a>(calendars: impl IntoIterator<Item = &'a ShiftCalendar>) -> Self {
        let mut all: Vec<(f64, f64)> = calendars.into_iter().flat_map(|c| c.on.clone()).collect();
        all.sort_by(|x, y| x.0.total_cmp(&y.0));
        Self { on: merge(all) }
    }

    /// The weekly on-intervals, sorted and disjoint (seconds from Monday 00:00).
    pub fn intervals(&self) -> &[(f64, f64)] {
        &self.on
    }

    /// Whether the shift is on at time `t` (seconds).
    pub fn is_on(&self, t: f64) -> bool {
        let w = t.rem_euclid(WEEK);
        self.on.iter().any(|&(a, b)| a <= w && w < b)
    }

    /// Seconds the shift is on between `a` and `b` (any weeks).
    pub fn on_between(&self, a: f64, b: f64) -> f64 {
        if b <= a {
            return 0.0;
        }
        let per_week: f64 = self.on.iter().map(|(x, y)| y - x).sum();
        // On-time from the start of a's week up to t.
        let upto = |t: f64| {
            let week = (t / WEEK).floor();
            let w = t - week * WEEK;
            let part: f64 = self.on.iter().map(|&(x, y)| (w.min(y) - x).max(0.0)).sum();
            week * per_week + part
        };
        upto(b) - upto(a)
    }

    /// The first time strictly after `t` at which the shift turns on or off.
    pub fn next_change(&self, t: f64) -> f64 {
        let week = (t / WEEK).floor();
        let w = t - week * WEEK;
        for &(a, b) in &self.on {
            if a > w {
                return week * WEEK + a;
            }
            if b > w {
                return week * WEEK + b;
            }
        }
        // Nothing left this week: the first start of next week.
        (week + 1.0) * WEEK + self.on.first().map_or(WEEK, |x| x.0)
    }

    /// Hours on per week.
    #[cfg(test)]
    fn hours_per_week(&self) -> f64 {
        self.on.iter().map(|(a, b)| b - a).sum::<f64>() / 3600.0
    }
}

/// "Mon 22:00": a time of the week (seconds from Monday 00:00).
pub fn weekday_clock(t: f64) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    // Rounded to the minute first, so 23:59:45 is the next day's 00:00,
    // not "24:00".
    let minutes = (t.rem_euclid(WEEK) / 60.0).round() as u64 % (7 * 24 * 60);
    let (day, minute) = (minutes / (24 * 60), minutes % (24 * 60));
    format!(
        "{} {:02}:{:02}",
        DAYS[day as usize],
        minute / 60,
        minute % 60
    )
}

/// Sorted intervals with the overlapping and touching ones joined.
fn merge(sorted: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (a, b) in sorted {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_time_rounds_into_the_next_day_not_to_24_00() {
        assert_eq!(weekday_clock(22.0 * 3600.0), "Mon 22:00");
        assert_eq!(weekday_clock(86_400.0 - 15.0), "Tue 00:00");
        assert_eq!(weekday_clock(WEEK - 10.0), "Mon 00:00");
        assert_eq!(weekday_clock(WEEK + 3600.0 * 9.5), "Mon 09:30");
    }

    fn day_shift() -> Shift {
        Shift {
            id: "day".into(),
            days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            start: "08:00".into(),
            end: "17:00".into(),
            breaks: vec![("12:00".into(), "13:00".into())],
            wage_factor: 1.0,
        }
    }

    #[test]
    fn on_between_counts_working_seconds_over_weeks() {
        let c = ShiftCalendar::new(&day_shift()).unwrap();
        let h = 3600.0;
        // Thu 12:35 to the next Monday 00:00: Thu 13:00–17:00 and Fri's 8 h.
        assert_eq!(c.on_between(3.0 * DAY + 12.5833 * h, WEEK) / h, 12.0);
        // Monday 09:00 to the next Monday 09:00: one week's 40 h.
        assert_eq!(c.on_between(9.0 * h, WEEK + 9.0 * h) / h, 40.0);
        assert_eq!(c.on_between(5.0 * h, 5.0 * h), 0.0);
    }

    #[test]
    fn day_shift_with_lunch() {
        let c = ShiftCalendar::new(&day_shift()).unwrap();
        assert_eq!(c.hours_per_week(), 40.0);
        assert!(!c.is_on(7.99 * 3600.0));
        assert!(c.is_on(8.0 * 3600.0));
        assert!(!c.is_on(12.5 * 3600.0));
        assert_eq!(c.next_change(0.0), 8.0 * 3600.0);
        assert_eq!(c.next_change(8.0 * 3600.0), 12.0 * 3600.0);
        assert_eq!(c.next_change(12.0 * 3600.0), 13.0 * 3600.0);
        // Friday 17:00 -> next Monday 08:00.
        let fri_end = 4.0 * DAY + 17.0 * 3600.0;
        assert_eq!(c.next_change(fri_end), WEEK + 8.0 * 3600.0);
        assert!(!c.is_on(5.0 * DAY + 10.0 * 3600.0));
    }

    #[test]
    fn night_shift_wraps_midnight() {
        let s = Shift {
            id: "night".into(),
            days: vec![Weekday::Sun],
            start: "22:00".into(),
            end: "06:00".into(),
            breaks: vec![],
            wage_factor: 1.0,
        };
        let c = ShiftCalendar::new(&s).unwrap();
        assert_eq!(c.hours_per_week(), 8.0);
        assert!(c.is_on(3600.0)); // Monday 01:00
        assert!(c.is_on(6.0 * DAY + 23.0 * 3600.0));
    }

    #[test]
    fn sunday_night_shift_keeps_its_break_after_midnight() {
        let s = Shift {
            id: "night".into(),
            days: vec![Weekday::Sun],
            start: "22:00".into(),
            end: "06:00".into(),
            breaks: vec![("02:00".into(), "02:30".into())],
            wage_factor: 1.0,
        };
        let c = ShiftCalendar::new(&s).unwrap();
        assert_eq!(c.hours_per_week(), 7.5);
        assert!(c.is_on(3600.0));
        assert!(!c.is_on(2.25 * 3600.0), "the break on Monday 02:00-02:30");
        assert!(c.is_on(2.5 * 3600.0));
        assert!(!c.is_on(6.0 * 3600.0));
    }

    #[test]
    fn early_and_late_as_one_calendar() {
        let early = Shift {
            start: "06:00".into(),
            end: "14:00".into(),
            breaks: vec![],
            ..day_shift()
        };
        let late = Shift {
            start: "14:00".into(),
            end: "22:00".into(),
            ..early.clone()
        };
        let (e, l) = (
            ShiftCalendar::new(&early).unwrap(),
            ShiftCalendar::new(&late).unwrap(),
        );
        let both = ShiftCalendar::union([&e, &l]);
        // Touching shifts join: no change at 14:00.
        assert_eq!(both.hours_per_week(), 80.0);
        assert_eq!(both.next_change(6.0 * 3600.0), 22.0 * 3600.0);
        assert!(both.is_on(13.99 * 3600.0) && both.is_on(14.0 * 3600.0));
    }

    #[test]
    fn bad_clock_is_explained() {
        let mut s = day_shift();
        s.start = "8h".into();
        assert!(ShiftCalendar::new(&s).unwrap_err().contains("HH:MM"));
    }
}
