//! What the game decoders share: reading little-endian fields out of a datagram, and why a
//! datagram could not be used. Every read checks its bounds, so no datagram can panic a
//! decoder, whatever its length.

/// Why a datagram produced nothing. Counted per [`Unusable::kind`] and shown on the
/// progress line; the text is for a person.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Unusable {
    #[error("a {len}-byte datagram is not a {format} layout")]
    Length { format: &'static str, len: usize },
    #[error("{what} cut short: {len} bytes, {need} needed")]
    Truncated { what: &'static str, len: usize, need: usize },
    #[error("not telemetry of a known game ({len} bytes)")]
    Unknown { len: usize },
    #[error("F1 packet format {0} is not supported (2023, 2024 or 2025 are)")]
    F1Format(u16),
    #[error("not racing (menus or paused)")]
    RaceOff,
    #[error("Forza's Sled layout has no speed: choose the Dash format in Data Out")]
    Sled,
    #[error("no driver list yet (F1 sends one every 5 s)")]
    NoParticipants,
    #[error("frame {frame} was produced already (a flashback)")]
    Replayed { frame: u32 },
    #[error("field `{0}` is not a finite number")]
    NotFinite(&'static str),
}

impl Unusable {
    /// A short name per kind, for counting.
    pub fn kind(&self) -> &'static str {
        match self {
            Unusable::Length { .. } => "length",
            Unusable::Truncated { .. } => "truncated",
            Unusable::Unknown { .. } => "unknown",
            Unusable::F1Format(_) => "f1 format",
            Unusable::RaceOff => "not racing",
            Unusable::Sled => "sled",
            Unusable::NoParticipants => "no participants",
            Unusable::Replayed { .. } => "flashback",
            Unusable::NotFinite(_) => "not finite",
        }
    }
}

/// A datagram and the name of what it holds, for [`Unusable::Truncated`].
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], what: &'static str) -> Reader<'a> {
        Reader { bytes, what }
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    fn array<const N: usize>(&self, at: usize) -> Result<[u8; N], Unusable> {
        let truncated = || Unusable::Truncated { what: self.what, len: self.bytes.len(), need: at.saturating_add(N) };
        let slice = self.bytes.get(at..at.checked_add(N).ok_or_else(truncated)?).ok_or_else(truncated)?;
        slice.try_into().map_err(|_| truncated())
    }

    /// Fails with [`Unusable::Truncated`] unless the datagram holds `need` bytes.
    pub(crate) fn need(&self, need: usize) -> Result<(), Unusable> {
        if self.bytes.len() < need {
            return Err(Unusable::Truncated { what: self.what, len: self.bytes.len(), need });
        }
        Ok(())
    }

    pub(crate) fn u8(&self, at: usize) -> Result<u8, Unusable> {
        self.array::<1>(at).map(|[b]| b)
    }

    pub(crate) fn i8(&self, at: usize) -> Result<i8, Unusable> {
        self.array::<1>(at).map(i8::from_le_bytes)
    }

    pub(crate) fn u16(&self, at: usize) -> Result<u16, Unusable> {
        self.array(at).map(u16::from_le_bytes)
    }

    pub(crate) fn u32(&self, at: usize) -> Result<u32, Unusable> {
        self.array(at).map(u32::from_le_bytes)
    }

    pub(crate) fn i32(&self, at: usize) -> Result<i32, Unusable> {
        self.array(at).map(i32::from_le_bytes)
    }

    pub(crate) fn u64(&self, at: usize) -> Result<u64, Unusable> {
        self.array(at).map(u64::from_le_bytes)
    }

    /// An f32 widened to f64; `name` is what a non-finite value is reported as.
    pub(crate) fn f32(&self, at: usize, name: &'static str) -> Result<f64, Unusable> {
        let v = f64::from(self.array(at).map(f32::from_le_bytes)?);
        if v.is_finite() { Ok(v) } else { Err(Unusable::NotFinite(name)) }
    }

    /// An f32 widened to f64, absent when not finite: for the extra channels, which a
    /// garbled value leaves out rather than making the datagram unusable.
    pub(crate) fn finite(&self, at: usize) -> Result<Option<f64>, Unusable> {
        Ok(Some(f64::from(self.array(at).map(f32::from_le_bytes)?)).filter(|v| v.is_finite()))
    }

    /// A NUL-terminated UTF-8 string in a fixed field of `n` bytes (invalid bytes replaced).
    pub(crate) fn text(&self, at: usize, n: usize) -> Result<String, Unusable> {
        self.need(at.saturating_add(n))?;
        let field = self.bytes.get(at..at + n).unwrap_or_default();
        let end = field.iter().position(|&b| b == 0).unwrap_or(n);
        Ok(String::from_utf8_lossy(field.get(..end).unwrap_or_default()).trim().to_owned())
    }
}

/// Builds datagrams byte by byte in tests: zeros, then fields written at their offsets.
#[cfg(test)]
pub(crate) struct Datagram(pub(crate) Vec<u8>);

#[cfg(test)]
impl Datagram {
    pub(crate) fn zeros(len: usize) -> Datagram {
        Datagram(vec![0; len])
    }

    pub(crate) fn put(&mut self, at: usize, bytes: &[u8]) -> &mut Datagram {
        self.0[at..at + bytes.len()].copy_from_slice(bytes);
        self
    }

    pub(crate) fn f32(&mut self, at: usize, v: f32) -> &mut Datagram {
        self.put(at, &v.to_le_bytes())
    }

    pub(crate) fn u16(&mut self, at: usize, v: u16) -> &mut Datagram {
        self.put(at, &v.to_le_bytes())
    }

    pub(crate) fn u32(&mut self, at: usize, v: u32) -> &mut Datagram {
        self.put(at, &v.to_le_bytes())
    }

    pub(crate) fn u8(&mut self, at: usize, v: u8) -> &mut Datagram {
        self.put(at, &[v])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_end_are_truncation_not_panics() {
        let r = Reader::new(&[1, 0, 0, 0, 0xff], "test");
        assert_eq!(r.u32(0), Ok(1));
        assert_eq!(r.u32(2), Err(Unusable::Truncated { what: "test", len: 5, need: 6 }));
        assert!(r.u64(usize::MAX - 2).is_err());
        assert!(r.text(usize::MAX, 4).is_err());
        assert_eq!(Reader::new(b"Ada\0xyz", "t").text(0, 7), Ok("Ada".into()));
        assert_eq!(Reader::new(&f32::NAN.to_le_bytes(), "t").f32(0, "speed"), Err(Unusable::NotFinite("speed")));
    }
}
