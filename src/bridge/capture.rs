//! `--record` and `--from-file`: datagrams saved with their timing, to be played back
//! later at the pace they came. The format is Trackside's own, and simple:
//!
//! ```text
//! "TSUDP1\n\0"                          8 bytes of magic
//! then per datagram:
//!   offset  u64 LE  microseconds since the first datagram
//!   length  u16 LE  bytes that follow (a UDP datagram is at most 65,507)
//!   bytes
//! ```

use std::{
    io::{self, Read, Write},
    time::Duration,
};

const MAGIC: &[u8; 8] = b"TSUDP1\n\0";

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("not a Trackside capture (it should start with TSUDP1)")]
    NotACapture,
    #[error("the capture ends inside a datagram (cut short while recording?)")]
    CutShort,
    #[error("datagram of {0} bytes is too large to record")]
    TooLarge(usize),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Writes datagrams as they arrive.
pub(crate) struct Writer<W: Write> {
    out: W,
}

impl<W: Write> Writer<W> {
    pub(crate) fn new(mut out: W) -> Result<Writer<W>, CaptureError> {
        out.write_all(MAGIC)?;
        Ok(Writer { out })
    }

    pub(crate) fn write(&mut self, offset: Duration, datagram: &[u8]) -> Result<(), CaptureError> {
        let len = u16::try_from(datagram.len()).map_err(|_| CaptureError::TooLarge(datagram.len()))?;
        let micros = u64::try_from(offset.as_micros()).unwrap_or(u64::MAX);
        self.out.write_all(&micros.to_le_bytes())?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(datagram)?;
        Ok(())
    }

    pub(crate) fn flush(&mut self) -> Result<(), CaptureError> {
        Ok(self.out.flush()?)
    }
}

/// Reads a capture back, one datagram at a time, with its offset from the first.
pub(crate) struct Reader<R: Read> {
    input: R,
}

impl<R: Read> Reader<R> {
    pub(crate) fn new(mut input: R) -> Result<Reader<R>, CaptureError> {
        let mut magic = [0u8; 8];
        input.read_exact(&mut magic).map_err(|_| CaptureError::NotACapture)?;
        if &magic != MAGIC {
            return Err(CaptureError::NotACapture);
        }
        Ok(Reader { input })
    }

    /// The next datagram, or `None` at a clean end of file.
    pub(crate) fn next(&mut self) -> Result<Option<(Duration, Vec<u8>)>, CaptureError> {
        let mut head = [0u8; 10];
        match read_full(&mut self.input, &mut head)? {
            0 => return Ok(None),
            10 => {}
            _ => return Err(CaptureError::CutShort),
        }
        let (micros, len) = head.split_at(8);
        let micros = u64::from_le_bytes(micros.try_into().map_err(|_| CaptureError::CutShort)?);
        let len = u16::from_le_bytes(len.try_into().map_err(|_| CaptureError::CutShort)?);
        let mut datagram = vec![0; usize::from(len)];
        if read_full(&mut self.input, &mut datagram)? != datagram.len() {
            return Err(CaptureError::CutShort);
        }
        Ok(Some((Duration::from_micros(micros), datagram)))
    }
}

/// Reads until `buf` is full or the input ends; returns how much was read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagrams_come_back_with_their_timing() {
        let mut w = Writer::new(Vec::new()).unwrap();
        w.write(Duration::ZERO, b"first").unwrap();
        w.write(Duration::from_micros(16_667), &[]).unwrap();
        w.write(Duration::from_millis(33), &[7; 1349]).unwrap();
        let bytes = w.out;
        let mut r = Reader::new(bytes.as_slice()).unwrap();
        assert_eq!(r.next().unwrap(), Some((Duration::ZERO, b"first".to_vec())));
        assert_eq!(r.next().unwrap(), Some((Duration::from_micros(16_667), vec![])));
        assert_eq!(r.next().unwrap(), Some((Duration::from_millis(33), vec![7; 1349])));
        assert_eq!(r.next().unwrap(), None);
    }

    #[test]
    fn a_foreign_or_cut_file_is_an_error_not_a_panic() {
        assert!(matches!(Reader::new(&b"PCAP...."[..]), Err(CaptureError::NotACapture)));
        assert!(matches!(Reader::new(&b"TS"[..]), Err(CaptureError::NotACapture)));
        let mut w = Writer::new(Vec::new()).unwrap();
        w.write(Duration::ZERO, b"datagram").unwrap();
        let cut = &w.out[..w.out.len() - 3];
        assert!(matches!(Reader::new(cut).unwrap().next(), Err(CaptureError::CutShort)));
        assert!(matches!(
            Writer::new(Vec::new()).unwrap().write(Duration::ZERO, &[0; 70_000]),
            Err(CaptureError::TooLarge(_))
        ));
    }
}
