//! Grouping: failures → clusters by signature, sorted by count (descending) then signature,
//! with the seed's representative (first message's first 200 characters) and file list
//! (each `file_path` once, in order), plus "why grouped" under the default rules.

use std::borrow::Cow;
use std::rc::Rc;

use foldhash::{HashMap as FastMap, HashMapExt, HashSet as FastSet, HashSetExt};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::flat_json::unescape_into;
use crate::pystr::truthy_value_text;
use crate::triage::{self, Known, Reading};
use crate::{seed, ClusterError, Rules};

/// One failure: the function (test or command) that failed, its message and its file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Failure {
    /// The test or command that failed, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_name: Option<String>,
    /// The error text.
    pub message: String,
    /// The file the failure came from, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_path: Option<String>,
}

/// One bucket of failures sharing a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// The normalised signature every member shares (`<unknown>` for empty messages).
    pub signature: String,
    /// The first member's message, cut to its first 200 characters.
    pub representative: String,
    /// Number of members.
    pub count: usize,
    /// Positions of the members in the input, in input order.
    pub members: Vec<usize>,
    /// Each non-empty `file_path` of the members once, in order of first appearance.
    pub files: Vec<String>,
    /// What the default rules replaced or dropped to reach the signature; `None` under the
    /// seed rules.
    pub why: Option<Why>,
}

/// "Why grouped": the placeholders a cluster's signature carries and what they stood for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Why {
    /// Per placeholder kind, in order of first appearance in the signature.
    pub replaced: Vec<Replaced>,
    /// Parts of the messages left out of the signature (stack traces, driver trailers, …).
    pub dropped: Vec<String>,
}

/// One placeholder kind of a cluster and examples of the tokens it replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replaced {
    /// The placeholder, e.g. `<N>`.
    pub placeholder: String,
    /// How many tokens it replaced across the cluster's failures (a message that failed n
    /// times counts n times).
    pub occurrences: usize,
    /// Up to five distinct original tokens, in order of first appearance.
    pub examples: Vec<String>,
}

/// Examples kept per placeholder kind.
const MAX_EXAMPLES: usize = 5;

/// `cluster_summary`'s entry: `{signature, count, representative, files}` (and `why`
/// under the default rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterSummary {
    /// The cluster's signature.
    pub signature: String,
    /// Number of members.
    pub count: usize,
    /// The first member's message, cut to 200 characters.
    pub representative: String,
    /// The members' files, each once.
    pub files: Vec<String>,
    /// "Why grouped", absent under the seed rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<Why>,
}

/// A failure as the clusterer sees it: a message and maybe a file, borrowed where possible.
#[derive(Debug, Clone)]
pub(crate) struct Item<'a> {
    /// The message; when `escaped`, still the body of a JSON string with short escapes only
    /// (checked by [`short_escapes_only`]), decoded where it is read, so a large list is not
    /// copied message by message while it is parsed.
    pub(crate) message: Cow<'a, str>,
    pub(crate) escaped: bool,
    pub(crate) file_path: Option<Cow<'a, str>>,
}

impl<'a> Item<'a> {
    /// A failure whose message is plain text.
    pub(crate) fn new(message: Cow<'a, str>, file_path: Option<Cow<'a, str>>) -> Self {
        Item {
            message,
            escaped: false,
            file_path,
        }
    }

    /// The message's text.
    pub(crate) fn text(&self) -> Cow<'_, str> {
        if self.escaped {
            let mut out = String::with_capacity(self.message.len());
            unescape_into(&self.message, &mut out);
            Cow::Owned(out)
        } else {
            Cow::Borrowed(&self.message)
        }
    }

    /// The message's text, decoded into `buf` when it has to be.
    fn text_in<'b>(&'b self, buf: &'b mut String) -> &'b str {
        if self.escaped {
            buf.clear();
            unescape_into(&self.message, buf);
            buf
        } else {
            &self.message
        }
    }
}

