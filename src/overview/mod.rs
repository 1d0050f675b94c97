//! The overview's arithmetic, a domain of its own like `laps`: what an `overview` request
//! asks for, and the whole span of a selection summarised as the minimum and maximum of
//! each channel asked for per time bucket, per car ([`summary`], [`buckets`]), any
//! channel a record may carry ([`wanted`]). Pure: Kafka's reader feeds it records, the
//! protocol writes what it makes.

use serde::{Deserialize, Serialize, ser::SerializeMap};

use crate::selection::MAX_CAR_ID;

mod buckets;
mod summary;
mod wanted;

pub(crate) use summary::Summary;
pub(crate) use wanted::DEFAULT_CHANNELS;

/// Most buckets one overview may ask for: a screen's width, several times over.
pub(crate) const MAX_BUCKETS: u32 = 4000;
/// Most cars one overview may name, and most it summarises: with [`MAX_BUCKETS`], this
/// and [`wanted::MAX_OVERVIEW_CHANNELS`], bounds a `done` message to 64 × 4000 buckets × 33
/// numbers (about 60 MB of JSON at worst; 20 cars at 1,000 buckets of the 8 default
/// channels make about 2 MB).
pub(crate) const MAX_OVERVIEW_CARS: usize = 64;
/// Most lap starts listed per car; a car that outlasts them (a long endurance race, or
/// lap numbers that are noise) has the rest counted in `laps_left_out`.
pub(crate) const MAX_LAPS_PER_CAR: usize = 1_000;

/// `{"type":"overview", "id", "from_ts", "to_ts", "buckets", "cars", "channels"}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct OverviewRequest {
    /// Chosen by the client and echoed in every answer.
    #[serde(default)]
    pub id: Option<u64>,
    /// Start of the span (ms since the epoch); the first record Kafka holds when absent.
    #[serde(default)]
    pub from_ts: Option<i64>,
    /// End of the span; the live edge when absent.
    #[serde(default)]
    pub to_ts: Option<i64>,
    /// Time buckets across the span: one per pixel of the chart, usually.
    pub buckets: u32,
    /// Only these cars; every car when absent.
    #[serde(default)]
    pub cars: Option<Vec<String>>,
    /// The channels summarised, by name (v1 fields, other channels, math channels);
    /// [`DEFAULT_CHANNELS`] when absent.
    #[serde(default)]
    pub channels: Option<Vec<String>>,
}

impl OverviewRequest {
    /// Whether the request is within the protocol's bounds; the text says what is not.
    pub(crate) fn check(&self) -> Result<(), String> {
        let bad = |m: String| Err(m);
        if self.buckets == 0 || self.buckets > MAX_BUCKETS {
            return bad(format!("`buckets` is 1 to {MAX_BUCKETS}"));
        }
        // Kafka's offsets-for-times reads -1 and -2 as "latest" and "earliest".
        if self.from_ts.is_some_and(|t| t < 0) || self.to_ts.is_some_and(|t| t < 0) {
            return bad("`from_ts` and `to_ts` are milliseconds since 1970, not negative".into());
        }
        if let (Some(from), Some(to)) = (self.from_ts, self.to_ts)
            && from >= to
        {
            return bad("`from_ts` comes before `to_ts`".into());
        }
        if let Some(cars) = &self.cars {
            if cars.is_empty() || cars.len() > MAX_OVERVIEW_CARS {
                return bad(format!("`cars` names 1 to {MAX_OVERVIEW_CARS} cars"));
            }
            if cars.iter().any(|c| c.is_empty() || c.len() > MAX_CAR_ID) {
                return bad(format!("a car id is 1 to {MAX_CAR_ID} bytes"));
            }
        }
        self.channels.as_deref().map_or(Ok(()), wanted::check)
    }

