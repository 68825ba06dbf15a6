//! The linker and the interpreter: eval/apply over the heap and the stack.
//!
//! [`Machine::link`] adds a compiled unit to a running machine: its BCOs are
//! packed (`sloth_bco::asm`), checked by the verifier, and go into the code
//! table with their pointer tables resolved to global-table and code-table
//! indices; its top-level bindings become heap closures reachable from the
//! global table (a REPL links one line at a time). [`Machine::eval`]
//! evaluates a closure to weak head normal form by running the packed code:
//! one loop dispatches on 16-bit opcodes, and calls, returns and thunk
//! entries switch the current BCO inside that loop.
//!
//! Frames are single non-pointer stack words (the low two bits say which):
//!
//! ```text
//!   CASE    | bco:32 | pc:30 | 00 |   continue at (bco, pc) with the value pushed
//!   UPDATE  |     restore:1  | 01 |   the slot below holds the thunk to update (or restore)
//!   APPLY   |             n  | 10 |   apply the returned function to the n words below
//!   STOP    |             0  | 11 |   hand the value back to `eval`'s caller
//! ```
//!
//! Rules, beside the code that implements them: see `enter`, `ret` and
//! `apply`. Read next: `primops`.

use crate::gc::Roots;
use crate::heap::{Header, Heap, HeapExhausted, Kind, Ptr, MAX_INFO};
use crate::primops::{self, PrimResult};
use crate::stack::{Stack, StackOverflow};
use sloth_bco::asm::{self, op, PackedBco, PackedUnit, PtrEntry};
use sloth_bco::compile::{StaticField, TopDef, Unit};
use sloth_bco::verify::CallSite;
use sloth_core::primop::PrimOp;
use sloth_core::source::Span;
use sloth_core::types::{self as ty, ConId, DataEnv, Unique};
use sloth_stg::syntax::{Lit, Rep};
use std::collections::HashMap;

/// Why a run stopped without a value.
#[derive(Clone, Debug, PartialEq)]
pub enum RunError {
    User(String),
    PatternFail(Span),
    DivideByZero,
    BadChr(i64),
    Loop,
    Heap(HeapExhausted),
    Stack(StackOverflow),
    StepLimit,
    /// Ctrl-C.
    Interrupted,
    /// The heap check after a collection failed (Note [Checking the heap
    /// after a collection]): a bug in the machine.
    HeapCorrupt(String),
    /// A definition too large for the bytecode's 16-bit operands
    /// (`sloth_bco::compile::TooLarge`): a limit, not a bug.
    TooLarge(String),
    /// A unit failed to assemble or verify: a bug in the compiler.
    BadCode(String),
}

impl From<HeapExhausted> for RunError {
    fn from(e: HeapExhausted) -> RunError {
        RunError::Heap(e)
    }
}

impl From<StackOverflow> for RunError {
    fn from(e: StackOverflow) -> RunError {
        RunError::Stack(e)
    }
}

type Run<T> = Result<T, RunError>;

/// The global-table and code-table slots a linked unit occupies: what
/// [`Machine::unlink`] frees.
#[derive(Debug, Default)]
pub struct Linked {
    /// The unit's top-level bindings, with their global-table slots.
    tops: Vec<Unique>,
    globals: Vec<u32>,
    /// Code-table slot of the unit's BCO r.
    code: Vec<u32>,
}

/// A slot of the global table holding a host's value (see
/// [`Machine::root`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RootSlot(u32);

impl Linked {
    /// The uniques of the unit's top-level bindings.
    pub fn tops(&self) -> &[Unique] {
        &self.tops
    }
}

/// A linked BCO: its packed code, literal pool, and pointer table resolved
/// (a global entry to its global-table index, a BCO entry to its code-table
/// index). A slot freed by [`Machine::unlink`] holds the empty default.
#[derive(Default)]
struct Code {
    words: Box<[u16]>,
    lits: Box<[u64]>,
    ptrs: Box<[u32]>,
    spans: Box<[Span]>,
    arity: usize,
    params: Box<[Rep]>,
    free_ptrs: u16,
    free_words: u16,
    /// The pointer table's first `global_ptrs` entries are global-table
    /// indices, the rest code-table indices (`check_code` tells them apart).
    global_ptrs: u32,
}

/// Where a constructor's fields live in its payload (pointers first).
#[derive(Clone, Default)]
struct ConLayout {
    ptrs: u16,
    nptrs: u16,
    /// The encoded header of every closure of this constructor (`UNPACK`
    /// checks the value against it in one compare).
    header: u64,
    /// Payload index of field i, and whether it is a pointer.
    slots: Vec<(u16, bool)>,
}

const FRAME_CASE: u64 = 0;
const FRAME_UPDATE: u64 = 1;
const FRAME_APPLY: u64 = 2;
const FRAME_STOP: u64 = 3;
/// On an update frame: restore the (non-updatable) thunk instead.
const RESTORE: u64 = 4;

// Note [Blackholing non-updatable thunks]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// Under call-by-name a thunk is never updated, so GHC's AP_NOUPD is not
// blackholed either, and a thunk that demands itself (`let x = x + 1 in x`)
// recurses until the stack overflows. Evaluation is deterministic: a thunk
// entered again while it is being evaluated repeats the same computation
// and can never finish, so it is a `<<loop>>` exactly as under need (the
// reference evaluator says so too). We blackhole it on entry under a
// restore frame — an update frame with the RESTORE bit — which, when the
// value returns, puts the thunk back as it was instead of overwriting it:
//
//     enter t:   [.. | t | UPDATE+RESTORE] , t := BLACKHOLE
//     return v:  t := THUNK_NOUPD again; v goes on to the next frame

/// Work counters (`--stats`).
#[derive(Clone, Copy, Debug, Default)]
pub struct MachineStats {
    pub instructions: u64,
    /// Function bodies entered with their arguments: known calls (`CALL`)
    /// and functions reached by `APPLY` (exactly or over-saturated; a PAP
    /// completed counts once, for the function it holds).
    pub calls: u64,
    pub thunks_allocated: u64,
    pub thunks_entered: u64,
    pub thunks_updated: u64,
}

pub struct Machine {
    pub heap: Heap,
    pub stack: Stack,
    code: Vec<Code>,
    /// Heap pointers of every global (roots).
    globals: Vec<u64>,
    global_index: HashMap<Unique, u32>,
    /// Global-table and code-table slots freed by [`Machine::unlink`],
    /// reused by later units (See Note [Unlinking]).
    free_globals: Vec<u32>,
    free_code: Vec<u32>,
    layouts: Vec<ConLayout>,
    /// Global-table index of each nullary constructor's shared closure,
    /// by constructor id (`u32::MAX` for the others): no hashing on the
    /// hot path (`isTrue#`, `PACK c 0`).
    nullary: Vec<u32>,
    pub stats: MachineStats,
    /// Stop with `StepLimit` after this many instructions.
    pub max_steps: u64,
    /// `--gc-stress`: collect at every allocation and check the heap after
    /// (set with [`Machine::set_gc_stress`]).
    gc_stress: bool,
    /// Set (by a Ctrl-C handler) to stop the run at the next call or
    /// backward jump.
    pub interrupt: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The code table's size while a run has it (the heap check).
    lent_code: usize,
}

/// The roots while the machine runs: the stack and the global table.
struct MachineRoots<'a> {
    stack: &'a mut Stack,
    globals: &'a mut Vec<u64>,
}

impl Roots for MachineRoots<'_> {
    fn for_each_root(&mut self, visit: &mut dyn FnMut(&mut u64)) {
        self.stack.for_each_root(visit);
        self.globals.for_each_root(visit);
    }
}

