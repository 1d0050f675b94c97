//! The math-channel expression language, read once: a tokenizer and a precedence-climbing
//! parser that turn a text into an [`Expr`], a small tree kept in one array, or into an
//! [`ExprError`] that names the 1-based column of what is wrong.

use std::fmt;

use super::lex::{Tok, Token, column, tokenize};

/// The deepest tree accepted. Evaluation recurses once per level, so this bounds the
/// stack an expression can use (a sum of 256 terms is far beyond any real math channel).
pub(crate) const MAX_DEPTH: usize = 256;

/// Why an expression cannot be read, and where: `column` counts characters from 1.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind} at column {column}")]
pub struct ExprError {
    pub kind: ExprErrorKind,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExprErrorKind {
    #[error("empty expression")]
    Empty,
    #[error("unexpected `{0}`")]
    Unexpected(String),
    #[error("unexpected end of expression")]
    End,
    #[error("`(` is never closed")]
    Unclosed,
    #[error("unknown function `{0}`")]
    UnknownFunction(String),
    #[error("`{name}` takes {expected}, not {got}")]
    Arity { name: &'static str, expected: &'static str, got: usize },
    #[error("invalid channel name `{0}`")]
    InvalidName(String),
    #[error("invalid number `{0}`")]
    InvalidNumber(String),
    #[error("expression nested more than {MAX_DEPTH} deep")]
    TooDeep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    Abs,
    Sqrt,
    Min,
    Max,
    Clamp,
    If,
    D,
}

impl Func {
    const ALL: [Func; 7] = [Func::Abs, Func::Sqrt, Func::Min, Func::Max, Func::Clamp, Func::If, Func::D];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Func::Abs => "abs",
            Func::Sqrt => "sqrt",
            Func::Min => "min",
            Func::Max => "max",
            Func::Clamp => "clamp",
            Func::If => "if",
            Func::D => "d",
        }
    }

    /// The arity as words for the error, or `None` when `got` arguments fit.
    fn arity_error(self, got: usize) -> Option<&'static str> {
        match self {
            Func::Abs | Func::Sqrt | Func::D => (got != 1).then_some("1 argument"),
            Func::Min | Func::Max => (got < 2).then_some("2 or more arguments"),
            Func::Clamp | Func::If => (got != 3).then_some("3 arguments"),
        }
    }
}

/// One node of the tree; children are indices into [`Expr::nodes`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Node {
    Num(f64),
    /// The expression's `n`th distinct name, resolved to an input or a math channel later.
    Name(u32),
    Neg(u32),
    Bin(BinOp, u32, u32),
    /// A function other than `d`; its arguments are `args[start..start + len]`.
    Call(Func, u32, u32),
    /// `d(x)`: the argument and this expression's `n`th derivative, for its state slot.
    D(u32, u32),
}

/// A compiled expression: names appear once each, in order of first use.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expr {
    pub(crate) nodes: Vec<Node>,
    pub(crate) args: Vec<u32>,
    pub(crate) root: u32,
    pub(crate) names: Vec<String>,
    /// How many `d()` the expression holds; each keeps its own previous value per car.
    pub(crate) derivatives: u32,
}

impl Expr {
    /// Reads `text` once into a tree, or says what is wrong and at which column.
    pub fn parse(text: &str) -> Result<Expr, ExprError> {
        let mut p = Parser { text, tokens: tokenize(text)?, at: 0, expr: Expr::default(), depths: Vec::new() };
        if p.peek().tok == Tok::End {
            return Err(ExprError { kind: ExprErrorKind::Empty, column: 1 });
        }
        let root = p.expr(0, 0)?;
        let next = p.peek();
        if next.tok != Tok::End {
            return Err(p.error(ExprErrorKind::Unexpected(next.text(text).to_owned()), next.at));
        }
        p.expr.root = root;
        Ok(p.expr)
    }

    /// The channel names the expression reads, each once.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    fn write(&self, node: u32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args = |start: u32, len: u32| &self.args[start as usize..(start + len) as usize];
        match self.nodes[node as usize] {
            Node::Num(v) => write!(f, "{v:?}"),
            Node::Name(n) => f.write_str(&self.names[n as usize]),
            Node::Neg(a) => {
                f.write_str("(-")?;
                self.write(a, f)?;
                f.write_str(")")
            }
            Node::Bin(op, a, b) => {
                f.write_str("(")?;
                self.write(a, f)?;
                let op = match op {
                    BinOp::Add => " + ",
                    BinOp::Sub => " - ",
                    BinOp::Mul => " * ",
                    BinOp::Div => " / ",
                    BinOp::Pow => " ^ ",
                };
                f.write_str(op)?;
                self.write(b, f)?;
                f.write_str(")")
            }
            Node::Call(func, start, len) => {
                write!(f, "{}(", func.name())?;
                for (i, &a) in args(start, len).iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    self.write(a, f)?;
                }
                f.write_str(")")
            }
            Node::D(a, _) => {
                f.write_str("d(")?;
                self.write(a, f)?;
                f.write_str(")")
            }
        }
    }
}

