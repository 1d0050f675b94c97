//! The producing side of the wire format, for `trackside simulate --format avro` and
//! `--format protobuf`: a schema registered under its subject (`<topic>-value`, the
//! TopicNameStrategy), and JSON-shaped records written by it with the wire format's
//! header (and, in Protobuf, the index of the file's first message).

use apache_avro::{Schema, types::Value as Avro, writer::datum::GenericDatumWriter};

use prost_reflect::{DynamicMessage, prost::Message};

use super::{AvroSchema, Parsed, ProtoSchema};
use serde::Deserialize;
use serde_json::Value;

use super::{MAGIC, RegistryConfig};

/// A schema registered in the registry, ready to write records by.
pub struct WireWriter {
    id: u32,
    schema: Parsed,
}

#[derive(Deserialize)]
struct Registered {
    id: u32,
}

impl WireWriter {
    /// Registers the Avro schema `text` under `subject` (the registry answers with the id
    /// it already has when the schema is registered there already).
    pub async fn register_avro(registry: &RegistryConfig, subject: &str, text: &str) -> Result<WireWriter, String> {
        let schema = AvroSchema::parse(text).map_err(|e| format!("the Avro schema: {e}"))?;
        let id = register(registry, subject, "AVRO", text).await?;
        Ok(WireWriter { id, schema: Parsed::Avro(schema) })
    }

    /// Registers the Protobuf schema `text`; records are written as its first message.
    pub async fn register_protobuf(registry: &RegistryConfig, subject: &str, text: &str) -> Result<WireWriter, String> {
        let schema = ProtoSchema::parse(text).map_err(|e| format!("the Protobuf schema: {e}"))?;
        let id = register(registry, subject, "PROTOBUF", text).await?;
        Ok(WireWriter { id, schema: Parsed::Protobuf(schema) })
    }

    /// The schema's id in the registry.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Writes `record` (fields by the schema's names; a field that is absent or null is
    /// null in a union with it) after the header into `out`.
    pub fn write(&self, record: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        out.push(MAGIC);
        out.extend_from_slice(&self.id.to_be_bytes());
        match &self.schema {
            Parsed::Avro(schema) => {
                let avro = avro_of(record, schema, schema.schema(), "")?;
                let writer = GenericDatumWriter::builder(schema.schema()).build().map_err(|e| e.to_string())?;
                out.extend(writer.write_value_to_vec(avro).map_err(|e| e.to_string())?);
            }
            Parsed::Protobuf(schema) => {
                let message = schema.first_message().ok_or("no message in the schema")?;
                let message = DynamicMessage::deserialize(message, record).map_err(|e| e.to_string())?;
                // The message indexes: [0], the file's first message, written as one 0.
                out.push(0);
                message.encode(out).map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }
}

/// `POST {url}/subjects/{subject}/versions`: the schema's id.
async fn register(registry: &RegistryConfig, subject: &str, kind: &str, text: &str) -> Result<u32, String> {
    let client = registry.client()?;
    let url = format!("{}/subjects/{subject}/versions", registry.url);
    let body = serde_json::json!({ "schema": text, "schemaType": kind });
    let response = registry
        .authorize(client.post(&url))
        .header(reqwest::header::CONTENT_TYPE, "application/vnd.schemaregistry.v1+json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| format!("cannot register the schema at {url}: {e}"))?;
    let status = response.status();
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        return Err(format!("the registry refused the schema ({status}): {text}"));
    }
    response.json::<Registered>().await.map(|r| r.id).map_err(|e| format!("the registry's answer: {e}"))
}

/// A JSON value as the Avro value of `schema`; `at` names the field for errors.
fn avro_of(json: &Value, names: &AvroSchema, schema: &Schema, at: &str) -> Result<Avro, String> {
    let wrong = || format!("`{at}` is {json}, not of the schema's type");
    let int = || json.as_i64().ok_or_else(wrong);
    Ok(match names.resolve(schema) {
        Schema::Null if json.is_null() => Avro::Null,
        Schema::Boolean => Avro::Boolean(json.as_bool().ok_or_else(wrong)?),
        Schema::Int => Avro::Int(i32::try_from(int()?).map_err(|_| wrong())?),
        Schema::Long => Avro::Long(int()?),
        Schema::TimestampMillis => Avro::TimestampMillis(int()?),
        Schema::Double => Avro::Double(json.as_f64().ok_or_else(wrong)?),
        Schema::Float => Avro::Float(json.as_f64().ok_or_else(wrong)? as f32),
        Schema::String => Avro::String(json.as_str().ok_or_else(wrong)?.to_owned()),
        Schema::Union(union) => {
            let mut found = Err(wrong());
            for (i, branch) in union.variants().iter().enumerate() {
                if let Ok(v) = avro_of(json, names, branch, at) {
                    found = Ok(Avro::Union(i as u32, Box::new(v)));
                    break;
                }
            }
            found?
        }
        Schema::Record(record) => {
            let fields = record.fields.iter().map(|f| {
                let name = if at.is_empty() { f.name.clone() } else { format!("{at}.{}", f.name) };
                avro_of(json.get(&f.name).unwrap_or(&Value::Null), names, &f.schema, &name).map(|v| (f.name.clone(), v))
            });
            Avro::Record(fields.collect::<Result<_, _>>()?)
        }
        _ => return Err(wrong()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_written_then_read_is_the_same_json() {
        let text = r#"{"type":"record","name":"S","fields":[
            {"name":"car","type":"string"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
            {"name":"speed_kph","type":"double"},{"name":"lap","type":["null","int"],"default":null},
            {"name":"driver","type":["null","string"],"default":null},
            {"name":"brakes","type":{"type":"record","name":"B","fields":[{"name":"fl","type":"int"}]}}]}"#;
        let writer = WireWriter { id: 3, schema: Parsed::Avro(AvroSchema::parse(text).unwrap()) };
        let json = serde_json::json!({"car": "7", "ts": 1_000, "speed_kph": 2.5, "lap": 4, "brakes": {"fl": 600}});
        let mut out = Vec::new();
        writer.write(&json, &mut out).unwrap();
        assert_eq!(out[..5], [0, 0, 0, 0, 3]);
        let back = AvroSchema::parse(text).unwrap().decode(&out[5..], 5).unwrap();
        let mut want = json.clone();
        want["driver"] = Value::Null;
        assert_eq!(back, want);
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_field() {
        let text = r#"{"type":"record","name":"S","fields":[{"name":"t","type":{"type":"record","name":"T","fields":[{"name":"fl","type":"int"}]}}]}"#;
        let writer = WireWriter { id: 3, schema: Parsed::Avro(AvroSchema::parse(text).unwrap()) };
        let err = writer.write(&serde_json::json!({"t": {"fl": "hot"}}), &mut Vec::new()).unwrap_err();
        assert_eq!(err, r#"`t.fl` is "hot", not of the schema's type"#);
    }
}
