//! The Cheney copying collector, and the heap sanity check.
//!
//! [`Heap::collect`] copies every closure reachable from the roots into a
//! fresh space, breadth first (Cheney's scan pointer: the copied region is
//! its own queue), and makes that space the heap. Roots are precise: the
//! caller (the interpreter) visits every word that holds a pointer — its
//! stacks, frames, registers and the global table — through [`Roots`], and
//! the collector rewrites them in place.
//!
//! * Indirections are removed: a pointer to an `Ind` is replaced by the
//!   pointer at the end of the chain, so updated thunks cost nothing after
//!   a collection.
//! * The space grows with the live data: after a collection it is sized to
//!   [`GROWTH`] times the live words plus the request, never beyond
//!   `--max-heap`; live data that does not fit is [`HeapExhausted`].
//!
//! See Note [Why copying] below. Read next: `stack`.

use crate::heap::{Header, Heap, HeapExhausted, Kind};

/// After a collection the space is sized to this many times the live data
/// (plus the request that triggered it). See Note [Sizing the space].
pub const GROWTH: usize = 3;

// Note [Sizing the space]
// ~~~~~~~~~~~~~~~~~~~~~~~
// A copying collection costs time in proportion to the live data L and
// frees the space minus L for allocation. Sizing the space to k*L makes the
// copying cost per allocated word 1/(k-1): k = 2 copies a word for every
// word allocated (measured on primes, whose 180,000 live words stay put:
// 18% of the run in the collector), k = 3 half a word (3%, the rest of
// the gain from reusing the spare space). The floor (`min_words`, 1 MiB)
// keeps programs with little live data from collecting every few thousand
// allocations, yet keeps the allocation area within the L2 cache (4 MiB
// was no faster on primes and sum_stream, and 20% slower on tree). Memory is two spaces of k*L
// words at most: the from-space and the spare kept for the next
// collection, whose pages then need no fresh mapping (a new zeroed vector
// per collection cost a page fault per 4 KiB copied).

// Note [Why copying]
// ~~~~~~~~~~~~~~~~~~
// A lazy program allocates fast and most of it dies young (thunks that are
// forced once, list cells consumed as they are produced). A copying
// collector's cost is proportional to the live data only, allocation is a
// pointer bump, and the copy compacts, so `sumstream` — a 3,000,000-element
// list consumed by a strict fold — runs in a heap the size of the few cells
// alive at any moment. The price is twice the live data during a
// collection, which `--max-heap` accounts for: the space in use, not the
// transient copy, is what the limit bounds.

/// The interpreter's precise roots.
pub trait Roots {
    /// Calls `visit` on every word that holds a heap pointer. Words equal
    /// to 0 (not yet filled) are left as they are.
    fn for_each_root(&mut self, visit: &mut dyn FnMut(&mut u64));
}

impl Heap {
    /// Collects, then makes sure `need_words` can be allocated.
    pub fn collect(
        &mut self,
        roots: &mut dyn Roots,
        need_words: usize,
    ) -> Result<(), HeapExhausted> {
        // Everything live lies below the heap pointer. The to-space is the
        // spare space of the last collection: its pages are already mapped,
        // and its old contents need no clearing (the copy writes every word
        // below its heap pointer; allocation writes the rest).
        let mut to = std::mem::take(&mut self.spare);
        if to.len() < self.hp + 1 {
            to.resize(self.hp + 1, 0);
        }
        let mut copy = Copy {
            from: &mut self.space,
            to: &mut to,
            hp: 1,
        };
        roots.for_each_root(&mut |w| *w = copy.evacuate(*w));
        let mut scan = 1;
        while scan < copy.hp {
            let h = Header::decode(copy.to[scan]);
            for i in 0..usize::from(h.ptrs) {
                let w = copy.to[scan + 1 + i];
                copy.to[scan + 1 + i] = copy.evacuate(w);
            }
            scan += h.size();
        }
        let live = copy.hp;
        self.stats.collections += 1;
        self.stats.words_copied += live as u64;
        self.stats.peak_live_words = self.stats.peak_live_words.max(live as u64);
        let exhausted = live + need_words > self.max_words;
        // See Note [Sizing the space].
        let target = if exhausted {
            live
        } else {
            (GROWTH * live + need_words)
                .max(self.min_words)
                .min(self.max_words)
                .max(live + need_words)
        };
        if to.len() < target {
            to.resize(target, 0);
        } else {
            to.truncate(target);
            if to.capacity() > 2 * target {
                to.shrink_to(target);
            }
        }
        self.spare = std::mem::replace(&mut self.space, to);
        self.hp = live;
        if exhausted {
            // The collected heap is kept: the caller reports and stops.
            return Err(HeapExhausted {
                max_bytes: self.max_bytes(),
            });
        }
        Ok(())
    }

