//! `trackside simulate`: drives a [`race::Race`] and produces every car's samples to
//! Kafka, in real time at `--hz` per car or as fast as librdkafka takes them.

pub mod race;
pub mod track;

use std::{
    future::Future,
    io::IsTerminal,
    pin::{Pin, pin},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use rdkafka::{
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::ClientContext,
    config::{FromClientConfigAndContext, RDKafkaLogLevel},
    error::{KafkaError, RDKafkaErrorCode},
    producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer},
};
use tokio::time::{MissedTickBehavior, interval, sleep};
use tracing::{info, warn};

use crate::{
    config::{KafkaArgs, SimulateArgs},
    kafka::client::{self, client_config, now_ms, redact_kafka_error, redacted_properties},
};
use race::Race;

/// How long start-up waits for the cluster's metadata before calling Kafka unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the records still queued at the end get to reach the broker.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait before offering a record again when librdkafka's queue is full.
const QUEUE_FULL_BACKOFF: Duration = Duration::from_millis(2);

/// Producer settings; `-X` overrides any of them.
const PRODUCER_DEFAULTS: &[(&str, &str)] = &[
    // A few milliseconds of batching packs many cars' samples into one request, unseen
    // on a chart.
    ("linger.ms", "5"),
    ("compression.type", "lz4"),
    ("acks", "all"),
    // A sample half a minute old is no longer live telemetry: count it as failed rather
    // than retry it for librdkafka's default five minutes.
    ("message.timeout.ms", "30000"),
];

