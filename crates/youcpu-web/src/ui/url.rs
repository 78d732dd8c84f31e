//! Widget state in the URL query: each widget owns the keys starting with its prefix
//! (`ts-latency=...`), so several widgets share one query string without clobbering each other.
//! A widget's state implements [`UrlState`]; [`use_url_reducer`] reads it from the page's query
//! when the widget mounts and writes it back after every change. The encoding, merging and
//! reading are pure functions, tested natively.
//!
//! **One rule for a key given twice**: the last one wins (`?ts-tasks=3&ts-tasks=5` means 5
//! tasks), as when the later of two assignments overrides the earlier. [`Query::get`] is the
//! only way a widget reads a key, so every widget follows it.

use crate::ui::reducer::{Apply, Handle, Reduced};

/// A widget's keys from the URL query, its prefix removed, in the order they came.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// The keys `prefix` owns in a query string (without `?`), the prefix removed.
    pub fn from_search(search: &str, prefix: &str) -> Self {
        Query(owned_by(&parse(search), prefix))
    }

    /// The value of `key`: the last one when the key is given more than once (see the module
    /// documentation), `None` when it is absent.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `key` as an owned string (see [`get`](Self::get)).
    pub fn text(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_string)
    }
}

impl From<Vec<(String, String)>> for Query {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Query(pairs)
    }
}

impl From<&[(String, String)]> for Query {
    fn from(pairs: &[(String, String)]) -> Self {
        Query(pairs.to_vec())
    }
}

impl<const N: usize> From<[(&str, &str); N]> for Query {
    fn from(pairs: [(&str, &str); N]) -> Self {
        Query(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
}

/// A widget state that a link reproduces.
pub trait UrlState: Sized {
    /// The prefix of the query keys the widget owns (`"ts-"`): unique, and no prefix of another
    /// widget's (the registry's tests check both).
    const PREFIX: &'static str;

    /// Builds the state a link describes. Unknown keys are ignored; values that do not parse
    /// are treated as the widget treats them when typed (shown with their message, or skipped).
    fn from_query(query: &Query) -> Self;

    /// The keys (without the prefix) that reproduce this state; defaults are left out.
    fn to_query(&self) -> Vec<(String, String)>;
}

/// The widget's state, from the page's URL when it mounts, as a reducer; every change of the
/// keys it writes ([`UrlState::to_query`]) is mirrored into the URL (see [`use_query_sync`]).
#[yew::hook]
pub fn use_url_reducer<S>() -> Handle<S>
where
    S: UrlState + Apply + 'static,
{
    let state = yew::use_reducer(|| {
        Reduced(S::from_query(&Query::from_search(
            &crate::dom::location_search(),
            S::PREFIX,
        )))
    });
    use_query_sync(S::PREFIX, state.to_query());
    state
}

/// Percent-encodes a query component (`application/x-www-form-urlencoded`, space as `%20`).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes a query component; `+` is a space, bad escapes are kept literally.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits a query string (without `?`) into decoded key/value pairs.
pub fn parse(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(kv), String::new()),
        })
        .collect()
}

/// The pairs whose key starts with `prefix`, with the prefix removed.
pub fn owned_by(pairs: &[(String, String)], prefix: &str) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(prefix)
                .map(|rest| (rest.to_string(), v.clone()))
        })
        .collect()
}

/// Replaces every key starting with `prefix` in `query` by `prefix + key` for the given pairs,
/// keeping other widgets' keys in place and in order.
pub fn merge(query: &str, prefix: &str, pairs: &[(String, String)]) -> String {
    let mut kept: Vec<String> = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .filter(|kv| {
            let key = kv.split_once('=').map_or(*kv, |(k, _)| k);
            !decode(key).starts_with(prefix)
        })
        .map(str::to_string)
        .collect();
    for (k, v) in pairs {
        kept.push(format!("{}={}", encode(&format!("{prefix}{k}")), encode(v)));
    }
    kept.join("&")
}

/// How long the page's query waits after a widget's last change before it is written.
pub const QUERY_WRITE_MS: u32 = 250;