/// Clusters a list of JSON failure entries as the seed does: each entry must be an object;
/// its message is `exception`, else `error` (as Python's `str()` prints a non-string value);
/// its file is `file_path` when that is a non-empty string. `top_n` keeps the largest
/// `max(0, n)` clusters; `None` keeps all.
///
/// Fails with [`ClusterError::NotAnObject`] naming the first entry that is not an object.
pub fn cluster_failures(
    failures: &[Value],
    top_n: Option<i64>,
    rules: Rules,
) -> Result<Vec<Cluster>, ClusterError> {
    let mut items = Vec::with_capacity(failures.len());
    for (index, entry) in failures.iter().enumerate() {
        let Value::Object(map) = entry else {
            return Err(ClusterError::NotAnObject {
                origin: "failures".into(),
                index,
                found: python_type_name(entry),
            });
        };
        let message = map
            .get("exception")
            .and_then(truthy_value_text)
            .or_else(|| map.get("error").and_then(truthy_value_text))
            .unwrap_or(Cow::Borrowed(""));
        let file_path = match map.get("file_path") {
            Some(Value::String(s)) if !s.is_empty() => Some(Cow::Borrowed(s.as_str())),
            _ => None,
        };
        items.push(Item::new(message, file_path));
    }
    Ok(cluster_items(&items, top_n, rules))
}

/// Clusters typed failures (see [`cluster_failures`] for ordering and `top_n`).
pub fn group_failures(failures: &[Failure], top_n: Option<i64>, rules: Rules) -> Vec<Cluster> {
    let items: Vec<Item<'_>> = failures
        .iter()
        .map(|f| {
            Item::new(
                Cow::Borrowed(f.message.as_str()),
                f.file_path
                    .as_deref()
                    .filter(|p| !p.is_empty())
                    .map(Cow::Borrowed),
            )
        })
        .collect();
    cluster_items(&items, top_n, rules)
}

/// Projects clusters to `cluster_summary` entries: `{signature, count, representative,
/// files}`, plus `why` when the clusters were made with the default rules.
pub fn cluster_summary(clusters: &[Cluster]) -> Vec<ClusterSummary> {
    clusters
        .iter()
        .map(|c| ClusterSummary {
            signature: c.signature.clone(),
            count: c.count,
            representative: c.representative.clone(),
            files: c.files.clone(),
            why: c.why.clone(),
        })
        .collect()
}

/// Python's type name of the value `json.load` makes of `v`.
pub(crate) fn python_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// A unique message's signature and grouping key and, under the default rules, its
/// explanation.
enum Normalised {
    /// The seed's signature, which is also the key.
    Seed(String),
    Default(Rc<Reading>),
}

/// The signature of a message the rules find nothing in.
const UNKNOWN: &str = "<unknown>";

impl Normalised {
    fn new(message: &str, rules: Rules, known: &mut Known) -> Normalised {
        match rules {
            Rules::Seed => {
                let signature = seed::normalise(message);
                Normalised::Seed(if signature.is_empty() {
                    UNKNOWN.into()
                } else {
                    signature
                })
            }
            Rules::Default => Normalised::Default(triage::read_with(message, known)),
        }
    }

    fn signature(&self) -> &str {
        match self {
            Normalised::Seed(s) => s,
            Normalised::Default(r) if r.signature.is_empty() => UNKNOWN,
            Normalised::Default(r) => &r.signature,
        }
    }

    /// What clusters are keyed by: the signature (seed) or its word set (default).
    fn key(&self) -> &str {
        match self {
            Normalised::Seed(s) => s,
            Normalised::Default(r) if r.signature.is_empty() => UNKNOWN,
            Normalised::Default(r) => &r.key,
        }
    }

    fn explanation(&self) -> Option<&Reading> {
        match self {
            Normalised::Seed(_) => None,
            Normalised::Default(r) => Some(r),
        }
    }
}

