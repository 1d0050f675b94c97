//! Records in the Confluent wire format, through the same [`Decoder`]: decoded by their
//! schema into JSON (`schema/`), then read by the topic's mapping or by the contract,
//! like a JSON record. A key in the wire format is decoded too, into the text that names
//! the car.

use std::sync::Arc;

use super::{Decoder, Samples};
use crate::{
    channels::dictionary::{Channels, Dictionary, ValueBatch},
    schema::{self, WireError},
    telemetry::{self, MAX_RECORD_BYTES, Malformed},
};

impl Decoder {
    /// The samples of a record whose value starts with the wire format's magic byte.
    pub(super) fn decode_wire(
        &self,
        topic: &str,
        key: Option<&[u8]>,
        bytes: &[u8],
        ts: i64,
        batch: Option<&mut ValueBatch>,
    ) -> Result<Samples, Malformed> {
        let Some(schemas) = self.schemas.as_deref() else {
            return Err(Malformed::Schema(
                "the schema-registry wire format (a first byte of 0), and no --schema-registry is set".into(),
            ));
        };
        if bytes.len() > MAX_RECORD_BYTES {
            return Err(Malformed::TooLarge(bytes.len()));
        }
        let json = schema::decode(bytes, schemas, self.schema_patience).map_err(|e| match e {
            WireError::Malformed(reason) => Malformed::Schema(reason),
            WireError::Unavailable(reason) => Malformed::SchemaUnavailable(reason),
        })?;
        let mapped = if self.mappings.0.is_empty() { None } else { self.mappings.0.get(topic) };
        let Some(mapping) = mapped else {
            if self.v1_only {
                let (sample, _) =
                    telemetry::decode_value_channels_into(&json, Some(ts), ts, Arc::<Dictionary>::default, None)?;
                return Ok(Samples::One(sample, Channels::default()));
            }
            let dictionary = || self.channels.topic(topic);
            let (sample, channels) = telemetry::decode_value_channels_into(&json, Some(ts), ts, dictionary, batch)?;
            return Ok(Samples::One(sample, channels));
        };
        let key_text = match key {
            Some(k @ [schema::MAGIC, ..]) => schema::key_text(k, schemas, self.schema_patience),
            _ => None,
        };
        let key = key_text.as_deref().map(str::as_bytes).or(key);
        self.decode_mapped(topic, mapping, &json, key, ts)
    }
}

#[cfg(test)]
mod tests {
    use apache_avro::types::Value as Avro;

    use super::*;
    use crate::{
        mapping::Mappings,
        schema::tests::{fixed, wire},
    };

    const MPH: &str = r#"{"type":"record","name":"R","fields":[{"name":"mph","type":"double"}]}"#;

    fn decoder(toml: &str) -> Decoder {
        let mut schemas = fixed().clone();
        schemas.0.insert(20, Arc::new(schema::Parsed::parse(None, MPH).unwrap()));
        let mappings = if toml.is_empty() { Mappings::default() } else { Mappings::parse(toml).unwrap() };
        Decoder::new(mappings, None).with_schemas(Arc::new(schemas))
    }

    #[test]
    fn a_mapping_applies_after_decoding_and_a_wire_key_names_the_car() {
        let d = decoder(
            r#"
            [[mapping]]
            topics = ["m"]
            car = { key = true }
            [mapping.fields]
            speed_kph = { path = "/mph", unit = "mph" }
            "#,
        );
        let value = wire(20, MPH, Avro::Record(vec![("mph".into(), Avro::Double(100.0))]));
        let key = wire(8, r#"{"type":"string"}"#, Avro::String("44".into()));
        let samples = d.decode("m", Some(&key), Some(&value), Some(9), 0).unwrap();
        let (sample, _) = samples.into_iter().next().unwrap();
        assert_eq!(sample.car, "44");
        assert!((sample.speed_kph - 160.934_4).abs() < 1e-9, "{}", sample.speed_kph);
        assert_eq!(sample.ts, Some(9));
    }

    #[test]
    fn the_contract_reads_a_decoded_record_and_its_reasons_name_the_schema() {
        let d = decoder("");
        let car =
            r#"{"type":"record","name":"Car","fields":[{"name":"car","type":"string"},{"name":"rpm","type":"int"}]}"#;
        let value =
            wire(7, car, Avro::Record(vec![("car".into(), Avro::String("3".into())), ("rpm".into(), Avro::Int(9))]));
        let (sample, _) = d.decode("t", None, Some(&value), Some(1), 0).unwrap().into_iter().next().unwrap();
        assert_eq!((sample.car.as_str(), sample.rpm), ("3", 9.0));
        let unknown =
            wire(12, car, Avro::Record(vec![("car".into(), Avro::String("3".into())), ("rpm".into(), Avro::Int(9))]));
        let err = d.decode("t", None, Some(&unknown), Some(1), 0).unwrap_err();
        assert_eq!(err, Malformed::Schema("schema 12: not found in the registry".into()));
    }

    #[test]
    fn a_wire_record_without_a_registry_is_malformed_with_a_hint() {
        let err = Decoder::default().decode("t", None, Some(&[0, 0, 0, 0, 7, 2]), Some(1), 0).unwrap_err();
        assert!(err.to_string().contains("no --schema-registry"), "{err}");
    }
}
