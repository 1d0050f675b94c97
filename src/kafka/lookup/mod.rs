//! Bounded one-off reads a viewer asks for: each reads a known span and ends. The
//! whole-span [`overview`], what Kafka retains of a selection ([`range`]), and one lap's
//! samples ([`lap`]).

pub(crate) mod lap;
pub(crate) mod overview;
pub(crate) mod range;