    /// Checks that every closure from word 1 to the heap pointer has a
    /// valid header and that every pointer in the heap and in the roots
    /// lands on a closure header (`--gc-stress` runs this after every
    /// collection). Returns the first problem found.
    pub fn check(&self, roots: &mut dyn Roots) -> Result<(), String> {
        // A bitmap of closure starts (cheaper than a set: `--gc-stress`
        // runs this after every collection).
        let mut starts = vec![false; self.hp.max(1)];
        let mut at = 1;
        while at < self.hp {
            let h = Header::decode(self.space[at]);
            if h.kind == Kind::Forward {
                return Err(format!("a forwarding header at {at} outside a collection"));
            }
            starts[at] = true;
            at += h.size();
        }
        if at != self.hp {
            return Err(format!(
                "the last closure overruns the heap pointer ({at} > {})",
                self.hp
            ));
        }
        let is_start = |w: u64| (w as usize) < starts.len() && starts[w as usize];
        for s in (1..self.hp).filter(|&s| starts[s]) {
            let h = Header::decode(self.space[s]);
            for i in 0..usize::from(h.ptrs) {
                let w = self.space[s + 1 + i];
                if w != 0 && !is_start(w) {
                    return Err(format!(
                        "closure at {s} ({:?}) field {i} points to {w}, not a closure",
                        h.kind
                    ));
                }
            }
        }
        let mut bad = None;
        roots.for_each_root(&mut |w| {
            if *w != 0 && !is_start(*w) && bad.is_none() {
                bad = Some(*w);
            }
        });
        match bad {
            Some(w) => Err(format!("a root points to {w}, not a closure")),
            None => Ok(()),
        }
    }
}

struct Copy<'a> {
    from: &'a mut Vec<u64>,
    to: &'a mut Vec<u64>,
    hp: usize,
}

impl Copy<'_> {
    /// The new address of the closure `w` points to, copying it on first
    /// sight and skipping indirections.
    fn evacuate(&mut self, w: u64) -> u64 {
        if w == 0 {
            return 0;
        }
        let mut p = w as usize;
        loop {
            let h = Header::decode(self.from[p]);
            match h.kind {
                Kind::Forward => return self.from[p + 1],
                Kind::Ind => p = self.from[p + 1] as usize,
                _ => break,
            }
        }
        let h = Header::decode(self.from[p]);
        let size = h.size();
        let new = self.hp;
        if new + size > self.to.len() {
            // The to-space is as large as the from-space, which holds
            // everything live: this cannot happen unless the heap is corrupt.
            panic!("heap corrupted: to-space overflow while copying");
        }
        self.to[new..new + size].copy_from_slice(&self.from[p..p + size]);
        self.hp += size;
        self.from[p] = Header::new(Kind::Forward, 0, 0, 0).encode();
        self.from[p + 1] = new as u64;
        // An indirection chain ending here now forwards too.
        if p != w as usize {
            let mut q = w as usize;
            while q != p {
                let next = self.from[q + 1] as usize;
                self.from[q] = Header::new(Kind::Forward, 0, 0, 0).encode();
                self.from[q + 1] = new as u64;
                q = next;
            }
        }
        new as u64
    }
}

