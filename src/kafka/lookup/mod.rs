//! Bounded one-off reads a viewer asks for: each reads a known span and ends. The
//! whole-span [`overview`], what Kafka retains of a selection ([`range`]), one lap's
//! samples ([`lap`]), and a span in time order for a file ([`export`]).

pub(crate) mod export;
pub(crate) mod lap;
pub(crate) mod overview;
pub(crate) mod range;
