//! A math-channels file (`[channels]`, `name = "expression"`) read and checked once:
//! every expression compiled, every name resolved to an input or another math channel,
//! the channels put in an order where each comes after those it reads.

use std::{collections::BTreeMap, collections::HashMap, path::Path};

use super::{
    CarState,
    eval::{Env, Linked, Ref},
    lex::{MAX_NAME_BYTES, is_valid_name},
    parse::{Expr, ExprError},
};

/// The most math channels one file defines: they count against the 512 channels a topic
/// may have, and a file that needs more than half of them is most likely a mistake.
pub const MAX_MATH_CHANNELS: usize = 256;

/// Why a channels file cannot be used: one line, naming the file, the channel and, for
/// an expression, the column within it. `serve` stops with exit code 2 on any of these.
#[derive(Debug, thiserror::Error)]
pub enum ChannelsFileError {
    #[error("channels file {path}: cannot read it: {reason}")]
    Read { path: String, reason: String },
    #[error("channels file {path}: not TOML: {reason}")]
    Toml { path: String, reason: String },
    #[error("channels file {path}: no channels: write them under [channels], one `name = \"expression\"` a line")]
    NoChannels { path: String },
    #[error("channels file {path}: {count} channels, more than the {MAX_MATH_CHANNELS} a file may define")]
    TooMany { path: String, count: usize },
    #[error(
        "channels file {path}: `{channel}` is not a valid channel name (dot-separated letters, digits and `_`, \
         starting with a letter or `_`, up to {MAX_NAME_BYTES} bytes)"
    )]
    InvalidName { path: String, channel: String },
    #[error("channels file {path}: channel {channel}: {reason}")]
    NotAnExpression { path: String, channel: String, reason: &'static str },
    #[error("channels file {path}: channel {channel}: {error}")]
    Expression { path: String, channel: String, error: ExprError },
    #[error("channels file {path}: cycle: {}", cycle.join(" -> "))]
    Cycle { path: String, cycle: Vec<String> },
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    channels: Option<BTreeMap<String, toml::Spanned<toml::Value>>>,
}

/// Every math channel of one file, ready to compute.
#[derive(Debug, Clone)]
pub struct MathChannels {
    /// In file order; a channel's index is its place here.
    names: Vec<String>,
    exprs: Vec<Linked>,
    /// Indices into `names`, each after every math channel it reads.
    order: Vec<usize>,
    /// The channels the records must carry, each once; an input's index is its place here.
    inputs: Vec<String>,
    derivatives: usize,
}

impl MathChannels {
    pub fn load(path: &Path) -> Result<MathChannels, ChannelsFileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ChannelsFileError::Read { path: shown.clone(), reason: e.to_string() })?;
        MathChannels::parse(&shown, &text)
    }

    /// Reads a file's text; `path` is only for the errors.
    pub fn parse(path: &str, text: &str) -> Result<MathChannels, ChannelsFileError> {
        let path = path.to_owned();
        let raw: Raw = toml::from_str(text)
            .map_err(|e| ChannelsFileError::Toml { reason: toml_reason(text, &e), path: path.clone() })?;
        let mut entries: Vec<_> = raw.channels.unwrap_or_default().into_iter().collect();
        if entries.is_empty() {
            return Err(ChannelsFileError::NoChannels { path });
        }
        if entries.len() > MAX_MATH_CHANNELS {
            return Err(ChannelsFileError::TooMany { path, count: entries.len() });
        }
        entries.sort_by_key(|(_, value)| value.span().start);

        let mut names = Vec::with_capacity(entries.len());
        let mut exprs = Vec::with_capacity(entries.len());
        for (channel, value) in entries {
            if !is_valid_name(&channel) {
                return Err(ChannelsFileError::InvalidName { path, channel });
            }
            let text = match value.into_inner() {
                toml::Value::String(text) => text,
                toml::Value::Table(_) => {
                    let reason = "is a table; a name with dots is quoted: \"g.total\" = \"...\"";
                    return Err(ChannelsFileError::NotAnExpression { path, channel, reason });
                }
                _ => {
                    let reason = "the expression is a quoted string: name = \"expression\"";
                    return Err(ChannelsFileError::NotAnExpression { path, channel, reason });
                }
            };
            match Expr::parse(&text) {
                Ok(expr) => exprs.push(expr),
                Err(error) => return Err(ChannelsFileError::Expression { path, channel, error }),
            }
            names.push(channel);
        }
        link(names, exprs).map_err(|cycle| ChannelsFileError::Cycle { path, cycle })
    }

    /// The math channels' names, in file order: `compute` writes its results in this order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The channels the expressions read from records, each once. The caller resolves
    /// them to its own channel indices once per topic dictionary, and `compute`'s `input`
    /// is asked by the index into this list.
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }

    /// A car's `d()` memory, for a car seen for the first time.
    pub fn new_car(&self) -> CarState {
        CarState { previous: vec![None; self.derivatives] }
    }

    /// Computes every math channel of one record of one car into `out` (one entry per
    /// [`names`](Self::names); `None` when absent). `input(i)` is the record's value of
    /// [`inputs`](Self::inputs)`[i]`; `time_ms` is the record's timestamp, for `d()`.
    /// Allocates nothing.
    pub fn compute<F: Fn(usize) -> Option<f64>>(
        &self,
        car: &mut CarState,
        time_ms: i64,
        input: F,
        out: &mut [Option<f64>],
    ) {
        for &m in &self.order {
            let mut env = Env { input: &input, math: out, previous: &mut car.previous, time_ms };
            let value = self.exprs[m].eval(&mut env);
            if let Some(slot) = out.get_mut(m) {
                *slot = value;
            }
        }
    }
}