/// Roots held in plain vectors of words (tests, and the global table).
impl Roots for Vec<u64> {
    fn for_each_root(&mut self, visit: &mut dyn FnMut(&mut u64)) {
        for w in self.iter_mut() {
            visit(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::Ptr;

    fn con(heap: &mut Heap, id: u32, ptrs: &[Ptr], nptrs: &[u64]) -> Ptr {
        let p = heap
            .alloc(Header::new(
                Kind::Con,
                id,
                ptrs.len() as u16,
                nptrs.len() as u16,
            ))
            .unwrap();
        for (i, q) in ptrs.iter().enumerate() {
            heap.set(p, i, q.word());
        }
        for (i, w) in nptrs.iter().enumerate() {
            heap.set(p, ptrs.len() + i, *w);
        }
        p
    }

    /// The list [n, n-1 .. 1] as cons cells (con 6) of boxed ints (con 0).
    fn list(heap: &mut Heap, n: u64) -> Ptr {
        let mut xs = con(heap, 5, &[], &[]);
        for i in 1..=n {
            let x = con(heap, 0, &[], &[i]);
            xs = con(heap, 6, &[x, xs], &[]);
        }
        xs
    }

    fn sum(heap: &Heap, mut xs: Ptr) -> u64 {
        let mut s = 0;
        while heap.header(xs).info == 6 {
            s += heap.get(heap.get_ptr(xs, 0), 0);
            xs = heap.get_ptr(xs, 1);
        }
        s
    }

    #[test]
    fn live_data_survives_and_garbage_goes() {
        let mut heap = Heap::new(1 << 24);
        let _garbage = list(&mut heap, 1000);
        let xs = list(&mut heap, 100);
        let mut roots = vec![xs.word()];
        let before = heap.used_words();
        heap.collect(&mut roots, 0).unwrap();
        let xs = Ptr::from_word(roots[0]);
        assert_eq!(sum(&heap, xs), 5050);
        assert!(
            heap.used_words() < before / 5,
            "{} of {before}",
            heap.used_words()
        );
        heap.check(&mut roots).unwrap();
        // Collecting again moves nothing that matters.
        heap.collect(&mut roots, 0).unwrap();
        assert_eq!(sum(&heap, Ptr::from_word(roots[0])), 5050);
    }

    #[test]
    fn cycles_and_sharing_are_preserved() {
        let mut heap = Heap::new(1 << 20);
        let one = con(&mut heap, 0, &[], &[1]);
        let cell = con(&mut heap, 6, &[one, one], &[]);
        heap.set(cell, 1, cell.word()); // ones = 1 : ones
        let mut roots = vec![cell.word(), one.word()];
        heap.collect(&mut roots, 0).unwrap();
        let cell = Ptr::from_word(roots[0]);
        assert_eq!(heap.get_ptr(cell, 1), cell, "the cycle");
        assert_eq!(
            heap.get_ptr(cell, 0),
            Ptr::from_word(roots[1]),
            "the sharing"
        );
        assert_eq!(heap.used_words(), 1 + 2 + 3);
    }

    #[test]
    fn indirections_are_removed() {
        let mut heap = Heap::new(1 << 20);
        let v = con(&mut heap, 0, &[], &[42]);
        let t1 = heap.alloc(Header::new(Kind::Thunk, 1, 1, 0)).unwrap();
        let t2 = heap.alloc(Header::new(Kind::Thunk, 1, 1, 0)).unwrap();
        heap.update(t1, v);
        heap.update(t2, t1); // a chain: t2 -> t1 -> v
        let pair = con(&mut heap, 8, &[t2, t1], &[]);
        let mut roots = vec![pair.word(), t2.word()];
        heap.collect(&mut roots, 0).unwrap();
        let pair = Ptr::from_word(roots[0]);
        let a = heap.get_ptr(pair, 0);
        assert_eq!(heap.header(a).kind, Kind::Con);
        assert_eq!(a, heap.get_ptr(pair, 1));
        assert_eq!(Ptr::from_word(roots[1]), a);
        assert_eq!(heap.used_words(), 1 + 3 + 2, "no indirection was copied");
        heap.check(&mut roots).unwrap();
    }

    #[test]
    fn the_heap_grows_with_live_data_and_stops_at_the_limit() {
        let mut heap = Heap::new(8 << 20);
        let mut roots = vec![];
        // Keep allocating live lists; collect whenever full.
        let mut total = 0;
        let exhausted = loop {
            let h = Header::new(Kind::Con, 0, 0, 100);
            let p = match heap.alloc(h) {
                Ok(p) => p,
                Err(_) => match heap.collect(&mut roots, h.size()) {
                    Ok(()) => heap.alloc(h).unwrap(),
                    Err(e) => break e,
                },
            };
            roots.push(p.word());
            total += 1;
        };
        assert_eq!(exhausted.max_bytes, 8 << 20);
        assert!(
            total > 9_000,
            "{total} closures of 101 words fit 1 Mi words"
        );
        assert!(heap.capacity_words() <= 1 << 20);
        heap.check(&mut roots).unwrap();
    }

    #[test]
    fn the_sanity_check_finds_a_dangling_pointer() {
        let mut heap = Heap::new(1 << 20);
        let a = con(&mut heap, 0, &[], &[1]);
        let b = con(&mut heap, 6, &[a, a], &[]);
        heap.set(b, 1, a.word() + 1); // into the middle of `a`
        let mut roots = vec![b.word()];
        let e = heap.check(&mut roots).unwrap_err();
        assert!(e.contains("field 1 points to"), "{e}");
    }
}

/// Property: on random graphs (sharing, cycles, indirection chains,
/// garbage), a collection preserves everything reachable from the roots,
/// exactly, and the result passes the sanity check.
#[cfg(test)]
mod properties {
    use super::*;
    use crate::heap::Ptr;
    use quickcheck::{Arbitrary, Gen, QuickCheck};
    use std::collections::HashMap;

    /// A recipe for a heap: closures with fields naming other closures by
    /// position, some turned into indirections, and the roots.
    #[derive(Clone, Debug)]
    struct Graph {
        closures: Vec<(u8, Vec<usize>, Vec<u64>)>,
        inds: Vec<(usize, usize)>,
        roots: Vec<usize>,
    }

    impl Arbitrary for Graph {
        fn arbitrary(g: &mut Gen) -> Graph {
            let n = usize::arbitrary(g) % 60 + 1;
            let closures = (0..n)
                .map(|_| {
                    let ptrs = (0..usize::arbitrary(g) % 4)
                        .map(|_| usize::arbitrary(g) % n)
                        .collect();
                    let nptrs = (0..usize::arbitrary(g) % 3)
                        .map(|_| u64::arbitrary(g))
                        .collect();
                    (u8::arbitrary(g) % 3, ptrs, nptrs)
                })
                .collect();
            let inds = (0..usize::arbitrary(g) % 6)
                .map(|_| (usize::arbitrary(g) % n, usize::arbitrary(g) % n))
                .collect();
            let roots = (0..usize::arbitrary(g) % 5 + 1)
                .map(|_| usize::arbitrary(g) % n)
                .collect();
            Graph {
                closures,
                inds,
                roots,
            }
        }
    }

    /// The structure reachable from a pointer, canonically numbered.
    fn shape(heap: &Heap, p: Ptr, seen: &mut HashMap<Ptr, usize>, out: &mut Vec<String>) {
        let mut todo = vec![p];
        while let Some(p) = todo.pop() {
            let p = heap.follow(p);
            if seen.contains_key(&p) {
                out.push(format!("@{}", seen[&p]));
                continue;
            }
            seen.insert(p, seen.len());
            let h = heap.header(p);
            let fields: Vec<u64> = (0..usize::from(h.nptrs))
                .map(|i| heap.get(p, usize::from(h.ptrs) + i))
                .collect();
            out.push(format!("{:?}/{}/{fields:?}", h.kind, h.info));
            for i in (0..usize::from(h.ptrs)).rev() {
                todo.push(heap.get_ptr(p, i));
            }
        }
    }

    fn shapes(heap: &Heap, roots: &[u64]) -> Vec<String> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for &r in roots {
            shape(heap, Ptr::from_word(r), &mut seen, &mut out);
        }
        out
    }

    fn collection_preserves_the_graph(g: Graph) -> bool {
        let mut heap = Heap::new(1 << 24);
        let ptrs: Vec<Ptr> = g
            .closures
            .iter()
            .map(|(info, ps, ns)| {
                heap.alloc(Header::new(
                    Kind::Con,
                    u32::from(*info),
                    ps.len() as u16,
                    ns.len() as u16,
                ))
                .unwrap()
            })
            .collect();
        for ((_, ps, ns), &p) in g.closures.iter().zip(&ptrs) {
            for (i, &q) in ps.iter().enumerate() {
                heap.set(p, i, ptrs[q].word());
            }
            for (i, &w) in ns.iter().enumerate() {
                heap.set(p, ps.len() + i, w);
            }
        }
        for &(from, to) in &g.inds {
            let (f, t) = (ptrs[from], heap.follow(ptrs[to]));
            if heap.header(f).kind != Kind::Ind && f != t {
                heap.update(f, t);
            }
        }
        let mut roots: Vec<u64> = g.roots.iter().map(|&r| ptrs[r].word()).collect();
        let before = shapes(&heap, &roots);
        let used = heap.used_words();
        heap.collect(&mut roots, 0).unwrap();
        heap.check(&mut roots).is_ok()
            && heap.used_words() <= used
            && shapes(&heap, &roots) == before
    }

    #[test]
    fn collection_preserves_random_graphs() {
        QuickCheck::new()
            .tests(500)
            .quickcheck(collection_preserves_the_graph as fn(Graph) -> bool);
    }
}