impl Machine {
    pub fn new(max_heap_bytes: u64, max_stack_words: usize) -> Machine {
        Machine {
            heap: Heap::new(max_heap_bytes),
            stack: Stack::new(max_stack_words),
            code: Vec::new(),
            globals: Vec::new(),
            global_index: HashMap::new(),
            free_globals: Vec::new(),
            free_code: Vec::new(),
            layouts: Vec::new(),
            nullary: Vec::new(),
            stats: MachineStats::default(),
            max_steps: u64::MAX,
            gc_stress: false,
            interrupt: Default::default(),
            lent_code: 0,
        }
    }

    pub fn set_gc_stress(&mut self, on: bool) {
        self.gc_stress = on;
        self.heap.min_words = if on { 0 } else { crate::heap::INITIAL_WORDS };
    }

    // ---- allocation ----------------------------------------------------------

    /// Allocates, collecting first if the space is full. Every live pointer
    /// must be on the stack or in the global table.
    fn alloc(&mut self, h: Header) -> Run<Ptr> {
        if !self.gc_stress {
            if let Ok(p) = self.heap.alloc(h) {
                return Ok(p);
            }
        }
        self.alloc_slow(h)
    }

    /// [`Machine::alloc`] for a closure whose every payload word the
    /// caller writes before the next allocation (`PACK`): no zeroing.
    #[inline]
    fn alloc_filled(&mut self, h: Header) -> Run<Ptr> {
        if !self.gc_stress {
            if let Ok(p) = self.heap.alloc_unzeroed(h) {
                return Ok(p);
            }
        }
        self.alloc_slow(h)
    }

    #[cold]
    fn alloc_slow(&mut self, h: Header) -> Run<Ptr> {
        self.collect_for(h.size())?;
        Ok(self.heap.alloc(h).expect("room after a collection"))
    }

    /// Collects now (the REPL's `:gc`).
    pub fn collect(&mut self) -> Run<()> {
        self.collect_for(0)
    }

    /// Collects, timed, leaving room for `need_words`; under
    /// `--gc-stress` the heap is checked after.
    fn collect_for(&mut self, need_words: usize) -> Run<()> {
        let mut roots = MachineRoots {
            stack: &mut self.stack,
            globals: &mut self.globals,
        };
        let started = std::time::Instant::now();
        let collected = self.heap.collect(&mut roots, need_words);
        self.heap.stats.gc_time += started.elapsed();
        collected?;
        if self.gc_stress || cfg!(debug_assertions) {
            self.check_heap().map_err(RunError::HeapCorrupt)?;
        }
        Ok(())
    }

    // Note [Checking the heap after a collection]
    // ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    // A collector bug (a missed root, a field scanned with the wrong
    // count) shows up much later as a wrong value, far from its cause. So
    // after every collection in debug builds — the whole test suite — and
    // under `--gc-stress` (at every allocation) the machine checks what
    // must hold of a freshly collected heap:
    //
    //   * every closure has a valid header and the last ends at the heap
    //     pointer; every pointer in the heap, on the stack and in the
    //     global table lands on a closure header (`Heap::check`);
    //   * no indirection is left: evacuation short-circuits them all;
    //   * a function, thunk or blackhole names a code slot in use, and
    //     has as many free-variable words as its code expects; a
    //     constructor's field counts are its layout's;
    //   * a blackhole is a thunk under evaluation: an update frame on the
    //     stack points to it (a `BlackholeNoUpd` from a restore frame).
    //     A blackhole with no frame would report `<<loop>>` to the next
    //     demand of a value nobody is computing.
    //
    // For example, a collector that forgot the update frames' thunks as
    // roots would fail the first check at once (the frame's pointer lands
    // nowhere) instead of printing a wrong answer later.

    /// The checks of Note [Checking the heap after a collection].
    pub fn check_heap(&mut self) -> Result<(), String> {
        {
            let mut roots = MachineRoots {
                stack: &mut self.stack,
                globals: &mut self.globals,
            };
            self.heap.check(&mut roots)?;
        }
        // Thunks under evaluation: the pointer under each update frame.
        // An unboxed word that happens to equal a frame word only makes
        // the check more lenient.
        let mut evaluating = std::collections::HashSet::new();
        let slots: Vec<(u64, bool)> = self.stack.slots().collect();
        for pair in slots.windows(2) {
            if let [(p, true), (frame, false)] = *pair {
                if frame & 3 == FRAME_UPDATE {
                    evaluating.insert((p, frame & RESTORE != 0));
                }
            }
        }
        let mut at = 1;
        while at < self.heap.used_words() {
            let p = Ptr(at as u32);
            let h = self.heap.header(p);
            // During a run the code table is lent to the loop (Note [The
            // code table during a run]): only its size is known then.
            let code = |info: u32| -> Result<Option<&Code>, String> {
                if self.code.is_empty() {
                    return if (info as usize) < self.lent_code {
                        Ok(None)
                    } else {
                        Err(format!(
                            "{:?} at {at} runs code {info}, past the table",
                            h.kind
                        ))
                    };
                }
                match self.code.get(info as usize) {
                    Some(c) if !c.words.is_empty() => Ok(Some(c)),
                    _ => Err(format!("{:?} at {at} runs code {info}, not in use", h.kind)),
                }
            };
            match h.kind {
                Kind::Ind => return Err(format!("an indirection at {at} survived a collection")),
                Kind::Con => {
                    let l = self
                        .layouts
                        .get(h.info as usize)
                        .ok_or_else(|| format!("constructor {} at {at} does not exist", h.info))?;
                    if (l.ptrs, l.nptrs) != (h.ptrs, h.nptrs) {
                        return Err(format!(
                            "constructor {} at {at} has {}+{} fields, its layout {}+{}",
                            h.info, h.ptrs, h.nptrs, l.ptrs, l.nptrs
                        ));
                    }
                }
                Kind::Fun
                | Kind::Thunk
                | Kind::ThunkNoUpd
                | Kind::Blackhole
                | Kind::BlackholeNoUpd => {
                    let c = code(h.info)?;
                    if let Some(c) = c.filter(|c| (c.free_ptrs, c.free_words) != (h.ptrs, h.nptrs))
                    {
                        return Err(format!(
                            "{:?} at {at} has {}+{} free words, its code {}+{}",
                            h.kind, h.ptrs, h.nptrs, c.free_ptrs, c.free_words
                        ));
                    }
                    let hole = match h.kind {
                        Kind::Blackhole => Some(false),
                        Kind::BlackholeNoUpd => Some(true),
                        _ => None,
                    };
                    if let Some(restore) = hole {
                        if !evaluating.contains(&(at as u64, restore)) {
                            return Err(format!(
                                "a {:?} at {at} with no frame evaluating it",
                                h.kind
                            ));
                        }
                    }
                }
                Kind::Pap | Kind::Forward => {}
            }
            at += h.size();
        }
        Ok(())
    }

    fn new_global(&mut self, w: u64) -> u32 {
        if let Some(g) = self.free_globals.pop() {
            self.globals[g as usize] = w;
            return g;
        }
        self.globals.push(w);
        (self.globals.len() - 1) as u32
    }

    /// A code-table slot for a new BCO (a freed one first).
    fn new_code(&mut self, code: Code) -> Run<u32> {
        if let Some(c) = self.free_code.pop() {
            self.code[c as usize] = code;
            return Ok(c);
        }
        let c = self.code.len() as u32;
        if c > MAX_INFO {
            return Err(RunError::BadCode(format!(
                "the code table is full ({} BCOs)",
                MAX_INFO as u64 + 1
            )));
        }
        self.code.push(code);
        Ok(c)
    }

    /// The shared closure of a nullary constructor (made by the linker).
    #[inline]
    fn nullary(&self, c: ConId) -> Ptr {
        Ptr::from_word(self.globals[self.nullary[c.0 as usize] as usize])
    }

