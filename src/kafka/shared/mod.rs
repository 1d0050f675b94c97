//! What every Kafka reader here is built from: clients and their settings ([`client`]),
//! reading spans of partitions to their end ([`read`]), and decoding records, many at once
//! on every core ([`decode`]), and the always-on readers that run one per topic read
//! ([`per_topic`]).

pub(crate) mod client;
pub(crate) mod decode;
pub(crate) mod per_topic;
pub(crate) mod read;

pub(crate) use decode::decode_record;
