//! `trackside bridge`: a game's UDP telemetry in, contract records out. Datagrams are
//! recorded and forwarded as they come, decoded ([`detect`] picks the game), thinned to
//! `--hz`, and queued for Kafka in a bounded queue that drops its oldest when Kafka is away.

mod capture;
pub mod channels;
mod detect;
mod f1;
mod forza;
mod input;
mod outgauge;
mod packet;
mod queue;
mod stats;

use std::{
    fs::File,
    future::Future,
    io::{BufReader, BufWriter},
    net::SocketAddr,
    path::PathBuf,
    pin::pin,
    time::{Duration, Instant},
};

use rdkafka::{
    error::{KafkaError, RDKafkaErrorCode},
    producer::{BaseRecord, Producer},
};
use tokio::{net::UdpSocket, time::sleep};
use tracing::{debug, info, warn};

pub use capture::CaptureError;
pub use detect::Game;
pub use packet::Unusable;
pub use stats::{Counts, Stats};

use crate::{
    config::BridgeArgs,
    kafka::{
        produce::{self, CONNECT_TIMEOUT, CountingProducer, PRODUCER_DEFAULTS, ProduceError},
        shared::client::{now_ms, redacted_properties},
    },
    progress::ProgressLine,
    tick,
};
use input::Input;
use queue::{Pending, Queue, Thinner};

/// The bridge's own producer settings, over the simulator's; `-X` overrides any of them.
const BRIDGE_PRODUCER: &[(&str, &str)] = &[
    // Waiting for Kafka is the bridge queue's job, which drops the oldest and counts them;
    // with a timeout librdkafka would fail its own oldest records instead.
    ("message.timeout.ms", "0"),
    // librdkafka holds at most this many records; the rest wait in the bridge's queue.
    ("queue.buffering.max.messages", "10000"),
    // A broker that comes back is found within a second.
    ("reconnect.backoff.max.ms", "1000"),
    // Retries after a reconnect write nothing twice.
    ("enable.idempotence", "true"),
];
/// How long to wait before offering records again when librdkafka's queue is full.
const QUEUE_FULL_BACKOFF: Duration = Duration::from_millis(5);
/// How often the counters and the progress line are brought up to date.
const TICK: Duration = Duration::from_millis(250);
/// How long to wait between attempts to create the topic while Kafka is unreachable.
const TOPIC_RETRY: Duration = Duration::from_secs(5);
/// The largest UDP payload.
const MAX_DATAGRAM: usize = 65_536;

/// Where datagrams come from.
pub enum Source {
    /// A socket the caller bound (the game sends here).
    Udp(UdpSocket),
    /// A capture made with `--record`, played at its recorded pace.
    File(PathBuf),
}

