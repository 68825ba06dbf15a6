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
    /// The slots; only `words[..sp]` are in use. The vector is kept at its
    /// full length (grown by [`Stack::reserve`]) so a push is a store and
    /// an increment, not `Vec::push`'s capacity check.
    words: Vec<u64>,
    /// `pointer[i]` says whether slot `i` holds a pointer: a byte per slot
    /// (a plain store per push; a bit would be a read-modify-write).
    pointer: Vec<bool>,
    /// The number of slots in use.
    sp: usize,
    max_words: usize,
    /// The deepest the stack has been, in words (`--stats`).
    pub peak_words: usize,
}

impl Stack {
    pub fn new(max_words: usize) -> Stack {
        let initial = 1024.min(max_words);
        Stack {
            words: vec![0; initial],
            pointer: vec![false; initial],
            sp: 0,
            max_words,
            peak_words: 0,
        }
    }

    /// Changes the limit (an embedding host's per-call budget); a stack
    /// already deeper keeps its slots until it is truncated.
    pub fn set_max_words(&mut self, max_words: usize) {
        self.max_words = max_words;
    }

    #[inline(always)]
    pub fn len(&self) -> usize {
        self.sp
    }

    pub fn is_empty(&self) -> bool {
        self.sp == 0
    }

    /// Makes room for `n` more words, or fails at the limit.
    #[inline(always)]
    pub fn reserve(&mut self, n: usize) -> Result<(), StackOverflow> {
        let need = self.sp + n;
        if need > self.words.len() {
            self.grow(need)?;
        }
        if need > self.peak_words {
            self.peak_words = need;
        }
        Ok(())
    }

    #[cold]
    fn grow(&mut self, need: usize) -> Result<(), StackOverflow> {
        if need > self.max_words {
            return Err(StackOverflow {
                max_words: self.max_words,
            });
        }
        let size = need.max(2 * self.words.len()).min(self.max_words);
        self.words.resize(size, 0);
        self.pointer.resize(size, false);
        Ok(())
    }

    #[inline(always)]
    pub fn push_ptr(&mut self, p: Ptr) {
        self.words[self.sp] = p.word();
        self.pointer[self.sp] = true;
        self.sp += 1;
    }

    #[inline(always)]
    pub fn push_word(&mut self, w: u64) {
        self.words[self.sp] = w;
        self.pointer[self.sp] = false;
        self.sp += 1;
    }

    /// Pushes `src` in order; its first `ptrs` words are pointers.
    #[inline(always)]
    pub fn push_words(&mut self, src: &[u64], ptrs: usize) {
        let end = self.sp + src.len();
        for (slot, (&w, flag)) in self.words[self.sp..end]
            .iter_mut()
            .zip(src.iter().zip(self.pointer[self.sp..end].iter_mut()))
        {
            *slot = w;
            *flag = false;
        }
        for flag in &mut self.pointer[self.sp..self.sp + ptrs] {
            *flag = true;
        }
        self.sp = end;
    }

    /// Pushes a copy of the slot at `offset` from the top, pointer or not.
    #[inline(always)]
    pub fn push_local(&mut self, offset: usize) {
        let slot = self.sp - 1 - offset;
        self.words[self.sp] = self.words[slot];
        self.pointer[self.sp] = self.pointer[slot];
        self.sp += 1;
    }

    #[inline(always)]
    pub fn pop(&mut self) -> u64 {
        self.sp -= 1;
        self.words[self.sp]
    }

    #[inline(always)]
    pub fn pop_ptr(&mut self) -> Ptr {
        Ptr::from_word(self.pop())
    }

    /// The word at `offset` from the top.
    #[inline(always)]
    pub fn peek(&self, offset: usize) -> u64 {
        self.words[self.sp - 1 - offset]
    }

    /// The slots in use, bottom first, each with whether it holds a
    /// pointer (the heap check).
    pub fn slots(&self) -> impl Iterator<Item = (u64, bool)> + '_ {
        self.words[..self.sp]
            .iter()
            .copied()
            .zip(self.pointer[..self.sp].iter().copied())
    }

    #[inline(always)]
    pub fn peek_ptr(&self, offset: usize) -> Ptr {
        Ptr::from_word(self.peek(offset))
    }

    /// Overwrites the word at `offset` from the top (a pointer).
    #[inline(always)]
    pub fn set_ptr(&mut self, offset: usize, p: Ptr) {
        let slot = self.sp - 1 - offset;
        self.words[slot] = p.word();
        self.pointer[slot] = true;
    }

    /// The word in slot `slot`, counted from the bottom.
    #[inline(always)]
    pub fn at(&self, slot: usize) -> u64 {
        self.words[..self.sp][slot]
    }

    /// Overwrites slot `slot` (from the bottom) with a pointer.
    #[inline(always)]
    pub fn set_at_ptr(&mut self, slot: usize, p: Ptr) {
        self.words[..self.sp][slot] = p.word();
        self.pointer[slot] = true;
    }

    #[inline(always)]
    pub fn is_pointer(&self, slot: usize) -> bool {
        self.pointer[..self.sp][slot]
    }

    /// `SLIDE keep drop`: removes the `drop` words under the top `keep`.
    #[inline(always)]
    pub fn slide(&mut self, keep: usize, drop: usize) {
        // A loop, not `copy_within`: `keep` is almost always 1 to 3, and a
        // `memmove` call cost more than the copy (4% of sum_stream).
        let top = self.sp - keep;
        for from in top..self.sp {
            self.words[from - drop] = self.words[from];
            self.pointer[from - drop] = self.pointer[from];
        }
        self.sp -= drop;
    }

    /// Replaces the two words on top, `x` (topmost) and `y`, with the
    /// unboxed word `f(x, y)`: an inline binary primop.
    #[inline(always)]
    pub fn binary(&mut self, f: impl FnOnce(u64, u64) -> u64) {
        let (x, y) = (self.words[self.sp - 1], self.words[self.sp - 2]);
        self.sp -= 1;
        self.words[self.sp - 1] = f(x, y);
        self.pointer[self.sp - 1] = false;
    }

    /// Drops everything above `len` words.
    #[inline(always)]
    pub fn truncate(&mut self, len: usize) {
        self.sp = self.sp.min(len);
    }
}

impl Roots for Stack {
    fn for_each_root(&mut self, visit: &mut dyn FnMut(&mut u64)) {
        let sp = self.sp;
        for (w, &is_ptr) in self.words[..sp].iter_mut().zip(&self.pointer[..sp]) {
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
