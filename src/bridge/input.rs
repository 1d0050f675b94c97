//! Where datagrams come from: a UDP socket, or a capture file played at its recorded pace.

use std::{fs::File, io::BufReader, path::PathBuf, time::Duration};

use tokio::{net::UdpSocket, time::sleep_until};

use super::{BridgeError, capture};

/// Datagrams from a socket, or from a capture at its recorded pace.
pub(super) enum Input {
    Udp(UdpSocket, Vec<u8>),
    File {
        reader: capture::Reader<BufReader<File>>,
        path: PathBuf,
        /// Read ahead and waiting for its time: kept here so that a `select!` that drops
        /// the wait loses nothing.
        next: Option<(Duration, Vec<u8>)>,
        start: Option<tokio::time::Instant>,
    },
}

impl Input {
    /// The next datagram; `None` at the end of a capture.
    pub(super) async fn next(&mut self) -> Result<Option<Vec<u8>>, BridgeError> {
        match self {
            Input::Udp(socket, buf) => {
                let (n, _) = socket.recv_from(buf).await.map_err(BridgeError::Receive)?;
                Ok(Some(buf.get(..n).unwrap_or_default().to_vec()))
            }
            Input::File { reader, path, next, start } => {
                if next.is_none() {
                    // Buffered reads of a local file, a few bytes each: no blocking thread.
                    let read =
                        reader.next().map_err(|source| BridgeError::ReadCapture { path: path.clone(), source })?;
                    match read {
                        Some(d) => *next = Some(d),
                        None => return Ok(None),
                    }
                }
                let start = *start.get_or_insert_with(tokio::time::Instant::now);
                if let Some((at, _)) = next {
                    sleep_until(start + *at).await;
                }
                Ok(next.take().map(|(_, d)| d))
            }
        }
    }
}
