//! Reading a JSON number as an f64 in the pass that finds its end, when that is exact: a
//! decimal of at most 2^53 in its digits and at most 22 digits after the point is one
//! correctly rounded division of two exactly representable doubles (Clinger's fast path),
//! which is what the standard parser computes for it too, so the two agree to the bit.
//! Anything else (an exponent, more digits) is the standard parser's. Most telemetry
//! values are such decimals; reading them so takes a second scan and the generic set-up
//! of `str::parse` off every value of a record read by its template.

/// The largest mantissa an f64 holds exactly.
const MAX_EXACT: u64 = 1 << 53;

/// The powers of ten an f64 holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// The plain decimal (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`, no exponent) at `at` in `json` and
/// where it ends, in one pass over its digits, when its digits make at most
/// [`MAX_EXACT`] and its fraction has at most 22 of them; None for anything else (which
/// [`parse_f64`] reads, or which is no number).
pub(super) fn decimal_at(json: &[u8], mut at: usize) -> Option<(f64, usize)> {
    let negative = json.get(at) == Some(&b'-');
    if negative {
        at += 1;
    }
    let mut mantissa: u64 = 0;
    let mut digits = |at: &mut usize| -> Option<usize> {
        let from = *at;
        while let Some(&b @ b'0'..=b'9') = json.get(*at) {
            // Below 2^53 before this step, so no overflow: 2^53 * 10 + 9 < 2^64.
            mantissa = mantissa * 10 + u64::from(b - b'0');
            if mantissa > MAX_EXACT {
                return None;
            }
            *at += 1;
        }
        Some(*at - from)
    };
    match json.get(at)? {
        b'0' => at += 1,
        b'1'..=b'9' => {
            digits(&mut at)?;
        }
        _ => return None,
    }
    let mut fraction = 0;
    if json.get(at) == Some(&b'.') {
        at += 1;
        fraction = digits(&mut at)?;
        if fraction == 0 {
            return None;
        }
    }
    if matches!(json.get(at), Some(b'e' | b'E')) {
        return None;
    }
    // Both exact, so the quotient is rounded once, as the decimal's nearest double.
    let v = mantissa as f64 / *POW10.get(fraction)?;
    Some((if negative { -v } else { v }, at))
}

/// A whole JSON number token as an f64, as serde_json reads it; None when not finite.
pub(super) fn parse_f64(token: &str) -> Option<f64> {
    token.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `token` read by the fast path, when it takes it, as the standard parser reads it.
    fn same_as_std(token: &str) {
        let std = parse_f64(token);
        if let Some((v, end)) = decimal_at(token.as_bytes(), 0) {
            assert_eq!((Some(v.to_bits()), end), (std.map(f64::to_bits), token.len()), "{token}");
        }
    }

    #[test]
    fn decimals_read_exactly_as_the_standard_parser_reads_them() {
        for t in [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "1",
            "-1",
            "87.3",
            "0.1",
            "0.2",
            "0.3",
            "-37.5",
            "9007199254740992",
            "900719925474099.2",
            "0.0000000000000000000001",
            "84.14709848078965",
            "-99.9999999999999",
            "0.3000000000000004",
        ] {
            assert!(decimal_at(t.as_bytes(), 0).is_some(), "{t} is read by the fast path");
            same_as_std(t);
        }
    }

    #[test]
    fn the_shortest_form_of_many_doubles_reads_back_to_the_same_double() {
        // What serde_json writes (the shortest form that reads back), over many magnitudes.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let scale = [1e-6, 1e-3, 1.0, 100.0, 1e4, 1e9][(x % 6) as usize];
            let v = ((x >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * scale;
            let text = serde_json::to_string(&v).unwrap();
            same_as_std(&text);
        }
    }

    #[test]
    fn what_is_not_a_plain_exact_decimal_is_left_to_the_standard_parser() {
        for t in [
            "1e5",
            "1.5E-3",
            "9007199254740993",
            "-99.99999999999999",
            "0.30000000000000004",
            "0.00000000000000000000001",
            "123456789012345678901234567890",
            "-",
            "1.",
            ".5",
            "-x",
        ] {
            assert_eq!(decimal_at(t.as_bytes(), 0), None, "{t}");
        }
        assert_eq!(decimal_at(b"012", 0), Some((0.0, 1)), "a number ends where JSON's grammar ends it");
        assert_eq!(decimal_at(b"1.25,", 0), Some((1.25, 4)));
    }
}
