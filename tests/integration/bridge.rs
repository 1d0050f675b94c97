//! `trackside bridge` against the real broker and server: game datagrams in on UDP,
//! cars on a viewer's charts out. The datagrams are built here from the published
//! offsets, as the bridge's unit tests build theirs; no game was run.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use clap::Parser;
use rdkafka::{
    ClientConfig, Message, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer},
};
use serde_json::Value;
use tokio::{net::UdpSocket, sync::oneshot, task::JoinHandle};
use trackside::{
    bridge::{Bridge, BridgeError, Counts, Source, Stats},
    config::{Cli, Command},
};

use crate::helpers::*;

/// A bridge running in this process on a UDP port of its own.
struct RunningBridge {
    addr: SocketAddr,
    stats: Stats,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<Counts, BridgeError>>,
}

impl RunningBridge {
    async fn start(brokers: &str, topic: &str, extra: &[&str]) -> RunningBridge {
        let mut argv = vec!["trackside", "bridge", "--brokers", brokers, "--topic", topic, "--listen", "127.0.0.1:0"];
        argv.extend_from_slice(extra);
        let Command::Bridge(args) = Cli::try_parse_from(argv).unwrap().command else { unreachable!() };
        let source = Source::open(&args).await.unwrap();
        let bridge = Bridge::build(args, source).unwrap();
        let (addr, stats) = (bridge.local_addr().unwrap(), bridge.stats());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(bridge.run(async move {
            let _ = stopped.await;
        }));
        RunningBridge { addr, stats, stop, task }
    }

    async fn finish(self) -> Counts {
        let _ = self.stop.send(());
        tokio::time::timeout(PATIENCE, self.task).await.expect("the bridge stops").unwrap().unwrap()
    }
}

async fn game() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").await.unwrap()
}

// --- F1 25 packets: a 29-byte header, then 22 car slots. ---

fn f1_packet(len: usize, id: u8, frame: u32) -> Vec<u8> {
    let mut d = vec![0u8; len];
    d[..2].copy_from_slice(&2025u16.to_le_bytes());
    d[6] = id;
    d[7..15].copy_from_slice(&77u64.to_le_bytes());
    d[19..23].copy_from_slice(&frame.to_le_bytes());
    d
}

fn put(d: &mut [u8], at: usize, bytes: &[u8]) {
    d[at..at + bytes.len()].copy_from_slice(bytes);
}

fn participants() -> Vec<u8> {
    let mut d = f1_packet(29 + 1 + 22 * 57, 4, 0);
    d[29] = 22;
    for i in 0..22 {
        let at = 30 + i * 57;
        d[at + 5] = i as u8 + 1;
        put(&mut d, at + 7, format!("Driver {}", i + 1).as_bytes());
    }
    d
}

fn lap_data(frame: u32) -> Vec<u8> {
    let mut d = f1_packet(29 + 22 * 57 + 2, 2, frame);
    for i in 0..22 {
        let at = 29 + i * 57;
        put(&mut d, at + 20, &(50.0f32 * i as f32).to_le_bytes());
        d[at + 33] = 2;
        d[at + 45] = 2;
    }
    d
}

fn car_telemetry(frame: u32) -> Vec<u8> {
    let mut d = f1_packet(29 + 22 * 60 + 3, 6, frame);
    for i in 0..22 {
        let at = 29 + i * 60;
        put(&mut d, at, &(200 + i as u16).to_le_bytes());
        put(&mut d, at + 2, &1.0f32.to_le_bytes());
        d[at + 15] = 7;
        put(&mut d, at + 16, &11_500u16.to_le_bytes());
        put(&mut d, at + 30, &[90, 91, 95, 96]);
    }
    d
}

