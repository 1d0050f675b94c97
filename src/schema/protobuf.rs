//! Protobuf: a schema's `.proto` text compiled once (protox, a .proto compiler in Rust,
//! with Google's well-known types at hand for imports), and a message decoded by it
//! (prost-reflect) into the JSON-shaped value the contract reads: fields by their
//! `.proto` names, enums as numbers, 64-bit integers as numbers, well-known wrappers as
//! their value, and fields at their default value kept (proto3 does not send a speed of
//! 0, and it is still a reading).

use prost_reflect::{DescriptorPool, DynamicMessage, FileDescriptor, MessageDescriptor, SerializeOptions};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};
use serde_json::Value;

/// The name the registry's text is compiled under.
const FILE: &str = "registry.proto";
/// Most message indexes a record's header may hold (the depth of nesting it names).
const MAX_INDEXES: usize = 16;

/// A compiled `.proto` file.
#[derive(Debug)]
pub(crate) struct ProtoSchema {
    file: FileDescriptor,
}

/// The registry's text, as the one file protox reads besides Google's.
struct Source(String);

impl FileResolver for Source {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        if name == FILE { File::from_source(name, &self.0) } else { Err(protox::Error::file_not_found(name)) }
    }
}

impl ProtoSchema {
    pub(crate) fn parse(text: &str) -> Result<ProtoSchema, String> {
        let mut files = ChainFileResolver::new();
        files.add(Source(text.to_owned()));
        files.add(GoogleFileResolver::new());
        let mut compiler = protox::Compiler::with_file_resolver(files);
        compiler.include_imports(true);
        compiler.open_file(FILE).map_err(|e| e.to_string())?;
        let pool: DescriptorPool = compiler.descriptor_pool();
        let file = pool.get_file_by_name(FILE).ok_or("no file compiled")?;
        if file.messages().next().is_none() {
            return Err("no message in the schema".into());
        }
        Ok(ProtoSchema { file })
    }

    /// The message the indexes name: the first of the file, then nested ones.
    fn message(&self, indexes: &[usize]) -> Option<MessageDescriptor> {
        let (first, nested) = indexes.split_first()?;
        let mut message = self.file.messages().nth(*first)?;
        for i in nested {
            let child = message.child_messages().nth(*i)?;
            message = child;
        }
        Some(message)
    }

    /// Decodes the message indexes and the message in `bytes` (everything after the
    /// wire format's header; `start` is where that is in the record's value).
    pub(crate) fn decode(&self, bytes: &[u8], start: usize) -> Result<Value, String> {
        let total = start + bytes.len();
        let (indexes, used) = message_indexes(bytes).ok_or("its message indexes are cut short or too many")?;
        let message = self.message(&indexes).ok_or_else(|| format!("no message at {indexes:?} in the schema"))?;
        let decoded = DynamicMessage::decode(message, &bytes[used..])
            .map_err(|e| format!("cannot read the record in its {total} bytes ({e})"))?;
        let options = SerializeOptions::new()
            .stringify_64_bit_integers(false)
            .use_enum_numbers(true)
            .use_proto_field_name(true)
            .skip_default_fields(false);
        decoded.serialize_with_options(serde_json::value::Serializer, &options).map_err(|e| e.to_string())
    }

    /// The first message of the file, to write records by.
    pub(crate) fn first_message(&self) -> Option<MessageDescriptor> {
        self.message(&[0])
    }
}

/// The message indexes after the header: a zigzag varint count, then that many zigzag
/// varints (a count of 0 means the first message, [0]); and how many bytes they took.
fn message_indexes(bytes: &[u8]) -> Option<(Vec<usize>, usize)> {
    let mut at = 0;
    let mut next = || -> Option<usize> {
        let (v, n) = varint(bytes.get(at..)?)?;
        at += n;
        // Zigzag: indexes are never negative, so a negative one is a bad record.
        usize::try_from(i64::try_from(v >> 1).ok()? ^ -((v & 1) as i64)).ok()
    };
    let count = next()?;
    if count > MAX_INDEXES {
        return None;
    }
    let indexes = if count == 0 { vec![0] } else { (0..count).map(|_| next()).collect::<Option<Vec<_>>>()? };
    Some((indexes, at))
}

/// A base-128 varint at the start of `bytes`, and its length.
fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

#[cfg(test)]
#[path = "protobuf_tests.rs"]
pub(super) mod tests;
