//! Math channels (`serve --channels`) computed for each decoded record, in the order a
//! reader reads them, so `d()` is against the same car's previous record. Each reader
//! has its own memory of every car (a replay's `d()` is not the live stream's); the
//! values join the record's channels in the topic's dictionary, so a math channel is
//! wherever a channel is.

use std::{collections::HashMap, sync::Arc};

use crate::{
    channels::{
        dictionary::{Channels, Dictionary, Registry},
        math::{Cars, MathChannels},
        stats::V1_CHANNELS,
    },
    telemetry::Sample,
};

/// One reader's math state: per topic, its cars' memory and where results go.
#[derive(Debug, Default)]
pub(crate) struct MathState {
    topics: HashMap<String, TopicMath>,
}

#[derive(Debug)]
struct TopicMath {
    dict: Arc<Dictionary>,
    cars: Cars,
    /// Each math channel's index in the dictionary; none when the topic had no room.
    outputs: Vec<Option<u16>>,
    /// Each input: the v1 field it is (an index into [`V1_CHANNELS`]), else its name.
    inputs: Vec<Input>,
    out: Vec<Option<f64>>,
}

#[derive(Debug)]
enum Input {
    V1(usize),
    Other(String),
}

impl MathState {
    /// Adds the math channels of one record of `topic` to its `channels`; counts, when
    /// `observe`, the math channels a missing input left out.
    pub(crate) fn compute(
        &mut self,
        math: &MathChannels,
        registry: &Registry,
        topic: &str,
        sample: &Sample,
        channels: &mut Channels,
        observe: bool,
    ) {
        if !self.topics.contains_key(topic) {
            let dict = registry.topic(topic);
            let outputs = dict.add_math(math.names());
            let inputs = math
                .inputs()
                .iter()
                .map(|name| match V1_CHANNELS.iter().position(|v| v == name) {
                    Some(i) => Input::V1(i),
                    None => Input::Other(name.clone()),
                })
                .collect();
            let out = vec![None; math.names().len()];
            self.topics.insert(topic.to_owned(), TopicMath { dict, cars: Cars::default(), outputs, inputs, out });
        }
        let Some(t) = self.topics.get_mut(topic) else { return };
        let v1 = sample.v1_values();
        let values: Vec<Option<f64>> = t
            .inputs
            .iter()
            .map(|input| match input {
                Input::V1(i) => v1[*i],
                Input::Other(name) => channels.get(name),
            })
            .collect();
        t.out.iter_mut().for_each(|v| *v = None);
        let time = sample.ts.unwrap_or_default();
        t.cars.compute(math, &sample.car, time, |i| values.get(i).copied().flatten(), &mut t.out);
        for (slot, value) in t.outputs.iter().zip(&t.out) {
            match (slot, value) {
                (Some(i), Some(v)) => channels.push(&t.dict, *i, *v),
                (Some(i), None) if observe => t.dict.count_missing(*i),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::{Decoder, Mappings, Samples};

    fn decoder() -> Decoder {
        let text =
            "[channels]\nspeed_ms = \"speed_kph / 3.6\"\naccel = \"d(speed_kph)\"\nhot = \"max(brake_temp_c.fl, 0)\"\n";
        Decoder::new(Mappings::default(), Some(MathChannels::parse("t.toml", text).unwrap()))
    }

    fn math(d: &Decoder, json: &str) -> Vec<(String, f64)> {
        let mut samples = d.decode("t", None, Some(json.as_bytes()), None, 0).unwrap();
        d.finish("t", &mut samples);
        let Samples::One(_, channels) = samples else { panic!("one sample") };
        channels.to_vec().into_iter().filter(|(n, _)| !n.starts_with("brake")).collect()
    }

    fn named(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
        pairs.iter().map(|&(n, v)| (n.to_owned(), v)).collect()
    }

    #[test]
    fn math_channels_follow_each_car_in_order_and_are_absent_when_an_input_is() {
        let d = decoder();
        assert_eq!(math(&d, r#"{"car":"1","ts":0,"speed_kph":36}"#), named(&[("speed_ms", 10.0)]));
        assert_eq!(
            math(&d, r#"{"car":"2","ts":50,"speed_kph":0,"brake_temp_c":{"fl":5}}"#),
            named(&[("speed_ms", 0.0), ("hot", 5.0)])
        );
        assert_eq!(math(&d, r#"{"car":"1","ts":500,"speed_kph":72}"#), named(&[("speed_ms", 20.0), ("accel", 72.0)]));
        let replay = d.clone();
        assert_eq!(
            math(&replay, r#"{"car":"1","ts":1000,"speed_kph":72}"#),
            named(&[("speed_ms", 20.0)]),
            "a clone remembers no car"
        );
        let list = d.channels().topic("t").list("t");
        let row = list.channels.iter().find(|c| c.name == "accel").unwrap();
        assert_eq!((row.math, row.missing_inputs), (true, Some(0)), "only the live decoder counts");
    }

    #[test]
    fn a_v1_only_decoder_keeps_no_other_channel_and_computes_no_math_channel() {
        let d = decoder().v1_only();
        let mut samples =
            d.decode("t", None, Some(br#"{"car":"1","ts":0,"speed_kph":36,"g":{"lat":1}}"#), None, 0).unwrap();
        d.finish("t", &mut samples);
        let Samples::One(sample, channels) = samples else { panic!("one sample") };
        assert_eq!((sample.speed_kph, channels.is_empty()), (36.0, true));
        assert!(d.channels().get("t").is_none(), "no dictionary was even made");
    }
}