/// A Forza Motorsport 7 Dash datagram: racing, at `speed` m/s.
fn forza(speed: f32, x: f32) -> Vec<u8> {
    let mut d = vec![0u8; 311];
    put(&mut d, 0, &1i32.to_le_bytes());
    put(&mut d, 16, &6800f32.to_le_bytes());
    put(&mut d, 232, &x.to_le_bytes());
    put(&mut d, 244, &speed.to_le_bytes());
    for (i, f) in [212f32, 212.0, 194.0, 194.0].iter().enumerate() {
        put(&mut d, 256 + 4 * i, &f.to_le_bytes());
    }
    d[307] = 4;
    d
}

/// An OutGauge datagram (92 bytes): gear byte 3 is second gear.
fn outgauge(speed: f32) -> Vec<u8> {
    let mut d = vec![0u8; 92];
    d[10] = 3;
    put(&mut d, 12, &speed.to_le_bytes());
    put(&mut d, 16, &5000f32.to_le_bytes());
    d
}

fn cars(seen: &[Value]) -> std::collections::BTreeMap<String, Value> {
    records(seen, "live").into_iter().map(|(_, _, r)| (r["car"].as_str().unwrap().to_owned(), r)).collect()
}

#[tokio::test]
async fn f1_datagrams_for_22_cars_chart_22_cars_with_their_names() {
    let topic = create_topic(3).await;
    let app = TestApp::reading_from_earliest(&topic).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    let bridge = RunningBridge::start(&brokers(), &topic, &[]).await;

    let game = game().await;
    game.send_to(&participants(), bridge.addr).await.unwrap();
    for frame in 1..=3 {
        game.send_to(&lap_data(frame), bridge.addr).await.unwrap();
        game.send_to(&car_telemetry(frame), bridge.addr).await.unwrap();
    }

    viewer.until("22 cars", |seen| cars(seen).len() == 22).await;
    let cars = cars(&viewer.seen);
    for i in 0..22u32 {
        let r = &cars[&(i + 1).to_string()];
        assert_eq!(r["driver"], format!("Driver {}", i + 1));
        assert_eq!(r["speed_kph"], f64::from(200 + i));
        assert_eq!((r["rpm"].as_f64(), r["gear"].as_i64(), r["lap"].as_i64()), (Some(11_500.0), Some(7), Some(2)));
        assert_eq!(r["tire_temp_c"], serde_json::json!({"fl": 95.0, "fr": 96.0, "rl": 90.0, "rr": 91.0}));
        assert_eq!(r["lap_distance_m"], 50.0 * f64::from(i));
    }
    let counts = bridge.finish().await;
    assert_eq!((counts.records, counts.delivered, counts.dropped), (66, 66, 0), "{counts:?}");
}

#[tokio::test]
async fn a_forza_stream_charts_one_car_at_the_pace_it_was_sent() {
    let topic = create_topic(1).await;
    let app = TestApp::reading_from_earliest(&topic).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    let bridge = RunningBridge::start(&brokers(), &topic, &["--car", "44", "--driver", "Ada"]).await;

    // One second at Forza's 60 packets a second, speeding up by 1 m/s a packet.
    let game = game().await;
    let mut tick = tokio::time::interval(Duration::from_micros(16_667));
    let sent = Instant::now();
    for n in 0..60 {
        tick.tick().await;
        game.send_to(&forza(10.0 + n as f32, n as f32), bridge.addr).await.unwrap();
    }
    let sending = sent.elapsed();

    viewer.until("60 records", |seen| records(seen, "live").len() >= 60).await;
    let got = records(&viewer.seen, "live");
    assert!(got.iter().all(|(_, _, r)| r["car"] == "44" && r["driver"] == "Ada"), "one car");
    let speeds: Vec<f64> = got.iter().map(|(_, _, r)| r["speed_kph"].as_f64().unwrap()).collect();
    let expected: Vec<f64> = (0..60).map(|n| f64::from(10 + n) * 3.6).collect();
    assert!(speeds.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-9), "{speeds:?}");
    assert_eq!(got[59].2["tire_temp_c"], serde_json::json!({"fl": 100.0, "fr": 100.0, "rl": 90.0, "rr": 90.0}));
    // Stamped as they came: the records span the second it took to send them.
    let ts: Vec<i64> = got.iter().map(|(_, _, r)| r["ts"].as_i64().unwrap()).collect();
    let span = Duration::from_millis((ts[59] - ts[0]) as u64);
    assert!(span.abs_diff(sending) < Duration::from_millis(250), "records span {span:?}, sending took {sending:?}");
    assert_eq!(got[59].2["lap_distance_m"], 59.0, "a metre a packet");
    bridge.finish().await;
}

