//! Records in the Confluent wire format (`serve --schema-registry`): a zero byte, the
//! schema's id in 4 bytes (big-endian), then the record encoded by that schema, in Avro,
//! or in Protobuf after the indexes of its message in the schema. The schema comes from the registry ([`registry`]), once per id; the
//! record becomes the same JSON-shaped value a JSON record is, so the contract, a
//! mapping and the channels read it unchanged.

mod avro;
mod produce;
mod protobuf;
mod registry;

use std::{sync::Arc, time::Duration};

use serde_json::Value;

pub(crate) use avro::AvroSchema;
pub use produce::WireWriter;
pub(crate) use protobuf::ProtoSchema;
pub use registry::{RegistryConfig, RegistryHealth, SchemaRegistry};

/// The wire format's first byte. JSON never starts with it.
pub(crate) const MAGIC: u8 = 0;
/// The magic byte and the schema id.
const HEADER: usize = 5;

/// A schema as the registry gave it, parsed.
#[derive(Debug)]
pub(crate) enum Parsed {
    Avro(AvroSchema),
    Protobuf(ProtoSchema),
}

impl Parsed {
    fn kind(&self) -> &'static str {
        match self {
            Parsed::Avro(_) => "Avro",
            Parsed::Protobuf(_) => "Protobuf",
        }
    }

    /// Parses a schema's text by the type the registry says it is (absent: Avro).
    pub(crate) fn parse(kind: Option<&str>, text: &str) -> Result<Parsed, String> {
        match kind.unwrap_or("AVRO") {
            "AVRO" => AvroSchema::parse(text).map(Parsed::Avro).map_err(|e| format!("not a valid Avro schema ({e})")),
            "PROTOBUF" => {
                ProtoSchema::parse(text).map(Parsed::Protobuf).map_err(|e| format!("not a valid Protobuf schema ({e})"))
            }
            other => Err(format!("{other} schemas are not read")),
        }
    }
}

/// Why a record in the wire format did not decode. `Unavailable` may pass: the registry
/// did not answer, and the record is worth reading again once it does.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WireError {
    Malformed(String),
    Unavailable(String),
}

/// A schema looked up by id, as the registry's cache answers.
#[derive(Debug, Clone)]
pub(crate) enum Lookup {
    Ready(Arc<Parsed>),
    /// The registry answered, and there is no usable schema: the reason.
    Failed(String),
    /// The registry did not answer (yet): the reason.
    Unavailable(String),
}

/// Where to find a schema by id: the registry's cache, or a fixed set in tests.
pub(crate) trait Schemas: Send + Sync + std::fmt::Debug {
    /// The schema `id`, waiting at most `patience` for the registry.
    fn lookup(&self, id: u32, patience: Duration) -> Lookup;
}

/// The schema id of a value in the wire format, or why it is not one.
pub(crate) fn schema_id(bytes: &[u8]) -> Result<u32, String> {
    match bytes {
        [MAGIC, a, b, c, d, ..] => Ok(u32::from_be_bytes([*a, *b, *c, *d])),
        [MAGIC, ..] => Err(format!("wire format cut short: {} bytes, its header needs {HEADER}", bytes.len())),
        [other, ..] => Err(format!("wire format: magic byte {other}, not {MAGIC}")),
        [] => Err("wire format: empty value".to_owned()),
    }
}

/// Decodes one value in the wire format into JSON, its schema found by `schemas`.
pub(crate) fn decode(bytes: &[u8], schemas: &dyn Schemas, patience: Duration) -> Result<Value, WireError> {
    let id = schema_id(bytes).map_err(WireError::Malformed)?;
    let schema = match schemas.lookup(id, patience) {
        Lookup::Ready(s) => s,
        Lookup::Failed(reason) => return Err(WireError::Malformed(format!("schema {id}: {reason}"))),
        Lookup::Unavailable(reason) => return Err(WireError::Unavailable(format!("schema {id}: {reason}"))),
    };
    let body = &bytes[HEADER..];
    let decoded = match &*schema {
        Parsed::Avro(avro) => avro.decode(body, HEADER),
        Parsed::Protobuf(proto) => proto.decode(body, HEADER),
    };
    decoded.map_err(|reason| WireError::Malformed(format!("schema {id} ({}): {reason}", schema.kind())))
}

/// A key in the wire format, as the text that names a car: a string as it is, an
/// integer in decimal. Any other key, or one that does not decode, names no car.
pub(crate) fn key_text(bytes: &[u8], schemas: &dyn Schemas, patience: Duration) -> Option<String> {
    match decode(bytes, schemas, patience).ok()? {
        Value::String(s) => Some(s),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests;
