//! The dictionary's tests: indices, bounds and counts, and the per-thread memories
//! (last topic, last shape) giving the same answers as the lookups they save.

use super::*;
use crate::channels::flatten::flatten;

fn record(dict: &Arc<Dictionary>, json: &str) -> Channels {
    dict.intern(&flatten(json.as_bytes()).unwrap())
}

#[test]
fn names_get_indices_in_order_of_first_appearance_and_keep_them() {
    let dict = Arc::new(Dictionary::default());
    let a = record(&dict, r#"{"g":{"lat":1.5},"fuel_kg":20}"#);
    let b = record(&dict, r#"{"steer":-0.5,"g":{"lat":2.5}}"#);
    assert_eq!(dict.names(), vec!["g.lat", "fuel_kg", "steer"]);
    assert_eq!(a.values(), vec![(0, 1.5), (1, 20.0)]);
    assert_eq!(b.values(), vec![(2, -0.5), (0, 2.5)], "stored as indices, in the record's order");
    assert_eq!(b.to_vec(), vec![("steer".to_owned(), -0.5), ("g.lat".to_owned(), 2.5)]);
    assert_eq!((b.get("g.lat"), b.get("fuel_kg")), (Some(2.5), None));
}

fn observed(dict: &Arc<Dictionary>, json: &str) -> Channels {
    let channels = record(dict, json);
    dict.observe([None; V1_CHANNELS.len()], &channels);
    channels
}

#[test]
fn a_topic_keeps_512_channels_and_counts_each_refused_name_once() {
    let dict = Arc::new(Dictionary::default());
    for i in 0..600 {
        observed(&dict, &format!(r#"{{"c{i}":{i}}}"#));
    }
    record(&dict, r#"{"c599":1}"#);
    assert_eq!(dict.dropped().over_topic_limit, 88, "what the live stream did not observe is not counted");
    let again = observed(&dict, r#"{"c599":1,"c0":2}"#);
    assert_eq!(dict.names().len(), MAX_TOPIC_CHANNELS);
    assert_eq!(again.to_vec(), vec![("c0".to_owned(), 2.0)], "the refused channel's value is dropped");
    let dropped = dict.dropped();
    assert_eq!((dropped.refused_channels, dropped.over_topic_limit), (88, 89));
}

#[test]
fn what_a_record_dropped_is_added_to_its_topic() {
    let dict = Arc::new(Dictionary::default());
    let long = "n".repeat(200);
    let many: Vec<String> = (0..260).map(|i| format!(r#""c{i}":1"#)).collect();
    observed(&dict, &format!(r#"{{"{long}":1,{}}}"#, many.join(",")));
    let d = dict.dropped();
    assert_eq!((d.name_too_long, d.over_record_limit), (1, 4));
}

#[test]
fn a_name_written_twice_in_a_record_keeps_its_first_value() {
    let dict = Arc::new(Dictionary::default());
    assert_eq!(record(&dict, r#"{"a":[1],"a.0":2}"#).to_vec(), vec![("a.0".to_owned(), 1.0)]);
    assert_eq!(record(&dict, r#"{"a.0":3,"a":[4]}"#).to_vec(), vec![("a.0".to_owned(), 3.0)]);
}

#[test]
fn the_list_has_the_carried_v1_fields_then_the_others_with_units_counts_and_ranges() {
    let dict = Arc::new(Dictionary::default());
    let mut v1 = [None; V1_CHANNELS.len()];
    v1[0] = Some(100.0);
    let before = dict.version();
    dict.observe(v1, &record(&dict, r#"{"brake_temp_c":{"fl":500},"g":{"lat":1}}"#));
    assert!(dict.version() > before, "a new channel moves the version on");
    let seen = dict.version();
    v1[0] = Some(300.0);
    dict.observe(v1, &record(&dict, r#"{"brake_temp_c":{"fl":520}}"#));
    assert_eq!(dict.version(), seen, "known channels do not");
    let list = dict.list("t");
    let got: Vec<_> = list.channels.iter().map(|c| (c.name.as_str(), c.unit, c.records, c.min, c.max)).collect();
    assert_eq!(
        got,
        vec![
            ("speed_kph", Some("km/h"), 2, Some(100.0), Some(300.0)),
            ("brake_temp_c.fl", Some("°C"), 2, Some(500.0), Some(520.0)),
            ("g.lat", None, 1, Some(1.0), Some(1.0)),
        ]
    );
}

#[test]
fn each_topic_has_its_own_dictionary() {
    let reg = Registry::default();
    let a = reg.topic("a");
    record(&a, r#"{"x":1}"#);
    assert!(Arc::ptr_eq(&a, &reg.topic("a")));
    assert!(reg.topic("b").names().is_empty());
    assert!(reg.get("c").is_none());
}

#[test]
fn a_record_of_the_same_shape_in_another_dictionary_takes_that_dictionary_s_indices() {
    let (a, b) = (Arc::new(Dictionary::default()), Arc::new(Dictionary::default()));
    record(&b, r#"{"z":0}"#);
    let json = r#"{"g":{"lat":1.5},"fuel_kg":20,"g.lat":3}"#;
    let (in_a, in_b) = (record(&a, json), record(&b, json));
    assert_eq!(
        (in_a.values().to_vec(), in_b.values().to_vec()),
        (vec![(0, 1.5), (1, 20.0)], vec![(1, 1.5), (2, 20.0)])
    );
    let again = record(&a, r#"{"g":{"lat":2.5},"fuel_kg":21,"g.lat":4}"#);
    assert_eq!(again.to_vec(), vec![("g.lat".to_owned(), 2.5), ("fuel_kg".to_owned(), 21.0)]);
}

#[test]
fn a_record_that_lost_channels_to_the_topic_bound_loses_them_again_at_the_same_shape() {
    let dict = Arc::new(Dictionary::default());
    for i in 0..MAX_TOPIC_CHANNELS {
        record(&dict, &format!(r#"{{"c{i}":{i}}}"#));
    }
    for _ in 0..2 {
        let full = observed(&dict, r#"{"c0":1,"new":2}"#);
        assert_eq!(full.to_vec(), vec![("c0".to_owned(), 1.0)]);
    }
    assert_eq!(dict.dropped().over_topic_limit, 2, "each record's refused value counted");
}

#[test]
fn the_same_topic_of_another_registry_is_another_dictionary() {
    let (one, two) = (Registry::default(), Registry::default());
    let a = one.topic("t");
    let b = two.topic("t");
    assert!(!Arc::ptr_eq(&a, &b));
    assert!(Arc::ptr_eq(&a, &one.topic("t")) && Arc::ptr_eq(&b, &two.topic("t")));
    assert!(Arc::ptr_eq(&one.get("t").unwrap(), &a), "a topic looked up is in its registry");
}

#[test]
fn a_record_s_indices_name_its_channels_in_its_dictionary() {
    let dict = Arc::new(Dictionary::default());
    let c = record(&dict, r#"{"b":1,"a":2}"#);
    assert!(Arc::ptr_eq(c.dictionary().unwrap(), &dict));
    let named: Vec<String> =
        dict.with_names(|n| c.values().iter().map(|&(i, _)| n[usize::from(i)].to_string()).collect());
    assert_eq!(named, ["b", "a"]);
    assert_eq!((dict.index_of("a"), dict.index_of("c")), (Some(1), None));
    assert_eq!((dict.index_or_add("a"), dict.index_or_add("c")), (Some(1), Some(2)));
}

#[test]
fn a_unit_set_for_a_name_is_listed_over_its_suffix_once_a_record_carries_it() {
    let dict = Arc::new(Dictionary::default());
    dict.set_units([("oil_c", "°F"), ("boost", "kPa")]);
    assert!(dict.list("t").channels.is_empty(), "a unit alone lists nothing");
    dict.observe([None; V1_CHANNELS.len()], &record(&dict, r#"{"oil_c":200,"boost":1,"water_c":90}"#));
    let got: Vec<_> = dict.list("t").channels.iter().map(|c| (c.name.clone(), c.unit)).collect();
    let want = [("oil_c", "°F"), ("boost", "kPa"), ("water_c", "°C")];
    assert_eq!(got, want.map(|(n, u)| (n.to_owned(), Some(u))));
}

#[test]
fn records_interned_into_one_batch_each_hold_their_own_values_once_it_is_shared() {
    let dict = Arc::new(Dictionary::default());
    let mut batch = ValueBatch::default();
    let json = [r#"{"a":1,"b":2}"#, r#"{"a":3,"b":4}"#, r#"{"c":5}"#, r#"{"x":"text"}"#];
    let mut records: Vec<Channels> =
        json.iter().map(|j| Arc::clone(&dict).intern_into(&flatten(j.as_bytes()).unwrap(), Some(&mut batch))).collect();
    let shared = batch.share();
    records.iter_mut().for_each(|c| c.attach(&shared));
    let got: Vec<Vec<(String, f64)>> = records.iter().map(Channels::to_vec).collect();
    let named = |pairs: &[(&str, f64)]| pairs.iter().map(|&(n, v)| (n.to_owned(), v)).collect::<Vec<_>>();
    assert_eq!(got, [named(&[("a", 1.0), ("b", 2.0)]), named(&[("a", 3.0), ("b", 4.0)]), named(&[("c", 5.0)]), vec![]]);
    assert_eq!((records[1].len(), records[1].get("b"), records[3].is_empty()), (2, Some(4.0), true));

    // A math channel added to a record of a shared batch changes that record alone.
    let d = dict.index_or_add("d").unwrap();
    records[0].push(&dict, d, 9.0);
    assert_eq!(records[0].to_vec(), named(&[("a", 1.0), ("b", 2.0), ("d", 9.0)]));
    assert_eq!(records[1].to_vec(), named(&[("a", 3.0), ("b", 4.0)]));
}