#[tokio::test]
async fn hz_thins_sixty_packets_a_second_to_the_rate_asked_for() {
    let topic = create_topic(1).await;
    let bridge = RunningBridge::start(&brokers(), &topic, &["--format", "forza", "--hz", "20"]).await;
    let game = game().await;
    let mut tick = tokio::time::interval(Duration::from_micros(16_667));
    let started = Instant::now();
    for n in 0..120 {
        tick.tick().await;
        game.send_to(&forza(20.0, n as f32), bridge.addr).await.unwrap();
    }
    let stats = bridge.stats.clone();
    eventually("every datagram taken", || async { stats.snapshot().datagrams == 120 }).await;
    let took = started.elapsed().as_secs_f64();
    let counts = bridge.finish().await;
    // About two seconds at 20 Hz: never more than the rate allows over the time it took.
    // Fewer when a busy machine delivers datagrams in bursts (a burst's extras go too).
    let most = (took * 20.0).ceil() as u64 + 1;
    assert!(counts.records <= most, "{took:.2} s at 20 Hz allows {most}: {counts:?}");
    assert!(counts.records >= 20, "thinned, not stopped: {counts:?}");
    assert_eq!(counts.datagrams, 120);
}

/// Reads every record of a one-partition topic.
async fn read_topic(topic: &str, expected: usize) -> Vec<Value> {
    let consumer: BaseConsumer =
        ClientConfig::new().set("bootstrap.servers", brokers()).set("group.id", unique("reader")).create().unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning).unwrap();
    consumer.assign(&tpl).unwrap();
    let out = std::sync::Mutex::new(Vec::new());
    eventually("the topic's records", || async {
        let mut out = out.lock().unwrap();
        while let Some(m) = consumer.poll(Duration::from_millis(200)) {
            out.push(serde_json::from_slice::<Value>(m.unwrap().payload().unwrap()).unwrap());
        }
        if out.len() >= expected { Ok(()) } else { Err(format!("{} of {expected}", out.len())) }
    })
    .await;
    // Anything beyond what was expected would be a duplicate: look a little longer.
    while let Some(m) = consumer.poll(Duration::from_millis(500)) {
        out.lock().unwrap().push(serde_json::from_slice(m.unwrap().payload().unwrap()).unwrap());
    }
    out.into_inner().unwrap()
}