/// Resolves every name and orders the channels; a cycle comes back as the names along it.
fn link(names: Vec<String>, exprs: Vec<Expr>) -> Result<MathChannels, Vec<String>> {
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let mut inputs: Vec<String> = Vec::new();
    let mut reads = Vec::with_capacity(exprs.len());
    let mut linked = Vec::with_capacity(exprs.len());
    let mut derivatives = 0;
    for expr in exprs {
        let mut refs = Vec::with_capacity(expr.names.len());
        let mut math = Vec::new();
        for name in &expr.names {
            refs.push(match index.get(name.as_str()) {
                Some(&m) => {
                    math.push(m);
                    Ref::Math(m as u32)
                }
                None => Ref::Input(match inputs.iter().position(|i| i == name) {
                    Some(i) => i as u32,
                    None => {
                        inputs.push(name.clone());
                        (inputs.len() - 1) as u32
                    }
                }),
            });
        }
        let first_derivative = derivatives as u32;
        derivatives += expr.derivatives as usize;
        reads.push(math);
        linked.push(Linked { expr, refs, first_derivative });
    }
    let order = topological(&reads).map_err(|cycle| cycle.into_iter().map(|m| names[m].clone()).collect::<Vec<_>>())?;
    Ok(MathChannels { names, exprs: linked, order, inputs, derivatives })
}

/// Depth-first, in file order, so the order and any cycle reported are the same every run.
fn topological(reads: &[Vec<usize>]) -> Result<Vec<usize>, Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        m: usize,
        reads: &[Vec<usize>],
        marks: &mut [Mark],
        path: &mut Vec<usize>,
        order: &mut Vec<usize>,
    ) -> Result<(), Vec<usize>> {
        match marks[m] {
            Mark::Done => return Ok(()),
            Mark::Open => {
                let from = path.iter().position(|&p| p == m).unwrap_or(0);
                let mut cycle = path[from..].to_vec();
                cycle.push(m);
                return Err(cycle);
            }
            Mark::New => {}
        }
        marks[m] = Mark::Open;
        path.push(m);
        for &r in &reads[m] {
            visit(r, reads, marks, path, order)?;
        }
        path.pop();
        marks[m] = Mark::Done;
        order.push(m);
        Ok(())
    }
    let mut marks = vec![Mark::New; reads.len()];
    let mut order = Vec::with_capacity(reads.len());
    for m in 0..reads.len() {
        visit(m, reads, &mut marks, &mut Vec::new(), &mut order)?;
    }
    Ok(order)
}

/// toml's own text draws the line over several lines; this is one: the message and where.
fn toml_reason(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().replace('\n', " ");
    match error.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("{message} at line {line}, column {column}")
        }
        None => message,
    }
}