/// Why the simulator could not start, or stopped before its limit.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("cannot reach Kafka at {brokers} (no metadata within {} s)", waited.as_secs_f64())]
    Unreachable {
        brokers: String,
        waited: Duration,
        #[source]
        source: KafkaError,
    },
    #[error("cannot create topic `{topic}`: {reason}")]
    CreateTopic { topic: String, reason: String },
    /// Holds the error with any secret value already taken out (see
    /// [`redact_kafka_error`]), so neither `Display` nor `Debug` can show it.
    #[error("invalid Kafka client configuration")]
    Config(#[source] KafkaError),
    #[error("the producer refused a record")]
    Produce(#[source] KafkaError),
    #[error("cannot encode a sample")]
    Encode(#[source] serde_json::Error),
    #[error("a background task failed")]
    Task(#[source] tokio::task::JoinError),
}

impl SimulateError {
    fn config(e: KafkaError) -> SimulateError {
        SimulateError::Config(redact_kafka_error(&e))
    }
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Records handed to the producer.
    pub records: u64,
    /// Records the broker acknowledged.
    pub delivered: u64,
    pub delivery_errors: u64,
    /// Records still unacknowledged when the final flush gave up.
    pub unflushed: u64,
    /// Wall-clock seconds from the first record to the end of the flush.
    pub seconds: f64,
    /// Simulated seconds of racing.
    pub race_seconds: f64,
    pub leader_lap: u32,
}

/// Runs the simulator until `--duration-secs` of race time, `--count` records, or
/// `shutdown`, whichever comes first; then flushes and reports.
pub async fn run(args: SimulateArgs, shutdown: impl Future<Output = ()>) -> Result<Summary, SimulateError> {
    ensure_topic(&args.kafka, &args.topic, args.partitions, CONNECT_TIMEOUT).await?;
    let config = client_config(&args.kafka, PRODUCER_DEFAULTS);
    let producer =
        ThreadedProducer::from_config_and_context(&config, Deliveries::default()).map_err(SimulateError::config)?;
    let pace = if args.as_fast_as_possible { "as fast as possible" } else { "real time" };
    info!(topic = %args.topic, cars = args.cars, hz = args.hz, seed = args.seed, pace,
          properties = ?redacted_properties(&args.kafka), "simulating");

    let started = Instant::now();
    let mut status = Status::new(started);
    let driven = drive(&args, &producer, pin!(shutdown), &mut status).await;
    let (delivered, delivery_errors, unflushed) = flush(producer).await?;
    let (race, records) = driven?;
    let summary = Summary {
        records,
        delivered,
        delivery_errors,
        unflushed,
        seconds: started.elapsed().as_secs_f64(),
        race_seconds: race.time_secs(),
        leader_lap: race.leader_lap(),
    };
    status.finish(&summary);
    Ok(summary)
}

/// Steps the race once per tick and enqueues every car's sample; returns the race and
/// the number of records enqueued.
async fn drive<F: Future<Output = ()>>(
    args: &SimulateArgs,
    producer: &ThreadedProducer<Deliveries>,
    mut shutdown: Pin<&mut F>,
    status: &mut Status,
) -> Result<(Race, u64), SimulateError> {
    let mut race = Race::new(args.cars, args.seed);
    let dt = 1.0 / args.hz;
    let tick_limit = args.duration_secs.map(|d| (d * args.hz).ceil() as u64);
    let max_ticks = tick_limit.unwrap_or(u64::MAX);
    let max_records = args.count.unwrap_or(u64::MAX);
    let planned_ticks = tick_limit.into_iter().chain(args.count.map(|c| c.div_ceil(u64::from(args.cars)))).min();
    if args.as_fast_as_possible && planned_ticks.is_none() {
        warn!(
            "with neither --count nor --duration-secs, timestamps run ahead of the clock, and Kafka refuses \
               records over an hour ahead (log.message.timestamp.after.max.ms)"
        );
    }
    let start_ms = fast_start_ms(now_ms(), planned_ticks, dt);
    // Delay, not Burst: after a stall the race carries on at the normal rate rather than
    // producing the missed ticks in a rush.
    let mut ticker = interval(Duration::from_secs_f64(dt));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let (mut tick, mut records) = (0u64, 0u64);
    let mut value = Vec::with_capacity(512);
    'race: while tick < max_ticks && records < max_records {
        if args.as_fast_as_possible {
            // No sleeping, but a yield per tick so Ctrl-C and other tasks get a turn.
            tokio::select! { biased; () = &mut shutdown => break, () = tokio::task::yield_now() => {} }
        } else {
            tokio::select! { biased; () = &mut shutdown => break, _ = ticker.tick() => {} }
        }
        race.step(dt);
        tick += 1;
        let ts = if args.as_fast_as_possible { start_ms + (tick as f64 * dt * 1e3).round() as i64 } else { now_ms() };
        let room = usize::try_from(max_records - records).unwrap_or(usize::MAX);
        for sample in race.samples(ts).take(room) {
            value.clear();
            serde_json::to_writer(&mut value, &sample).map_err(SimulateError::Encode)?;
            let record = BaseRecord::to(&args.topic).key(sample.car.as_str()).payload(&value).timestamp(ts);
            if !enqueue(producer, record, &mut shutdown).await? {
                break 'race;
            }
            records += 1;
        }
        status.update(records, producer.context().failed(), race.leader_lap());
    }
    Ok((race, records))
}

/// Hands one record to librdkafka, waiting while its queue is full. Returns false if
/// `shutdown` completed first.
async fn enqueue<F: Future<Output = ()>>(
    producer: &ThreadedProducer<Deliveries>,
    mut record: BaseRecord<'_, str, Vec<u8>>,
    shutdown: &mut Pin<&mut F>,
) -> Result<bool, SimulateError> {
    loop {
        match producer.send(record) {
            Ok(()) => return Ok(true),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                record = back;
                tokio::select! { biased; () = shutdown.as_mut() => return Ok(false), () = sleep(QUEUE_FULL_BACKOFF) => {} }
            }
            Err((e, _)) => return Err(SimulateError::Produce(e)),
        }
    }
}

/// Waits (bounded) for the queued records, then drops the producer, all off the async
/// threads since both block. Returns delivered, failed and still-unflushed counts.
async fn flush(producer: ThreadedProducer<Deliveries>) -> Result<(u64, u64, u64), SimulateError> {
    tokio::task::spawn_blocking(move || {
        if let Err(e) = producer.flush(FLUSH_TIMEOUT) {
            warn!(error = %e, in_flight = producer.in_flight_count(), "gave up waiting for the last records");
        }
        let unflushed = u64::try_from(producer.in_flight_count()).unwrap_or(0);
        let deliveries = producer.context();
        (deliveries.delivered.load(Ordering::Relaxed), deliveries.failed(), unflushed)
    })
    .await
    .map_err(SimulateError::Task)
}

/// Creates the topic unless it exists. Fetching the cluster's metadata first doubles as
/// the reachability check, bounded by `timeout`.
async fn ensure_topic(kafka: &KafkaArgs, topic: &str, partitions: i32, timeout: Duration) -> Result<(), SimulateError> {
    let admin: AdminClient<Deliveries> =
        AdminClient::from_config_and_context(&client_config(kafka, &[]), Deliveries::default())
            .map_err(SimulateError::config)?;
    let admin = Arc::new(admin);
    let fetching = Arc::clone(&admin);
    let metadata = tokio::task::spawn_blocking(move || fetching.inner().fetch_metadata(None, timeout))
        .await
        .map_err(SimulateError::Task)?
        .map_err(|source| SimulateError::Unreachable { brokers: kafka.brokers.clone(), waited: timeout, source })?;
    if let Some(existing) = metadata.topics().iter().find(|t| t.name() == topic && t.error().is_none()) {
        info!(topic, partitions = existing.partitions().len(), "topic exists");
        return Ok(());
    }
    let new = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
    let options = AdminOptions::new().request_timeout(Some(timeout)).operation_timeout(Some(timeout));
    let failed = |reason: String| SimulateError::CreateTopic { topic: topic.to_owned(), reason };
    let results = admin.create_topics([&new], &options).await.map_err(|e| failed(e.to_string()))?;
    for result in results {
        match result {
            Ok(_) => info!(topic, partitions, "created topic"),
            // Someone else (another simulator?) created it since the metadata was fetched.
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => info!(topic, "topic exists"),
            Err((_, code)) => return Err(failed(code.to_string())),
        }
    }
    Ok(())
}

/// Counts delivery reports, which librdkafka hands to the producer's polling thread, and
/// sends librdkafka's own logs and errors to `tracing`.
#[derive(Debug, Default)]
struct Deliveries {
    delivered: AtomicU64,
    failed: AtomicU64,
    /// The last global error logged. librdkafka reports some errors twice in a row; a std
    /// mutex, as only librdkafka's threads take it and never across an await.
    last_error: Mutex<String>,
}

impl Deliveries {
    fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
}

impl ClientContext for Deliveries {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        client::log(level, facility, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        let text = format!("{error}: {reason}");
        let mut last = self.last_error.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if *last != text {
            warn!(target: "librdkafka", %error, "{reason}");
            *last = text;
        }
    }
}

impl ProducerContext for Deliveries {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.delivered.fetch_add(1, Ordering::Relaxed);
            }
            // Failures come in floods (a broker down fails every queued record): log the
            // first, and let the status line count the rest.
            Err((e, _)) => {
                if self.failed.fetch_add(1, Ordering::Relaxed) == 0 {
                    warn!(error = %e, "a record was not delivered; further failures are only counted");
                }
            }
        }
    }
}

