//! Which game is sending (`--format auto`), and one decoder per stream that keeps the
//! state a game's datagrams need between them (Forza's lap distance, F1's frame join).

use super::{channels::Reading, f1, forza, packet::Unusable};
use crate::config::FormatArg;

/// The games a bridge understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Game {
    Forza,
    F1,
    #[value(name = "outgauge")]
    OutGauge,
}

impl std::fmt::Display for Game {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Game::Forza => "Forza",
            Game::F1 => "F1",
            Game::OutGauge => "OutGauge",
        })
    }
}

impl Game {
    /// The game `--format` names, unless it is to be recognised.
    pub(crate) fn chosen(format: FormatArg) -> Option<Game> {
        match format {
            FormatArg::Auto => None,
            FormatArg::Forza => Some(Game::Forza),
            FormatArg::F1 => Some(Game::F1),
            FormatArg::OutGauge => Some(Game::OutGauge),
        }
    }
}

/// The game a datagram comes from, if any. Forza and OutGauge have no header and are known
/// by their exact lengths; F1 by its header's packet format and id. No F1 packet is one of
/// those lengths, and a Forza or OutGauge datagram never starts with a year.
pub(crate) fn detect(datagram: &[u8]) -> Option<Game> {
    if f1::looks_like_f1(datagram) {
        Some(Game::F1)
    } else if forza::LENGTHS.contains(&datagram.len()) {
        Some(Game::Forza)
    } else if super::outgauge::LENGTHS.contains(&datagram.len()) {
        Some(Game::OutGauge)
    } else {
        None
    }
}

/// One stream of datagrams, decoded into samples. With no game given, the first datagram
/// that looks like one decides it for the rest of the stream (a game sends to one address).
#[derive(Debug)]
pub(crate) struct Stream {
    game: Option<Game>,
    car: String,
    driver: Option<String>,
    laps: forza::LapDistance,
    join: f1::Join,
}

impl Stream {
    /// `car` and `driver` name the player's car for Forza and OutGauge, which carry no
    /// identity; F1 names every car itself.
    pub(crate) fn new(game: Option<Game>, car: String, driver: Option<String>) -> Stream {
        Stream { game, car, driver, laps: forza::LapDistance::default(), join: f1::Join::default() }
    }

    pub(crate) fn game(&self) -> Option<Game> {
        self.game
    }

    pub(crate) fn decode(&mut self, datagram: &[u8]) -> Result<Vec<Reading>, Unusable> {
        let game = match self.game {
            Some(g) => g,
            None => *self.game.insert(detect(datagram).ok_or(Unusable::Unknown { len: datagram.len() })?),
        };
        match game {
            Game::Forza => {
                let dash = forza::parse(datagram)?;
                let distance = self.laps.advance(dash.lap, dash.position);
                Ok(vec![forza::reading(&dash, distance, &self.car, self.driver.as_deref())])
            }
            Game::F1 => self.join.take(datagram),
            Game::OutGauge => Ok(vec![super::outgauge::reading(datagram, &self.car, self.driver.as_deref())?]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::{f1::tests as f1t, forza::tests::dash, outgauge::tests::datagram};

    #[test]
    fn each_game_is_recognised_by_its_first_datagram() {
        assert_eq!(detect(&dash(311, 0, 1.0, 0.0, 0.0, 0)), Some(Game::Forza));
        assert_eq!(detect(&dash(324, 12, 1.0, 0.0, 0.0, 0)), Some(Game::Forza));
        assert_eq!(detect(&dash(331, 0, 1.0, 0.0, 0.0, 0)), Some(Game::Forza));
        assert_eq!(detect(&f1t::car_telemetry(2025, 1, 1)), Some(Game::F1));
        assert_eq!(detect(&f1t::participants(2023, 1, 1)), Some(Game::F1));
        assert_eq!(detect(&datagram(92, 2, 1.0)), Some(Game::OutGauge));
        assert_eq!(detect(&datagram(96, 2, 1.0)), Some(Game::OutGauge));
        assert_eq!(detect(b"hello"), None);
    }

    #[test]
    fn the_format_flag_names_a_game_or_leaves_it_to_be_recognised() {
        assert_eq!(Game::chosen(FormatArg::Auto), None);
        assert_eq!(Game::chosen(FormatArg::OutGauge), Some(Game::OutGauge));
        assert_eq!(Game::chosen(FormatArg::F1), Some(Game::F1));
        assert_eq!(Game::chosen(FormatArg::Forza), Some(Game::Forza));
    }

    #[test]
    fn an_auto_stream_locks_on_the_first_game_it_recognises() {
        let mut s = Stream::new(None, "1".into(), None);
        assert_eq!(s.decode(b"noise"), Err(Unusable::Unknown { len: 5 }));
        assert_eq!(s.game(), None);
        assert_eq!(s.decode(&datagram(92, 2, 10.0)).unwrap()[0].speed_kph, 36.0);
        assert_eq!(s.game(), Some(Game::OutGauge));
        assert!(matches!(s.decode(&dash(311, 0, 1.0, 0.0, 0.0, 0)), Err(Unusable::Length { .. })));
    }

    #[test]
    fn a_forza_stream_carries_its_lap_distance_from_datagram_to_datagram() {
        let mut s = Stream::new(Some(Game::Forza), "1".into(), None);
        assert_eq!(s.decode(&dash(311, 0, 1.0, 0.0, 0.0, 0)).unwrap()[0].lap_distance_m, Some(0.0));
        assert_eq!(s.decode(&dash(311, 0, 1.0, 12.0, 0.0, 0)).unwrap()[0].lap_distance_m, Some(12.0));
    }
}

/// Property tests: whatever arrives on the socket, decoding returns; `make fuzz` runs a
/// million inputs of each.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn any_datagram() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..2048),
            // The known lengths, where the decoders read furthest.
            proptest::sample::select(vec![92usize, 96, 232, 311, 324, 331, 1349, 1352, 1285, 1350])
                .prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n)),
        ]
    }

    fn f1_like() -> impl Strategy<Value = Vec<u8>> {
        (proptest::sample::select(vec![2023u16, 2024, 2025]), 0u8..20, proptest::collection::vec(any::<u8>(), 0..1600))
            .prop_map(|(format, id, mut bytes)| {
                bytes.resize(bytes.len().max(29), 0);
                bytes[..2].copy_from_slice(&format.to_le_bytes());
                bytes[6] = id;
                bytes
            })
    }

    proptest! {
        #[test]
        fn any_datagram_of_any_length_never_panics_a_decoder(datagrams in proptest::collection::vec(any_datagram(), 1..4)) {
            for game in [None, Some(Game::Forza), Some(Game::F1), Some(Game::OutGauge)] {
                let mut s = Stream::new(game, "1".into(), None);
                for d in &datagrams {
                    if let Ok(samples) = s.decode(d) {
                        for sample in samples {
                            prop_assert!(crate::telemetry::check_sample(&sample).is_ok(), "{sample:?}");
                        }
                    }
                }
            }
        }

        #[test]
        fn any_f1_looking_packet_never_panics_the_join(datagrams in proptest::collection::vec(f1_like(), 1..6)) {
            let mut s = Stream::new(Some(Game::F1), "1".into(), None);
            for d in &datagrams {
                let _ = s.decode(d);
            }
        }
    }
}
