//! The heap: one flat `Vec<u64>` of closures addressed by word index.
//!
//! A closure is a header word followed by its payload: first the pointer
//! words, then the non-pointer (unboxed) words. The header says which kind
//! of closure it is, an `info` field whose meaning depends on the kind (a
//! constructor id, a code index), and how many pointer and non-pointer
//! words follow — all the collector needs to copy and scan it without
//! knowing anything else. References are word indices ([`Ptr`]); index 0 is
//! never a closure, so a zeroed word is never a valid pointer.
//!
//! ```text
//!   header: | kind: 8 | info: 24 | ptrs: 16 | nptrs: 16 |   (low to high bits)
//!   payload: ptrs pointer words, then nptrs unboxed words
//! ```
//!
//! | kind | info | payload |
//! |---|---|---|
//! | `Con` | constructor id | fields |
//! | `Fun` | code index | free variables |
//! | `Pap` | arguments still missing | the function, then the arguments held |
//! | `Thunk` / `ThunkNoUpd` | code index | free variables (at least one word) |
//! | `Ind` | — | the value it was updated with |
//! | `Blackhole` / `BlackholeNoUpd` | code index | the thunk under evaluation's payload, intact: an aborted evaluation turns it back into the thunk |
//!
//! Every closure has at least one payload word ([`MIN_PAYLOAD`]): the
//! collector writes a forwarding address there, and a thunk is overwritten
//! in place by an indirection to its value.
//!
//! Allocation is a bump of the heap pointer; when the space is full the
//! caller collects (`gc`) and retries. The module is safe Rust: a bad index
//! is a panic, never undefined behaviour. Read next: `gc`.

use std::fmt;

/// A reference to a closure: the index of its header word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ptr(pub u32);

impl Ptr {
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
    #[inline]
    pub fn word(self) -> u64 {
        u64::from(self.0)
    }
    /// The pointer stored in a payload word.
    #[inline]
    pub fn from_word(w: u64) -> Ptr {
        Ptr(w as u32)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Con = 0,
    Fun = 1,
    Pap = 2,
    /// An updatable thunk (call-by-need).
    Thunk = 3,
    /// A thunk re-evaluated at every entry (call-by-name, GHC's AP_NOUPD).
    ThunkNoUpd = 4,
    Ind = 5,
    Blackhole = 6,
    /// Only during a collection: the closure has moved to the index in its
    /// first payload word.
    Forward = 7,
    /// A non-updatable thunk under evaluation (see `Blackhole`).
    BlackholeNoUpd = 8,
}

impl Kind {
    #[inline]
    fn from_u8(b: u8) -> Kind {
        match b {
            0 => Kind::Con,
            1 => Kind::Fun,
            2 => Kind::Pap,
            3 => Kind::Thunk,
            4 => Kind::ThunkNoUpd,
            5 => Kind::Ind,
            6 => Kind::Blackhole,
            7 => Kind::Forward,
            8 => Kind::BlackholeNoUpd,
            _ => panic!("heap corrupted: closure kind {b}"),
        }
    }
}

/// A decoded header word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub kind: Kind,
    /// Constructor id, code index, or missing arity (see the module doc).
    pub info: u32,
    pub ptrs: u16,
    pub nptrs: u16,
}

/// Largest `info` value (24 bits).
pub const MAX_INFO: u32 = (1 << 24) - 1;
/// Every closure has at least this many payload words.
pub const MIN_PAYLOAD: usize = 1;

impl Header {
    pub fn new(kind: Kind, info: u32, ptrs: u16, nptrs: u16) -> Header {
        assert!(info <= MAX_INFO, "closure info {info} does not fit 24 bits");
        Header {
            kind,
            info,
            ptrs,
            nptrs,
        }
    }

    #[inline]
    pub fn encode(self) -> u64 {
        u64::from(self.kind as u8)
            | u64::from(self.info) << 8
            | u64::from(self.ptrs) << 32
            | u64::from(self.nptrs) << 48
    }

    #[inline(always)]
    pub fn decode(w: u64) -> Header {
        Header {
            kind: Kind::from_u8(w as u8),
            info: (w >> 8) as u32 & MAX_INFO,
            ptrs: (w >> 32) as u16,
            nptrs: (w >> 48) as u16,
        }
    }

