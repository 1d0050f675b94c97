//! Deterministic randomness, and the names of the field: the same seed gives the same race
//! on every machine.

/// SplitMix64 (Steele, Lea and Flood, 2014). Written here rather than taken from a crate so
/// that a seed gives the same race whatever versions the lock file holds.
#[derive(Debug, Clone)]
pub(super) struct SplitMix64(pub(super) u64);

impl SplitMix64 {
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi`, from the top 53 bits.
    pub(super) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * unit
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant at these sizes.
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Fictional drivers; with 26 initials they give 624 distinct names, more than a field.
pub(super) const SURNAMES: [&str; 24] = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Castellano",
    "Brennan",
    "Novak",
    "Haddad",
    "Fischer",
    "Oyelaran",
    "Ferreira",
    "Kowalczyk",
    "Dubois",
    "Nakamura",
    "Reyes",
    "Andersen",
    "Petrov",
    "Marchetti",
    "Quinn",
    "Varga",
    "Iwasaki",
    "Mendes",
    "Holm",
    "Ibarra",
];
