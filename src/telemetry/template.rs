//! The fast path of decoding: a record laid out byte for byte like the last one a thread
//! decoded (the same keys in the same order, the same punctuation; only the values
//! differ), as a source sends record after record. The bytes between the last record's
//! values are kept with what each value is (a v1 field, or a channel's index in the
//! topic's dictionary); a record whose bytes between values match is read by comparing
//! those bytes and parsing the values alone: no key is parsed, hashed or copied, no
//! channel name is built. Anything else, or anything unusual in a value (an escape, a
//! null, a number out of a field's range), is left to the full decoder, so the two give
//! the same sample and channels, or the full decoder gives the error.
//!
//! Sound for the reason [`shape`](crate::channels) is: a dictionary never renames or drops
//! a name, so an index, once given, keeps its name. Numbers come out as serde_json's do:
//! both round correctly (its `float_roundtrip`), and an integer converts as it does.

use super::{
    Sample, Tires,
    number::{decimal_at, parse_f64},
};

/// What one value of the record is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Car,
    Driver,
    Ts,
    Speed,
    Rpm,
    /// fl, fr, rl, rr.
    Tire(usize),
    Lap,
    Gear,
    Throttle,
    Brake,
    X,
    Y,
    Dist,
    /// A channel beyond v1, by its index in the topic's dictionary.
    Channel(u16),
}

/// The layout of the last record learnt, and where its values go.
#[derive(Debug, Default)]
pub(super) struct Template {
    /// The dictionary the channels' indices are in.
    dict: u64,
    /// The bytes between the values, back to back; `ends[i]` ends those before value `i`,
    /// and the last one the bytes after the last value.
    between: Vec<u8>,
    ends: Vec<u32>,
    roles: Vec<Role>,
}

/// The v1 field a top-level key is, if any (`tire_temp_c` apart).
fn v1_role(key: &[u8]) -> Option<Role> {
    Some(match key {
        b"car" => Role::Car,
        b"ts" => Role::Ts,
        b"speed_kph" => Role::Speed,
        b"rpm" => Role::Rpm,
        b"lap" => Role::Lap,
        b"gear" => Role::Gear,
        b"throttle" => Role::Throttle,
        b"brake" => Role::Brake,
        b"driver" => Role::Driver,
        b"x" => Role::X,
        b"y" => Role::Y,
        b"lap_distance_m" => Role::Dist,
        _ => return None,
    })
}

const CORNERS: [&[u8]; 4] = [b"fl", b"fr", b"rl", b"rr"];

/// Learning a template: the record, how far its bytes went into gaps, and the channels'
/// indices still to place.
struct Learn<'a, I> {
    json: &'a [u8],
    mark: usize,
    indices: I,
    t: Template,
}

impl<I: Iterator<Item = u16>> Learn<'_, I> {
    /// The value at `at` (of `role`) ends at `end`: the bytes before it are a gap.
    fn take(&mut self, at: usize, end: usize, role: Role) {
        self.t.between.extend_from_slice(&self.json[self.mark..at]);
        self.t.ends.push(self.t.between.len() as u32);
        self.t.roles.push(role);
        self.mark = end;
    }

    /// The members of an object whose `{` is at `at`, each by `member(key, at of its
    /// value) -> end of its value`; returns the end of the object.
    fn object(&mut self, at: usize, mut member: impl FnMut(&mut Self, &[u8], usize) -> Option<usize>) -> Option<usize> {
        let json = self.json;
        let mut at = expect(json, skip_ws(json, at), b'{')?;
        loop {
            at = skip_ws(json, at);
            match json.get(at)? {
                b'}' => return Some(at + 1),
                b',' => at = skip_ws(json, at + 1),
                _ => {}
            }
            let key_end = string_end(json, at)?;
            let key = &json[at + 1..key_end - 1];
            let value = skip_ws(json, expect(json, skip_ws(json, key_end), b':')?);
            at = member(self, key, value)?;
        }
    }

    /// A channel's value (a number, or an object of them) at `at`; returns its end.
    fn channel(&mut self, at: usize) -> Option<usize> {
        if self.json.get(at) == Some(&b'{') {
            return self.object(at, |l, _, v| l.channel(v));
        }
        let end = number_end(self.json, at)?;
        let i = self.indices.next()?;
        self.take(at, end, Role::Channel(i));
        Some(end)
    }
}