    /// Payload words, padded to [`MIN_PAYLOAD`].
    #[inline]
    pub fn payload(self) -> usize {
        (usize::from(self.ptrs) + usize::from(self.nptrs)).max(MIN_PAYLOAD)
    }

    /// Header plus payload.
    #[inline]
    pub fn size(self) -> usize {
        1 + self.payload()
    }
}

/// The heap is full: the caller must collect, or give up at the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeapFull;

/// The live data does not fit under `--max-heap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeapExhausted {
    pub max_bytes: u64,
}

impl fmt::Display for HeapExhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "heap exhausted: the live data exceeds the maximum heap size of {} bytes (--max-heap)",
            self.max_bytes
        )
    }
}

/// Collector statistics (spec §6's `--stats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapStats {
    pub words_allocated: u64,
    pub collections: u64,
    pub peak_live_words: u64,
    pub words_copied: u64,
    /// Time spent collecting.
    pub gc_time: std::time::Duration,
}

pub struct Heap {
    /// The current space; `space.len()` is its capacity.
    pub(crate) space: Vec<u64>,
    /// The other semispace, kept for the next collection's copy.
    pub(crate) spare: Vec<u64>,
    /// The next free word.
    pub(crate) hp: usize,
    /// No space may grow beyond this many words.
    pub(crate) max_words: usize,
    /// A space is never sized below this after a collection
    /// ([`INITIAL_WORDS`]; 0 under `--gc-stress`, where every allocation
    /// collects and a large empty space would only cost zeroing).
    pub min_words: usize,
    pub stats: HeapStats,
}

/// The first space's size in words (1 MiB), and the least a space shrinks
/// to (see Note [Sizing the space] in `gc`).
pub const INITIAL_WORDS: usize = 1 << 17;

impl Heap {
    /// A heap that may grow to `max_bytes`.
    pub fn new(max_bytes: u64) -> Heap {
        let max_words = usize::try_from(max_bytes / 8)
            .unwrap_or(usize::MAX)
            // Pointers are 32-bit word indices.
            .min(u32::MAX as usize);
        let initial = INITIAL_WORDS.min(max_words.max(2));
        Heap {
            space: vec![0; initial],
            spare: Vec::new(),
            // Word 0 is never a closure.
            hp: 1,
            max_words,
            min_words: INITIAL_WORDS,
            stats: HeapStats::default(),
        }
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_words as u64 * 8
    }

    /// Changes the limit on the live heap (an embedding host's per-call
    /// budget). It is checked at the next collection: a space already
    /// larger is used up first.
    pub fn set_max_bytes(&mut self, max_bytes: u64) {
        self.max_words = usize::try_from(max_bytes / 8)
            .unwrap_or(usize::MAX)
            .min(u32::MAX as usize)
            .max(2);
    }

    /// Words in use since the last collection.
    pub fn used_words(&self) -> usize {
        self.hp
    }

    pub fn capacity_words(&self) -> usize {
        self.space.len()
    }

    /// Allocates a closure with the given header; its payload is zeroed
    /// (a zero word is no pointer: fill it before the next collection).
    #[inline]
    pub fn alloc(&mut self, h: Header) -> Result<Ptr, HeapFull> {
        let size = h.size();
        if self.hp + size > self.space.len() {
            return Err(HeapFull);
        }
        let p = self.hp;
        self.space[p] = h.encode();
        // A loop: closures are a few words, and `fill` calls `memset`.
        for w in &mut self.space[p + 1..p + size] {
            *w = 0;
        }
        self.hp += size;
        self.stats.words_allocated += size as u64;
        Ok(Ptr(p as u32))
    }

    /// [`Heap::alloc`] without zeroing the payload: the caller writes every
    /// payload word before the next collection (a stale word there would
    /// be taken for a pointer).
    #[inline]
    pub fn alloc_unzeroed(&mut self, h: Header) -> Result<Ptr, HeapFull> {
        let size = h.size();
        if self.hp + size > self.space.len() {
            return Err(HeapFull);
        }
        let p = self.hp;
        self.space[p] = h.encode();
        self.hp += size;
        self.stats.words_allocated += size as u64;
        Ok(Ptr(p as u32))
    }

