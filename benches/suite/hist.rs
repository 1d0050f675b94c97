//! A latency histogram that a client process fills and hands to the bench on one line.

use serde_json::json;

/// Latency histogram: 0.1 ms buckets to 2 s, then 10 ms buckets to 120 s.
#[derive(Clone)]
pub(crate) struct Hist {
    fine: Vec<u32>,
    coarse: Vec<u32>,
    pub(crate) n: u64,
    pub(crate) max: f64,
}

const FINE_MS: f64 = 0.1;
const FINE_BUCKETS: usize = 20_000;
const COARSE_MS: f64 = 10.0;
const COARSE_BUCKETS: usize = 12_000;

impl Hist {
    pub(crate) fn new() -> Self {
        Self { fine: vec![0; FINE_BUCKETS], coarse: vec![0; COARSE_BUCKETS], n: 0, max: 0.0 }
    }

    pub(crate) fn add(&mut self, ms: f64) {
        let ms = ms.max(0.0);
        let fine = (ms / FINE_MS) as usize;
        if fine < FINE_BUCKETS {
            self.fine[fine] += 1;
        } else {
            self.coarse[((ms / COARSE_MS) as usize).min(COARSE_BUCKETS - 1)] += 1;
        }
        self.n += 1;
        self.max = self.max.max(ms);
    }

    pub(crate) fn merge(&mut self, other: &Hist) {
        self.fine.iter_mut().zip(&other.fine).for_each(|(a, b)| *a += b);
        self.coarse.iter_mut().zip(&other.coarse).for_each(|(a, b)| *a += b);
        self.n += other.n;
        self.max = self.max.max(other.max);
    }

    /// The `q` quantile in ms (upper edge of its bucket); NaN when empty.
    pub(crate) fn quantile(&self, q: f64) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let rank = ((q * self.n as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (i, c) in self.fine.iter().enumerate() {
            seen += u64::from(*c);
            if seen >= rank {
                return (i + 1) as f64 * FINE_MS;
            }
        }
        for (i, c) in self.coarse.iter().enumerate() {
            seen += u64::from(*c);
            if seen >= rank {
                return ((i + 1) as f64 * COARSE_MS).min(self.max);
            }
        }
        self.max
    }

    /// The histogram as one line of JSON, its non-empty buckets only.
    pub(crate) fn to_line(&self) -> String {
        let sparse = |v: &[u32]| -> Vec<[u64; 2]> {
            v.iter().enumerate().filter(|(_, c)| **c > 0).map(|(i, c)| [i as u64, u64::from(*c)]).collect()
        };
        json!({"n": self.n, "max": self.max, "fine": sparse(&self.fine), "coarse": sparse(&self.coarse)}).to_string()
    }

    /// Reads [`to_line`](Self::to_line) back; `None` for anything else.
    pub(crate) fn from_line(line: &str) -> Option<Hist> {
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        let mut h = Hist::new();
        h.n = v["n"].as_u64()?;
        h.max = v["max"].as_f64()?;
        for (key, buckets) in [("fine", &mut h.fine), ("coarse", &mut h.coarse)] {
            for pair in v[key].as_array()? {
                let (i, c) = (pair[0].as_u64()? as usize, pair[1].as_u64()?);
                *buckets.get_mut(i)? = u32::try_from(c).ok()?;
            }
        }
        Some(h)
    }
}