    /// Builds a string as a list of `C#` cells (for literals and
    /// `showDouble#`), keeping the partial list on the stack as a root.
    fn alloc_string(&mut self, s: &str) -> Run<Ptr> {
        let nil = self.nullary(ty::NIL);
        self.stack.reserve(1)?;
        self.stack.push_ptr(nil);
        for ch in s.chars().rev() {
            let c = self.alloc(Header::new(Kind::Con, ty::C_HASH.0, 0, 1))?;
            self.heap.set(c, 0, u64::from(ch));
            self.stack.reserve(1)?;
            self.stack.push_ptr(c);
            let cell = self.alloc(Header::new(Kind::Con, ty::CONS.0, 2, 0))?;
            let c = self.stack.pop();
            let tail = self.stack.pop();
            self.heap.set(cell, 0, c);
            self.heap.set(cell, 1, tail);
            self.stack.push_ptr(cell);
        }
        Ok(self.stack.pop_ptr())
    }

    // ---- linking ---------------------------------------------------------------

    /// The heap pointer of a linked global.
    pub fn global(&self, u: Unique) -> Option<Ptr> {
        self.global_index
            .get(&u)
            .map(|&g| Ptr::from_word(self.globals[g as usize]))
    }

    // Note [Host roots]
    // ~~~~~~~~~~~~~~~~~
    // A program embedding the machine keeps values between evaluations
    // (`sloth::Value`). A collection moves every closure, so a host must
    // never hold a `Ptr` across one; it holds a root slot instead: a slot
    // of the global table that no unit names, updated by the collector
    // like every global. Slots are reused after `unroot`, as unlinked
    // units' slots are. The host must keep alive (linked) every unit whose
    // code a rooted value may run: see `sloth::embed`.

    /// Roots `p` in a fresh slot of the global table; see Note [Host
    /// roots].
    pub fn root(&mut self, p: Ptr) -> RootSlot {
        RootSlot(self.new_global(p.word()))
    }

    /// The value a root slot holds now (it moves with every collection).
    pub fn rooted(&self, r: RootSlot) -> Ptr {
        Ptr::from_word(self.globals[r.0 as usize])
    }

    /// Makes a root slot hold another value.
    pub fn set_root(&mut self, r: RootSlot, p: Ptr) {
        self.globals[r.0 as usize] = p.word();
    }

    /// Frees a root slot: its value may be collected.
    pub fn unroot(&mut self, r: RootSlot) {
        self.globals[r.0 as usize] = 0;
        self.free_globals.push(r.0);
    }

    /// Builds constructor `c` and pushes it: its pointer fields are the
    /// top pointers of the stack (the first field deepest; they are popped),
    /// its other fields `words`, in field order. A nullary constructor is
    /// its shared closure. This is how a host builds values (`I# 3`, a
    /// list cell) without running code.
    pub fn push_con(&mut self, data: &DataEnv, c: ConId, words: &[u64]) -> Run<()> {
        self.layouts_for(data)?;
        let layout = self.layouts[c.0 as usize].clone();
        if layout.slots.is_empty() {
            self.stack.reserve(1)?;
            self.stack.push_ptr(self.nullary(c));
            return Ok(());
        }
        let ptrs = usize::from(layout.ptrs);
        assert_eq!(words.len(), usize::from(layout.nptrs), "constructor fields");
        self.stack.reserve(1)?;
        // The pointer fields stay on the stack (roots) across the allocation.
        let p = self.alloc(Header::new(Kind::Con, c.0, layout.ptrs, layout.nptrs))?;
        let (mut next_ptr, mut next_word) = (0, 0);
        for (slot, is_ptr) in layout.slots {
            let w = if is_ptr {
                next_ptr += 1;
                self.stack.peek(ptrs - next_ptr)
            } else {
                next_word += 1;
                words[next_word - 1]
            };
            self.heap.set(p, usize::from(slot), w);
        }
        self.stack.truncate(self.stack.len() - ptrs);
        self.stack.push_ptr(p);
        Ok(())
    }

    fn layouts_for(&mut self, data: &DataEnv) -> Run<()> {
        for i in self.layouts.len()..data.cons.len() {
            let g = if data.cons[i].fields.is_empty() {
                let p = self.alloc(Header::new(Kind::Con, i as u32, 0, 0))?;
                self.new_global(p.word())
            } else {
                u32::MAX
            };
            self.nullary.push(g);
            let con = &data.cons[i];
            let reps: Vec<bool> = con
                .fields
                .iter()
                .map(|t| sloth_stg::lower::rep_of(t) == Rep::Ptr)
                .collect();
            let ptrs = reps.iter().filter(|p| **p).count() as u16;
            let (mut next_ptr, mut next_word) = (0u16, ptrs);
            let slots = reps
                .iter()
                .map(|&p| {
                    let s = if p { &mut next_ptr } else { &mut next_word };
                    *s += 1;
                    (*s - 1, p)
                })
                .collect();
            let nptrs = reps.len() as u16 - ptrs;
            self.layouts.push(ConLayout {
                ptrs,
                nptrs,
                header: Header::new(Kind::Con, i as u32, ptrs, nptrs).encode(),
                slots,
            });
        }
        Ok(())
    }

    /// Assembles, verifies and links a compiled unit.
    pub fn link(&mut self, data: &DataEnv, unit: &Unit) -> Run<Linked> {
        if let Some(t) = unit.too_large.first() {
            return Err(RunError::TooLarge(t.to_string()));
        }
        let packed = asm::assemble_unit(unit).map_err(|e| RunError::BadCode(e.0))?;
        self.link_packed(data, &packed)
    }

    /// Adds a packed unit: every BCO is decoded and verified first (a bad
    /// one is rejected before anything is linked), then its code, then its
    /// top-level closures (allocated first, filled after, so they may refer
    /// to each other). Returns the slots the unit occupies, for
    /// [`Machine::unlink`]; if linking fails part way, what was linked
    /// stays (unreachable by name).
    pub fn link_packed(&mut self, data: &DataEnv, unit: &PackedUnit) -> Run<Linked> {
        let readable = unit
            .bcos
            .iter()
            .map(|b| asm::unpack(b).map_err(|e| RunError::BadCode(format!("BCO {}: {e}", b.name))))
            .collect::<Run<Vec<_>>>()?;
        let mut calls = Vec::new();
        for b in &readable {
            let sites = sloth_bco::verify::verify(data, &readable, b)
                .map_err(|e| RunError::BadCode(format!("BCO {}: {e}", b.name)))?;
            calls.extend(sites.into_iter().map(|c| (b, c)));
        }
        self.layouts_for(data)?;
        let mut linked = Linked::default();
        for t in &unit.tops {
            let g = self.new_global(0);
            self.global_index.insert(t.unique, g);
            linked.tops.push(t.unique);
            linked.globals.push(g);
        }
        // The unit's BCO r goes to code slot `linked.code[r]`: slots are
        // taken first, so that pointer tables can name later BCOs.
        for _ in &unit.bcos {
            let c = self.new_code(Code::default())?;
            linked.code.push(c);
        }
        for (b, &c) in unit.bcos.iter().zip(&linked.code) {
            self.code[c as usize] = self.resolve(b, &linked.code)?;
        }
        for (t, &g) in unit.tops.iter().zip(&linked.globals) {
            let p = match &t.def {
                TopDef::Fun(b) => {
                    self.alloc(Header::new(Kind::Fun, linked.code[b.0 as usize], 0, 0))?
                }
                TopDef::Thunk(b, updatable) => {
                    let kind = if *updatable {
                        Kind::Thunk
                    } else {
                        Kind::ThunkNoUpd
                    };
                    self.alloc(Header::new(kind, linked.code[b.0 as usize], 0, 0))?
                }
                TopDef::Con(c, fields) if fields.is_empty() => self.nullary(*c),
                TopDef::Con(c, _) => {
                    let l = &self.layouts[c.0 as usize];
                    let h = Header::new(Kind::Con, c.0, l.ptrs, l.nptrs);
                    self.alloc(h)?
                }
                TopDef::String(s) => self.alloc_string(s)?,
            };
            self.globals[g as usize] = p.word();
        }
        for (t, &g) in unit.tops.iter().zip(&linked.globals) {
            if let TopDef::Con(c, fields) = &t.def {
                let p = Ptr::from_word(self.globals[g as usize]);
                let slots = self.layouts[c.0 as usize].slots.clone();
                for (f, (slot, _)) in fields.iter().zip(slots) {
                    let w = match f {
                        StaticField::Global(u) => match self.global_index.get(u) {
                            Some(&g) => self.globals[g as usize],
                            None => {
                                return Err(RunError::BadCode(format!(
                                    "{}: global {u} is not linked",
                                    t.name
                                )))
                            }
                        },
                        StaticField::Lit(l) => lit_word(*l),
                    };
                    self.heap.set(p, usize::from(slot), w);
                }
            }
        }
        for (b, call) in calls {
            self.check_call(b, &call)?;
        }
        Ok(linked)
    }

