//! A map kept as a vector of pairs, searched linearly. The client's maps are small (pending
//! requests, a few hundred recent messages) or read rarely (conversations): a linear search is
//! fast enough, and it keeps the hash table and its hasher out of the wasm file.

use std::borrow::Borrow;

#[derive(Debug, Clone)]
pub struct VecMap<K, V> {
    pairs: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap { pairs: Vec::new() }
    }
}

impl<K: PartialEq, V> VecMap<K, V> {
    fn position<Q: PartialEq + ?Sized>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
    {
        self.pairs.iter().position(|(k, _)| k.borrow() == key)
    }

    pub fn get<Q: PartialEq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.position(key).map(|i| &self.pairs[i].1)
    }

    pub fn get_mut<Q: PartialEq + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.position(key).map(|i| &mut self.pairs[i].1)
    }

    /// Sets `key` to `value`; gives back the value it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.position(&key) {
            Some(i) => Some(std::mem::replace(&mut self.pairs[i].1, value)),
            None => {
                self.pairs.push((key, value));
                None
            }
        }
    }

    pub fn remove<Q: PartialEq + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.position(key).map(|i| self.pairs.swap_remove(i).1)
    }

    /// Adds a pair whose key the caller knows is new, without looking (a bulk load).
    pub fn push_new(&mut self, key: K, value: V) {
        self.pairs.push((key, value));
    }

    /// The value of `key`, made with `make` first if there is none.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.position(&key) {
            Some(i) => i,
            None => {
                self.pairs.push((key, make()));
                self.pairs.len() - 1
            }
        };
        &mut self.pairs[i].1
    }

    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.pairs.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.pairs.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.pairs.iter().map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.pairs.into_iter()
    }
}

/// A set as a [`VecMap`] without values.
pub type VecSet<K> = VecMap<K, ()>;

/// Sorts `v` by `cmp` in place, O(n log n), not stable: a heapsort, a tenth of the size of the
/// standard library's sorts in the wasm file (the conversation list is the one thing sorted).
pub fn heap_sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> std::cmp::Ordering) {
    let less = |v: &[T], a: usize, b: usize| cmp(&v[a], &v[b]).is_lt();
    // Moves `v[root]` down the heap of `v[..end]` until its children are not greater.
    let sift = |v: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(v, child, child + 1) {
            child += 1;
        }
        if !less(v, root, child) {
            return;
        }
        v.swap(root, child);
        root = child;
    };
    for root in (0..v.len() / 2).rev() {
        sift(v, root, v.len());
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_map() {
        let mut m: VecMap<String, u32> = VecMap::default();
        assert_eq!(m.insert("a".into(), 1), None);
        assert_eq!(m.insert("b".into(), 2), None);
        assert_eq!(m.insert("a".into(), 3), Some(1));
        assert_eq!((m.get("a"), m.len()), (Some(&3), 2));
        *m.get_or_insert_with("c".into(), || 0) += 5;
        *m.get_or_insert_with("c".into(), || 0) += 5;
        assert_eq!(m.get("c"), Some(&10));
        assert_eq!(m.remove("b"), Some(2));
        assert_eq!(m.get("b"), None);
        let mut keys: Vec<&String> = m.keys().collect();
        keys.sort();
        assert_eq!(keys, ["a", "c"]);
        assert_eq!(m.values().sum::<u32>(), 13);
        assert!(!m.is_empty());
    }

    #[test]
    fn heap_sort_sorts() {
        let mut seed = 7u64;
        for len in [0usize, 1, 2, 3, 10, 100, 1000] {
            let mut v: Vec<u64> = (0..len)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    seed >> 50
                })
                .collect();
            let mut want = v.clone();
            want.sort();
            heap_sort_by(&mut v, |a, b| a.cmp(b));
            assert_eq!(v, want, "{len}");
            heap_sort_by(&mut v, |a, b| b.cmp(a));
            want.reverse();
            assert_eq!(v, want, "{len} reversed");
        }
    }
}
