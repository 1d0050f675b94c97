use std::collections::HashMap;

use apache_avro::types::Value as Avro;
use serde_json::json;

use super::*;

/// Schemas known by id, as a registry would give them; any other id is not found, and
/// id 99 is behind a registry that does not answer.
#[derive(Debug, Clone)]
pub(crate) struct Fixed(pub(crate) HashMap<u32, Arc<Parsed>>);

impl Schemas for Fixed {
    fn lookup(&self, id: u32, _: Duration) -> Lookup {
        match self.0.get(&id) {
            Some(s) => Lookup::Ready(Arc::clone(s)),
            None if id == 99 => Lookup::Unavailable("the registry does not answer".into()),
            None => Lookup::Failed("not found in the registry".into()),
        }
    }
}

const CAR: &str =
    r#"{"type":"record","name":"Car","fields":[{"name":"car","type":"string"},{"name":"rpm","type":"int"}]}"#;

/// The schemas, compiled once for every test (the property test asks a million times).
pub(crate) fn fixed() -> &'static Fixed {
    static FIXED: std::sync::OnceLock<Fixed> = std::sync::OnceLock::new();
    FIXED.get_or_init(compile)
}

fn compile() -> Fixed {
    let mut schemas = HashMap::new();
    schemas.insert(7, Arc::new(Parsed::parse(None, CAR).unwrap()));
    schemas.insert(8, Arc::new(Parsed::parse(Some("AVRO"), r#"{"type":"string"}"#).unwrap()));
    schemas.insert(9, Arc::new(Parsed::parse(Some("AVRO"), r#"{"type":"long"}"#).unwrap()));
    schemas.insert(10, Arc::new(Parsed::parse(None, super::avro::tests::SCHEMA).unwrap()));
    schemas.insert(11, Arc::new(Parsed::parse(Some("PROTOBUF"), super::protobuf::tests::PROTO).unwrap()));
    Fixed(schemas)
}

/// A value in the wire format: the header, then `datum` by `schema`.
pub(crate) fn wire(id: u32, schema: &str, datum: Avro) -> Vec<u8> {
    let schema = apache_avro::Schema::parse_str(schema).unwrap();
    let mut bytes = vec![MAGIC];
    bytes.extend_from_slice(&id.to_be_bytes());
    bytes.extend(
        apache_avro::writer::datum::GenericDatumWriter::builder(&schema)
            .build()
            .unwrap()
            .write_value_to_vec(datum)
            .unwrap(),
    );
    bytes
}

fn car(name: &str, rpm: i32) -> Avro {
    Avro::Record(vec![("car".into(), Avro::String(name.into())), ("rpm".into(), Avro::Int(rpm))])
}

#[test]
fn a_record_decodes_by_the_schema_its_header_names() {
    let bytes = wire(7, CAR, car("44", 11_000));
    assert_eq!(decode(&bytes, fixed(), Duration::ZERO), Ok(json!({"car": "44", "rpm": 11_000})));
}

#[test]
fn an_id_the_registry_lacks_is_malformed_with_its_reason() {
    let bytes = wire(12, CAR, car("1", 1));
    assert_eq!(
        decode(&bytes, fixed(), Duration::ZERO),
        Err(WireError::Malformed("schema 12: not found in the registry".into()))
    );
}

#[test]
fn a_registry_that_does_not_answer_is_not_a_malformed_record() {
    let bytes = wire(99, CAR, car("1", 1));
    assert!(
        matches!(decode(&bytes, fixed(), Duration::ZERO), Err(WireError::Unavailable(r)) if r.starts_with("schema 99: "))
    );
}

#[test]
fn a_truncated_record_and_trailing_bytes_name_the_schema_and_the_bytes() {
    let bytes = wire(7, CAR, car("44", 11_000));
    let mut long = bytes.clone();
    long.extend_from_slice(&[1, 2, 3]);
    assert_eq!(
        decode(&long, fixed(), Duration::ZERO),
        Err(WireError::Malformed(format!("schema 7 (Avro): record ends at byte {} of {}", bytes.len(), long.len())))
    );
    let cut = &bytes[..bytes.len() - 2];
    let Err(WireError::Malformed(reason)) = decode(cut, fixed(), Duration::ZERO) else { panic!() };
    assert!(
        reason.starts_with(&format!("schema 7 (Avro): cannot read the record in its {} bytes", cut.len())),
        "{reason}"
    );
}

#[test]
fn a_wrong_magic_byte_or_a_short_header_is_refused() {
    assert_eq!(schema_id(&[1, 0, 0, 0, 7, 2]), Err("wire format: magic byte 1, not 0".into()));
    assert_eq!(schema_id(&[0, 0, 7]), Err("wire format cut short: 3 bytes, its header needs 5".into()));
    assert_eq!(schema_id(&[0, 0, 0, 1, 2]), Ok(258));
}

#[test]
fn a_string_or_integer_key_names_the_car() {
    let s = wire(8, r#"{"type":"string"}"#, Avro::String("44".into()));
    let n = wire(9, r#"{"type":"long"}"#, Avro::Long(7));
    let r = wire(7, CAR, car("44", 1));
    assert_eq!(key_text(&s, fixed(), Duration::ZERO).as_deref(), Some("44"));
    assert_eq!(key_text(&n, fixed(), Duration::ZERO).as_deref(), Some("7"));
    assert_eq!(key_text(&r, fixed(), Duration::ZERO), None);
}

#[test]
fn a_protobuf_record_decodes_by_its_schema_and_its_reason_names_protobuf() {
    let schemas = fixed();
    let Lookup::Ready(parsed) = schemas.lookup(11, Duration::ZERO) else { panic!() };
    let Parsed::Protobuf(proto) = &*parsed else { panic!() };
    let mut bytes = vec![MAGIC, 0, 0, 0, 11, 0];
    bytes.extend(super::protobuf::tests::encode(proto, &[0], r#"{"car":"7","speed_kph":1.5}"#));
    let value = decode(&bytes, schemas, Duration::ZERO).unwrap();
    assert_eq!((&value["car"], &value["speed_kph"]), (&json!("7"), &json!(1.5)));
    let Err(WireError::Malformed(reason)) = decode(&bytes[..bytes.len() - 2], schemas, Duration::ZERO) else {
        panic!()
    };
    assert!(reason.starts_with("schema 11 (Protobuf): cannot read the record in its"), "{reason}");
}

#[test]
fn a_schema_of_a_type_not_read_is_refused_by_name() {
    assert_eq!(Parsed::parse(Some("JSON"), "{}").unwrap_err(), "JSON schemas are not read");
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// `make test` tries a few hundred inputs; `make fuzz` a million.
        #[test]
        fn any_bytes_after_the_magic_byte_decode_or_are_refused_without_panicking(
            id in 7..12u32, body in proptest::collection::vec(any::<u8>(), 0..512)
        ) {
            let mut bytes = vec![MAGIC];
            bytes.extend_from_slice(&id.to_be_bytes());
            bytes.extend(body);
            let _ = decode(&bytes, fixed(), Duration::ZERO);
            let _ = decode(&bytes[..bytes.len().min(3)], fixed(), Duration::ZERO);
        }
    }
}
