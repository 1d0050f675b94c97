//! Reading a JSON number token as an f64 without going through text when it is exact to
//! do so: a decimal of at most 2^53 in its digits and at most 22 digits after the point
//! is one correctly rounded division of two exactly representable doubles (Clinger's
//! fast path), which is what the standard parser computes for it too, so the two agree to
//! the bit. Anything else (an exponent, more digits) is the standard parser's. Most
//! telemetry values are such decimals; the fast path takes the re-scan and the generic
//! set-up of `str::parse` off every value of a record read by its template.

/// The largest mantissa an f64 holds exactly.
const MAX_EXACT: u64 = 1 << 53;

/// The powers of ten an f64 holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// The value of `token`, a whole JSON number (`number_end` found its end), as
/// `token.parse::<f64>()` gives it; None when it is not finite or not a number.
pub(super) fn parse_f64(token: &str) -> Option<f64> {
    exact(token.as_bytes()).or_else(|| token.parse::<f64>().ok()).filter(|v| v.is_finite())
}

/// The value of a plain decimal (`-?digits(.digits)?`) whose digits make at most
/// [`MAX_EXACT`] and whose fraction has at most 22 digits; None for anything else.
fn exact(token: &[u8]) -> Option<f64> {
    let (negative, digits) = match token.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, token),
    };
    if !digits.first()?.is_ascii_digit() || !digits.last()?.is_ascii_digit() {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut fraction: Option<usize> = None;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                // Below 2^53 before this step, so no overflow: 2^53 * 10 + 9 < 2^64.
                mantissa = mantissa * 10 + u64::from(b - b'0');
                if mantissa > MAX_EXACT {
                    return None;
                }
                if let Some(f) = fraction.as_mut() {
                    *f += 1;
                }
            }
            b'.' if fraction.is_none() => fraction = Some(0),
            _ => return None,
        }
    }
    let scale = *POW10.get(fraction.unwrap_or(0))?;
    // Both exact, so the quotient is rounded once, as the decimal's nearest double.
    let v = mantissa as f64 / scale;
    Some(if negative { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_std(token: &str) {
        let std = token.parse::<f64>().ok().filter(|v| v.is_finite());
        assert_eq!(parse_f64(token).map(f64::to_bits), std.map(f64::to_bits), "{token}");
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
            "9007199254740993",
            "900719925474099.3",
            "0.0000000000000000000001",
            "0.00000000000000000000001",
            "123456789012345678901234567890",
            "1e5",
            "1.5E-3",
            "-2.5e+10",
            "1e400",
            "84.14709848078965",
            "-99.99999999999999",
            "0.30000000000000004",
            "5e-324",
        ] {
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
            assert_eq!(parse_f64(&text), Some(v), "{text}");
        }
    }

    #[test]
    fn what_is_not_a_plain_decimal_is_left_to_the_standard_parser() {
        assert_eq!(exact(b"1e5"), None);
        assert_eq!(exact(b"1.2.3"), None);
        assert_eq!(exact(b"-"), None);
        assert_eq!(exact(b"1."), None);
        assert_eq!(exact(b"9007199254740993"), None);
    }
}
