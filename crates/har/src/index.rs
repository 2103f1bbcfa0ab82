//! One side of a diff: the entries of a HAR source keyed by (METHOD, url), in order of first
//! appearance, holding only status, timings and size of each entry.

use indexmap::IndexMap;

use crate::error::{HarShapeProblem, JsonKind};
use crate::options::{DiffOptions, MatchMode};
use crate::splitter::SlotQueue;
use crate::url_key::normalise_url;
use crate::visit::{Entry, EntrySink, Request, Response, SinkFactory, Text};

/// The key entries are matched by: upper-cased method and (possibly normalised) URL, held in
/// one allocation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    joined: Box<str>,
    method_len: usize,
}

impl Key {
    pub(crate) fn new(method: &str, url: &str) -> Self {
        let mut joined = String::with_capacity(method.len() + url.len());
        joined.push_str(method);
        joined.push_str(url);
        Key {
            joined: joined.into_boxed_str(),
            method_len: method.len(),
        }
    }

    /// The upper-cased method.
    pub(crate) fn method(&self) -> &str {
        &self.joined[..self.method_len]
    }

    /// The URL as compared.
    pub(crate) fn url(&self) -> &str {
        &self.joined[self.method_len..]
    }
}

/// The table type: keys in order of first appearance, fast seeded hashing.
pub(crate) type KeyTable = IndexMap<Key, Occurrences, foldhash::fast::RandomState>;

/// The occurrences kept for a key: the last one (key match) or all (multiset match).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Occurrences {
    /// Earlier occurrences (multiset match only), in file order.
    earlier: Vec<Occurrence>,
    /// The last occurrence: the one the seed keeps.
    last: Occurrence,
}

impl Occurrences {
    fn new(first: Occurrence) -> Self {
        Occurrences {
            earlier: Vec::new(),
            last: first,
        }
    }

    /// The last occurrence (the one the seed keeps).
    pub(crate) fn last(&self) -> &Occurrence {
        &self.last
    }

    /// Number of kept occurrences.
    pub(crate) fn len(&self) -> usize {
        self.earlier.len() + 1
    }

    /// All kept occurrences, in file order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Occurrence> {
        self.earlier.iter().chain(std::iter::once(&self.last))
    }

    /// The `n`-th kept occurrence (0-based).
    pub(crate) fn get(&self, n: usize) -> Option<&Occurrence> {
        match n.cmp(&self.earlier.len()) {
            std::cmp::Ordering::Less => self.earlier.get(n),
            std::cmp::Ordering::Equal => Some(&self.last),
            std::cmp::Ordering::Greater => None,
        }
    }
}

/// What is kept of one entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Occurrence {
    /// Position in `log.entries` (0-based).
    pub(crate) position: usize,
    /// The status, or the kind of a `response` that is not an object.
    pub(crate) status: Result<i64, JsonKind>,
    /// Total time in ms: `time`, else the sum of the timings phases.
    pub(crate) time: Option<f64>,
    /// `timings.wait` in ms.
    pub(crate) wait: Option<f64>,
    /// Response size in bytes: `content.size`, else `bodySize` (negative values ignored).
    pub(crate) size: Option<f64>,
}

/// A HAR source read for diffing: its requests in order of first appearance.
///
/// Built by [`crate::read_har`], [`crate::read_har_file`] or [`crate::index_har_value`]; it
/// holds a few numbers per entry and never any body, so its size depends on the number of
/// entries, not on the size of the file.
#[derive(Debug, Clone)]
pub struct HarIndex {
    pub(crate) source_name: String,
    pub(crate) table: KeyTable,
    pub(crate) entries: usize,
    pub(crate) skipped: usize,
    pub(crate) mode: MatchMode,
}

impl HarIndex {
    /// The file path (or `left` / `right`) this index was read from.
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// Number of elements of `log.entries`.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// Number of entries skipped because they have neither method nor URL.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Number of distinct (METHOD, url) keys.
    pub fn keys(&self) -> usize {
        self.table.len()
    }

    /// The match mode the index was built for.
    pub fn match_mode(&self) -> MatchMode {
        self.mode
    }
}

/// Builds [`Table`]s for the visitors.
pub(crate) struct TableFactory<'o> {
    pub(crate) options: &'o DiffOptions,
    /// The splitter's queue when reading through one.
    pub(crate) slots: Option<SlotQueue>,
}