    /// A `CALL` site's target, now linked, is a function of the call's
    /// arity taking its arguments' representations (`CALL` jumps straight
    /// to the code: see Note [What the verifier cannot know] in
    /// `sloth_bco::verify`).
    fn check_call(&self, b: &sloth_bco::compile::Bco, call: &CallSite) -> Run<()> {
        let u = b.globals[usize::from(call.global.0)];
        let bad = |why: &str| RunError::BadCode(format!("BCO {}: CALL of {u}: {why}", b.name));
        let g = *self.global_index.get(&u).ok_or_else(|| bad("not linked"))?;
        let f = Ptr::from_word(self.globals[g as usize]);
        if f.0 == 0 {
            return Err(bad("not linked"));
        }
        let h = self.heap.header(f);
        if h.kind != Kind::Fun {
            return Err(bad("not a function"));
        }
        let params = &self.code[h.info as usize].params;
        let same = params.len() == call.args.len()
            && params
                .iter()
                .zip(&call.args)
                .all(|(p, a)| (*p == Rep::Ptr) == (*a == Rep::Ptr));
        if !same {
            return Err(bad(&format!(
                "it takes {params:?}, the call passes {:?}",
                call.args
            )));
        }
        Ok(())
    }

    // Note [Unlinking]
    // ~~~~~~~~~~~~~~~~
    // A REPL session links a unit per input, and most of them die soon: the
    // `it` of `sum [1 .. 100]` is unreachable once the next expression
    // rebinds `it`. Keeping every unit's globals as roots and its BCOs in
    // the code table would grow the session with every line. So the
    // session works out which units nothing live refers to (by name, or
    // from a live unit's code) and hands them to `unlink`, which drops
    // their global-table roots and BCOs and frees the slots for reuse.
    //
    // The caller's promise: no live closure refers to the unit's globals
    // or code. It holds for a dead unit because evaluation is pure: a
    // closure with a unit's code index is only ever built by running code
    // reachable, through pointer tables, from that unit's own globals; a
    // value reachable from a live global was built by code reachable from
    // it. Closures of dead code may still sit in the heap, but nothing
    // reachable points to them, so the collector never reads their code
    // index, and it does not matter that the slot is reused: e.g. after
    //
    //     > sum [1 .. 100]        -- unit 7: `it`, statics `1` and `100`
    //     > length "abc"          -- unit 8 rebinds `it`: unit 7 is dead
    //
    // unit 7's `it` (an indirection to `I# 5050`) is no longer a root and
    // the next collection drops it; its code slots go to unit 9's BCOs.
    // `Machine::check_code` checks the promise in the test suite.

    /// Removes a unit linked by [`Machine::link`]; see Note [Unlinking] for
    /// what the caller must make sure of.
    pub fn unlink(&mut self, linked: Linked) {
        for (u, g) in linked.tops.iter().zip(linked.globals) {
            if self.global_index.get(u) == Some(&g) {
                self.global_index.remove(u);
            }
            self.globals[g as usize] = 0;
            self.free_globals.push(g);
        }
        for c in linked.code {
            self.code[c as usize] = Code::default();
            self.free_code.push(c);
        }
    }

    /// Global-table and code-table slots in use (not freed by
    /// [`Machine::unlink`]).
    pub fn slots_in_use(&self) -> (usize, usize) {
        (
            self.globals.len() - self.free_globals.len(),
            self.code.len() - self.free_code.len(),
        )
    }

    /// Checks that no closure reachable from the global table runs code
    /// that was unlinked, and that the code they run names no unlinked
    /// global or BCO (the test suite calls it after unlinking, between
    /// evaluations). Reads only: statistics and the heap stay as they are.
    pub fn check_code(&self) -> Result<(), String> {
        use std::collections::HashSet;
        let free_code: HashSet<u32> = self.free_code.iter().copied().collect();
        let free_globals: HashSet<u32> = self.free_globals.iter().copied().collect();
        let mut seen = vec![false; self.heap.used_words()];
        let mut seen_code = HashSet::new();
        let mut code_work: Vec<u32> = Vec::new();
        let mut work: Vec<Ptr> = self
            .globals
            .iter()
            .filter(|&&w| w != 0)
            .map(|&w| Ptr::from_word(w))
            .collect();
        while let Some(p) = work.pop() {
            if std::mem::replace(&mut seen[p.index()], true) {
                continue;
            }
            let h = self.heap.header(p);
            if matches!(
                h.kind,
                Kind::Fun | Kind::Thunk | Kind::ThunkNoUpd | Kind::Blackhole | Kind::BlackholeNoUpd
            ) {
                code_work.push(h.info);
            }
            work.extend(
                self.heap
                    .payload(p, usize::from(h.ptrs))
                    .iter()
                    .filter(|&&w| w != 0)
                    .map(|&w| Ptr::from_word(w)),
            );
        }
        while let Some(c) = code_work.pop() {
            if !seen_code.insert(c) {
                continue;
            }
            if c as usize >= self.code.len() || free_code.contains(&c) {
                return Err(format!("live code runs code slot {c}, which is not linked"));
            }
            let code = &self.code[c as usize];
            let (globals, bcos) = code.ptrs.split_at(code.global_ptrs as usize);
            if let Some(g) = globals
                .iter()
                .find(|&&g| free_globals.contains(&g) || self.globals[g as usize] == 0)
            {
                return Err(format!(
                    "code slot {c} names global slot {g}, which is not linked"
                ));
            }
            code_work.extend(bcos.iter().copied());
        }
        Ok(())
    }

    /// Resolves a BCO's pointer table: globals to global-table indices,
    /// nested BCOs to code-table indices.
    fn resolve(&self, b: &PackedBco, code_slots: &[u32]) -> Run<Code> {
        let ptrs = b
            .ptrs
            .iter()
            .map(|e| match e {
                PtrEntry::Global(u) => self.global_index.get(u).copied().ok_or_else(|| {
                    RunError::BadCode(format!("BCO {}: global {u} is not linked", b.name))
                }),
                PtrEntry::Bco(r) => Ok(code_slots[r.0 as usize]),
            })
            .collect::<Run<Vec<u32>>>()?;
        let free_ptrs = b.free.iter().filter(|r| **r == Rep::Ptr).count() as u16;
        Ok(Code {
            words: b.code.clone().into(),
            lits: b.lits.clone().into(),
            ptrs: ptrs.into(),
            spans: b.spans.clone().into(),
            arity: b.params.len(),
            params: b.params.clone().into(),
            free_ptrs,
            free_words: b.free.len() as u16 - free_ptrs,
            global_ptrs: b
                .ptrs
                .iter()
                .take_while(|e| matches!(e, PtrEntry::Global(_)))
                .count() as u32,
        })
    }

