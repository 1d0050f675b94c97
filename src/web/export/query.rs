//! `/api/export`'s parameters, checked one by one so that a bad one is named in the 400.

use std::collections::HashMap;

use crate::{protocol::export::FIXED, protocol::export::Format, selection::check_topic_name};

/// Names a `cars=` or `channels=` list holds at most.
const MAX_NAMES: usize = 512;

/// The span an export covers.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Span {
    /// Records whose Kafka timestamps are from `from_ts` to `to_ts`, both included, of
    /// these cars (every car when empty).
    Time { from_ts: Option<i64>, to_ts: Option<i64>, cars: Vec<String> },
    /// A lap of the lap index, as `/api/lap` finds it.
    Lap { car: String, lap: u32 },
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct ExportQuery {
    pub topic: String,
    pub format: Format,
    pub span: Span,
    /// `channels=`: exactly these, in this order; every channel when none.
    pub channels: Option<Vec<String>>,
}

/// A parameter the export refuses, and why.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct BadParam {
    pub param: &'static str,
    pub reason: String,
}

impl std::fmt::Display for BadParam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.param, self.reason)
    }
}

fn bad(param: &'static str, reason: impl Into<String>) -> BadParam {
    BadParam { param, reason: reason.into() }
}

const KNOWN: [&str; 8] = ["topic", "from_ts", "to_ts", "cars", "channels", "format", "car", "lap"];

pub(super) fn parse(q: &HashMap<String, String>) -> Result<ExportQuery, BadParam> {
    if let Some(unknown) = q.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        let param = "query";
        return Err(bad(param, format!("unknown parameter `{unknown}` (known: {})", KNOWN.join(", "))));
    }
    let topic = q.get("topic").ok_or_else(|| bad("topic", "required"))?.clone();
    check_topic_name(&topic).map_err(|e| bad("topic", e.0))?;
    let format = match q.get("format") {
        None => Format::Csv,
        Some(f) => Format::parse(f).ok_or_else(|| bad("format", format!("`{f}` is not csv, parquet or jsonl")))?,
    };
    let channels = q.get("channels").map(|c| names("channels", c)).transpose()?;
    if let Some(fixed) = channels.iter().flatten().find(|c| FIXED.contains(&c.as_str())) {
        return Err(bad("channels", format!("`{fixed}` is a column of every row, not a channel")));
    }
    let span = match (q.get("car"), q.get("lap")) {
        (Some(car), Some(lap)) => {
            if let Some(p) = ["from_ts", "to_ts", "cars"].into_iter().find(|p| q.contains_key(*p)) {
                return Err(bad(p, "not with car and lap, which give the span"));
            }
            if car.is_empty() {
                return Err(bad("car", "empty"));
            }
            let lap = lap.parse().map_err(|_| bad("lap", format!("`{lap}` is not a lap number")))?;
            Span::Lap { car: car.clone(), lap }
        }
        (Some(_), None) => return Err(bad("lap", "required with car")),
        (None, Some(_)) => return Err(bad("car", "required with lap")),
        (None, None) => {
            let from_ts = q.get("from_ts").map(|v| ms("from_ts", v)).transpose()?;
            let to_ts = q.get("to_ts").map(|v| ms("to_ts", v)).transpose()?;
            if let (Some(f), Some(t)) = (from_ts, to_ts)
                && f > t
            {
                return Err(bad("to_ts", "before from_ts"));
            }
            let cars = q.get("cars").map(|c| names("cars", c)).transpose()?.unwrap_or_default();
            Span::Time { from_ts, to_ts, cars }
        }
    };
    Ok(ExportQuery { topic, format, span, channels })
}

/// Milliseconds since the epoch.
fn ms(param: &'static str, v: &str) -> Result<i64, BadParam> {
    v.parse::<i64>()
        .ok()
        .filter(|t| *t >= 0)
        .ok_or_else(|| bad(param, format!("`{v}` is not a time in milliseconds since the epoch")))
}

/// A comma list of distinct, non-empty names.
fn names(param: &'static str, v: &str) -> Result<Vec<String>, BadParam> {
    let list: Vec<String> = v.split(',').map(|n| n.trim().to_owned()).collect();
    if list.iter().any(String::is_empty) {
        return Err(bad(param, "an empty name in the list"));
    }
    if list.len() > MAX_NAMES {
        return Err(bad(param, format!("at most {MAX_NAMES} names")));
    }
    if let Some((_, dup)) = list.iter().enumerate().find(|(i, n)| list[..*i].contains(n)) {
        return Err(bad(param, format!("`{dup}` is listed twice")));
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_time_span_with_cars_and_channels_is_read_as_given() {
        let got = parse(&q(&[
            ("topic", "t"),
            ("from_ts", "1000"),
            ("to_ts", "2000"),
            ("cars", "7,44"),
            ("channels", "speed_kph,g.lat"),
            ("format", "parquet"),
        ]))
        .unwrap();
        assert_eq!(got.format, Format::Parquet);
        assert_eq!(
            got.span,
            Span::Time { from_ts: Some(1000), to_ts: Some(2000), cars: vec!["7".into(), "44".into()] }
        );
        assert_eq!(got.channels, Some(vec!["speed_kph".into(), "g.lat".into()]));
        assert_eq!(parse(&q(&[("topic", "t")])).unwrap().format, Format::Csv, "CSV unless asked");
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let param = |pairs: &[(&str, &str)]| parse(&q(pairs)).unwrap_err().param;
        assert_eq!(param(&[]), "topic");
        assert_eq!(param(&[("topic", "bad name!")]), "topic");
        assert_eq!(param(&[("topic", "t"), ("format", "xlsx")]), "format");
        assert_eq!(param(&[("topic", "t"), ("from_ts", "soon")]), "from_ts");
        assert_eq!(param(&[("topic", "t"), ("from_ts", "5"), ("to_ts", "4")]), "to_ts");
        assert_eq!(param(&[("topic", "t"), ("cars", "7,,8")]), "cars");
        assert_eq!(param(&[("topic", "t"), ("channels", "rpm,rpm")]), "channels");
        assert_eq!(param(&[("topic", "t"), ("channels", "offset")]), "channels");
        assert_eq!(param(&[("topic", "t"), ("car", "7")]), "lap");
        assert_eq!(param(&[("topic", "t"), ("car", "7"), ("lap", "two")]), "lap");
        assert_eq!(param(&[("topic", "t"), ("car", "7"), ("lap", "2"), ("from_ts", "1")]), "from_ts");
        assert_eq!(param(&[("topic", "t"), ("speed", "1")]), "query");
    }
}