/// Fully parenthesized, so that printing and reading back gives the same tree.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nodes.is_empty() { Ok(()) } else { self.write(self.root, f) }
    }
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    at: usize,
    expr: Expr,
    /// The height of each node's subtree, to refuse trees deeper than [`MAX_DEPTH`].
    depths: Vec<usize>,
}

/// Binding powers (left, right): a higher left binds tighter; right below left makes `^`
/// right-associative. Unary minus binds looser than `^`: `-2^2` is -4.
fn infix(tok: Tok) -> Option<(BinOp, u8, u8)> {
    Some(match tok {
        Tok::Punct(b'+') => (BinOp::Add, 1, 2),
        Tok::Punct(b'-') => (BinOp::Sub, 1, 2),
        Tok::Punct(b'*') => (BinOp::Mul, 3, 4),
        Tok::Punct(b'/') => (BinOp::Div, 3, 4),
        Tok::Punct(b'^') => (BinOp::Pow, 7, 6),
        _ => return None,
    })
}
const NEG_POWER: u8 = 5;

impl Parser<'_> {
    fn peek(&self) -> Token {
        self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek();
        self.at += 1;
        t
    }

    fn error(&self, kind: ExprErrorKind, at: usize) -> ExprError {
        ExprError { kind, column: column(self.text, at) }
    }

    fn push(&mut self, node: Node, children: &[u32], at: usize) -> Result<u32, ExprError> {
        let depth = 1 + children.iter().map(|&c| self.depths[c as usize]).max().unwrap_or(0);
        if depth > MAX_DEPTH {
            return Err(self.error(ExprErrorKind::TooDeep, at));
        }
        self.expr.nodes.push(node);
        self.depths.push(depth);
        Ok((self.expr.nodes.len() - 1) as u32)
    }

    fn expr(&mut self, min_power: u8, nesting: usize) -> Result<u32, ExprError> {
        if nesting > MAX_DEPTH {
            return Err(self.error(ExprErrorKind::TooDeep, self.peek().at));
        }
        let mut lhs = self.prefix(nesting)?;
        while let Some((op, left, right)) = infix(self.peek().tok) {
            if left < min_power {
                break;
            }
            let at = self.next().at;
            let rhs = self.expr(right, nesting + 1)?;
            lhs = self.push(Node::Bin(op, lhs, rhs), &[lhs, rhs], at)?;
        }
        Ok(lhs)
    }

    fn prefix(&mut self, nesting: usize) -> Result<u32, ExprError> {
        let t = self.next();
        match t.tok {
            Tok::Num(v) => self.push(Node::Num(v), &[], t.at),
            Tok::Name if self.peek().tok == Tok::Punct(b'(') => self.call(t, nesting),
            Tok::Name => {
                let name = t.text(self.text);
                let n = match self.expr.names.iter().position(|known| known == name) {
                    Some(n) => n,
                    None => {
                        self.expr.names.push(name.to_owned());
                        self.expr.names.len() - 1
                    }
                };
                self.push(Node::Name(n as u32), &[], t.at)
            }
            Tok::Punct(b'-') => {
                let a = self.expr(NEG_POWER, nesting + 1)?;
                self.push(Node::Neg(a), &[a], t.at)
            }
            Tok::Punct(b'(') => {
                let inner = self.expr(0, nesting + 1)?;
                self.close(t)?;
                Ok(inner)
            }
            Tok::End => Err(self.error(ExprErrorKind::End, t.at)),
            Tok::Punct(_) => Err(self.error(ExprErrorKind::Unexpected(t.text(self.text).to_owned()), t.at)),
        }
    }

    /// Expects the `)` that closes `open`.
    fn close(&mut self, open: Token) -> Result<(), ExprError> {
        let t = self.next();
        match t.tok {
            Tok::Punct(b')') => Ok(()),
            Tok::End => Err(self.error(ExprErrorKind::Unclosed, open.at)),
            _ => Err(self.error(ExprErrorKind::Unexpected(t.text(self.text).to_owned()), t.at)),
        }
    }

    fn call(&mut self, name: Token, nesting: usize) -> Result<u32, ExprError> {
        let written = name.text(self.text);
        let func = Func::ALL
            .into_iter()
            .find(|f| f.name() == written)
            .ok_or_else(|| self.error(ExprErrorKind::UnknownFunction(written.to_owned()), name.at))?;
        let open = self.next();
        let mut args = Vec::new();
        if self.peek().tok == Tok::Punct(b')') {
            self.next();
        } else {
            loop {
                args.push(self.expr(0, nesting + 1)?);
                if self.peek().tok == Tok::Punct(b',') {
                    self.next();
                } else {
                    self.close(open)?;
                    break;
                }
            }
        }
        if let Some(expected) = func.arity_error(args.len()) {
            let kind = ExprErrorKind::Arity { name: func.name(), expected, got: args.len() };
            return Err(self.error(kind, name.at));
        }
        if func == Func::D {
            let slot = self.expr.derivatives;
            self.expr.derivatives += 1;
            return self.push(Node::D(args[0], slot), &args, name.at);
        }
        let start = self.expr.args.len() as u32;
        self.expr.args.extend_from_slice(&args);
        self.push(Node::Call(func, start, args.len() as u32), &args, name.at)
    }
}