    // ---- evaluation ---------------------------------------------------------

    /// Evaluates the closure `p` to weak head normal form.
    pub fn eval(&mut self, p: Ptr) -> Run<Ptr> {
        self.eval_applied(p, &[])
    }

    /// Applies a function to arguments and evaluates the result to weak
    /// head normal form (an embedding host calling a Sloth function). The
    /// caller pushes the arguments, the first deepest, then the function;
    /// `call` pops all `n + 1` words. The arguments are boxed values (all
    /// a host can build), so every one is a pointer.
    pub fn call(&mut self, n: usize) -> Run<Ptr> {
        let f = self.stack.pop_ptr();
        let mut args: Vec<u64> = (0..n).map(|_| self.stack.pop()).collect();
        // Popped last argument first; `run` wants the first nearest the top.
        args.reverse();
        self.eval_applied(f, &args)
    }

    /// `p` applied to `args` (pointers, the first argument first), to weak
    /// head normal form. Nothing allocates between the caller reading the
    /// pointers and `run` pushing them, so they need no other root.
    fn eval_applied(&mut self, p: Ptr, args: &[u64]) -> Run<Ptr> {
        let bottom = self.stack.len();
        // The code table is lent to the loop, which mutates everything
        // else; see Note [The code table during a run].
        let code = std::mem::take(&mut self.code);
        self.lent_code = code.len();
        let result = self.run(&code, p, args);
        self.code = code;
        if !matches!(result, Ok(Exit::Value(_))) {
            // See Note [Reverting blackholes after an error].
            self.revert_blackholes();
        }
        let result = match result {
            Ok(Exit::Value(v)) => Ok(v),
            Ok(Exit::Raise(s)) => Err(match self.force_string(s) {
                Ok(msg) => RunError::User(msg),
                Err(e) => e,
            }),
            Err(e) => Err(e),
        };
        if result.is_err() {
            self.stack.truncate(bottom);
        }
        result
    }

    // Note [Reverting blackholes after an error]
    // ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    // A run that stops early (an error, Ctrl-C, a resource limit) leaves
    // blackholes behind: every thunk it was evaluating. A REPL keeps the
    // heap, so the next line that demands such a thunk would report
    // `<<loop>>` although nothing loops. GHC's `raiseAsync` freezes the
    // unfinished computation into the thunk; we can do simpler, because
    // eager blackholing keeps the thunk's payload intact: turning the
    // header back into a thunk makes it evaluate again from the start, which
    // for pure code is the same value or the same error. The blackholes of
    // a run are exactly the blackholes in the heap when it stops (runs do
    // not nest: `error`'s message is evaluated after the loop returns), so
    // one walk over the heap finds them; it costs time only on the error
    // path. For example, after `:set` a step limit, `n = length [1 ..]`
    // stops with the limit; `n` is a thunk again, and demanding it runs
    // until the limit again instead of reporting `<<loop>>`.

    /// Turns every blackhole back into its thunk.
    fn revert_blackholes(&mut self) {
        let mut at = 1;
        while at < self.heap.used_words() {
            let p = Ptr(at as u32);
            let h = self.heap.header(p);
            let kind = match h.kind {
                Kind::Blackhole => Some(Kind::Thunk),
                Kind::BlackholeNoUpd => Some(Kind::ThunkNoUpd),
                _ => None,
            };
            if let Some(kind) = kind {
                self.heap
                    .set_header(p, Header::new(kind, h.info, h.ptrs, h.nptrs));
            }
            at += h.size();
        }
    }

    // Note [The code table during a run]
    // ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    // The loop reads the current BCO's words on every instruction while it
    // mutates the heap, the stack and the statistics. Holding `&self.code`
    // across `&mut self` calls is not allowed, and sharing each BCO through
    // an `Rc` costs a reference-count update on every call and return
    // (measured: 6% of sum_stream). So `eval` moves the code table out of
    // the machine for the duration of the run (a three-word swap) and lends
    // it to the loop as a plain slice; nothing links during a run, and what
    // must evaluate again from inside it (`error`'s message) is handed back
    // as `Exit::Raise` and evaluated after the table is put back.

    /// `ENTER` (rule): a value returns itself; an indirection is followed;
    /// an updatable thunk is blackholed at once (eager blackholing) under
    /// an update frame and its code run with its free variables pushed; a
    /// non-updatable one is blackholed under a restore frame; a blackhole
    /// is `<<loop>>`.
    ///
    /// ```text
    ///   ENTER thunk t:  [..] t  ==>  [.. | t | UPDATE | fvs...], run t's code
    /// ```
    #[inline]
    fn enter(&mut self, p: Ptr) -> Run<Step> {
        let p = self.heap.follow(p);
        let h = self.heap.header(p);
        match h.kind {
            Kind::Con | Kind::Fun | Kind::Pap => Ok(self.ret(p)),
            Kind::Thunk | Kind::ThunkNoUpd => {
                // See Note [Blackholing non-updatable thunks].
                let (frame, hole) = if h.kind == Kind::Thunk {
                    (FRAME_UPDATE, Kind::Blackhole)
                } else {
                    (FRAME_UPDATE | RESTORE, Kind::BlackholeNoUpd)
                };
                self.stats.thunks_entered += 1;
                self.stack.reserve(2 + h.payload())?;
                self.stack.push_ptr(p);
                self.stack.push_word(frame);
                self.heap
                    .set_header(p, Header::new(hole, h.info, h.ptrs, h.nptrs));
                self.push_payload(p, h);
                Ok(Step::Go(h.info, 0))
            }
            Kind::Blackhole | Kind::BlackholeNoUpd => Err(RunError::Loop),
            Kind::Ind | Kind::Forward => unreachable!("followed / not during a run"),
        }
    }

    /// Pushes a closure's free variables (its payload, in order: the
    /// pointers, then the unboxed words).
    #[inline]
    fn push_payload(&mut self, p: Ptr, h: Header) {
        let payload = self
            .heap
            .payload(p, usize::from(h.ptrs) + usize::from(h.nptrs));
        self.stack.push_words(payload, usize::from(h.ptrs));
    }

    /// Returns the value `v` to the frame on top (rule): a case
    /// continuation gets it pushed; an update frame overwrites its thunk
    /// with an indirection to it and passes it on; a restore frame puts
    /// its thunk back; an apply frame applies it to the arguments below;
    /// the stop frame ends the run.
    ///
    /// ```text
    ///   [.. | CASE(b,l) ] v          ==>  [.. v], continue at (b, l)
    ///   [.. | thunk | UPDATE ] v     ==>  thunk := IND v;  [..] v
    ///   [.. | a_n..a_1 | APPLY n] f  ==>  APPLY n with f
    /// ```
    #[inline(always)]
    fn ret(&mut self, v: Ptr) -> Step {
        let v = self.heap.follow(v);
        loop {
            let frame = self.stack.pop();
            match frame & 3 {
                FRAME_CASE => {
                    self.stack.push_ptr(v);
                    return case_target(frame);
                }
                FRAME_UPDATE if frame & RESTORE != 0 => {
                    let t = self.stack.pop_ptr();
                    let h = self.heap.header(t);
                    self.heap
                        .set_header(t, Header::new(Kind::ThunkNoUpd, h.info, h.ptrs, h.nptrs));
                }
                FRAME_UPDATE => {
                    let t = self.stack.pop_ptr();
                    self.heap.update(t, v);
                    self.stats.thunks_updated += 1;
                }
                FRAME_APPLY => {
                    self.stack.push_ptr(v);
                    return Step::Apply((frame >> 2) as usize);
                }
                _ => return Step::Done(v),
            }
        }
    }

