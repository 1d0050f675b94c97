//! What every Kafka reader here is built from: clients and their settings ([`client`]),
//! reading spans of partitions to their end ([`read`]), and decoding records, many at once
//! on every core ([`decode`]).

pub(crate) mod client;
pub(crate) mod decode;
pub(crate) mod read;

pub(crate) use decode::decode_record;