/// The progress line on stderr: rewritten in place about once a second on a terminal,
/// a plain line every five seconds otherwise (a log file should not fill with `\r`).
struct Status {
    tty: bool,
    every: Duration,
    started: Instant,
    last: Instant,
    last_records: u64,
}

impl Status {
    fn new(started: Instant) -> Status {
        let tty = std::io::stderr().is_terminal();
        let every = Duration::from_secs(if tty { 1 } else { 5 });
        Status { tty, every, started, last: started, last_records: 0 }
    }

    fn update(&mut self, records: u64, errors: u64, lap: u32) {
        let since = self.last.elapsed();
        if since < self.every {
            return;
        }
        let rate = (records - self.last_records) as f64 / since.as_secs_f64();
        let line = status_line(records, rate, errors, lap, self.started.elapsed());
        if self.tty {
            eprint!("\r{line}\x1b[K");
        } else {
            eprintln!("{line}");
        }
        (self.last, self.last_records) = (Instant::now(), records);
    }

    fn finish(&self, s: &Summary) {
        if self.tty {
            eprint!("\r\x1b[K");
        }
        let rate = s.records as f64 / s.seconds.max(1e-3);
        eprintln!(
            "done: {} records in {:.1} s ({rate:.0}/s), {} delivered, {} delivery errors, {} unflushed; \
             {:.1} s of racing, leader on lap {}",
            s.records, s.seconds, s.delivered, s.delivery_errors, s.unflushed, s.race_seconds, s.leader_lap
        );
    }
}

fn status_line(records: u64, rate: f64, errors: u64, lap: u32, elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    let clock = format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    format!("{records} records, {rate:.0}/s, {errors} delivery errors, leader on lap {lap}, {clock}")
}

/// Where the timestamps of a run as fast as possible start: early enough that the last
/// planned tick lands on `now_ms`, so a filled topic holds a race that has just ended.
/// Starting at now instead would stamp records hours ahead, which brokers refuse.
fn fast_start_ms(now_ms: i64, planned_ticks: Option<u64>, dt: f64) -> i64 {
    planned_ticks.map_or(now_ms, |ticks| now_ms.saturating_sub((ticks as f64 * dt * 1e3).round() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_line_says_records_rate_errors_lap_and_elapsed_time() {
        let line = status_line(120_000, 41_234.4, 3, 7, Duration::from_secs(3_725));
        assert_eq!(line, "120000 records, 41234/s, 3 delivery errors, leader on lap 7, 1:02:05");
    }

    #[test]
    fn a_bounded_fast_run_is_stamped_so_that_it_ends_now() {
        let now = 1_800_000_000_000;
        let start = fast_start_ms(now, Some(50_000), 0.05);
        assert_eq!(start, now - 2_500_000);
        assert_eq!(start + (50_000.0 * 0.05 * 1e3) as i64, now, "the last tick lands on now");
        assert_eq!(fast_start_ms(now, None, 0.05), now);
        assert_eq!(fast_start_ms(now, Some(u64::MAX), 1.0), now - i64::MAX, "saturates rather than overflows");
    }

    #[tokio::test]
    async fn an_unreachable_broker_is_reported_within_the_timeout() {
        let kafka = KafkaArgs::new("127.0.0.1:1");
        let started = Instant::now();
        let err = ensure_topic(&kafka, "t", 1, Duration::from_secs(1)).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
        assert!(matches!(err, SimulateError::Unreachable { .. }), "{err:?}");
        assert!(err.to_string().starts_with("cannot reach Kafka at 127.0.0.1:1"), "{err}");
    }

    #[tokio::test]
    async fn a_bad_client_property_is_a_configuration_error() {
        let mut kafka = KafkaArgs::new("127.0.0.1:1");
        kafka.properties.push(("no.such".into(), "1".into()));
        let err = ensure_topic(&kafka, "t", 1, Duration::from_secs(1)).await.unwrap_err();
        assert!(matches!(err, SimulateError::Config(_)), "{err:?}");
    }
}
