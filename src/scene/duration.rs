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
}