/// Layouts a thread keeps: a source may send two kinds of record (a game's car and its
/// session), and a third kind in between costs one comparison that fails more.
const KEPT: usize = 2;

/// Keeps `learnt` first among `templates`, forgetting the one matched longest ago.
pub(super) fn remember(templates: &mut Vec<Template>, learnt: Option<Template>) {
    if let Some(t) = learnt {
        templates.insert(0, t);
        templates.truncate(KEPT);
    }
}

impl Template {
    /// Whether its records have channels beyond v1 (in a dictionary; ids are never 0).
    pub(super) fn has_channels(&self) -> bool {
        self.dict != 0
    }

    /// Learns `json`, which the full decoder read without losing a value, whose channels
    /// took `indices` in dictionary `dict`, in the record's order (0 and none for a record
    /// of v1 fields alone). None when it holds what
    /// the fast path does not read: arrays, booleans, strings or nulls among the channels,
    /// a null v1 field, escapes.
    pub(super) fn learn(json: &[u8], dict: u64, indices: &[u16]) -> Option<Template> {
        let t = Template { dict, ..Template::default() };
        let mut l = Learn { json, mark: 0, indices: indices.iter().copied(), t };
        let end = l.object(0, |l, key, at| match (v1_role(key), key) {
            (Some(role), _) => {
                let end = if matches!(role, Role::Car | Role::Driver) {
                    string_end(l.json, at)
                } else {
                    number_end(l.json, at)
                }?;
                l.take(at, end, role);
                Some(end)
            }
            (None, b"tire_temp_c") => {
                let mut seen = [false; 4];
                let end = l.object(at, |l, key, at| {
                    let corner = CORNERS.iter().position(|&c| c == key)?;
                    if std::mem::replace(&mut seen[corner], true) {
                        return None;
                    }
                    let end = number_end(l.json, at)?;
                    l.take(at, end, Role::Tire(corner));
                    Some(end)
                })?;
                (seen == [true; 4]).then_some(end)
            }
            (None, _) => l.channel(at),
        })?;
        if l.indices.next().is_some() || skip_ws(json, end) != json.len() {
            return None;
        }
        let mut t = l.t;
        t.between.extend_from_slice(&json[l.mark..]);
        t.ends.push(t.between.len() as u32);
        Some(t)
    }

    /// Reads `json` when it is laid out as the record learnt, in dictionary `dict`: the
    /// sample, and the channels' (index, value) pairs added to `out`. None, and `out` as
    /// it was, for anything else.
    pub(super) fn read(&self, json: &[u8], dict: u64, out: &mut Vec<(u16, f64)>) -> Option<Sample> {
        if dict != self.dict {
            return None;
        }
        let before = out.len();
        let sample = self.read_values(json, out);
        if sample.is_none() {
            out.truncate(before);
        }
        sample
    }

