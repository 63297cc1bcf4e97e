//! Random streams. Every stochastic object gets its own streams, seeded from
//! (scene seed, replication, object id, purpose), so changing one object in a
//! variant leaves every other object's draws untouched (common random numbers).
//!
//! The generator is xoshiro256++ written out here, so results do not change
//! when a dependency changes its default generator.

use std::convert::Infallible;

/// xoshiro256++ (Blackman & Vigna): small, fast, statistically strong.
#[derive(Clone, Debug)]
pub struct Stream {
    s: [u64; 4],
}

fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a: a stable hash of an object id (std's hasher may change between releases).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// What a stream is used for; separate purposes keep draws independent.
#[derive(Clone, Copy, Debug)]
pub enum Purpose {
    Process = 1,
    Failure = 2,
    Quality = 3,
    Arrival = 4,
    Mix = 5,
    Routing = 6,
    Due = 7,
    Maintenance = 8,
}

impl Stream {
    /// The stream of `object` for `purpose` in replication `rep`.
    pub fn new(seed: u64, rep: u32, object: &str, purpose: Purpose) -> Self {
        let mut x = seed
            ^ splitmix64(&mut (u64::from(rep) << 8 | purpose as u64))
            ^ fnv1a(object).rotate_left(17);
        let s = [
            splitmix64(&mut x),
            splitmix64(&mut x),
            splitmix64(&mut x),
            splitmix64(&mut x),
        ];
        Self { s }
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1) with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

impl rand::TryRng for Stream {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next_u64() >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let mut a = Stream::new(7, 0, "cut", Purpose::Process);
        let mut b = Stream::new(7, 0, "cut", Purpose::Process);
        let mut c = Stream::new(7, 0, "cut", Purpose::Failure);
        let mut d = Stream::new(7, 1, "cut", Purpose::Process);
        let xa: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa[0], c.next_u64());
        assert_ne!(xa[0], d.next_u64());
    }

    #[test]
    fn uniform_mean_is_a_half() {
        let mut s = Stream::new(1, 0, "x", Purpose::Process);
        let n = 200_000;
        let mean = (0..n).map(|_| s.uniform()).sum::<f64>() / f64::from(n);
        // sd of the mean: sqrt(1/12/n) ~ 0.00065
        assert!((mean - 0.5).abs() < 0.003, "{mean}");
    }
}