    /// The first `n` payload words of `p`.
    #[inline]
    pub fn payload(&self, p: Ptr, n: usize) -> &[u64] {
        &self.space[p.index() + 1..p.index() + 1 + n]
    }

    /// Whether `words` more can be allocated without a collection.
    pub fn has_room(&self, words: usize) -> bool {
        self.hp + words <= self.space.len()
    }

    #[inline(always)]
    pub fn header(&self, p: Ptr) -> Header {
        Header::decode(self.space[p.index()])
    }

    /// The header word, encoded (compared whole, it needs no decoding).
    #[inline]
    pub fn header_word(&self, p: Ptr) -> u64 {
        self.space[p.index()]
    }

    /// The header's `info` field alone (a constructor's tag, a code index).
    #[inline]
    pub fn info(&self, p: Ptr) -> u32 {
        (self.space[p.index()] >> 8) as u32 & MAX_INFO
    }

    #[inline]
    pub fn set_header(&mut self, p: Ptr, h: Header) {
        self.space[p.index()] = h.encode();
    }

    /// Payload word `i` (pointers first, then non-pointers).
    #[inline]
    pub fn get(&self, p: Ptr, i: usize) -> u64 {
        self.space[p.index() + 1 + i]
    }

    #[inline]
    pub fn set(&mut self, p: Ptr, i: usize, w: u64) {
        self.space[p.index() + 1 + i] = w;
    }

    #[inline]
    pub fn get_ptr(&self, p: Ptr, i: usize) -> Ptr {
        Ptr::from_word(self.get(p, i))
    }

    /// Overwrites a thunk (or blackhole) with an indirection to `value`.
    pub fn update(&mut self, thunk: Ptr, value: Ptr) {
        // Never point an indirection at an indirection (or at itself): the
        // collector follows chains, and a cycle would never end.
        let value = self.follow(value);
        assert_ne!(value, thunk, "a thunk updated with itself");
        let old = self.header(thunk);
        // Keep the old size in the header so a heap walk stays in step; the
        // collector copies only the one pointer.
        let nptrs = (usize::from(old.ptrs) + usize::from(old.nptrs)).max(1) - 1;
        self.set_header(thunk, Header::new(Kind::Ind, 0, 1, nptrs as u16));
        self.set(thunk, 0, value.word());
    }

    /// Follows indirections.
    #[inline(always)]
    pub fn follow(&self, mut p: Ptr) -> Ptr {
        while self.header(p).kind == Kind::Ind {
            p = self.get_ptr(p, 0);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip() {
        for h in [
            Header::new(Kind::Con, 7, 2, 0),
            Header::new(Kind::Thunk, MAX_INFO, u16::MAX, 3),
            Header::new(Kind::Blackhole, 0, 0, u16::MAX),
        ] {
            assert_eq!(Header::decode(h.encode()), h);
        }
    }

    #[test]
    fn allocation_bumps_and_zeroes() {
        let mut heap = Heap::new(1 << 20);
        let a = heap.alloc(Header::new(Kind::Con, 1, 2, 1)).unwrap();
        let b = heap.alloc(Header::new(Kind::Con, 0, 0, 0)).unwrap();
        assert_eq!(a, Ptr(1));
        assert_eq!(b, Ptr(5), "header + 3 payload words");
        assert_eq!(heap.get(a, 0), 0);
        assert_eq!(heap.header(b).size(), 2, "padded to one payload word");
        assert_eq!(heap.used_words(), 7);
    }

    #[test]
    fn a_full_space_says_so() {
        let mut heap = Heap::new(64);
        assert_eq!(heap.capacity_words(), 8);
        assert!(heap.alloc(Header::new(Kind::Con, 0, 3, 0)).is_ok());
        assert_eq!(heap.alloc(Header::new(Kind::Con, 0, 3, 0)), Err(HeapFull));
    }

    #[test]
    fn update_makes_an_indirection_of_the_same_size() {
        let mut heap = Heap::new(1 << 20);
        let v = heap.alloc(Header::new(Kind::Con, 3, 0, 1)).unwrap();
        let t = heap.alloc(Header::new(Kind::Thunk, 9, 2, 1)).unwrap();
        heap.update(t, v);
        assert_eq!(heap.header(t).kind, Kind::Ind);
        assert_eq!(heap.header(t).size(), 4);
        assert_eq!(heap.follow(t), v);
    }
}
