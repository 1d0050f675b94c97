//! The expression's tokens: numbers, channel names, operators and punctuation, each with
//! its place in the text for errors.

use super::parse::{ExprError, ExprErrorKind};

/// The longest channel name, in bytes (the contract's bound on every channel name).
pub const MAX_NAME_BYTES: usize = 128;

/// Whether `name` can name a channel: dot-separated parts of letters, digits and `_`,
/// the first starting with a letter or `_` (`g.lat`, `tire_pressure_psi.0`), up to
/// [`MAX_NAME_BYTES`].
pub fn is_valid_name(name: &str) -> bool {
    let starts_well = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    starts_well
        && name.len() <= MAX_NAME_BYTES
        && name.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Tok {
    Num(f64),
    Name,
    Punct(u8),
    End,
}

/// A token and where it starts and ends, in bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) at: usize,
    pub(crate) end: usize,
}

impl Token {
    pub(crate) fn text(self, source: &str) -> &str {
        if self.tok == Tok::End { "end" } else { &source[self.at..self.end] }
    }
}

pub(crate) fn column(text: &str, at: usize) -> usize {
    text.get(..at).map_or(at, |before| before.chars().count()) + 1
}

pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, ExprError> {
    let bytes = text.as_bytes();
    let error = |kind, at| ExprError { kind, column: column(text, at) };
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let tok = if b.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if b.is_ascii_digit() {
            i = number_end(bytes, i);
            let literal = &text[start..i];
            // `1e999` reads as infinity, which no channel can hold.
            match literal.parse::<f64>() {
                Ok(v) if v.is_finite() => Tok::Num(v),
                _ => return Err(error(ExprErrorKind::InvalidNumber(literal.to_owned()), start)),
            }
        } else if b.is_ascii_alphabetic() || b == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.') {
                i += 1;
            }
            if !is_valid_name(&text[start..i]) {
                return Err(error(ExprErrorKind::InvalidName(text[start..i].to_owned()), start));
            }
            Tok::Name
        } else if b"+-*/^(),".contains(&b) {
            i += 1;
            Tok::Punct(b)
        } else {
            let c = text[start..].chars().next().unwrap_or('?');
            return Err(error(ExprErrorKind::Unexpected(c.to_string()), start));
        };
        tokens.push(Token { tok, at: start, end: i });
    }
    tokens.push(Token { tok: Tok::End, at: text.len(), end: text.len() });
    Ok(tokens)
}

/// Digits, an optional fraction, an optional exponent (`1e-3`); an `e` not followed by
/// digits is left for the next token.
fn number_end(bytes: &[u8], mut i: usize) -> usize {
    let digits = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    i = digits(i);
    if bytes.get(i) == Some(&b'.') {
        i = digits(i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(i + 1), Some(b'+' | b'-')));
        if bytes.get(i + 1 + sign).is_some_and(u8::is_ascii_digit) {
            i = digits(i + 1 + sign);
        }
    }
    i
}
