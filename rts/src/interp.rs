//! The linker and the interpreter: eval/apply over the heap and the stack.
//!
//! [`Machine::link`] adds a compiled unit to a running machine: its BCOs go
//! into the code table with their labels, globals and constructors resolved
//! to indices, and its top-level bindings become heap closures reachable
//! from the global table (a REPL links one line at a time). [`Machine::eval`]
//! evaluates a closure to weak head normal form.
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
use crate::heap::{Header, Heap, HeapExhausted, Kind, Ptr};
use crate::primops::{self, PrimResult};
use crate::stack::{Stack, StackOverflow};
use sloth_bco::compile::{Bco, StaticField, TopDef, Unit};
use sloth_bco::instr::{Instr, Label};
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
    /// `--gc-stress` found a broken heap: a bug in the machine.
    HeapCorrupt(String),
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

/// A linked BCO: labels resolved to instruction positions, globals to
/// global-table indices.
struct Code {
    /// Shared, so the interpreter loop can hold them while it mutates the
    /// machine.
    instrs: std::rc::Rc<[Instr]>,
    globals: std::rc::Rc<[u32]>,
    spans: Vec<Span>,
    arity: usize,
    params: Vec<Rep>,
    free_ptrs: u16,
    free_words: u16,
}

/// Where a constructor's fields live in its payload (pointers first).
#[derive(Clone, Default)]
struct ConLayout {
    ptrs: u16,
    nptrs: u16,
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
            layouts: Vec::new(),
            nullary: Vec::new(),
            stats: MachineStats::default(),
            max_steps: u64::MAX,
            gc_stress: false,
            interrupt: Default::default(),
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
        let mut roots = MachineRoots {
            stack: &mut self.stack,
            globals: &mut self.globals,
        };
        self.heap.collect(&mut roots, h.size())?;
        if self.gc_stress {
            self.heap.check(&mut roots).map_err(RunError::HeapCorrupt)?;
        }
        Ok(self.heap.alloc(h).expect("room after a collection"))
    }

    fn new_global(&mut self, w: u64) -> u32 {
        self.globals.push(w);
        (self.globals.len() - 1) as u32
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
            self.layouts.push(ConLayout {
                ptrs,
                nptrs: reps.len() as u16 - ptrs,
                slots,
            });
        }
        Ok(())
    }

    /// Adds a compiled unit: its code, then its top-level closures
    /// (allocated first, filled after, so they may refer to each other).
    pub fn link(&mut self, data: &DataEnv, unit: &Unit) -> Run<()> {
        self.layouts_for(data)?;
        for t in &unit.tops {
            let g = self.new_global(0);
            self.global_index.insert(t.unique, g);
        }
        let base = self.code.len() as u32;
        for b in &unit.bcos {
            let code = self.resolve(b, base);
            self.code.push(code);
        }
        for t in &unit.tops {
            let p = match &t.def {
                TopDef::Fun(b) => self.alloc(Header::new(Kind::Fun, base + b.0, 0, 0))?,
                TopDef::Thunk(b, updatable) => {
                    let kind = if *updatable {
                        Kind::Thunk
                    } else {
                        Kind::ThunkNoUpd
                    };
                    self.alloc(Header::new(kind, base + b.0, 0, 0))?
                }
                TopDef::Con(c, fields) if fields.is_empty() => self.nullary(*c),
                TopDef::Con(c, _) => {
                    let l = &self.layouts[c.0 as usize];
                    let h = Header::new(Kind::Con, c.0, l.ptrs, l.nptrs);
                    self.alloc(h)?
                }
                TopDef::String(s) => self.alloc_string(s)?,
            };
            let g = self.global_index[&t.unique];
            self.globals[g as usize] = p.word();
        }
        for t in &unit.tops {
            if let TopDef::Con(c, fields) = &t.def {
                let p = Ptr::from_word(self.globals[self.global_index[&t.unique] as usize]);
                let slots = self.layouts[c.0 as usize].slots.clone();
                for (f, (slot, _)) in fields.iter().zip(slots) {
                    let w = match f {
                        StaticField::Global(u) => self.globals[self.global_index[u] as usize],
                        StaticField::Lit(l) => lit_word(*l),
                    };
                    self.heap.set(p, usize::from(slot), w);
                }
            }
        }
        Ok(())
    }

    fn resolve(&mut self, b: &Bco, base: u32) -> Code {
        let mut positions = HashMap::new();
        let mut n = 0u32;
        for i in &b.instrs {
            match i {
                Instr::Label(l) => {
                    positions.insert(*l, Label(n));
                }
                _ => n += 1,
            }
        }
        let at = |l: &Label| positions[l];
        let instrs = b
            .instrs
            .iter()
            .filter(|i| !matches!(i, Instr::Label(_)))
            .map(|i| match i {
                Instr::PushAlts(l) => Instr::PushAlts(at(l)),
                Instr::PushAltsUnlifted(l, r) => Instr::PushAltsUnlifted(at(l), *r),
                Instr::Jmp(l) => Instr::Jmp(at(l)),
                Instr::TestLtP(c, l) => Instr::TestLtP(*c, at(l)),
                Instr::TestEqP(c, l) => Instr::TestEqP(*c, at(l)),
                Instr::TestLtI(x, l) => Instr::TestLtI(*x, at(l)),
                Instr::TestEqI(x, l) => Instr::TestEqI(*x, at(l)),
                Instr::TestLtD(x, l) => Instr::TestLtD(*x, at(l)),
                Instr::TestEqD(x, l) => Instr::TestEqD(*x, at(l)),
                Instr::TestLtC(x, l) => Instr::TestLtC(*x, at(l)),
                Instr::TestEqC(x, l) => Instr::TestEqC(*x, at(l)),
                Instr::AllocAp(r) => Instr::AllocAp(sloth_bco::instr::BcoRef(base + r.0)),
                Instr::AllocApNoupd(r) => Instr::AllocApNoupd(sloth_bco::instr::BcoRef(base + r.0)),
                Instr::AllocPap(r) => Instr::AllocPap(sloth_bco::instr::BcoRef(base + r.0)),
                other => *other,
            })
            .collect::<Vec<Instr>>()
            .into();
        let globals = b
            .globals
            .iter()
            .map(|u| match self.global_index.get(u) {
                Some(&g) => g,
                None => panic!("link error: global {u} of {} is not linked", b.name),
            })
            .collect::<Vec<u32>>()
            .into();
        let free_ptrs = b.free.iter().filter(|r| **r == Rep::Ptr).count() as u16;
        Code {
            instrs,
            globals,
            spans: b.spans.clone(),
            arity: b.params.len(),
            params: b.params.clone(),
            free_ptrs,
            free_words: b.free.len() as u16 - free_ptrs,
        }
    }

    // ---- evaluation ---------------------------------------------------------

    /// Evaluates the closure `p` to weak head normal form.
    pub fn eval(&mut self, p: Ptr) -> Run<Ptr> {
        let bottom = self.stack.len();
        let result = self.eval_inner(p);
        if result.is_err() {
            self.stack.truncate(bottom);
        }
        result
    }

    fn eval_inner(&mut self, p: Ptr) -> Run<Ptr> {
        self.stack.reserve(1)?;
        self.stack.push_word(FRAME_STOP);
        let mut at = match self.enter(p)? {
            Step::Done(v) => return Ok(v),
            Step::Go(bco, pc) => (bco, pc),
        };
        loop {
            match self.run(at)? {
                Step::Done(v) => return Ok(v),
                Step::Go(bco, pc) => at = (bco, pc),
            }
        }
    }

    /// `ENTER` (rule): a value returns itself; an indirection is followed;
    /// an updatable thunk is blackholed at once (eager blackholing) under
    /// an update frame and its code run with its free variables pushed; a
    /// non-updatable one just runs; a blackhole is `<<loop>>`.
    fn enter(&mut self, p: Ptr) -> Run<Step> {
        let p = self.heap.follow(p);
        let h = self.heap.header(p);
        match h.kind {
            Kind::Con | Kind::Fun | Kind::Pap => self.ret(p),
            Kind::Thunk => {
                self.stats.thunks_entered += 1;
                self.stack.reserve(2 + h.payload())?;
                self.stack.push_ptr(p);
                self.stack.push_word(FRAME_UPDATE);
                self.heap
                    .set_header(p, Header::new(Kind::Blackhole, h.info, h.ptrs, h.nptrs));
                self.push_payload(p, h);
                Ok(Step::Go(h.info, 0))
            }
            Kind::ThunkNoUpd => {
                // See Note [Blackholing non-updatable thunks].
                self.stats.thunks_entered += 1;
                self.stack.reserve(2 + h.payload())?;
                self.stack.push_ptr(p);
                self.stack.push_word(FRAME_UPDATE | RESTORE);
                self.heap
                    .set_header(p, Header::new(Kind::Blackhole, h.info, h.ptrs, h.nptrs));
                self.push_payload(p, h);
                Ok(Step::Go(h.info, 0))
            }
            Kind::Blackhole => Err(RunError::Loop),
            Kind::Ind | Kind::Forward => unreachable!("followed / not during a run"),
        }
    }

    /// Pushes a closure's free variables (its payload, in order).
    fn push_payload(&mut self, p: Ptr, h: Header) {
        for i in 0..usize::from(h.ptrs) {
            self.stack.push_ptr(self.heap.get_ptr(p, i));
        }
        for i in 0..usize::from(h.nptrs) {
            self.stack
                .push_word(self.heap.get(p, usize::from(h.ptrs) + i));
        }
    }

    /// Returns the value `v` to the frame on top (rule): a case
    /// continuation gets it pushed; an update frame overwrites its thunk
    /// with an indirection to it and passes it on; an apply frame applies
    /// it to the arguments below; the stop frame ends `eval`.
    ///
    /// ```text
    ///   [.. | thunk | UPDATE ] v   ==>  thunk := IND v;  [..] v
    ///   [.. | a_n..a_1 | APPLY n] f ==> APPLY n with f
    /// ```
    fn ret(&mut self, v: Ptr) -> Run<Step> {
        let v = self.heap.follow(v);
        loop {
            let frame = self.stack.pop();
            match frame & 3 {
                FRAME_CASE => {
                    self.stack.push_ptr(v);
                    return Ok(Step::Go(
                        (frame >> 32) as u32,
                        ((frame >> 2) & 0x3fff_ffff) as usize,
                    ));
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
                    return self.apply((frame >> 2) as usize);
                }
                _ => return Ok(Step::Done(v)),
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
    fn apply(&mut self, n: usize) -> Run<Step> {
        let f = self.heap.follow(self.stack.pop_ptr());
        let h = self.heap.header(f);
        match h.kind {
            Kind::Fun => {
                let code = &self.code[h.info as usize];
                let arity = code.arity;
                if n == arity {
                    self.stack.reserve(h.payload())?;
                    self.push_payload(f, h);
                    Ok(Step::Go(h.info, 0))
                } else if n < arity {
                    self.make_pap(f, n)
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
                let code = &self.code[self.heap.header(g).info as usize];
                let held = code.arity - h.info as usize;
                let reps: Vec<Rep> = code.params[..held].to_vec();
                self.stack.reserve(held + 1)?;
                let (mut pi, mut wi) = (1usize, usize::from(h.ptrs));
                let mut words = Vec::with_capacity(held);
                for r in &reps {
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
                self.apply(n + held)
            }
            Kind::Thunk | Kind::ThunkNoUpd | Kind::Blackhole => {
                self.stack.reserve(1)?;
                self.stack.push_word(FRAME_APPLY | (n as u64) << 2);
                self.enter(f)
            }
            Kind::Con => panic!("applying a constructor: ill-typed code"),
            Kind::Ind | Kind::Forward => unreachable!("followed"),
        }
    }

    /// A partial application of `f` to the `n` arguments on top.
    fn make_pap(&mut self, f: Ptr, n: usize) -> Run<Step> {
        let arity = self.code[self.heap.header(f).info as usize].arity;
        let reps: Vec<Rep> = self.code[self.heap.header(f).info as usize].params[..n].to_vec();
        let ptrs = reps.iter().filter(|r| **r == Rep::Ptr).count();
        // Keep `f` reachable across the allocation.
        self.stack.reserve(1)?;
        self.stack.push_ptr(f);
        let pap = self.alloc(Header::new(
            Kind::Pap,
            (arity - n) as u32,
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
        self.ret(pap)
    }

    /// Runs code from `(bco, pc)` until control leaves it.
    fn run(&mut self, at: (u32, usize)) -> Run<Step> {
        self.poll()?;
        let mut steps = 0;
        let r = self.run_block(at, &mut steps);
        self.stats.instructions += steps;
        r
    }

    /// The fuel and Ctrl-C: checked when control enters code (every call
    /// and return) and on backward jumps (loops), so that no loop escapes
    /// them.
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

    /// The instruction count is kept in a register between polls.
    fn run_block(&mut self, (bco, mut pc): (u32, usize), steps: &mut u64) -> Run<Step> {
        let instrs = self.code[bco as usize].instrs.clone();
        let globals = self.code[bco as usize].globals.clone();
        loop {
            *steps += 1;
            let ins = instrs[pc];
            pc += 1;
            match ins {
                Instr::Label(_) => {}
                Instr::StkCheck(n) => self.stack.reserve(n as usize)?,
                Instr::PushL(o) => self.stack.push_local(usize::from(o)),
                Instr::PushLL(a, b) => {
                    self.stack.push_local(usize::from(a));
                    self.stack.push_local(usize::from(b) + 1);
                }
                Instr::PushLLL(a, b, c) => {
                    self.stack.push_local(usize::from(a));
                    self.stack.push_local(usize::from(b) + 1);
                    self.stack.push_local(usize::from(c) + 2);
                }
                Instr::PushG(g) => {
                    let w = self.globals[globals[usize::from(g.0)] as usize];
                    self.stack.push_ptr(Ptr::from_word(w));
                }
                Instr::PushInt(n) => self.stack.push_word(n as u64),
                Instr::PushDouble(d) => self.stack.push_word(d.to_bits()),
                Instr::PushChar(c) => self.stack.push_word(u64::from(c)),
                Instr::Slide(k, d) => self.stack.slide(usize::from(k), usize::from(d)),
                Instr::PushAlts(l) | Instr::PushAltsUnlifted(l, _) => {
                    self.stack
                        .push_word(u64::from(bco) << 32 | (l.0 as u64) << 2 | FRAME_CASE);
                }
                Instr::Enter => {
                    let p = self.stack.pop_ptr();
                    return self.enter(p);
                }
                Instr::Return => {
                    let v = self.stack.pop_ptr();
                    return self.ret(v);
                }
                Instr::ReturnUnlifted(_) => {
                    let w = self.stack.pop();
                    let frame = self.stack.pop();
                    debug_assert_eq!(frame & 3, FRAME_CASE, "an unboxed value returns to a case");
                    self.stack.push_word(w);
                    return Ok(Step::Go(
                        (frame >> 32) as u32,
                        ((frame >> 2) & 0x3fff_ffff) as usize,
                    ));
                }
                Instr::Apply(n) => return self.apply(usize::from(n)),
                Instr::Call(g, _) => {
                    let f = Ptr::from_word(self.globals[globals[usize::from(g.0)] as usize]);
                    let h = self.heap.header(f);
                    return Ok(Step::Go(h.info, 0));
                }
                Instr::Jmp(l) => {
                    if (l.0 as usize) < pc {
                        self.stats.instructions += std::mem::take(steps);
                        self.poll()?;
                    }
                    pc = l.0 as usize;
                }
                Instr::AllocAp(r) | Instr::AllocApNoupd(r) | Instr::AllocPap(r) => {
                    let c = &self.code[r.0 as usize];
                    let kind = match ins {
                        Instr::AllocAp(_) => Kind::Thunk,
                        Instr::AllocApNoupd(_) => Kind::ThunkNoUpd,
                        _ => Kind::Fun,
                    };
                    if kind != Kind::Fun {
                        self.stats.thunks_allocated += 1;
                    }
                    let h = Header::new(kind, r.0, c.free_ptrs, c.free_words);
                    let p = self.alloc(h)?;
                    self.stack.push_ptr(p);
                }
                Instr::AllocCon(c) => {
                    let l = &self.layouts[c.0 as usize];
                    let p = self.alloc(Header::new(Kind::Con, c.0, l.ptrs, l.nptrs))?;
                    self.stack.push_ptr(p);
                }
                Instr::MkAp(o, n) | Instr::MkPap(o, n) => {
                    let p = self.stack.peek_ptr(usize::from(o));
                    let n = usize::from(n);
                    for j in 0..n {
                        self.heap.set(p, j, self.stack.peek(n - 1 - j));
                    }
                    self.stack.truncate(self.stack.len() - n);
                }
                Instr::MkCon(o, n) => {
                    let p = self.stack.peek_ptr(usize::from(o));
                    let n = usize::from(n);
                    let c = self.heap.header(p).info as usize;
                    for j in 0..n {
                        let slot = usize::from(self.layouts[c].slots[j].0);
                        self.heap.set(p, slot, self.stack.peek(n - 1 - j));
                    }
                    self.stack.truncate(self.stack.len() - n);
                }
                Instr::Pack(c, 0) => {
                    let p = self.nullary(c);
                    self.stack.push_ptr(p);
                }
                Instr::Pack(c, n) => {
                    let l = &self.layouts[c.0 as usize];
                    let h = Header::new(Kind::Con, c.0, l.ptrs, l.nptrs);
                    let p = self.alloc(h)?;
                    let n = usize::from(n);
                    for j in 0..n {
                        let slot = usize::from(self.layouts[c.0 as usize].slots[j].0);
                        self.heap.set(p, slot, self.stack.peek(j));
                    }
                    self.stack.truncate(self.stack.len() - n);
                    self.stack.push_ptr(p);
                }
                Instr::Unpack(n) => {
                    let p = self.stack.peek_ptr(0);
                    let c = self.heap.header(p).info as usize;
                    for j in (0..usize::from(n)).rev() {
                        let (slot, is_ptr) = self.layouts[c].slots[j];
                        let w = self.heap.get(p, usize::from(slot));
                        if is_ptr {
                            self.stack.push_ptr(Ptr::from_word(w));
                        } else {
                            self.stack.push_word(w);
                        }
                    }
                }
                Instr::TestLtP(c, l) => {
                    if self.heap.header(self.stack.peek_ptr(0)).info >= c.0 {
                        pc = l.0 as usize;
                    }
                }
                Instr::TestEqP(c, l) => {
                    if self.heap.header(self.stack.peek_ptr(0)).info != c.0 {
                        pc = l.0 as usize;
                    }
                }
                Instr::TestLtI(x, l) => {
                    if (self.stack.peek(0) as i64) >= x {
                        pc = l.0 as usize;
                    }
                }
                Instr::TestEqI(x, l) => {
                    if self.stack.peek(0) as i64 != x {
                        pc = l.0 as usize;
                    }
                }
                Instr::TestLtD(x, l) => {
                    if f64::from_bits(self.stack.peek(0)) >= x {
                        pc = l.0 as usize;
                    }
                }
                Instr::TestEqD(x, l) => {
                    if f64::from_bits(self.stack.peek(0)) != x {
                        pc = l.0 as usize;
                    }
                }
                Instr::TestLtC(x, l) => {
                    if self.stack.peek(0) >= u64::from(x) {
                        pc = l.0 as usize;
                    }
                }
                Instr::TestEqC(x, l) => {
                    if self.stack.peek(0) != u64::from(x) {
                        pc = l.0 as usize;
                    }
                }
                Instr::CaseFail(s) => {
                    let span = self.code[bco as usize].spans[usize::from(s.0)];
                    return Err(RunError::PatternFail(span));
                }
                Instr::Prim(op) => self.prim(op)?,
                Instr::Raise => {
                    let s = self.stack.pop_ptr();
                    return Err(match self.force_string(s) {
                        Ok(msg) => RunError::User(msg),
                        Err(e) => e,
                    });
                }
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
    Go(u32, usize),
    Done(Ptr),
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