impl Source {
    /// The source `--from-file` or `--listen` asks for: the socket bound, or the file.
    pub async fn open(args: &BridgeArgs) -> Result<Source, BridgeError> {
        Ok(match &args.from_file {
            Some(path) => Source::File(path.clone()),
            None => Source::Udp(
                UdpSocket::bind(args.listen)
                    .await
                    .map_err(|source| BridgeError::Listen { addr: args.listen, source })?,
            ),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    #[error("cannot listen on udp://{addr}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Kafka(#[from] ProduceError),
    #[error("cannot read capture `{path}`")]
    ReadCapture {
        path: PathBuf,
        #[source]
        source: CaptureError,
    },
    #[error("cannot write capture `{path}`")]
    WriteCapture {
        path: PathBuf,
        #[source]
        source: CaptureError,
    },
    #[error("cannot receive from the UDP socket")]
    Receive(#[source] std::io::Error),
    #[error("cannot open a socket to forward datagrams from")]
    Forward(#[source] std::io::Error),
    #[error("cannot encode a sample")]
    Encode(#[source] serde_json::Error),
}

/// A bridge built from its settings, every file and socket already opened, ready to run.
pub struct Bridge {
    args: BridgeArgs,
    input: Input,
    recorder: Option<capture::Writer<BufWriter<File>>>,
    forward: Option<UdpSocket>,
    producer: CountingProducer,
    stats: Stats,
}

impl Bridge {
    /// Opens the capture to play or record, the forwarding socket and the producer; a bad
    /// setting fails here, before anything runs.
    pub fn build(args: BridgeArgs, source: Source) -> Result<Bridge, BridgeError> {
        let input = match source {
            Source::Udp(socket) => Input::Udp(socket, vec![0; MAX_DATAGRAM]),
            Source::File(path) => {
                let read_err = |source| BridgeError::ReadCapture { path: path.clone(), source };
                let file = File::open(&path).map_err(|e| read_err(e.into()))?;
                let reader = capture::Reader::new(BufReader::new(file)).map_err(read_err)?;
                Input::File { reader, path, next: None, start: None }
            }
        };
        let recorder = match &args.record {
            Some(path) => {
                let write_err = |source| BridgeError::WriteCapture { path: path.clone(), source };
                let file = File::create(path).map_err(|e| write_err(e.into()))?;
                Some(capture::Writer::new(BufWriter::new(file)).map_err(write_err)?)
            }
            None => None,
        };
        let forward = match args.forward.first() {
            Some(first) => Some(forward_socket(*first).map_err(BridgeError::Forward)?),
            None => None,
        };
        let producer = produce::producer(&args.kafka, &[PRODUCER_DEFAULTS, BRIDGE_PRODUCER].concat())?;
        let stats = Stats::default();
        stats.update(|c| c.game = Game::chosen(args.format));
        Ok(Bridge { args, input, recorder, forward, producer, stats })
    }

    /// The UDP address datagrams are received on (none when playing a file).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        match &self.input {
            Input::Udp(socket, _) => socket.local_addr().ok(),
            Input::File { .. } => None,
        }
    }

    /// The counters, readable while the bridge runs.
    pub fn stats(&self) -> Stats {
        self.stats.clone()
    }

    /// Runs until `shutdown`, or the end of a capture file; then flushes (bounded) and
    /// returns the final counts.
    pub async fn run(mut self, shutdown: impl Future<Output = ()>) -> Result<Counts, BridgeError> {
        let args = self.args.clone();
        info!(topic = %args.topic, format = ?args.format, hz = ?args.hz, forward = ?args.forward,
              properties = ?redacted_properties(&args.kafka), "bridging");
        let topic_task = tokio::spawn(make_topic(args.clone()));
        let looped = self.pump(&args, pin!(shutdown)).await;
        topic_task.abort();
        if let Some(recorder) = &mut self.recorder
            && let Err(e) = recorder.flush()
        {
            warn!(error = %e, "the capture file may be incomplete");
        }
        let queued = looped?;
        let (delivered, failed, in_flight) = produce::flush(self.producer).await?;
        self.stats.update(|c| {
            c.delivered = delivered;
            c.delivery_errors += failed;
            c.unsent = in_flight + queued;
        });
        let c = self.stats.snapshot();
        ProgressLine::new(Instant::now()).finish(&format!(
            "done: {} datagrams, {} records, {} delivered, {} dropped, {} unusable, {} delivery errors, {} unsent",
            c.datagrams,
            c.records,
            c.delivered,
            c.dropped,
            c.unusable_total(),
            c.delivery_errors,
            c.unsent
        ));
        Ok(c)
    }

    /// The loop: hand librdkafka what it takes, then wait for a datagram, a tick, or room.
    /// Returns how many records were still queued at the end.
    async fn pump<F: Future<Output = ()>>(
        &mut self,
        args: &BridgeArgs,
        mut shutdown: std::pin::Pin<&mut F>,
    ) -> Result<u64, BridgeError> {
        let started = Instant::now();
        let mut stream = detect::Stream::new(Game::chosen(args.format), args.car.clone(), args.driver.clone());
        let mut thinner = Thinner::new(args.hz);
        let mut queue = Queue::new(usize::try_from(args.buffer).unwrap_or(usize::MAX));
        let mut progress = ProgressLine::new(started);
        let mut last_shown = (0u64, 0u64);
        let mut ticker = tick::ticker(TICK);
        loop {
            let blocked = self.hand_over(&args.topic, &mut queue);
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                _ = ticker.tick() => {
                    let counts = self.tick(&queue);
                    if let Some(since) = progress.due() {
                        let secs = since.as_secs_f64();
                        let rates = ((counts.datagrams - last_shown.0) as f64 / secs, (counts.records - last_shown.1) as f64 / secs);
                        progress.show(&stats::status_line(&counts, rates.0, rates.1));
                        last_shown = (counts.datagrams, counts.records);
                    }
                }
                got = self.input.next() => {
                    let Some(datagram) = got? else {
                        // The end of a capture: what is queued still goes, unless stopped.
                        self.drain(&args.topic, &mut queue, shutdown.as_mut()).await;
                        break;
                    };
                    self.take(&datagram, started.elapsed(), args)?;
                    self.queue_samples(&datagram, &mut stream, &mut thinner, &mut queue, started)?;
                }
                () = sleep(QUEUE_FULL_BACKOFF), if blocked => {}
            }
        }
        self.hand_over(&args.topic, &mut queue);
        self.tick(&queue);
        Ok(u64::try_from(queue.len()).unwrap_or(u64::MAX))
    }

    /// Decodes one datagram, stamps its samples with the time they came, and queues those
    /// `--hz` lets through; counts it as unusable, with the reason, when it gives nothing.
    fn queue_samples(
        &self,
        datagram: &[u8],
        stream: &mut detect::Stream,
        thinner: &mut Thinner,
        queue: &mut Queue,
        started: Instant,
    ) -> Result<(), BridgeError> {
        let decoded = stream.decode(datagram);
        let mut added = 0;
        if let Ok(samples) = decoded.as_ref() {
            for mut sample in samples.iter().filter(|s| thinner.admit(&s.car, started.elapsed())).cloned() {
                let ts = now_ms();
                sample.ts = Some(ts);
                let value = serde_json::to_vec(&sample).map_err(BridgeError::Encode)?;
                queue.push(Pending { key: sample.sample.car, value, ts });
                added += 1;
            }
        }
        self.stats.update(|c| {
            c.game = stream.game();
            c.records += added;
            c.dropped = queue.dropped();
            if let Err(why) = decoded {
                *c.unusable.entry(why.kind()).or_default() += 1;
                let text = why.to_string();
                if c.last_unusable.as_deref() != Some(text.as_str()) {
                    debug!(reason = %text, "unusable datagram");
                    c.last_unusable = Some(text);
                }
            }
        });
        Ok(())
    }

    /// Hands the whole queue to librdkafka, waiting for room, until `shutdown`.
    async fn drain<F: Future<Output = ()>>(&self, topic: &str, queue: &mut Queue, mut shutdown: std::pin::Pin<&mut F>) {
        while self.hand_over(topic, queue) {
            tokio::select! { biased; () = &mut shutdown => return, () = sleep(QUEUE_FULL_BACKOFF) => {} }
        }
    }

    /// Records and forwards one datagram as it came.
    fn take(&mut self, datagram: &[u8], at: Duration, args: &BridgeArgs) -> Result<(), BridgeError> {
        // A buffered write of one datagram: too small to be worth a blocking thread.
        if let (Some(recorder), Some(path)) = (&mut self.recorder, &args.record) {
            recorder.write(at, datagram).map_err(|source| BridgeError::WriteCapture { path: path.clone(), source })?;
        }
        let mut failed = 0;
        if let Some(socket) = &self.forward {
            for to in &args.forward {
                // Never wait for a tool that is slow to read: a datagram it misses is one a
                // game would have lost too.
                if let Err(e) = socket.try_send_to(datagram, *to) {
                    debug!(error = %e, %to, "not forwarded");
                    failed += 1;
                }
            }
        }
        self.stats.update(|c| {
            c.datagrams += 1;
            c.forward_errors += failed;
        });
        Ok(())
    }

    /// Offers queued records to librdkafka until it says its queue is full (true then).
    fn hand_over(&self, topic: &str, queue: &mut Queue) -> bool {
        while let Some(p) = queue.front() {
            let record = BaseRecord::to(topic).key(p.key.as_str()).payload(&p.value).timestamp(p.ts);
            match self.producer.send(record) {
                Ok(()) => {}
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => return true,
                // A record librdkafka refuses outright (too large?) would be refused again.
                Err((e, _)) => self.stats.update(|c| {
                    // Refusals come in floods (a fatal producer error refuses them all):
                    // the first is logged, the status line counts the rest.
                    if c.delivery_errors == 0 {
                        warn!(error = %e, "the producer refused a record; further failures are only counted");
                    }
                    c.delivery_errors += 1;
                }),
            }
            queue.pop();
        }
        false
    }

    fn tick(&self, queue: &Queue) -> Counts {
        let deliveries = self.producer.context();
        self.stats.update(|c| {
            c.delivered = deliveries.delivered();
            c.dropped = queue.dropped();
        });
        self.stats.snapshot()
    }
}

/// Creates the topic once Kafka answers. Kafka may be down when a session starts: the
/// bridge queues meanwhile rather than refuse to start.
async fn make_topic(args: BridgeArgs) {
    loop {
        match produce::ensure_topic(&args.kafka, &args.topic, args.partitions, CONNECT_TIMEOUT).await {
            Ok(()) => return,
            Err(e @ ProduceError::Unreachable { .. }) => {
                warn!(error = %e, "records queue until Kafka answers");
                sleep(TOPIC_RETRY).await;
            }
            Err(e) => return warn!(error = %e, "cannot make sure the topic exists"),
        }
    }
}

fn forward_socket(first: SocketAddr) -> std::io::Result<UdpSocket> {
    let any: SocketAddr = if first.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
    let socket = std::net::UdpSocket::bind(any)?;
    socket.set_nonblocking(true)?;
    UdpSocket::from_std(socket)
}
