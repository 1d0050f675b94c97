//! EA F1 25's UDP telemetry (and F1 24's and 23's, which 25 can also send). Packets are
//! told apart by (packet format, packet id) in a 29-byte header, never by length alone;
//! the packets of one frame are joined into one sample per active car, with the car's
//! extra [`channels`].

#[path = "f1_channels.rs"]
pub(crate) mod channels;

use super::{
    channels::{Channels, Reading},
    packet::{Reader, Unusable},
};
use crate::telemetry::{Sample, Tires};

const HEADER: usize = 29;
/// Every per-car array holds this many slots, active or not.
const CARS: usize = 22;
const MOTION: u8 = 0;
const LAP_DATA: u8 = 2;
const PARTICIPANTS: u8 = 4;
const CAR_TELEMETRY: u8 = 6;
/// Ids above this are no packet of any supported year.
const LAST_PACKET_ID: u8 = 15;
const MOTION_STRIDE: usize = 60;
const TELEMETRY_STRIDE: usize = 60;

/// Where the fields that moved between years sit.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Layout {
    lap_stride: usize,
    /// Lap distance, current lap number, result status, within a LapData slot.
    lap_fields: (usize, usize, usize),
    participant_stride: usize,
    name_len: usize,
}

fn layout(format: u16) -> Result<Layout, Unusable> {
    Ok(match format {
        2025 => Layout { lap_stride: 57, lap_fields: (20, 33, 45), participant_stride: 57, name_len: 32 },
        2024 => Layout { lap_stride: 57, lap_fields: (20, 33, 45), participant_stride: 60, name_len: 48 },
        // F1 24 gave the two time deltas a minutes byte each, so F1 23's fields sit 2 earlier.
        2023 => Layout { lap_stride: 50, lap_fields: (18, 31, 43), participant_stride: 58, name_len: 48 },
        other => return Err(Unusable::F1Format(other)),
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Header {
    pub(crate) format: u16,
    pub(crate) id: u8,
    pub(crate) session: u64,
    pub(crate) frame: u32,
}

/// True when the bytes start like an F1 packet of a supported year (for detection).
pub(crate) fn looks_like_f1(datagram: &[u8]) -> bool {
    header(datagram).is_ok_and(|h| layout(h.format).is_ok() && h.id <= LAST_PACKET_ID)
}

pub(crate) fn header(datagram: &[u8]) -> Result<Header, Unusable> {
    let r = Reader::new(datagram, "F1 header");
    r.need(HEADER)?;
    Ok(Header { format: r.u16(0)?, id: r.u8(6)?, session: r.u64(7)?, frame: r.u32(19)? })
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Telemetry {
    pub(crate) speed_kph: u16,
    pub(crate) throttle: f64,
    pub(crate) brake: f64,
    pub(crate) gear: i8,
    pub(crate) rpm: u16,
    /// Surface temperatures, °C, in the game's order: RL, RR, FL, FR.
    pub(crate) tires: [u8; 4],
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Lap {
    pub(crate) distance_m: f64,
    pub(crate) number: u8,
    pub(crate) status: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Participant {
    pub(crate) race_number: u8,
    pub(crate) name: String,
}

/// The packets the join uses, each with its 22 slots.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Packet {
    /// World position X, Y (up), Z, metres.
    Motion(Vec<[f64; 3]>),
    LapData(Vec<Lap>),
    /// The active cars are the first `active`.
    Participants {
        active: u8,
        cars: Vec<Participant>,
    },
    CarTelemetry(Vec<Telemetry>),
    /// A packet of a supported year that Trackside has no use for (session, events...).
    Other,
}

/// The 22 slots of `stride` bytes after the header, each as a reader and its offset.
fn slots<'a>(
    datagram: &'a [u8],
    what: &'static str,
    stride: usize,
) -> Result<impl Iterator<Item = (Reader<'a>, usize)>, Unusable> {
    let r = Reader::new(datagram, what);
    r.need(HEADER + CARS * stride).map(|()| (0..CARS).map(move |i| (r, HEADER + i * stride)))
}

/// Reads one packet.
pub(crate) fn parse(datagram: &[u8]) -> Result<(Header, Packet), Unusable> {
    let h = header(datagram)?;
    let layout = layout(h.format)?;
    let slots = |what, stride| slots(datagram, what, stride);
    let packet = match h.id {
        MOTION => Packet::Motion(
            slots("F1 Motion", MOTION_STRIDE)?
                .map(|(r, at)| Ok([r.f32(at, "x")?, r.f32(at + 4, "y")?, r.f32(at + 8, "z")?]))
                .collect::<Result<_, Unusable>>()?,
        ),
        LAP_DATA => {
            let (distance, number, status) = layout.lap_fields;
            Packet::LapData(
                slots("F1 LapData", layout.lap_stride)?
                    .map(|(r, at)| {
                        Ok(Lap {
                            distance_m: r.f32(at + distance, "lap distance")?,
                            number: r.u8(at + number)?,
                            status: r.u8(at + status)?,
                        })
                    })
                    .collect::<Result<_, Unusable>>()?,
            )
        }
        PARTICIPANTS => {
            // One byte, the number of active cars, comes before the slots.
            let r = Reader::new(datagram, "F1 Participants");
            r.need(HEADER + 1 + CARS * layout.participant_stride)?;
            let cars = (0..CARS)
                .map(|i| HEADER + 1 + i * layout.participant_stride)
                .map(|at| Ok(Participant { race_number: r.u8(at + 5)?, name: r.text(at + 7, layout.name_len)? }))
                .collect::<Result<_, Unusable>>()?;
            Packet::Participants { active: r.u8(HEADER)?, cars }
        }
        CAR_TELEMETRY => Packet::CarTelemetry(
            slots("F1 CarTelemetry", TELEMETRY_STRIDE)?
                .map(|(r, at)| {
                    Ok(Telemetry {
                        speed_kph: r.u16(at)?,
                        throttle: r.f32(at + 2, "throttle")?,
                        brake: r.f32(at + 10, "brake")?,
                        gear: r.i8(at + 15)?,
                        rpm: r.u16(at + 16)?,
                        tires: [r.u8(at + 30)?, r.u8(at + 31)?, r.u8(at + 32)?, r.u8(at + 33)?],
                    })
                })
                .collect::<Result<_, Unusable>>()?,
        ),
        id if id <= LAST_PACKET_ID => Packet::Other,
        _ => return Err(Unusable::Unknown { len: datagram.len() }),
    };
    Ok((h, packet))
}

/// The packets of one session so far, joined per frame: each CarTelemetry packet becomes a
/// sample per active car, with the newest Motion, LapData and Participants of the session
/// (the game sends a frame's Motion and LapData before its CarTelemetry).
#[derive(Debug, Default)]
pub(crate) struct Join {
    session: Option<u64>,
    motion: Option<Vec<[f64; 3]>>,
    laps: Option<Vec<Lap>>,
    participants: Option<(u8, Vec<Participant>)>,
    channels: channels::Latest,
    /// The newest frame samples were made of: a flashback takes the frame identifier back,
    /// and a moment already produced is not produced again.
    produced: Option<u32>,
}

impl Join {
    /// The v1 samples [`Join::take`] gives, for the tests of the v1 join.
    #[cfg(test)]
    pub(crate) fn push(&mut self, datagram: &[u8]) -> Result<Vec<Sample>, Unusable> {
        self.take(datagram).map(|readings| readings.into_iter().map(|r| r.sample).collect())
    }

    /// Takes one datagram; returns the readings it completes (none for most packets).
    pub(crate) fn take(&mut self, datagram: &[u8]) -> Result<Vec<Reading>, Unusable> {
        let (h, packet) = parse(datagram)?;
        let part = channels::parse(&h, datagram)?;
        if self.session != Some(h.session) {
            *self = Join { session: Some(h.session), ..Join::default() };
        }
        if let Some(part) = part {
            self.channels.keep(part);
        }
        match packet {
            Packet::Motion(m) => self.motion = Some(m),
            Packet::LapData(l) => self.laps = Some(l),
            Packet::Participants { active, cars } => self.participants = Some((active, cars)),
            Packet::CarTelemetry(t) => return self.samples(h.frame, &t),
            Packet::Other => {}
        }
        Ok(Vec::new())
    }

    fn samples(&mut self, frame: u32, telemetry: &[Telemetry]) -> Result<Vec<Reading>, Unusable> {
        let Some((active, cars)) = &self.participants else { return Err(Unusable::NoParticipants) };
        if self.produced.is_some_and(|p| frame <= p) {
            return Err(Unusable::Replayed { frame });
        }
        self.produced = Some(frame);
        let mut out = Vec::with_capacity(usize::from(*active));
        for (i, (t, who)) in telemetry.iter().zip(cars).enumerate().take(usize::from(*active)) {
            let lap = self.laps.as_ref().and_then(|l| l.get(i));
            // 2 is active, 3 finished (still driving in); the rest are off the track.
            if lap.is_some_and(|l| !(2..=3).contains(&l.status)) {
                continue;
            }
            let position = self.motion.as_ref().and_then(|m| m.get(i));
            let [rl, rr, fl, fr] = t.tires.map(f64::from);
            let sample = Sample {
                car: who.race_number.to_string(),
                ts: None,
                speed_kph: f64::from(t.speed_kph),
                rpm: f64::from(t.rpm),
                tire_temp_c: Some(Tires { fl, fr, rl, rr }),
                lap: lap.map(|l| u32::from(l.number)),
                gear: Some(t.gear),
                throttle: Some(t.throttle),
                brake: Some(t.brake),
                driver: Some(who.name.clone()).filter(|n| !n.is_empty()),
                x: position.map(|p| p[0]),
                y: position.map(|p| p[2]),
                lap_distance_m: lap.map(|l| l.distance_m),
            };
            out.push(Reading { sample, channels: Channels::F1(self.channels.car(i)) });
        }
        Ok(out)
    }
}

#[cfg(test)]
#[path = "f1_tests.rs"]
pub(crate) mod tests;
