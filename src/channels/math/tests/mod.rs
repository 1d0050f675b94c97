//! Math channels end to end: expressions, files, `d()` and the per-car memory.

mod derivative;
mod expr;
mod file;

use super::{CarState, Expr, MathChannels};

/// A file of one math channel, `out`.
fn one(text: &str) -> MathChannels {
    MathChannels::parse("x.toml", &format!("[channels]\nout = '{text}'\n")).unwrap()
}

/// Every math channel of `set` for one record carrying `inputs`.
fn compute(set: &MathChannels, car: &mut CarState, time_ms: i64, inputs: &[(&str, f64)]) -> Vec<Option<f64>> {
    let mut out = vec![None; set.names().len()];
    let read = |i: usize| inputs.iter().find(|(name, _)| *name == set.inputs()[i]).map(|(_, v)| *v);
    set.compute(car, time_ms, read, &mut out);
    out
}

/// The value of the expression `text` for one record carrying `inputs`.
fn value(text: &str, inputs: &[(&str, f64)]) -> Option<f64> {
    let set = one(text);
    compute(&set, &mut set.new_car(), 0, inputs)[0]
}

/// The one-line reason an expression is refused.
fn error(text: &str) -> String {
    Expr::parse(text).unwrap_err().to_string()
}

/// The one-line reason a file is refused.
fn file_error(toml: &str) -> String {
    MathChannels::parse("x.toml", toml).unwrap_err().to_string()
}
