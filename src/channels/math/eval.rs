//! One compiled expression evaluated for one record: inputs read by index, no string
//! lookups and no allocation. An absent input, a non-finite value or a `d()` without a
//! usable previous record makes the result absent (`None`).

use super::parse::{BinOp, Expr, Func, Node};

/// Where an expression's name is read from, fixed once when a channels file is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ref {
    /// The file's `n`th input channel (a channel the records carry).
    Input(u32),
    /// The file's `n`th math channel, computed earlier for the same record.
    Math(u32),
}

/// What an evaluation reads and the `d()` memory it updates.
pub(crate) struct Env<'a, F> {
    pub(crate) input: &'a F,
    pub(crate) math: &'a [Option<f64>],
    /// The car's previous value and time (ms) of every `d()` in the file, by slot.
    pub(crate) previous: &'a mut [Option<(f64, i64)>],
    pub(crate) time_ms: i64,
}

/// An expression with its names resolved for one file.
#[derive(Debug, Clone)]
pub(crate) struct Linked {
    pub(crate) expr: Expr,
    /// By the expression's name index.
    pub(crate) refs: Vec<Ref>,
    /// The file-wide slot of this expression's first `d()`.
    pub(crate) first_derivative: u32,
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

impl Linked {
    pub(crate) fn eval<F: Fn(usize) -> Option<f64>>(&self, env: &mut Env<'_, F>) -> Option<f64> {
        self.node(self.expr.root, env)
    }

    /// Every argument is evaluated, even when an earlier one is absent or `if` will not
    /// choose it, so that every `d()` sees every record and its memory stays in step.
    fn node<F: Fn(usize) -> Option<f64>>(&self, node: u32, env: &mut Env<'_, F>) -> Option<f64> {
        match self.expr.nodes[node as usize] {
            Node::Num(v) => Some(v),
            Node::Name(n) => match self.refs.get(n as usize)? {
                Ref::Input(i) => (env.input)(*i as usize).and_then(finite),
                Ref::Math(m) => env.math.get(*m as usize).copied().flatten(),
            },
            Node::Neg(a) => self.node(a, env).map(|v| -v),
            Node::Bin(op, a, b) => {
                let (a, b) = (self.node(a, env), self.node(b, env));
                let (a, b) = (a?, b?);
                finite(match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    BinOp::Pow => a.powf(b),
                })
            }
            Node::Call(func, start, len) => self.call(func, start as usize, len as usize, env),
            Node::D(a, slot) => {
                let value = self.node(a, env);
                let slot = env.previous.get_mut((self.first_derivative + slot) as usize)?;
                let before = std::mem::replace(slot, value.map(|v| (v, env.time_ms)));
                let (v, (was, then)) = (value?, before?);
                let dt_ms = env.time_ms.checked_sub(then).filter(|dt| *dt > 0)?;
                finite((v - was) * 1000.0 / dt_ms as f64)
            }
        }
    }

    fn call<F: Fn(usize) -> Option<f64>>(
        &self,
        func: Func,
        start: usize,
        len: usize,
        env: &mut Env<'_, F>,
    ) -> Option<f64> {
        let args = self.expr.args.get(start..start + len)?;
        let mut arg = |i: usize| self.node(args[i], env);
        match func {
            Func::Abs => arg(0).map(f64::abs),
            Func::Sqrt => arg(0).and_then(|v| finite(v.sqrt())),
            Func::Min | Func::Max => {
                let mut all = Some(if func == Func::Min { f64::INFINITY } else { f64::NEG_INFINITY });
                for i in 0..len {
                    let v = arg(i);
                    all = all.zip(v).map(|(a, v)| if func == Func::Min { a.min(v) } else { a.max(v) });
                }
                all
            }
            Func::Clamp => {
                let (x, lo, hi) = (arg(0), arg(1), arg(2));
                let (x, lo, hi) = (x?, lo?, hi?);
                // f64::clamp panics when lo > hi; a record's inputs can make it so.
                (lo <= hi).then(|| x.max(lo).min(hi))
            }
            Func::If => {
                let (cond, then, otherwise) = (arg(0), arg(1), arg(2));
                if cond? != 0.0 { then } else { otherwise }
            }
            // `d` is its own node, with its memory slot.
            Func::D => None,
        }
    }
}