    fn read_values(&self, json: &[u8], out: &mut Vec<(u16, f64)>) -> Option<Sample> {
        // Checked once for the whole record: a check per value (each number is sliced as
        // text to parse it) was a fifth of reading a record of 50 channels. Every value
        // below starts and ends next to an ASCII byte, so `text.get` finds it whole.
        let text = std::str::from_utf8(json).ok()?;
        let mut s = Sample::blank(String::new());
        let mut tires = [0.0; 4];
        let mut at = 0;
        let mut from = 0;
        for (&role, &to) in self.roles.iter().zip(&self.ends) {
            at = self.gap(json, at, from, to)?;
            from = to as usize;
            match role {
                Role::Car | Role::Driver => {
                    let end = string_end(json, at)?;
                    let text = text.get(at + 1..end - 1)?.to_owned();
                    at = end;
                    if role == Role::Car {
                        s.car = text;
                    } else {
                        s.driver = Some(text);
                    }
                }
                Role::Ts | Role::Lap | Role::Gear => {
                    let end = number_end(json, at)?;
                    let v = integer(text.get(at..end)?)?;
                    at = end;
                    match role {
                        Role::Ts => s.ts = Some(v),
                        Role::Lap => s.lap = Some(u32::try_from(v).ok()?),
                        _ => s.gear = Some(i8::try_from(v).ok()?),
                    }
                }
                _ => {
                    let (v, end) = match decimal_at(json, at) {
                        Some(read) => read,
                        None => {
                            let end = number_end(json, at)?;
                            (parse_f64(text.get(at..end)?)?, end)
                        }
                    };
                    at = end;
                    match role {
                        Role::Speed => s.speed_kph = v,
                        Role::Rpm => s.rpm = v,
                        Role::Tire(c) => tires[c] = v,
                        Role::Throttle => s.throttle = Some(v),
                        Role::Brake => s.brake = Some(v),
                        Role::X => s.x = Some(v),
                        Role::Y => s.y = Some(v),
                        Role::Dist => s.lap_distance_m = Some(v),
                        Role::Channel(i) => out.push((i, v)),
                        _ => return None,
                    }
                }
            }
        }
        at = self.gap(json, at, from, *self.ends.last()?)?;
        if at != json.len() || s.car.is_empty() {
            return None;
        }
        if self.roles.iter().any(|r| matches!(r, Role::Tire(_))) {
            let [fl, fr, rl, rr] = tires;
            s.tire_temp_c = Some(Tires { fl, fr, rl, rr });
        }
        Some(s)
    }

    /// Where `json` goes on after the learnt bytes `from..to` at `at`, if they are there.
    fn gap(&self, json: &[u8], at: usize, from: usize, to: u32) -> Option<usize> {
        let want = self.between.get(from..to as usize)?;
        let end = at.checked_add(want.len())?;
        (json.get(at..end)? == want).then_some(end)
    }
}

fn skip_ws(json: &[u8], mut at: usize) -> usize {
    while matches!(json.get(at), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        at += 1;
    }
    at
}

fn expect(json: &[u8], at: usize, byte: u8) -> Option<usize> {
    (json.get(at) == Some(&byte)).then_some(at + 1)
}

/// The end of a string at `at` (after its closing quote): one without escapes or control
/// characters, which the fast path leaves to the full decoder.
fn string_end(json: &[u8], at: usize) -> Option<usize> {
    let at = expect(json, at, b'"')?;
    let len = json.get(at..)?.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    expect(json, at + len, b'"')
}

/// The end of a JSON number at `at`: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn number_end(json: &[u8], mut at: usize) -> Option<usize> {
    let digits = |at: usize| json.get(at..).map_or(0, |r| r.iter().take_while(|b| b.is_ascii_digit()).count());
    if json.get(at) == Some(&b'-') {
        at += 1;
    }
    match json.get(at)? {
        b'0' => at += 1,
        b'1'..=b'9' => at += digits(at),
        _ => return None,
    }
    if json.get(at) == Some(&b'.') {
        let n = digits(at + 1);
        if n == 0 {
            return None;
        }
        at += 1 + n;
    }
    if matches!(json.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(json.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let n = digits(at);
        if n == 0 {
            return None;
        }
        at += n;
    }
    Some(at)
}

/// A number token as an integer field reads it: whole, in range, and not `-0` (which
/// serde_json reads as a float, and an integer field then refuses).
fn integer(token: &str) -> Option<i64> {
    if token.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) || token.starts_with("-0") {
        return None;
    }
    token.parse().ok()
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