/// Builds one cluster's "why" from the explanations of its distinct messages.
#[derive(Default)]
struct WhyBuilder {
    kinds: Vec<(&'static str, usize, Vec<String>)>,
    dropped: Vec<&'static str>,
}

impl WhyBuilder {
    /// Adds the tokens one message replaced, and appends to `counts` how many it replaced
    /// per placeholder kind (`(slot, n)`), for [`WhyBuilder::repeat`].
    fn add(&mut self, e: &Reading, counts: &mut Vec<(u32, u32)>) {
        let start = counts.len();
        for &(placeholder, from, to) in &e.spans {
            let original = &e.originals[from as usize..to as usize];
            let slot = match self.kinds.iter().position(|(k, _, _)| *k == placeholder) {
                Some(i) => i,
                None => {
                    self.kinds.push((placeholder, 0, Vec::new()));
                    self.kinds.len() - 1
                }
            };
            let (_, occurrences, examples) = &mut self.kinds[slot];
            *occurrences += 1;
            if examples.len() < MAX_EXAMPLES && !examples.iter().any(|x| x == original) {
                examples.push(original.to_string());
            }
            match counts[start..]
                .iter_mut()
                .find(|(s, _)| *s as usize == slot)
            {
                Some((_, n)) => *n += 1,
                None => counts.push((slot as u32, 1)),
            }
        }
        for d in &e.dropped {
            if !self.dropped.contains(d) {
                self.dropped.push(d);
            }
        }
    }

    /// Counts again the tokens of a message seen before (`counts` as [`WhyBuilder::add`]
    /// gave them): a message that fails n times replaced its tokens n times.
    fn repeat(&mut self, counts: &[(u32, u32)]) {
        for &(slot, n) in counts {
            if let Some((_, occurrences, _)) = self.kinds.get_mut(slot as usize) {
                *occurrences += n as usize;
            }
        }
    }

    fn merge(&mut self, other: WhyBuilder) {
        for (placeholder, occurrences, examples) in other.kinds {
            let slot = match self.kinds.iter().position(|(k, _, _)| *k == placeholder) {
                Some(i) => i,
                None => {
                    self.kinds.push((placeholder, 0, Vec::new()));
                    self.kinds.len() - 1
                }
            };
            let (_, total, mine) = &mut self.kinds[slot];
            *total += occurrences;
            for e in examples {
                if mine.len() < MAX_EXAMPLES && !mine.contains(&e) {
                    mine.push(e);
                }
            }
        }
        for d in other.dropped {
            if !self.dropped.contains(&d) {
                self.dropped.push(d);
            }
        }
    }

