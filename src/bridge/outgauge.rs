//! OutGauge, the dashboard stream of Live for Speed and BeamNG.drive: one 92-byte datagram
//! per reading, 96 with the optional id at the end. It has no tires, no lap and no
//! position, which the contract allows.

use serde::Serialize;

use super::{
    channels::{self, Reading},
    packet::{Reader, Unusable},
};
use crate::telemetry::Sample;

/// The lengths OutGauge sends, without and with its trailing id.
pub(crate) const LENGTHS: [usize; 2] = [92, 96];

/// The channels beyond contract v1, in the units OutGauge sends. Live for Speed does not
/// simulate engine or oil temperature or oil pressure: it leaves `EngTemp`, `OilPressure`
/// and `OilTemp` at zero, so those read 0 from it (BeamNG.drive fills them).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Channels {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) turbo_bar: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) engine_temp_c: Option<f64>,
    /// 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fuel: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) oil_pressure_bar: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) oil_temp_c: Option<f64>,
}

/// The record for one OutGauge datagram: its sample and its channels.
pub(crate) fn reading(datagram: &[u8], car: &str, driver: Option<&str>) -> Result<Reading, Unusable> {
    let sample = parse(datagram, car, driver)?;
    let r = Reader::new(datagram, "OutGauge datagram");
    let channels = Channels {
        turbo_bar: r.finite(20)?,
        engine_temp_c: r.finite(24)?,
        fuel: r.finite(28)?,
        oil_pressure_bar: r.finite(32)?,
        oil_temp_c: r.finite(36)?,
    };
    Ok(Reading { sample, channels: channels::Channels::OutGauge(channels) })
}

/// The contract's sample for one OutGauge datagram.
pub(crate) fn parse(datagram: &[u8], car: &str, driver: Option<&str>) -> Result<Sample, Unusable> {
    let r = Reader::new(datagram, "OutGauge datagram");
    if !LENGTHS.contains(&r.len()) {
        return Err(Unusable::Length { format: "OutGauge", len: r.len() });
    }
    // 0 is reverse, 1 neutral, 2 first gear.
    let gear = i8::try_from(i16::from(r.u8(10)?) - 1).unwrap_or(i8::MAX);
    Ok(Sample {
        car: car.to_owned(),
        ts: None,
        speed_kph: r.f32(12, "speed")? * 3.6,
        rpm: r.f32(16, "rpm")?,
        tire_temp_c: None,
        lap: None,
        gear: Some(gear),
        throttle: Some(r.f32(48, "throttle")?),
        brake: Some(r.f32(52, "brake")?),
        driver: driver.map(str::to_owned),
        x: None,
        y: None,
        lap_distance_m: None,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bridge::packet::Datagram;

    pub(crate) fn datagram(len: usize, gear: u8, speed_mps: f32) -> Vec<u8> {
        let mut d = Datagram::zeros(len);
        d.u32(0, 123_456).put(4, b"XRT\0").u8(10, gear).f32(12, speed_mps).f32(16, 6500.0);
        d.f32(48, 0.5).f32(52, 0.125);
        d.0
    }

    fn expected(gear: i8) -> Sample {
        Sample {
            car: "9".into(),
            ts: None,
            speed_kph: 90.0,
            rpm: 6500.0,
            tire_temp_c: None,
            lap: None,
            gear: Some(gear),
            throttle: Some(0.5),
            brake: Some(0.125),
            driver: Some("Ada".into()),
            x: None,
            y: None,
            lap_distance_m: None,
        }
    }

    #[test]
    fn a_92_byte_datagram_converts_to_the_contract_without_tires() {
        assert_eq!(parse(&datagram(92, 4, 25.0), "9", Some("Ada")), Ok(expected(3)));
    }

    #[test]
    fn a_96_byte_datagram_with_its_id_converts_the_same() {
        let mut d = datagram(96, 0, 25.0);
        d[92..].copy_from_slice(&7i32.to_le_bytes());
        assert_eq!(parse(&d, "9", Some("Ada")), Ok(expected(-1)), "0 is reverse");
        assert_eq!(parse(&datagram(96, 1, 25.0), "9", Some("Ada")), Ok(expected(0)), "1 is neutral");
    }

    /// The datagram of [`datagram`] with turbo 1.25 bar, engine 95.5 °C, fuel 0.625,
    /// oil at 4.5 bar and 110.25 °C.
    pub(crate) fn with_channels(len: usize) -> Vec<u8> {
        let mut d = Datagram(datagram(len, 4, 25.0));
        d.f32(20, 1.25).f32(24, 95.5).f32(28, 0.625).f32(32, 4.5).f32(36, 110.25);
        d.0
    }

    #[test]
    fn turbo_engine_temperature_fuel_and_oil_are_sent_beside_the_v1_fields() {
        for len in LENGTHS {
            let r = reading(&with_channels(len), "9", Some("Ada")).unwrap();
            assert_eq!(r.sample, expected(3));
            let json = serde_json::to_value(&r).unwrap();
            let got: Vec<f64> = ["turbo_bar", "engine_temp_c", "fuel", "oil_pressure_bar", "oil_temp_c"]
                .map(|name| json[name].as_f64().unwrap())
                .to_vec();
            assert_eq!(got, [1.25, 95.5, 0.625, 4.5, 110.25], "{len} bytes");
        }
    }

    #[test]
    fn a_garbled_channel_is_left_out_and_other_lengths_give_no_reading() {
        let mut d = with_channels(92);
        d[20..24].copy_from_slice(&f32::NAN.to_le_bytes());
        let channels::Channels::OutGauge(c) = reading(&d, "9", None).unwrap().channels else { panic!() };
        assert_eq!((c.turbo_bar, c.fuel), (None, Some(0.625)));
        assert_eq!(reading(&[0; 93], "9", None), Err(Unusable::Length { format: "OutGauge", len: 93 }));
    }

    #[test]
    fn other_lengths_are_refused() {
        assert_eq!(parse(&[0; 93], "9", None), Err(Unusable::Length { format: "OutGauge", len: 93 }));
    }
}
