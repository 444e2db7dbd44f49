//! One kind of item in a [`super::Library`], built from the compiled rows only when a run first
//! needs the whole list: a run that shows one prompt does not build the hundreds of need
//! suggestions and steps it never reads, and finds its prompt by going through the rows one by
//! one (each item built is memory touched for the first time, which a short run pays for page by
//! page).

use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

/// The items of one kind: the built-in ones (built when the list is first used) and, once a
/// couple's own files are added, theirs after them. Reads and changes like a `Vec<T>`.
#[derive(Clone)]
pub struct Items<T> {
    built: OnceLock<Vec<T>>,
    /// How many built-in items there are, and the item at a place among them.
    count: usize,
    nth: fn(usize) -> T,
}

impl<T: Copy> Items<T> {
    /// The `count` items `nth` gives, built into a list when the list is first used.
    pub(super) fn lazy(count: usize, nth: fn(usize) -> T) -> Items<T> {
        Items {
            built: OnceLock::new(),
            count,
            nth,
        }
    }

    /// Each item in order, without building the list if it is not built yet.
    pub fn each(&self) -> impl Iterator<Item = T> + '_ {
        let n = self.built.get().map_or(self.count, Vec::len);
        (0..n).map(|i| self.item(i))
    }

    /// The item at place `i` (as `each` counts), without building the list.
    pub fn item(&self, i: usize) -> T {
        match self.built.get() {
            Some(v) => v[i],
            None => (self.nth)(i),
        }
    }

    /// Whether the items are still the built-in ones as compiled, untouched (none added, none
    /// changed).
    pub fn untouched(&self) -> bool {
        self.built.get().is_none()
    }

    fn build(&self) -> Vec<T> {
        (0..self.count).map(self.nth).collect()
    }
}

impl<T: Copy> From<Vec<T>> for Items<T> {
    fn from(v: Vec<T>) -> Items<T> {
        Items {
            built: OnceLock::from(v),
            count: 0,
            nth: |_| unreachable!("a list given whole is built"),
        }
    }
}

impl<T: Copy> Deref for Items<T> {
    type Target = Vec<T>;

    fn deref(&self) -> &Vec<T> {
        self.built.get_or_init(|| self.build())
    }
}

impl<T: Copy> DerefMut for Items<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        if self.built.get().is_none() {
            let v = self.build();
            self.built = OnceLock::from(v);
        }
        self.built.get_mut().expect("built just above")
    }
}

impl<'a, T: Copy> IntoIterator for &'a Items<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: Copy + std::fmt::Debug> std::fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> Items<u8> {
        Items::lazy(3, |i| [1, 2, 3][i])
    }

    #[test]
    fn items_are_read_one_by_one_until_the_list_is_used_and_then_built_once() {
        let items = three();
        assert_eq!(items.each().collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(items.item(2), 3);
        assert!(items.untouched(), "reading one by one builds nothing");
        assert_eq!(items.len(), 3);
        assert!(!items.untouched());
        assert_eq!(items.each().collect::<Vec<_>>(), vec![1, 2, 3]);
    }

    #[test]
    fn a_change_keeps_the_built_in_items_and_is_seen_one_by_one() {
        let mut items = three();
        items.push(4);
        assert_eq!(*items, vec![1, 2, 3, 4]);
        items.reverse();
        assert_eq!(items.each().collect::<Vec<_>>(), vec![4, 3, 2, 1]);
        assert_eq!(items.item(0), 4);
        let given = Items::from(vec![7]);
        assert_eq!(given.each().collect::<Vec<_>>(), vec![7]);
        assert!(!given.untouched());
    }
}