impl<'o> SinkFactory for TableFactory<'o> {
    type Sink = Table<'o>;
    fn make(&self) -> Table<'o> {
        Table {
            options: self.options,
            table: KeyTable::default(),
            entries: 0,
            skipped: 0,
            problem: None,
        }
    }
    fn slots(&self) -> Option<&SlotQueue> {
        self.slots.as_ref()
    }
    fn wants_metrics(&self) -> bool {
        self.options.wants_metrics()
    }
}

/// Collects the entries of one `log.entries` list into a key table.
pub(crate) struct Table<'o> {
    options: &'o DiffOptions,
    pub(crate) table: KeyTable,
    pub(crate) entries: usize,
    pub(crate) skipped: usize,
    /// The first entry that Python's seed would have crashed on.
    pub(crate) problem: Option<HarShapeProblem>,
}

impl EntrySink for Table<'_> {
    fn push(&mut self, index: usize, entry: Entry) {
        self.entries += 1;
        if self.problem.is_some() {
            return;
        }
        match self.key_and_occurrence(index, entry) {
            Ok(Some((key, occurrence))) => match self.table.entry(key) {
                indexmap::map::Entry::Vacant(slot) => {
                    slot.insert(Occurrences::new(occurrence));
                }
                indexmap::map::Entry::Occupied(mut slot) => {
                    let kept = slot.get_mut();
                    let previous = std::mem::replace(&mut kept.last, occurrence);
                    if self.options.match_mode == MatchMode::Multiset {
                        kept.earlier.push(previous);
                    }
                }
            },
            Ok(None) => self.skipped += 1,
            Err(problem) => {
                self.problem = Some(problem);
                // The list is rejected: free what was collected.
                self.table = KeyTable::default();
            }
        }
    }
}

impl Table<'_> {
    /// The key of an entry (`None`: neither method nor URL, skipped) or the shape problem.
    fn key_and_occurrence(
        &self,
        index: usize,
        entry: Entry,
    ) -> Result<Option<(Key, Occurrence)>, HarShapeProblem> {
        let fields = match entry {
            Entry::NotObject(found) => {
                return Err(HarShapeProblem::EntryNotObject { index, found })
            }
            Entry::Object(fields) => fields,
        };
        let (method, url) = match fields.request {
            Request::Empty => (Text::Empty, Text::Empty),
            Request::NotObject(found) => {
                return Err(HarShapeProblem::RequestNotObject { index, found })
            }
            Request::Object { method, url } => (method, url),
        };
        let method = match method {
            Text::Empty => String::new(),
            Text::Str(m) => python_upper(m),
            Text::Other(found) => return Err(HarShapeProblem::MethodNotString { index, found }),
        };
        let url = match url {
            Text::Empty => String::new(),
            Text::Str(u) => u,
            Text::Other(found) => return Err(HarShapeProblem::UrlNotString { index, found }),
        };
        if method.is_empty() && url.is_empty() {
            return Ok(None);
        }
        let url = if self.options.normalises_urls() {
            normalise_url(&url, self.options).into_owned()
        } else {
            url
        };
        let (status, content_size, body_size) = match fields.response {
            Response::Empty => (Ok(0), None, None),
            Response::NotObject(kind) => (Err(kind), None, None),
            Response::Object {
                status,
                content_size,
                body_size,
            } => (Ok(status), content_size, body_size),
        };
        let size = content_size
            .filter(|s| *s >= 0.0)
            .or(body_size.filter(|s| *s >= 0.0));
        let occurrence = Occurrence {
            position: index,
            status,
            time: fields.time.or(fields.timings_total),
            wait: fields.wait,
            size,
        };
        let key = Key::new(&method, &url);
        Ok(Some((key, occurrence)))
    }
}

/// Python's `str.upper()`: full Unicode upper-casing (`ß` → `SS`), with an ASCII fast path.
fn python_upper(mut s: String) -> String {
    if s.is_ascii() {
        s.make_ascii_uppercase();
        s
    } else {
        s.to_uppercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_casing_follows_python() {
        assert_eq!(python_upper("get".to_owned()), "GET");
        assert_eq!(python_upper("straße".to_owned()), "STRASSE");
        assert_eq!(python_upper("ﬁx".to_owned()), "FIX");
    }
}
