//! Each thread's memory of the last record it stored against a dictionary: the names it
//! carried, in order, and the index each took. A source sends the same fields record
//! after record, so a record of the same shape as the last one finds its indices by
//! comparing its names' bytes, without hashing a name or taking the dictionary's lock
//! (which both cores take in turn while a replay decodes on both).
//!
//! Sound because a dictionary never renames or drops a name: an index, once given, keeps
//! its name for the dictionary's life.

use std::cell::RefCell;

use super::flatten::Flat;

/// In [`Shape::slots`], a name the record already carried (its first value is kept).
pub(super) const REPEATED: u16 = u16::MAX;

/// One record's shape and where its channels went.
#[derive(Debug, Default)]
pub(super) struct Shape {
    /// The dictionary's id; 0 before any record.
    dict: u64,
    names: String,
    ends: Vec<u32>,
    /// Each channel's index, or [`REPEATED`].
    slots: Vec<u16>,
}

thread_local! {
    static LAST: RefCell<Shape> = RefCell::default();
}

/// Runs `f` with this thread's last shape (none in the unlikely case that it is in use
/// further up the stack).
pub(super) fn with_last<R>(f: impl FnOnce(Option<&mut Shape>) -> R) -> R {
    LAST.with(|cell| match cell.try_borrow_mut() {
        Ok(mut shape) => f(Some(&mut shape)),
        Err(_) => f(None),
    })
}

impl Shape {
    /// Adds the record's values by index to `out`, when it has the shape of the last one
    /// remembered for dictionary `dict`; says whether it had.
    pub(super) fn values_into(&self, dict: u64, flat: &Flat, out: &mut Vec<(u16, f64)>) -> bool {
        let same = dict == self.dict
            && flat.len() == self.slots.len()
            && flat.names() == self.names
            && flat.ends().eq(self.ends.iter().copied());
        if same {
            out.extend(self.slots.iter().zip(flat.values()).filter(|&(&i, _)| i != REPEATED).map(|(&i, v)| (i, v)));
        }
        same
    }

    /// Remembers `flat`'s shape and each channel's index in dictionary `dict` (or
    /// [`REPEATED`]), in the record's order.
    pub(super) fn remember(&mut self, dict: u64, flat: &Flat, slots: &[u16]) {
        self.dict = dict;
        self.names.clear();
        self.names.push_str(flat.names());
        self.ends.clear();
        self.ends.extend(flat.ends());
        self.slots.clear();
        self.slots.extend_from_slice(slots);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::flatten::flatten;

    fn flat(json: &str) -> Flat {
        flatten(json.as_bytes()).unwrap()
    }

    #[test]
    fn a_record_of_the_remembered_shape_takes_its_indices_and_skips_repeated_names() {
        let mut shape = Shape::default();
        shape.remember(7, &flat(r#"{"x":1,"a":[2],"a.0":3}"#), &[4, 0, REPEATED]);
        let next = flat(r#"{"x":10,"a":[20],"a.0":30}"#);
        let mut out = vec![(9, 1.0)];
        assert!(shape.values_into(7, &next, &mut out));
        assert_eq!(out, vec![(9, 1.0), (4, 10.0), (0, 20.0)], "added after what was there");
        assert!(!shape.values_into(8, &next, &mut out), "another dictionary's indices are not these");
        assert_eq!(out.len(), 3);
    }

    #[test]
    fn a_record_of_other_names_or_the_same_bytes_split_otherwise_is_not_of_the_shape() {
        let mut shape = Shape::default();
        shape.remember(1, &flat(r#"{"ab":1,"c":2}"#), &[0, 1]);
        let mut out = Vec::new();
        for other in [r#"{"a":1,"bc":2}"#, r#"{"ab":1,"d":2}"#, r#"{"ab":1}"#, r#"{"ab":1,"c":2,"e":3}"#] {
            assert!(!shape.values_into(1, &flat(other), &mut out), "{other}");
        }
        assert!(!Shape::default().values_into(0, &flat(r#"{"ab":1,"c":2}"#), &mut out), "nothing remembered yet");
        assert!(out.is_empty());
    }
}
