//! That every channel a decoder emits is in the unit table.

use super::*;

/// Every numeric leaf of a JSON value, by its dotted path.
fn channel_names(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let name = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                channel_names(v, &name, out);
            }
        }
        serde_json::Value::Number(_) => out.push(prefix.to_owned()),
        _ => {}
    }
}

fn names_of(readings: &[Reading]) -> Vec<String> {
    let mut names = Vec::new();
    for r in readings {
        channel_names(&serde_json::to_value(r).unwrap(), "", &mut names);
    }
    names.retain(|n| n != "ts");
    names.sort();
    names.dedup();
    names
}

#[test]
fn every_channel_any_decoder_emits_has_a_unit() {
    let mut emitted = Vec::new();
    for format in [2023, 2024, 2025] {
        let mut join = crate::bridge::f1::Join::default();
        let mut readings = Vec::new();
        for packet in crate::bridge::f1::channels::tests::full_frame(format) {
            readings.extend(join.take(&packet).unwrap());
        }
        emitted.extend(names_of(&readings));
    }
    for (len, shift) in [(311, 0), (324, 12), (331, 0)] {
        let dash = crate::bridge::forza::parse(&crate::bridge::forza::channels_tests::dash_with_channels(len, shift));
        emitted.extend(names_of(&[crate::bridge::forza::reading(&dash.unwrap(), 1.0, "1", None)]));
    }
    let outgauge = crate::bridge::outgauge::reading(&crate::bridge::outgauge::tests::with_channels(96), "1", None);
    emitted.extend(names_of(&[outgauge.unwrap()]));
    assert!(emitted.len() > 40, "{emitted:?}");
    let missing: Vec<&String> = emitted.iter().filter(|n| unit(n).is_none()).collect();
    assert!(missing.is_empty(), "no unit for {missing:?}");
    let stale: Vec<&str> =
        UNITS.iter().map(|(n, _)| *n).filter(|n| !emitted.contains(&n.replace(".*", ".fl"))).collect();
    assert!(stale.is_empty(), "listed but sent by no decoder: {stale:?}");
}
