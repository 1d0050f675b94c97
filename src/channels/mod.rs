//! Channels: every numeric value a car sends, by its dotted name (`g.lat`,
//! `brake_temp_c.fl`), and those computed from them.
//!
//! - [`math`]: math channels, the expression language and the `--channels` file, computed
//!   per car at decode.

pub mod math;
