//! `trackside simulate`: drives a [`race::Race`] and produces every car's records to
//! Kafka, in real time at `--hz` per car or as fast as librdkafka takes them.

pub mod race;
pub mod track;

use std::{
    future::Future,
    pin::{Pin, pin},
    time::{Duration, Instant},
};

use rdkafka::producer::{BaseRecord, Producer};
use tracing::{info, warn};

use crate::{
    config::{SimulateArgs, SimulateFormat},
    kafka::{
        produce::{self, CONNECT_TIMEOUT, CountingProducer, PRODUCER_DEFAULTS, ProduceError, enqueue, flush},
        shared::client::{now_ms, redacted_properties},
    },
    progress::ProgressLine,
    schema::{RegistryConfig, WireWriter},
    tick,
};
use race::Race;

/// Why the simulator could not start, or stopped before its limit.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error(transparent)]
    Kafka(#[from] ProduceError),
    #[error("cannot encode a sample")]
    Encode(#[source] serde_json::Error),
    /// The schema registry refused the schema, or a record does not fit it.
    #[error("{0}")]
    Schema(String),
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
    produce::ensure_topic(&args.kafka, &args.topic, args.partitions, CONNECT_TIMEOUT).await?;
    let producer = produce::producer(&args.kafka, PRODUCER_DEFAULTS)?;
    let wire = wire_writer(&args).await?;
    let pace = if args.as_fast_as_possible { "as fast as possible" } else { "real time" };
    info!(topic = %args.topic, cars = args.cars, hz = args.hz, seed = args.seed, pace,
          properties = ?redacted_properties(&args.kafka), "simulating");

    let started = Instant::now();
    let mut status = Status::new(started);
    let driven = drive(&args, &producer, wire.as_ref(), pin!(shutdown), &mut status).await;
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
    producer: &CountingProducer,
    wire: Option<&WireWriter>,
    mut shutdown: Pin<&mut F>,
    status: &mut Status,
) -> Result<(Race, u64), SimulateError> {
    let mut race = Race::new(args.cars, args.seed);
    if args.count.is_some() {
        race = race.without_retirements();
    }
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
    let mut ticker = tick::ticker(Duration::from_secs_f64(dt));
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
        for car in race.records(ts).take(room) {
            value.clear();
            match wire {
                None => serde_json::to_writer(&mut value, &car).map_err(SimulateError::Encode)?,
                Some(wire) => {
                    let json = serde_json::to_value(&car).map_err(SimulateError::Encode)?;
                    wire.write(&json, &mut value).map_err(SimulateError::Schema)?;
                }
            }
            let record = BaseRecord::to(&args.topic).key(car.sample.car.as_str()).payload(&value).timestamp(ts);
            if !enqueue(producer, record, &mut shutdown).await? {
                break 'race;
            }
            records += 1;
        }
        status.update(records, producer.context().failed(), race.leader_lap());
    }
    Ok((race, records))
}

/// The simulator's schemas (`examples/schemas/`).
pub const AVRO_SCHEMA: &str = include_str!("../../examples/schemas/simulator.avsc");
pub const PROTOBUF_SCHEMA: &str = include_str!("../../examples/schemas/simulator.proto");

/// For `--format avro` and `protobuf`: the schema registered, to write records by.
async fn wire_writer(args: &SimulateArgs) -> Result<Option<WireWriter>, SimulateError> {
    let Some(url) = &args.schema_registry else { return Ok(None) };
    let registry = RegistryConfig::from_env(url);
    let subject = format!("{}-value", args.topic);
    let writer = match args.format {
        SimulateFormat::Json => return Ok(None),
        SimulateFormat::Avro => WireWriter::register_avro(&registry, &subject, AVRO_SCHEMA).await,
        SimulateFormat::Protobuf => WireWriter::register_protobuf(&registry, &subject, PROTOBUF_SCHEMA).await,
    }
    .map_err(SimulateError::Schema)?;
    info!(id = writer.id(), url = %registry.url, "schema registered");
    Ok(Some(writer))
}

/// The simulator's progress line.
struct Status {
    line: ProgressLine,
    started: Instant,
    last_records: u64,
}

impl Status {
    fn new(started: Instant) -> Status {
        Status { line: ProgressLine::new(started), started, last_records: 0 }
    }

    fn update(&mut self, records: u64, errors: u64, lap: u32) {
        let Some(since) = self.line.due() else { return };
        let rate = (records - self.last_records) as f64 / since.as_secs_f64();
        self.line.show(&status_line(records, rate, errors, lap, self.started.elapsed()));
        self.last_records = records;
    }

    fn finish(&self, s: &Summary) {
        let rate = s.records as f64 / s.seconds.max(1e-3);
        self.line.finish(&format!(
            "done: {} records in {:.1} s ({rate:.0}/s), {} delivered, {} delivery errors, {} unflushed; \
             {:.1} s of racing, leader on lap {}",
            s.records, s.seconds, s.delivered, s.delivery_errors, s.unflushed, s.race_seconds, s.leader_lap
        ));
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
}
