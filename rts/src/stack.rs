//! The machine stack: one contiguous, growable `Vec<u64>`, independent of
//! Rust's stack, with a pointer map beside it.
//!
//! Slots are addressed from the top (offset 0 is the topmost word), as
//! GHC's bytecode does. Each slot holds either a heap pointer or an unboxed
//! word; the map beside it records which, so the collector finds every pointer
//! precisely ([`Roots`]) without per-frame layouts. A deep recursion (a
//! `foldr` over a million elements) grows this vector, never Rust's stack;
//! it stops at `--max-stack` with [`StackOverflow`], a clean runtime error.
//!
//! Capacity is checked by [`Stack::reserve`] — the bytecode's `STKCHECK`,
//! issued once per BCO for the most it can push — so that the pushes
//! themselves do not check the limit. Read next: `interp`.

use crate::gc::Roots;
use crate::heap::Ptr;
use std::fmt;

/// The stack would exceed `--max-stack`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackOverflow {
    pub max_words: usize,
}

impl fmt::Display for StackOverflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "stack overflow: the stack exceeds its maximum of {} words (--max-stack)",
            self.max_words
        )
    }
}

pub struct Stack {
    words: Vec<u64>,
    /// `pointer[i]` says whether slot `i` holds a pointer: a byte per slot
    /// (a plain store per push; a bit would be a read-modify-write).
    pointer: Vec<bool>,
    max_words: usize,
    /// The deepest the stack has been, in words (`--stats`).
    pub peak_words: usize,
}