#[tokio::test]
async fn a_kafka_outage_loses_only_what_the_bounded_queue_dropped_and_says_how_many() {
    // Kafka is "down": the bridge's brokers are an address where nothing listens yet.
    let topic = create_topic(1).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let away = format!("127.0.0.1:{port}");
    // librdkafka may hold 10 records, the bridge's queue 50: of 200, 140 must be dropped.
    let bridge =
        RunningBridge::start(&away, &topic, &["--buffer", "50", "-X", "queue.buffering.max.messages=10"]).await;
    let game = game().await;
    for n in 0..200 {
        game.send_to(&forza(n as f32, 0.0), bridge.addr).await.unwrap();
        if n % 20 == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await; // don't overrun the socket's buffer
        }
    }
    let stats = bridge.stats.clone();
    let seen = eventually("200 datagrams taken", || async {
        let c = stats.snapshot();
        if c.datagrams == 200 { Ok(c) } else { Err(format!("{c:?}")) }
    })
    .await;
    assert_eq!((seen.records, seen.dropped, seen.delivered), (200, 140, 0), "{seen:?}");

    // Kafka comes back: the bridge's address now leads to the real broker.
    let proxy = tokio::net::TcpListener::bind(&away).await.unwrap();
    let upstream = brokers();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = proxy.accept().await {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                if let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    eventually("the 60 kept records delivered", || async { stats.snapshot().delivered == 60 }).await;
    let counts = bridge.finish().await;
    assert_eq!((counts.dropped, counts.delivered, counts.delivery_errors, counts.unsent), (140, 60, 0, 0));

    // Exactly those: the first 10 (already with librdkafka) and the newest 50.
    let got = read_topic(&topic, 60).await;
    let speeds: Vec<i64> = got.iter().map(|r| (r["speed_kph"].as_f64().unwrap() / 3.6).round() as i64).collect();
    let expected: Vec<i64> = (0..10).chain(150..200).collect();
    assert_eq!(speeds, expected);
}

#[tokio::test]
async fn a_recorded_outgauge_session_plays_back_through_the_binary_as_a_car_without_tires() {
    let topic = create_topic(1).await;
    let file = std::env::temp_dir().join(format!("{}.tsudp", unique("capture")));
    let recording = RunningBridge::start(&brokers(), &unique("unused"), &["--record", file.to_str().unwrap()]).await;
    let game = game().await;
    for n in 0..30 {
        game.send_to(&outgauge(n as f32), recording.addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stats = recording.stats.clone();
    eventually("30 datagrams recorded", || async { stats.snapshot().datagrams == 30 }).await;
    recording.finish().await;

    let app = TestApp::reading_from_earliest(&topic).await;
    let mut viewer = app.viewer().await;
    viewer.subscribe(&topic, None).await;
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trackside"))
        .args(["bridge", "--from-file", file.to_str().unwrap(), "--topic", &topic, "--brokers", &brokers()])
        .args(["--car", "LFS"])
        .output()
        .unwrap();
    let played = started.elapsed();
    std::fs::remove_file(&file).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("done: 30 datagrams, 30 records, 30 delivered, 0 dropped"), "{stderr}");
    assert!(played >= Duration::from_millis(290), "played at the recorded pace, not at once: {played:?}");

    viewer.until("30 records", |seen| records(seen, "live").len() >= 30).await;
    let got = records(&viewer.seen, "live");
    assert!(got.iter().all(|(_, _, r)| r["car"] == "LFS" && r.get("tire_temp_c").is_none() && r["gear"] == 2));
    assert_eq!(got[29].2["speed_kph"].as_f64().unwrap(), 29.0 * 3.6);
}

#[tokio::test]
async fn forward_passes_every_datagram_on_unchanged_garbage_included() {
    let tool = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let to = tool.local_addr().unwrap().to_string();
    let bridge = RunningBridge::start(&brokers(), &unique("unused"), &["--forward", &to]).await;
    let game = game().await;
    let sent = [forza(12.0, 0.0), b"not telemetry".to_vec(), outgauge(3.0)];
    for d in &sent {
        game.send_to(d, bridge.addr).await.unwrap();
    }
    let mut buf = vec![0u8; 2048];
    for d in &sent {
        let (n, _) = tokio::time::timeout(PATIENCE, tool.recv_from(&mut buf)).await.unwrap().unwrap();
        assert_eq!(&buf[..n], d.as_slice());
    }
    let counts = bridge.finish().await;
    assert_eq!((counts.datagrams, counts.forward_errors), (3, 0));
    // Forza was recognised first; the rest are not Forza, and say why.
    assert_eq!((counts.records, counts.unusable_total()), (1, 2), "{counts:?}");
    assert_eq!(counts.unusable.get("length"), Some(&2));
}

mod channels;
