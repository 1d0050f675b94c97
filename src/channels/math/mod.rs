//! Math channels: channels computed from other channels, defined in a TOML file
//! (`serve --channels FILE`), computed once per record at decode.
//!
//! ```toml
//! [channels]
//! g_total = "sqrt(g.lat^2 + g.long^2)"
//! long_accel_g = "d(speed_kph) / 3.6 / 9.80665"
//! ```
//!
//! - `lex` and `parse`: the expression language, read once into a small tree ([`Expr`]), with
//!   errors that name the column.
//! - `eval`: one tree evaluated for one record, inputs read by index, no allocation.
//! - `file`: the file read and checked ([`MathChannels`]): names resolved, channels
//!   ordered so each comes after the math channels it reads, cycles refused.
//! - `cars`: each car's `d()` memory for one topic, bounded ([`Cars`]).
//!
//! The caller resolves [`MathChannels::inputs`] to its channel indices once per topic
//! dictionary, then for each record calls [`Cars::compute`] with the record's car, its
//! timestamp and a lookup by input index; a `None` result is an absent channel to count.
//!
//! Why no expression crate: `meval` and `fasteval` have had no release in years;
//! `exmex` compiles to a flat, fast form but its variable names cannot hold dots unless
//! written in braces (`{g.lat}`), its operators are pure functions of their arguments (no
//! per-car memory for `d()`), and an absent input has no place in its `f64` evaluation;
//! `evalexpr` looks variables up by string in a context at every evaluation and its
//! errors carry no position. Each would need a layer about as large as the parser here
//! (a tokenizer and a precedence-climbing parser, some 400 lines with the printer) to
//! give the column of an error, dotted names, absent inputs and `d()`.

mod cars;
mod eval;
mod file;
mod lex;
mod parse;
#[cfg(test)]
mod tests;

pub use cars::{CarState, Cars, MAX_CARS_PER_TOPIC};
pub use file::{ChannelsFileError, MAX_MATH_CHANNELS, MathChannels};
pub use lex::{MAX_NAME_BYTES, is_valid_name};
pub use parse::{Expr, ExprError, ExprErrorKind};