impl Stack {
    pub fn new(max_words: usize) -> Stack {
        Stack {
            words: Vec::with_capacity(1024.min(max_words)),
            pointer: Vec::with_capacity(1024.min(max_words)),
            max_words,
            peak_words: 0,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Makes room for `n` more words, or fails at the limit.
    #[inline]
    pub fn reserve(&mut self, n: usize) -> Result<(), StackOverflow> {
        let need = self.words.len() + n;
        if need > self.max_words {
            return Err(StackOverflow {
                max_words: self.max_words,
            });
        }
        self.words.reserve(n);
        self.pointer.reserve(n);
        self.peak_words = self.peak_words.max(need);
        Ok(())
    }

    #[inline]
    fn mark(&mut self, slot: usize, pointer: bool) {
        self.pointer[slot] = pointer;
    }

    #[inline]
    pub fn push_ptr(&mut self, p: Ptr) {
        self.words.push(p.word());
        self.pointer.push(true);
    }

    #[inline]
    pub fn push_word(&mut self, w: u64) {
        self.words.push(w);
        self.pointer.push(false);
    }

    /// Pushes a copy of the slot at `offset` from the top, pointer or not.
    #[inline]
    pub fn push_local(&mut self, offset: usize) {
        let slot = self.words.len() - 1 - offset;
        let w = self.words[slot];
        if self.is_pointer(slot) {
            self.push_ptr(Ptr::from_word(w));
        } else {
            self.push_word(w);
        }
    }

    #[inline]
    pub fn pop(&mut self) -> u64 {
        self.pointer.pop();
        self.words
            .pop()
            .expect("stack underflow: the verifier should prevent this")
    }

    #[inline]
    pub fn pop_ptr(&mut self) -> Ptr {
        Ptr::from_word(self.pop())
    }

    /// The word at `offset` from the top.
    #[inline]
    pub fn peek(&self, offset: usize) -> u64 {
        self.words[self.words.len() - 1 - offset]
    }

    #[inline]
    pub fn peek_ptr(&self, offset: usize) -> Ptr {
        Ptr::from_word(self.peek(offset))
    }

    /// Overwrites the word at `offset` from the top (a pointer).
    #[inline]
    pub fn set_ptr(&mut self, offset: usize, p: Ptr) {
        let slot = self.words.len() - 1 - offset;
        self.words[slot] = p.word();
        self.mark(slot, true);
    }

    /// The word in slot `slot`, counted from the bottom.
    #[inline]
    pub fn at(&self, slot: usize) -> u64 {
        self.words[slot]
    }

    /// Overwrites slot `slot` (from the bottom) with a pointer.
    #[inline]
    pub fn set_at_ptr(&mut self, slot: usize, p: Ptr) {
        self.words[slot] = p.word();
        self.mark(slot, true);
    }

    #[inline]
    pub fn is_pointer(&self, slot: usize) -> bool {
        self.pointer[slot]
    }

    /// `SLIDE keep drop`: removes the `drop` words under the top `keep`.
    #[inline]
    pub fn slide(&mut self, keep: usize, drop: usize) {
        let len = self.words.len();
        let top = len - keep;
        for i in 0..keep {
            let (from, to) = (top + i, top - drop + i);
            let pointer = self.is_pointer(from);
            self.words[to] = self.words[from];
            self.mark(to, pointer);
        }
        self.words.truncate(len - drop);
        self.pointer.truncate(len - drop);
    }

    /// Drops everything above `len` words.
    #[inline]
    pub fn truncate(&mut self, len: usize) {
        self.words.truncate(len);
        self.pointer.truncate(len);
    }
}

impl Roots for Stack {
    fn for_each_root(&mut self, visit: &mut dyn FnMut(&mut u64)) {
        for (w, &is_ptr) in self.words.iter_mut().zip(&self.pointer) {
            if is_ptr {
                visit(w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::{Header, Heap, Kind};

    #[test]
    fn pushes_pops_and_offsets_from_the_top() {
        let mut s = Stack::new(100);
        s.reserve(4).unwrap();
        s.push_word(7);
        s.push_ptr(Ptr(3));
        s.push_local(1);
        assert_eq!((s.peek(0), s.peek(1), s.peek(2)), (7, 3, 7));
        assert!(!s.is_pointer(2) && s.is_pointer(1));
        assert_eq!(s.pop(), 7);
        assert_eq!(s.pop_ptr(), Ptr(3));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn slide_keeps_the_top_and_its_pointer_map() {
        let mut s = Stack::new(100);
        s.reserve(5).unwrap();
        s.push_ptr(Ptr(1));
        s.push_word(2);
        s.push_word(3);
        s.push_ptr(Ptr(4));
        s.push_word(5);
        s.slide(2, 2); // drop the 2 and 3 under [4, 5]
        assert_eq!(s.len(), 3);
        assert_eq!((s.peek(0), s.peek(1), s.peek(2)), (5, 4, 1));
        assert!(s.is_pointer(0) && s.is_pointer(1) && !s.is_pointer(2));
    }

    #[test]
    fn the_limit_is_a_clean_error() {
        let mut s = Stack::new(10);
        assert!(s.reserve(10).is_ok());
        assert_eq!(s.reserve(11), Err(StackOverflow { max_words: 10 }));
        for i in 0..10 {
            s.push_word(i);
        }
        assert_eq!(s.reserve(1), Err(StackOverflow { max_words: 10 }));
        assert_eq!(s.peak_words, 10);
    }

    #[test]
    fn a_million_deep_stack_is_fine() {
        let mut s = Stack::new(1 << 30);
        for i in 0..1_000_000u64 {
            s.reserve(1).unwrap();
            s.push_word(i);
        }
        assert_eq!(s.peek(0), 999_999);
    }

    /// The collector sees exactly the pointer slots and rewrites them.
    #[test]
    fn the_collector_finds_and_moves_pointer_slots() {
        let mut heap = Heap::new(1 << 20);
        let garbage = heap.alloc(Header::new(Kind::Con, 0, 0, 1)).unwrap();
        let live = heap.alloc(Header::new(Kind::Con, 1, 0, 1)).unwrap();
        heap.set(live, 0, 42);
        let mut s = Stack::new(100);
        s.reserve(3).unwrap();
        s.push_word(garbage.word()); // an unboxed word that looks like a pointer
        s.push_ptr(live);
        s.push_word(9);
        heap.collect(&mut s, 0).unwrap();
        let moved = s.peek_ptr(1);
        assert_eq!(heap.get(moved, 0), 42);
        assert_eq!(s.peek(2), garbage.word(), "non-pointers are left alone");
        assert_eq!(heap.used_words(), 1 + 2, "only the live closure was copied");
    }
}
