//! Building ordered collections without `collect`.
//!
//! `collect()` into a `BTreeMap` or `BTreeSet` sorts the items first and then bulk-builds
//! the tree; in the page each key type it is used with adds a whole stable-sort routine
//! (4–6 KB of wasm). Inserting one by one reuses the tree's `insert`, which every one of
//! these types has anyway, and gives the same collection (a repeated key keeps its last
//! value, as with `collect`). The inputs here are a handful of items, so the order of
//! insertion costs nothing worth measuring.

/// The collection of `items`, built with `Extend` (see the module doc).
pub fn ordered<C: Default + Extend<T>, T>(items: impl IntoIterator<Item = T>) -> C {
    let mut c = C::default();
    c.extend(items);
    c
}

#[cfg(test)]
mod tests {
    use super::ordered;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn builds_what_collect_builds() {
        let pairs = [(3, "c"), (1, "a"), (3, "last"), (2, "b")];
        let ours: BTreeMap<i32, &str> = ordered(pairs);
        let std: BTreeMap<i32, &str> = pairs.into_iter().collect();
        assert_eq!(ours, std);
        assert_eq!(ours[&3], "last");
        let set: BTreeSet<&str> = ordered(["b", "a", "b"]);
        assert_eq!(set.into_iter().collect::<Vec<_>>(), ["a", "b"]);
    }
}