    /// `APPLY n` (rule, eval/apply): the function is on top, its `n`
    /// arguments below (argument 1 nearest the top).
    ///
    /// ```text
    ///   exact:        [a_n..a_1 f]        ==> run f's code on [a_n..a_1 fvs]
    ///   too few:      [a_n..a_1 f]        ==> return PAP(f, a_1..a_n)
    ///   too many:     [a_n..a_k+1 a_k..a_1 f] (arity k)
    ///                                     ==> [a_n..a_k+1 APPLY(n-k) a_k..a_1], run f
    ///   partial app.: [a_n..a_1 PAP(g, b_1..b_m)] ==> [a_n..a_1 b_m..b_1 g], APPLY n+m
    ///   unevaluated:  [a_n..a_1 f]        ==> [a_n..a_1 APPLY(n)], ENTER f
    /// ```
    fn apply(&mut self, code: &[Code], n: usize) -> Run<Step> {
        let f = self.heap.follow(self.stack.pop_ptr());
        let h = self.heap.header(f);
        match h.kind {
            Kind::Fun => {
                let arity = code[h.info as usize].arity;
                if n >= arity {
                    self.stats.calls += 1;
                }
                if n == arity {
                    self.stack.reserve(h.payload())?;
                    self.push_payload(f, h);
                    Ok(Step::Go(h.info, 0))
                } else if n < arity {
                    self.make_pap(code, f, n)
                } else {
                    // Slip an apply frame under the first `arity` arguments.
                    self.stack.reserve(h.payload() + 2)?;
                    let mut first = Vec::with_capacity(arity);
                    for _ in 0..arity {
                        let slot = self.stack.len() - 1;
                        let is_ptr = self.stack.is_pointer(slot);
                        first.push((self.stack.pop(), is_ptr));
                    }
                    self.stack
                        .push_word(FRAME_APPLY | ((n - arity) as u64) << 2);
                    for (w, is_ptr) in first.into_iter().rev() {
                        if is_ptr {
                            self.stack.push_ptr(Ptr::from_word(w));
                        } else {
                            self.stack.push_word(w);
                        }
                    }
                    self.push_payload(f, h);
                    Ok(Step::Go(h.info, 0))
                }
            }
            Kind::Pap => {
                // Payload: the function, the held pointer arguments, then the
                // held unboxed ones; the function's parameter list says how
                // they interleave.
                let g = self.heap.get_ptr(f, 0);
                let c = &code[self.heap.header(g).info as usize];
                let held = c.arity - h.info as usize;
                self.stack.reserve(held + 1)?;
                let (mut pi, mut wi) = (1usize, usize::from(h.ptrs));
                let mut words = Vec::with_capacity(held);
                for r in &c.params[..held] {
                    if *r == Rep::Ptr {
                        words.push((self.heap.get(f, pi), true));
                        pi += 1;
                    } else {
                        words.push((self.heap.get(f, wi), false));
                        wi += 1;
                    }
                }
                for (w, is_ptr) in words.into_iter().rev() {
                    if is_ptr {
                        self.stack.push_ptr(Ptr::from_word(w));
                    } else {
                        self.stack.push_word(w);
                    }
                }
                self.stack.push_ptr(g);
                self.apply(code, n + held)
            }
            Kind::Thunk | Kind::ThunkNoUpd | Kind::Blackhole | Kind::BlackholeNoUpd => {
                self.stack.reserve(1)?;
                self.stack.push_word(FRAME_APPLY | (n as u64) << 2);
                self.enter(f)
            }
            Kind::Con => Err(RunError::BadCode("APPLY of a constructor".into())),
            Kind::Ind | Kind::Forward => unreachable!("followed"),
        }
    }

    /// A partial application of `f` to the `n` arguments on top.
    fn make_pap(&mut self, code: &[Code], f: Ptr, n: usize) -> Run<Step> {
        let c = &code[self.heap.header(f).info as usize];
        let reps = &c.params[..n];
        let ptrs = reps.iter().filter(|r| **r == Rep::Ptr).count();
        // Keep `f` reachable across the allocation.
        self.stack.reserve(1)?;
        self.stack.push_ptr(f);
        let pap = self.alloc(Header::new(
            Kind::Pap,
            (c.arity - n) as u32,
            (1 + ptrs) as u16,
            (n - ptrs) as u16,
        ))?;
        let f = self.stack.pop_ptr();
        self.heap.set(pap, 0, f.word());
        let (mut pi, mut wi) = (1usize, 1 + ptrs);
        for (i, r) in reps.iter().enumerate() {
            let w = self.stack.peek(i);
            if *r == Rep::Ptr {
                self.heap.set(pap, pi, w);
                pi += 1;
            } else {
                self.heap.set(pap, wi, w);
                wi += 1;
            }
        }
        for _ in 0..n {
            self.stack.pop();
        }
        Ok(self.ret(pap))
    }