    fn finish(self) -> Why {
        Why {
            replaced: self
                .kinds
                .into_iter()
                .map(|(placeholder, occurrences, examples)| Replaced {
                    placeholder: placeholder.to_string(),
                    occurrences,
                    examples,
                })
                .collect(),
            dropped: self.dropped.into_iter().map(str::to_string).collect(),
        }
    }
}

/// Fewest words a key needs before another key may absorb it.
const MIN_CONTAINED_WORDS: usize = 5;
/// Most candidate clusters looked at per key when searching for one that contains it.
const MAX_CANDIDATES: usize = 4096;

/// Merges a cluster into another when its key's words are a strict subset of that other
/// key's and no other key contains them: the shorter message is the same failure reported
/// with less context (a bare `error while loading shared libraries …` and Puppeteer's
/// `Failed to launch the browser process! … error while loading shared libraries …`).
/// Keys of fewer than five words never merge, so short generic messages stay apart.
fn merge_contained(
    clusters: Vec<Cluster>,
    builders: Vec<WhyBuilder>,
    keys: &[String],
    items: &[Item<'_>],
) -> (Vec<Cluster>, Vec<WhyBuilder>) {
    let words: Vec<Vec<&str>> = keys.iter().map(|k| k.split(' ').collect()).collect();
    let mut postings: FastMap<&str, Vec<usize>> = FastMap::new();
    for (c, ws) in words.iter().enumerate() {
        for w in ws {
            postings.entry(w).or_default().push(c);
        }
    }
    // target[c] = the cluster c merges into (itself when none).
    let mut target: Vec<usize> = (0..clusters.len()).collect();
    for (c, ws) in words.iter().enumerate() {
        if ws.len() < MIN_CONTAINED_WORDS {
            continue;
        }
        let Some(rarest) = ws
            .iter()
            .filter_map(|w| postings.get(w))
            .min_by_key(|p| p.len())
        else {
            continue;
        };
        if rarest.len() > MAX_CANDIDATES {
            continue;
        }
        let mut found: Option<usize> = None;
        let mut several = false;
        for &d in rarest {
            if d == c || words[d].len() <= ws.len() {
                continue;
            }
            // Both word lists are sorted: a merge walk tells containment.
            let (mut i, mut j) = (0, 0);
            let other = &words[d];
            while i < ws.len() && j < other.len() {
                match ws[i].cmp(other[j]) {
                    std::cmp::Ordering::Equal => {
                        i += 1;
                        j += 1;
                    }
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Less => break,
                }
            }
            if i == ws.len() {
                if found.is_some() {
                    several = true;
                    break;
                }
                found = Some(d);
            }
        }
        if let (Some(d), false) = (found, several) {
            target[c] = d;
        }
    }
    if target.iter().enumerate().all(|(c, &t)| c == t) {
        return (clusters, builders);
    }
    // Follow chains (a ⊂ b ⊂ c) to their end.
    let resolve = |mut c: usize| {
        let mut steps = 0;
        while target[c] != c && steps < target.len() {
            c = target[c];
            steps += 1;
        }
        c
    };
    let mut slots: Vec<Option<(Cluster, WhyBuilder)>> =
        clusters.into_iter().zip(builders).map(Some).collect();
    let mut absorbed: Vec<Vec<(Cluster, WhyBuilder)>> =
        (0..slots.len()).map(|_| Vec::new()).collect();
    for (c, slot) in slots.iter_mut().enumerate() {
        let t = resolve(c);
        if t != c {
            if let Some(pair) = slot.take() {
                absorbed[t].push(pair);
            }
        }
    }
    let mut out_clusters = Vec::new();
    let mut out_builders = Vec::new();
    for (t, slot) in slots.into_iter().enumerate() {
        let Some((mut cluster, mut builder)) = slot else {
            continue;
        };
        if !absorbed[t].is_empty() {
            for (other, other_builder) in std::mem::take(&mut absorbed[t]) {
                cluster.count += other.count;
                cluster.members.extend(other.members);
                builder.merge(other_builder);
            }
            cluster.members.sort_unstable();
            let first = cluster.members[0];
            cluster.representative = items[first].text().chars().take(200).collect();
            let mut seen: FastSet<&str> = FastSet::new();
            cluster.files.clear();
            for &m in &cluster.members {
                if let Some(p) = items[m].file_path.as_deref() {
                    if !p.is_empty() && seen.insert(p) {
                        cluster.files.push(p.to_string());
                    }
                }
            }
        }
        out_clusters.push(cluster);
        out_builders.push(builder);
    }
    (out_clusters, out_builders)
}

/// One chunk's cluster before merging: members are positions in the whole input.
struct LocalGroup<'a> {
    key: String,
    signature: String,
    members: Vec<usize>,
    files: Vec<&'a str>,
    why: Option<WhyBuilder>,
}

/// Groups one contiguous chunk of the input (starting at `base`), caching the signature of
/// each distinct message. Groups come out in order of first appearance.
fn group_chunk<'a>(items: &'a [Item<'a>], base: usize, rules: Rules) -> Vec<LocalGroup<'a>> {
    // Per distinct message: its group and the range of its replacement counts in `counts`.
    let mut by_message: FastMap<(bool, &'a str), (usize, u32, u32)> =
        FastMap::with_capacity(items.len() / 2 + 8);
    let mut decoded = String::new();
    let mut known = Known::default();
    let mut counts: Vec<(u32, u32)> = Vec::new();
    let mut by_key: FastMap<String, usize> = FastMap::new();
    let mut groups: Vec<LocalGroup<'a>> = Vec::new();
    let mut file_sets: Vec<FastSet<&'a str>> = Vec::new();
    for (offset, item) in items.iter().enumerate() {
        let message = (item.escaped, &*item.message);
        let g = match by_message.get(&message) {
            Some(&(g, from, to)) => {
                if let Some(b) = groups[g].why.as_mut() {
                    b.repeat(&counts[from as usize..to as usize]);
                }
                g
            }
            None => {
                let n = Normalised::new(item.text_in(&mut decoded), rules, &mut known);
                let key = n.key();
                let g = match by_key.get(key) {
                    Some(&g) => g,
                    None => {
                        groups.push(LocalGroup {
                            key: key.to_string(),
                            signature: n.signature().to_string(),
                            members: Vec::new(),
                            files: Vec::new(),
                            why: (rules == Rules::Default).then(WhyBuilder::default),
                        });
                        file_sets.push(FastSet::new());
                        by_key.insert(key.to_string(), groups.len() - 1);
                        groups.len() - 1
                    }
                };
                let from = counts.len() as u32;
                if let (Some(b), Some(e)) = (groups[g].why.as_mut(), n.explanation()) {
                    b.add(e, &mut counts);
                }
                by_message.insert(message, (g, from, counts.len() as u32));
                g
            }
        };
        let group = &mut groups[g];
        group.members.push(base + offset);
        if let Some(path) = item.file_path.as_deref() {
            if !path.is_empty() && file_sets[g].insert(path) {
                group.files.push(path);
            }
        }
    }
    groups
}

/// The core: group chunks of the input in parallel (each caching signatures of repeated
/// messages), merge the chunks in input order, sort, cut.
pub(crate) fn cluster_items(items: &[Item<'_>], top_n: Option<i64>, rules: Rules) -> Vec<Cluster> {
    let threads = rayon::current_num_threads().max(1);
    // One chunk per thread: a message repeated in several chunks is read once per chunk, so
    // the fewest chunks read the fewest messages twice (on the 200k benchmark input, 13% less
    // CPU than two chunks per thread).
    let chunk = if items.len() < 4096 {
        items.len().max(1)
    } else {
        items.len().div_ceil(threads).max(1024)
    };
    let locals: Vec<Vec<LocalGroup<'_>>> = if items.len() < 4096 {
        vec![group_chunk(items, 0, rules)]
    } else {
        items
            .par_chunks(chunk)
            .enumerate()
            .map(|(n, part)| group_chunk(part, n * chunk, rules))
            .collect()
    };
    let mut cluster_of: FastMap<String, usize> =
        FastMap::with_capacity(locals.iter().map(Vec::len).max().unwrap_or(0));
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut file_sets: Vec<FastSet<&str>> = Vec::new();
    let mut builders: Vec<WhyBuilder> = Vec::new();
    for local in locals {
        for group in local {
            let c = match cluster_of.get(&group.key) {
                Some(&c) => c,
                None => {
                    let first = group.members[0];
                    clusters.push(Cluster {
                        signature: group.signature,
                        representative: items[first].text().chars().take(200).collect(),
                        count: 0,
                        members: Vec::new(),
                        files: Vec::new(),
                        why: None,
                    });
                    file_sets.push(FastSet::new());
                    builders.push(WhyBuilder::default());
                    cluster_of.insert(group.key, clusters.len() - 1);
                    clusters.len() - 1
                }
            };
            let cluster = &mut clusters[c];
            cluster.count += group.members.len();
            cluster.members.extend_from_slice(&group.members);
            for f in group.files {
                if file_sets[c].insert(f) {
                    cluster.files.push(f.to_string());
                }
            }
            if let Some(b) = group.why {
                builders[c].merge(b);
            }
        }
    }
    if rules == Rules::Default {
        let mut keys: Vec<String> = vec![String::new(); clusters.len()];
        for (key, c) in cluster_of {
            keys[c] = key;
        }
        let (merged, merged_builders) = merge_contained(clusters, builders, &keys, items);
        clusters = merged;
        for (cluster, b) in clusters.iter_mut().zip(merged_builders) {
            cluster.why = Some(b.finish());
        }
    }
    clusters.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.signature.cmp(&b.signature))
    });
    if let Some(n) = top_n {
        clusters.truncate(n.max(0) as usize);
    }
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn items(messages: &[String]) -> Vec<Item<'_>> {
        messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                Item::new(
                    Cow::Borrowed(m.as_str()),
                    Some(Cow::Owned(format!("t{}.py", i % 7))),
                )
            })
            .collect()
    }

    #[test]
    fn replacement_counts_are_per_failure_whatever_the_number_of_threads() {
        // 20k failures: two messages that repeat throughout, and distinct ones.
        let messages: Vec<String> = (0..20_000)
            .map(|i| match i % 4 {
                0 => "TimeoutError: Timeout 5000ms exceeded.".to_string(),
                1 => "TimeoutError: Timeout 3000ms exceeded.".to_string(),
                _ => format!("TimeoutError: Timeout {i}ms exceeded."),
            })
            .collect();
        let items = items(&messages);
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool")
                .install(|| cluster_items(&items, None, Rules::Default))
        };
        let one = on(1);
        assert_eq!(one.len(), 1, "{one:#?}");
        let why = one[0].why.as_ref().expect("why");
        let n = why
            .replaced
            .iter()
            .find(|r| r.placeholder == "<N>")
            .expect("<N>");
        assert_eq!(n.occurrences, 20_000, "one number replaced per failure");
        for threads in [2, 3, 5] {
            assert_eq!(on(threads), one, "{threads} threads");
        }
    }

    #[test]
    fn clusters_sort_by_count_then_signature_and_keep_first_representative() {
        let failures = vec![
            json!({"exception": "B failed at 10:00", "file_path": "b.py"}),
            json!({"exception": "A failed 1234", "file_path": "a.py"}),
            json!({"exception": "A failed 99", "file_path": "a.py"}),
            json!({"error": "B failed at 11:00", "file_path": "c.py"}),
            json!({"exception": "C"}),
        ];
        let clusters = cluster_failures(&failures, None, Rules::Seed).unwrap();
        let sigs: Vec<&str> = clusters.iter().map(|c| c.signature.as_str()).collect();
        assert_eq!(sigs, ["a failed <n>", "b failed at <n>:<n>", "c"]);
        assert_eq!(clusters[0].representative, "A failed 1234");
        assert_eq!(clusters[0].files, ["a.py"]);
        assert_eq!(clusters[1].files, ["b.py", "c.py"]);
        assert_eq!(clusters[1].members, [0, 3]);
        assert!(clusters[0].why.is_none());
    }

    #[test]
    fn top_n_keeps_largest_and_negative_keeps_none() {
        let failures: Vec<Value> = ["x", "x", "y"]
            .iter()
            .map(|m| json!({"error": m}))
            .collect();
        assert_eq!(
            cluster_failures(&failures, Some(1), Rules::Seed)
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            cluster_failures(&failures, Some(0), Rules::Seed)
                .unwrap()
                .len(),
            0
        );
        assert_eq!(
            cluster_failures(&failures, Some(-3), Rules::Seed)
                .unwrap()
                .len(),
            0
        );
        assert_eq!(
            cluster_failures(&failures, None, Rules::Seed)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn non_object_entry_is_an_error_naming_its_index() {
        let failures = vec![json!({"error": "x"}), json!("oops")];
        let err = cluster_failures(&failures, None, Rules::Seed).unwrap_err();
        assert!(
            matches!(
                err,
                ClusterError::NotAnObject {
                    index: 1,
                    found: "str",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn empty_messages_become_unknown_and_falsy_exception_falls_back_to_error() {
        let failures = vec![
            json!({"exception": "", "error": 0}),
            json!({"exception": 0, "error": "E1"}),
        ];
        let clusters = cluster_failures(&failures, None, Rules::Seed).unwrap();
        let sigs: Vec<&str> = clusters.iter().map(|c| c.signature.as_str()).collect();
        assert_eq!(sigs, ["<unknown>", "e1"]);
    }

    #[test]
    fn representative_is_cut_to_200_characters() {
        let long = "é".repeat(300);
        let clusters = group_failures(
            &[Failure {
                message: long,
                ..Failure::default()
            }],
            None,
            Rules::Seed,
        );
        assert_eq!(clusters[0].representative.chars().count(), 200);
    }
}