    /// The channels to summarise: the request's, or [`DEFAULT_CHANNELS`].
    pub(crate) fn channels(&self) -> Vec<String> {
        match &self.channels {
            Some(c) => c.clone(),
            None => DEFAULT_CHANNELS.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    /// Whether the reader must decode each record's other channels (and math channels):
    /// only when the request names one, so the default costs what the v1 fields cost.
    pub(crate) fn needs_other_channels(&self) -> bool {
        self.channels.as_deref().is_some_and(wanted::needs_others)
    }

    /// The summary that answers this request, over `[from_ts, to_ts)`: the request's own
    /// span, or what the reader found in its place.
    pub(crate) fn summary(&self, from_ts: i64, to_ts: i64) -> Summary {
        Summary::new(from_ts, to_ts, self.buckets, self.cars.as_deref(), &self.channels())
    }
}

/// A finished overview: how many records were read, and what they make.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finished {
    /// Records read, malformed ones and ones outside the span included.
    pub records: u64,
    pub summary: OverviewSummary,
}

/// What a `done` overview adds: the span, its buckets, and each car's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct OverviewSummary {
    pub from_ts: i64,
    pub to_ts: i64,
    /// Bucket `i` covers `[from_ts + i·bucket_ms, from_ts + (i+1)·bucket_ms)`.
    pub bucket_ms: i64,
    /// How many buckets there are (at most as many as asked).
    pub buckets: usize,
    pub malformed: u64,
    /// Cars past [`MAX_OVERVIEW_CARS`] that were not summarised.
    pub cars_left_out: u64,
    pub cars: Vec<CarOverview>,
}

/// One car of one topic, over every bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CarOverview {
    pub car: String,
    pub driver: Option<String>,
    /// Where the car's first record in the span was.
    pub topic: String,
    pub partition: i32,
    /// The car's records in each bucket.
    pub count: Vec<u32>,
    pub laps: Vec<LapStart>,
    pub laps_left_out: u64,
    pub channels: Channels,
}

/// The first record of a lap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct LapStart {
    pub lap: u32,
    pub ts: i64,
    pub offset: i64,
}

/// Each channel's minimum and maximum per bucket, by name, in the order asked: a JSON
/// object of name → [`MinMax`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Channels(pub Vec<(String, MinMax)>);

impl Channels {
    /// The channel `name`'s extremes, if it was asked for.
    #[cfg(test)]
    pub(crate) fn get(&self, name: &str) -> Option<&MinMax> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, m)| m)
    }
}

impl Serialize for Channels {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, minmax) in &self.0 {
            map.serialize_entry(name, minmax)?;
        }
        map.end()
    }
}

/// Null where the car had no value in the bucket.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct MinMax {
    pub min: Vec<Option<f64>>,
    pub max: Vec<Option<f64>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_with_negative_times_or_bad_car_ids_is_refused() {
        let request = |from_ts, cars: Option<Vec<String>>| OverviewRequest {
            id: None,
            from_ts,
            to_ts: None,
            buckets: 10,
            cars,
            channels: None,
        };
        assert!(request(Some(-1), None).check().is_err());
        assert!(request(None, Some(vec![String::new()])).check().is_err());
        assert!(request(Some(0), Some(vec!["7".into()])).check().is_ok());
    }

    #[test]
    fn channels_are_1_to_16_distinct_names_of_at_most_128_bytes_and_default_to_the_v1_set() {
        let request = |channels: Option<Vec<&str>>| OverviewRequest {
            id: None,
            from_ts: None,
            to_ts: None,
            buckets: 10,
            cars: None,
            channels: channels.map(|c| c.into_iter().map(String::from).collect()),
        };
        let long = "n".repeat(129);
        let seventeen: Vec<String> = (0..17).map(|i| format!("c{i}")).collect();
        for (channels, why) in [
            (vec![], "names 1 to 16"),
            (seventeen.iter().map(String::as_str).collect(), "names 1 to 16"),
            (vec![""], "1 to 128 bytes"),
            (vec![long.as_str()], "1 to 128 bytes"),
            (vec!["g_lat", "rpm", "g_lat"], "`g_lat` twice"),
        ] {
            let e = request(Some(channels.clone())).check().unwrap_err();
            assert!(e.contains(why), "{channels:?}: {e}");
        }
        let ok = request(Some(vec!["brake_temp_c.fl", "g_lat"]));
        assert_eq!((ok.check(), ok.needs_other_channels()), (Ok(()), true));
        let v1 = request(Some(vec!["gear", "lap_distance_m"]));
        assert_eq!((v1.check(), v1.needs_other_channels()), (Ok(()), false));
        let default = request(None);
        assert_eq!(default.channels(), DEFAULT_CHANNELS.map(String::from).to_vec());
        assert!(!default.needs_other_channels());
    }
}
