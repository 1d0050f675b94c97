//! Avro: a schema's text parsed once, and a datum decoded by it into the JSON-shaped value
//! the contract reads (records as objects, so `car` and `ts` are found by name). The
//! Apache project's `apache-avro` crate reads the binary encoding; this module only maps
//! its values to JSON, walking the schema beside the value for what the value alone
//! does not say (a decimal's scale).

use std::collections::HashMap;

use apache_avro::{
    Schema,
    reader::datum::GenericDatumReader,
    schema::{Name, ResolvedSchema},
    types::Value as Avro,
};
use serde_json::{Map, Number, Value};

/// A parsed Avro schema and the named types it defines, for references to them.
#[derive(Debug)]
pub(crate) struct AvroSchema {
    schema: Schema,
    names: HashMap<Name, Schema>,
}

impl AvroSchema {
    pub(crate) fn parse(text: &str) -> Result<AvroSchema, String> {
        // A length in a record is never more than the record: without this bound, a few
        // bad bytes could claim (and have allocated) half a gigabyte. Set once for the
        // process; the first call wins.
        apache_avro::util::max_allocation_bytes(crate::telemetry::MAX_RECORD_BYTES);
        let schema = Schema::parse_str(text).map_err(|e| e.to_string())?;
        let names = ResolvedSchema::try_from(&schema)
            .map_err(|e| e.to_string())?
            .get_names()
            .iter()
            .map(|(n, s)| (n.clone(), (*s).clone()))
            .collect();
        Ok(AvroSchema { schema, names })
    }

    pub(crate) fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The schema a reference names, or the schema itself.
    pub(crate) fn resolve<'a>(&'a self, schema: &'a Schema) -> &'a Schema {
        match schema {
            Schema::Ref { name } => self.names.get(name).unwrap_or(schema),
            s => s,
        }
    }

    /// Decodes the datum in `bytes` (everything after the wire format's header). On
    /// failure, says where: `start` is where the datum begins in the record's value, so
    /// that the byte counts are the record's own.
    pub(crate) fn decode(&self, bytes: &[u8], start: usize) -> Result<Value, String> {
        let total = start + bytes.len();
        let mut rest = bytes;
        let datum = GenericDatumReader::builder(&self.schema)
            .build()
            .and_then(|reader| reader.read_value(&mut rest))
            .map_err(|e| format!("cannot read the record in its {total} bytes ({e})"))?;
        if !rest.is_empty() {
            return Err(format!("record ends at byte {} of {total}", total - rest.len()));
        }
        Ok(self.json(datum, &self.schema, 0))
    }

    /// The value as JSON. A type with no numeric meaning (bytes, fixed, a duration)
    /// becomes null, which the contract skips; NaN and infinities too, as JSON has none.
    fn json(&self, v: Avro, schema: &Schema, depth: usize) -> Value {
        // Nesting is bounded by what the schema declares; this guards a recursive one.
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        let schema = self.resolve(schema);
        match v {
            Avro::Null | Avro::Bytes(_) | Avro::Fixed(..) | Avro::Duration(_) => Value::Null,
            Avro::Boolean(b) => Value::Bool(b),
            Avro::Int(i) | Avro::Date(i) | Avro::TimeMillis(i) => Value::from(i),
            Avro::Long(i) | Avro::TimeMicros(i) => Value::from(i),
            Avro::TimestampMillis(ms) | Avro::LocalTimestampMillis(ms) => Value::from(ms),
            Avro::TimestampMicros(us) | Avro::LocalTimestampMicros(us) => Value::from(us.div_euclid(1_000)),
            Avro::TimestampNanos(ns) | Avro::LocalTimestampNanos(ns) => Value::from(ns.div_euclid(1_000_000)),
            Avro::Float(f) => number(f64::from(f)),
            Avro::Double(f) => number(f),
            Avro::String(s) => Value::String(s),
            Avro::Uuid(u) => Value::String(u.to_string()),
            Avro::Enum(index, _) => Value::from(index),
            Avro::Decimal(d) => {
                let scale = match schema {
                    Schema::Decimal(d) => d.scale,
                    _ => 0,
                };
                Vec::<u8>::try_from(&d).map(|b| number(decimal(&b, scale))).unwrap_or(Value::Null)
            }
            Avro::BigDecimal(d) => d.to_string().parse::<f64>().map(number).unwrap_or(Value::Null),
            Avro::Union(i, v) => {
                let branch = match schema {
                    Schema::Union(u) => u.variants().get(i as usize),
                    _ => None,
                };
                self.json(*v, branch.unwrap_or(&Schema::Null), depth + 1)
            }
            Avro::Array(items) => {
                let item = match schema {
                    Schema::Array(a) => &*a.items,
                    _ => &Schema::Null,
                };
                Value::Array(items.into_iter().map(|v| self.json(v, item, depth + 1)).collect())
            }
            Avro::Map(entries) => {
                let item = match schema {
                    Schema::Map(m) => &*m.types,
                    _ => &Schema::Null,
                };
                Value::Object(entries.into_iter().map(|(k, v)| (k, self.json(v, item, depth + 1))).collect())
            }
            Avro::Record(fields) => {
                let schemas: Vec<&Schema> = match schema {
                    Schema::Record(r) => r.fields.iter().map(|f| &f.schema).collect(),
                    _ => Vec::new(),
                };
                let mut object = Map::with_capacity(fields.len());
                for (i, (name, v)) in fields.into_iter().enumerate() {
                    // An enum is a channel by its index, and its symbol is kept beside it
                    // as text (a mapping may name the car or the driver by it).
                    if let Avro::Enum(_, symbol) = &v {
                        object.insert(format!("{name}_symbol"), Value::String(symbol.clone()));
                    }
                    let v = self.json(v, schemas.get(i).copied().unwrap_or(&Schema::Null), depth + 1);
                    object.insert(name, v);
                }
                Value::Object(object)
            }
        }
    }
}

/// Deepest nesting of records, arrays, maps and unions read.
const MAX_DEPTH: usize = 64;

fn number(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// A decimal's unscaled value (big-endian two's complement) divided by 10^scale.
fn decimal(bytes: &[u8], scale: usize) -> f64 {
    let mut v = bytes.iter().fold(0.0, |acc, b| acc * 256.0 + f64::from(*b));
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        v -= 256f64.powi(i32::try_from(bytes.len()).unwrap_or(i32::MAX));
    }
    v / 10f64.powi(i32::try_from(scale).unwrap_or(i32::MAX))
}

#[cfg(test)]
#[path = "avro_tests.rs"]
pub(super) mod tests;
