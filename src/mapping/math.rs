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