    /// The fuel and Ctrl-C: checked when control enters code (every call,
    /// apply and thunk entry) and on backward jumps (loops), so that no
    /// loop escapes them.
    #[inline]
    fn poll(&self) -> Run<()> {
        if self.stats.instructions > self.max_steps {
            return Err(RunError::StepLimit);
        }
        if self.interrupt.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(RunError::Interrupted);
        }
        Ok(())
    }

    /// The interpreter loop: enters `p` and runs until a value reaches the
    /// stop frame. `pc` is a word position in the current BCO `cur`; the
    /// instruction count is kept in a register and added to the statistics
    /// when the loop polls or leaves.
    fn run(&mut self, code: &[Code], p: Ptr, args: &[u64]) -> Run<Exit> {
        self.stack.reserve(2 + args.len())?;
        self.stack.push_word(FRAME_STOP);
        if !args.is_empty() {
            // `p` returns its value to an apply frame over the arguments
            // (see `apply`): the first argument nearest the top.
            for &a in args.iter().rev() {
                self.stack.push_ptr(Ptr::from_word(a));
            }
            self.stack.push_word(FRAME_APPLY | (args.len() as u64) << 2);
        }
        let mut steps: u64 = 0;
        // Instructions left before the step limit.
        let mut budget = self.max_steps.saturating_sub(self.stats.instructions);
        self.poll()?;
        let first = self.enter(p)?;
        // `words` is `cur.words`, kept apart so that its address and length
        // stay in registers (a load through `cur` is redone after every
        // store to the heap or stack, which might alias it for all the
        // compiler knows).
        let (mut bco, mut cur, mut words, mut pc): (u32, &Code, &[u16], usize);
        macro_rules! leave {
            ($r:expr) => {{
                self.stats.instructions += steps;
                return $r;
            }};
        }
        macro_rules! tri {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(e) => leave!(Err(e.into())),
                }
            };
        }
        macro_rules! poll {
            () => {
                if steps > budget || self.interrupt.load(std::sync::atomic::Ordering::Relaxed) {
                    self.stats.instructions += steps;
                    steps = 0;
                    self.poll()?;
                    budget = self.max_steps.saturating_sub(self.stats.instructions);
                }
            };
        }
        macro_rules! go {
            ($step:expr) => {{
                let mut step = $step;
                loop {
                    match step {
                        Step::Go(b, to) => {
                            bco = b;
                            cur = &code[b as usize];
                            words = &cur.words;
                            pc = to;
                            if to == 0 {
                                // Entering a BCO: run its STKCHECK here,
                                // without a dispatch.
                                steps += 1;
                                tri!(self.stack.reserve(wide(words, 1) as usize));
                                pc = 3;
                            }
                            break;
                        }
                        Step::Apply(n) => step = tri!(self.apply(code, n)),
                        Step::Done(v) => leave!(Ok(Exit::Value(v))),
                    }
                }
            }};
        }
        go!(first);
        loop {
            let w = words[pc];
            steps += 1;
            match w {
                op::STKCHECK => {
                    tri!(self.stack.reserve(wide(words, pc + 1) as usize));
                    pc += 3;
                }
                op::PUSH_L => {
                    self.stack.push_local(usize::from(words[pc + 1]));
                    pc += 2;
                }
                op::PUSH_LL => {
                    self.stack.push_local(usize::from(words[pc + 1]));
                    self.stack.push_local(usize::from(words[pc + 2]) + 1);
                    pc += 3;
                }
                op::PUSH_LLL => {
                    self.stack.push_local(usize::from(words[pc + 1]));
                    self.stack.push_local(usize::from(words[pc + 2]) + 1);
                    self.stack.push_local(usize::from(words[pc + 3]) + 2);
                    pc += 4;
                }
                op::PUSH_G => {
                    let g = cur.ptrs[usize::from(words[pc + 1])];
                    self.stack
                        .push_ptr(Ptr::from_word(self.globals[g as usize]));
                    pc += 2;
                }
                op::PUSH_INT | op::PUSH_DOUBLE | op::PUSH_CHAR => {
                    self.stack.push_word(cur.lits[wide(words, pc + 1) as usize]);
                    pc += 3;
                }
                op::SLIDE => {
                    let (k, d) = (words[pc + 1], words[pc + 2]);
                    self.stack.slide(usize::from(k), usize::from(d));
                    pc += 3;
                }
                op::PUSH_ALTS => {
                    let l = wide(words, pc + 1);
                    self.stack.push_word(case_frame(bco, l));
                    pc += 3;
                }
                op::PUSH_ALTS_UNLIFTED => {
                    let l = wide(words, pc + 1);
                    self.stack.push_word(case_frame(bco, l));
                    pc += 4;
                }
                op::EVAL => {
                    // PUSH_ALTS l; PUSH_L (o+1); ENTER, without the frame
                    // when the slot holds a value.
                    let p = self
                        .heap
                        .follow(self.stack.peek_ptr(usize::from(words[pc + 1])));
                    let l = wide(words, pc + 2);
                    match self.heap.header(p).kind {
                        Kind::Con | Kind::Fun | Kind::Pap => {
                            self.stack.push_ptr(p);
                            pc = l as usize;
                        }
                        _ => {
                            poll!();
                            self.stack.push_word(case_frame(bco, l));
                            go!(tri!(self.enter(p)));
                        }
                    }
                }
                op::ADD_I => {
                    self.stack.binary(|x, y| x.wrapping_add(y));
                    pc += 1;
                }
                op::SUB_I => {
                    self.stack.binary(|x, y| x.wrapping_sub(y));
                    pc += 1;
                }
                op::MUL_I => {
                    self.stack.binary(|x, y| x.wrapping_mul(y));
                    pc += 1;
                }
                op::EQ_I => {
                    self.stack.binary(|x, y| u64::from(x == y));
                    pc += 1;
                }
                op::NE_I => {
                    self.stack.binary(|x, y| u64::from(x != y));
                    pc += 1;
                }
                op::LT_I => {
                    self.stack.binary(|x, y| u64::from((x as i64) < y as i64));
                    pc += 1;
                }
                op::LE_I => {
                    self.stack.binary(|x, y| u64::from(x as i64 <= y as i64));
                    pc += 1;
                }
                op::GT_I => {
                    self.stack.binary(|x, y| u64::from(x as i64 > y as i64));
                    pc += 1;
                }
                op::GE_I => {
                    self.stack.binary(|x, y| u64::from(x as i64 >= y as i64));
                    pc += 1;
                }
                op::QUOT_I | op::REM_I => {
                    let (x, y) = (self.stack.peek(0) as i64, self.stack.peek(1) as i64);
                    if y == 0 {
                        leave!(Err(RunError::DivideByZero));
                    }
                    let r = if w == op::QUOT_I {
                        x.wrapping_div(y)
                    } else {
                        x.wrapping_rem(y)
                    };
                    self.stack.binary(|_, _| r as u64);
                    pc += 1;
                }
                op::IS_TRUE => {
                    let c = if self.stack.pop() != 0 {
                        ty::TRUE
                    } else {
                        ty::FALSE
                    };
                    let p = self.nullary(c);
                    self.stack.push_ptr(p);
                    pc += 1;
                }
                op::NEG_I => {
                    let x = self.stack.pop();
                    self.stack.push_word((x as i64).wrapping_neg() as u64);
                    pc += 1;
                }
                op::ENTER => {
                    poll!();
                    let p = self.stack.pop_ptr();
                    go!(tri!(self.enter(p)));
                }
                op::RETURN => {
                    let v = self.stack.pop_ptr();
                    go!(self.ret(v));
                }
                op::RETURN_UNLIFTED => {
                    let w = self.stack.pop();
                    let frame = self.stack.pop();
                    if frame & 3 != FRAME_CASE {
                        // Only mutated bytecode gets here; see Note [What
                        // the verifier cannot know] in `sloth_bco::verify`.
                        leave!(Err(RunError::BadCode(
                            "an unboxed value returns to a frame that is not a case".into()
                        )));
                    }
                    self.stack.push_word(w);
                    go!(case_target(frame));
                }
                op::APPLY => {
                    poll!();
                    let n = usize::from(words[pc + 1]);
                    go!(tri!(self.apply(code, n)));
                }
                op::CALL => {
                    // A known global function given exactly its arity: no
                    // evaluation, no arity check, no free variables.
                    poll!();
                    self.stats.calls += 1;
                    let g = cur.ptrs[usize::from(words[pc + 1])];
                    let f = Ptr::from_word(self.globals[g as usize]);
                    go!(Step::Go(self.heap.info(f), 0));
                }
                op::JMP => {
                    let l = wide(words, pc + 1) as usize;
                    // A jump to itself is a loop too (fuzzer finding: a
                    // mutated `JMP` hung the machine when this was `<`).
                    if l <= pc {
                        poll!();
                    }
                    pc = l;
                }
                op::ALLOC_AP | op::ALLOC_AP_NOUPD | op::ALLOC_PAP => {
                    let r = cur.ptrs[wide(words, pc + 1) as usize];
                    let c = &code[r as usize];
                    let kind = match w {
                        op::ALLOC_AP => Kind::Thunk,
                        op::ALLOC_AP_NOUPD => Kind::ThunkNoUpd,
                        _ => Kind::Fun,
                    };
                    if kind != Kind::Fun {
                        self.stats.thunks_allocated += 1;
                    }
                    let p = tri!(self.alloc(Header::new(kind, r, c.free_ptrs, c.free_words)));
                    self.stack.push_ptr(p);
                    pc += 3;
                }
                op::ALLOC_CON => {
                    let c = wide(words, pc + 1);
                    let l = &self.layouts[c as usize];
                    let p = tri!(self.alloc(Header::new(Kind::Con, c, l.ptrs, l.nptrs)));
                    self.stack.push_ptr(p);
                    pc += 3;
                }
                op::MKAP | op::MKPAP => {
                    let p = self.stack.peek_ptr(usize::from(words[pc + 1]));
                    let n = usize::from(words[pc + 2]);
                    for j in 0..n {
                        self.heap.set(p, j, self.stack.peek(n - 1 - j));
                    }
                    self.stack.truncate(self.stack.len() - n);
                    pc += 3;
                }
                op::MKCON => {
                    let p = self.stack.peek_ptr(usize::from(words[pc + 1]));
                    let n = usize::from(words[pc + 2]);
                    let c = self.heap.info(p) as usize;
                    for j in 0..n {
                        let slot = usize::from(self.layouts[c].slots[j].0);
                        self.heap.set(p, slot, self.stack.peek(n - 1 - j));
                    }
                    self.stack.truncate(self.stack.len() - n);
                    pc += 3;
                }
                op::PACK => {
                    let c = wide(words, pc + 1);
                    let n = usize::from(words[pc + 3]);
                    pc += 4;
                    if n == 0 {
                        let p = self.nullary(ConId(c));
                        self.stack.push_ptr(p);
                        continue;
                    }
                    let l = &self.layouts[c as usize];
                    let h = Header::new(Kind::Con, c, l.ptrs, l.nptrs);
                    // Every field is filled before anything else can
                    // allocate, so the payload needs no zeroing.
                    let p = tri!(self.alloc_filled(h));
                    let slots = &self.layouts[c as usize].slots;
                    for (j, &(slot, _)) in slots.iter().enumerate().take(n) {
                        self.heap.set(p, usize::from(slot), self.stack.peek(j));
                    }
                    self.stack.truncate(self.stack.len() - n);
                    self.stack.push_ptr(p);
                }
                op::UNPACK => {
                    // See Note [What the verifier cannot know] in
                    // `sloth_bco::verify`: one compare keeps a mistyped
                    // UNPACK from reading past a closure.
                    let c = wide(words, pc + 1);
                    let p = self.stack.peek_ptr(0);
                    let layout = &self.layouts[c as usize];
                    if self.heap.header_word(p) != layout.header {
                        leave!(Err(RunError::BadCode(format!(
                            "UNPACK of constructor {c} finds {:?}",
                            self.heap.header(p)
                        ))));
                    }
                    for &(slot, is_ptr) in layout.slots.iter().rev() {
                        let w = self.heap.get(p, usize::from(slot));
                        if is_ptr {
                            self.stack.push_ptr(Ptr::from_word(w));
                        } else {
                            self.stack.push_word(w);
                        }
                    }
                    pc += 3;
                }
                op::TESTLT_P | op::TESTEQ_P => {
                    let c = wide(words, pc + 1);
                    let tag = self.heap.info(self.stack.peek_ptr(0));
                    let fails = if w == op::TESTLT_P {
                        tag >= c
                    } else {
                        tag != c
                    };
                    pc = if fails {
                        wide(words, pc + 3) as usize
                    } else {
                        pc + 5
                    };
                }
                op::TESTLT_I..=op::TESTEQ_C => {
                    let x = cur.lits[wide(words, pc + 1) as usize];
                    let y = self.stack.peek(0);
                    let fails = match w {
                        op::TESTLT_I => y as i64 >= x as i64,
                        op::TESTLT_D => f64::from_bits(y) >= f64::from_bits(x),
                        op::TESTLT_C => y >= x,
                        op::TESTEQ_D => f64::from_bits(y) != f64::from_bits(x),
                        _ => y != x,
                    };
                    pc = if fails {
                        wide(words, pc + 3) as usize
                    } else {
                        pc + 5
                    };
                }
                op::CASEFAIL => {
                    let span = cur.spans[usize::from(words[pc + 1])];
                    leave!(Err(RunError::PatternFail(span)));
                }
                op::PRIM => {
                    // The hottest primops have opcodes of their own (see
                    // `asm::op::of_prim`); the rest, and every failure, go
                    // through `primops`.
                    let o = PrimOp::ALL[usize::from(words[pc + 1])];
                    pc += 2;
                    tri!(self.prim(o));
                }
                op::RAISE => {
                    let s = self.stack.pop_ptr();
                    leave!(Ok(Exit::Raise(s)));
                }
                _ => unreachable!("the verifier rejects bad opcodes"),
            }
        }
    }

    fn prim(&mut self, op: PrimOp) -> Run<()> {
        let n = prim_arity(op);
        let mut args = [0u64; 2];
        for (j, a) in args.iter_mut().enumerate().take(n) {
            *a = self.stack.peek(j);
        }
        let r = primops::apply(op, &args[..n]);
        match r {
            PrimResult::Word(w) => {
                self.stack.truncate(self.stack.len() - n);
                self.stack.push_word(w);
            }
            PrimResult::Bool(b) => {
                let c = if b { ty::TRUE } else { ty::FALSE };
                let p = self.nullary(c);
                self.stack.truncate(self.stack.len() - n);
                self.stack.push_ptr(p);
            }
            PrimResult::ShowDouble(d) => {
                let s = sloth_core::show::show_double(d);
                self.stack.truncate(self.stack.len() - n);
                let p = self.alloc_string(&s)?;
                self.stack.push_ptr(p);
            }
            PrimResult::DivideByZero => return Err(RunError::DivideByZero),
            PrimResult::BadChr(x) => return Err(RunError::BadChr(x)),
        }
        Ok(())
    }

    /// Field `i` of the constructor `p`: the word and whether it is a
    /// pointer.
    pub fn con_field(&self, p: Ptr, i: usize) -> (u64, bool) {
        let c = self.heap.header(p).info as usize;
        let (slot, is_ptr) = self.layouts[c].slots[i];
        (self.heap.get(p, usize::from(slot)), is_ptr)
    }

    /// Evaluates a `[Char]` fully (for `error`'s message).
    pub fn force_string(&mut self, s: Ptr) -> Run<String> {
        let mut out = String::new();
        self.stack.reserve(1)?;
        self.stack.push_ptr(s);
        loop {
            let cell = self.stack.pop_ptr();
            let cell = self.eval(cell)?;
            if self.heap.header(cell).info != ty::CONS.0 {
                return Ok(out);
            }
            self.stack.reserve(2)?;
            self.stack.push_ptr(self.heap.get_ptr(cell, 1));
            let c = self.eval(self.heap.get_ptr(cell, 0))?;
            out.extend(char::from_u32(self.heap.get(c, 0) as u32));
        }
    }
}