/// Keeps a widget's keys (those starting with `prefix`) in the page's query in step with
/// `query`, written in a timer task after the render instead of in the input's own task: in
/// Chromium `history.replaceState` took 1 to 17 ms per call (most right after an idle spell), and
/// writing it during the input's task held back the frame that shows the input's result (issue
/// #8: with the write deferred, input-to-paint of process-tree and elf-loader went from about 19
/// to about 8-11 ms). A newer query cancels the write still pending (dropping gloo-timers'
/// `Timeout` clears it), so the last one wins; each write merges into the query as it is at that
/// moment, so widgets never overwrite each other's keys. The write waits [`QUERY_WRITE_MS`]
/// (issue #18): a zero-delay timer still ran before the frame that shows the input, and
/// preemption's step counter is in its query, so every "Step to next switch" and every Run
/// tick (60 ms apart) called `replaceState`, which took 1 to 38 ms of wall time per call under
/// load; now the frame is painted first and a burst of steps or a Run writes once, when it
/// pauses.
#[yew::hook]
pub fn use_query_sync(prefix: &'static str, query: Vec<(String, String)>) {
    yew::use_effect_with(query, move |q| {
        pending::set(prefix, q.clone());
        let write = gloo_timers::callback::Timeout::new(QUERY_WRITE_MS, move || {
            pending::write(Some(prefix));
        });
        move || {
            drop(write);
            pending::forget(prefix);
        }
    });
}

/// Writes every widget's query still waiting for its timer, at once: "Copy link" calls it
/// before it reads the page's address, so a link copied right after a change carries that
/// change.
pub fn flush_query_writes() {
    pending::write(None);
}

/// The queries written after [`QUERY_WRITE_MS`], by widget prefix (the page's wasm runs on one
/// thread).
mod pending {
    use std::cell::RefCell;

    type Pairs = Vec<(String, String)>;

    thread_local! {
        static PENDING: RefCell<Vec<(&'static str, Pairs)>> = const { RefCell::new(Vec::new()) };
    }

    pub fn set(prefix: &'static str, q: Pairs) {
        PENDING.with(|p| {
            let mut p = p.borrow_mut();
            p.retain(|(k, _)| *k != prefix);
            p.push((prefix, q));
        });
    }

    pub fn forget(prefix: &'static str) {
        PENDING.with(|p| p.borrow_mut().retain(|(k, _)| *k != prefix));
    }

    /// Writes the pending query of `only` (every one if `None`) into the page's query.
    pub fn write(only: Option<&'static str>) {
        let due: Vec<(&'static str, Pairs)> = PENDING.with(|p| {
            let mut p = p.borrow_mut();
            let (due, keep) = p.drain(..).partition(|(k, _)| only.is_none_or(|o| o == *k));
            *p = keep;
            due
        });
        if due.is_empty() {
            return;
        }
        let mut search = crate::dom::location_search();
        for (prefix, q) in &due {
            search = super::merge(&search, prefix, q);
        }
        crate::dom::replace_search(&search);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_awkward_text() {
        for s in ["0.75", "a b&c=d", "ünï", "%zz", "", "1,2,-3", "100%"] {
            assert_eq!(decode(&encode(s)), s, "{s}");
        }
    }

    #[test]
    fn decode_keeps_bad_escapes() {
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("%4"), "%4");
        assert_eq!(decode("%4g"), "%4g");
        assert_eq!(decode("a+b%20c"), "a b c");
    }

    #[test]
    fn the_last_of_a_repeated_key_wins() {
        let q = Query::from_search("ts-tasks=3&x-tasks=9&ts-tasks=5&ts-cpus=2", "ts-");
        assert_eq!(q.get("tasks"), Some("5"));
        assert_eq!(q.get("cpus"), Some("2"));
        assert_eq!(q.get("nice"), None);
        assert_eq!(Query::from([("a", "1"), ("a", "")]).get("a"), Some(""));
        assert_eq!(Query::from_search("", "ts-"), Query::default());
    }

    #[test]
    fn merge_replaces_only_the_prefix() {
        let q = "x-a=1&ts-tasks=3&y=2";
        let merged = merge(
            q,
            "ts-",
            &[("tasks".into(), "5".into()), ("cpus".into(), "2".into())],
        );
        assert_eq!(merged, "x-a=1&y=2&ts-tasks=5&ts-cpus=2");
        assert_eq!(merge(&merged, "ts-", &[]), "x-a=1&y=2");
        let pairs = parse(&merged);
        assert_eq!(
            owned_by(&pairs, "ts-"),
            vec![
                ("tasks".to_string(), "5".to_string()),
                ("cpus".to_string(), "2".to_string())
            ]
        );
    }
}