/// Where control goes next.
enum Step {
    /// Run BCO `.0` from word `.1`.
    Go(u32, usize),
    /// Apply the function on top to the `n` arguments below it.
    Apply(usize),
    /// The value reached the stop frame.
    Done(Ptr),
}

/// How a run ends without an error.
enum Exit {
    Value(Ptr),
    /// `RAISE`: `error` with this message, still to be evaluated.
    Raise(Ptr),
}

/// The two-word operand at `at`, low half first.
#[inline(always)]
fn wide(words: &[u16], at: usize) -> u32 {
    u32::from(words[at]) | u32::from(words[at + 1]) << 16
}

/// A case frame: continue in BCO `bco` at word `pc`.
#[inline(always)]
fn case_frame(bco: u32, pc: u32) -> u64 {
    u64::from(bco) << 32 | u64::from(pc) << 2 | FRAME_CASE
}

#[inline(always)]
fn case_target(frame: u64) -> Step {
    Step::Go((frame >> 32) as u32, ((frame >> 2) & 0x3fff_ffff) as usize)
}

fn prim_arity(op: PrimOp) -> usize {
    use PrimOp::*;
    match op {
        IntNeg | DoubleNeg | DoubleSqrt | DoubleExp | DoubleLog | DoubleSin | DoubleCos
        | DoubleTan | DoubleAtan | DoubleFloor | DoubleCeiling | DoubleRound | Int2Double
        | Double2Int | Ord | Chr | IsTrue | ShowDouble | Error => 1,
        _ => 2,
    }
}

fn lit_word(l: Lit) -> u64 {
    match l {
        Lit::Int(n) => n as u64,
        Lit::Double(d) => d.to_bits(),
        Lit::Char(c) => u64::from(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primop_arities_match_their_types() {
        for &p in PrimOp::ALL {
            assert_eq!(prim_arity(p), p.arity(), "{}", p.name());
        }
    }
}
