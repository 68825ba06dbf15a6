//! StgToBCO: STG closures to bytecode objects.
//!
//! Every function and thunk body becomes a [`Bco`]; top-level bindings
//! become [`Top`]s the linker turns into heap closures. The compiler
//! allocates stack slots statically: it tracks the stack depth at every
//! instruction and where each variable lives, so every operand is an offset
//! from the top. See Note [Stack layout] and Note [Tail position].
//!
//! What it produces per construct:
//!
//! * `let`: constructors by `PACK`; functions and thunks by `ALLOC_PAP` /
//!   `ALLOC_AP` then `MKPAP` / `MKAP` with their free variables; a
//!   `letrec` allocates every closure first and fills them after, which
//!   ties the knots (`ALLOC_CON` + `MKCON` for recursive constructors).
//! * `case`: a primop scrutinee runs inline (no frame: unboxed arithmetic
//!   stays on the stack); otherwise `PUSH_ALTS` + the scrutinee's code;
//!   alternatives are chosen by a bisecting tree of `TESTLT`/`TESTEQ`.
//! * calls: arguments pushed last first, then `CALL` for a known global
//!   function given exactly its arity, `APPLY` otherwise.
//! * join points: labels in the same BCO; a jump slides the stack down to
//!   the join point's depth and `JMP`s.
//!
//! The module knows STG and the instruction set, not the heap layout or
//! the encoding. Read next: `verify`.

use crate::instr::{BcoRef, GlobalRef, Instr, Label, Offset, SpanRef};
use sloth_core::primop::PrimOp;
use sloth_core::session::deep;
use sloth_core::source::Span;
use sloth_core::token::Symbol;
use sloth_core::types::{self as ty, ConId, DataEnv, Unique};
use sloth_stg::lower::{GlobalInfo, GlobalKind};
use sloth_stg::syntax::{self as stg, AltCon, AltType, Atom, Expr, Rep, Rhs, UpdateFlag};
use std::collections::HashMap;

// Note [Stack layout]
// ~~~~~~~~~~~~~~~~~~~
// On entry to a BCO the stack holds its arguments, pushed last first (so
// argument 1 is nearer the top), and above them the closure's free
// variables, pushed in payload order (the last one on top):
//
//        top ->  fv_k
//                ...
//                fv_1
//                a_1
//                ...
//     base ->    a_n
//
// The compiler numbers slots from the base (a_n is slot 0) and keeps the
// current depth d; a variable in slot s is at offset d - 1 - s.

// Note [Tail position]
// ~~~~~~~~~~~~~~~~~~~~
// Code in tail position ends by handing over control — RETURN, ENTER,
// APPLY, CALL, or a JMP to a join point — after sliding away every slot it
// owns, so that the frame the value returns to (or the caller's frame) is
// on top. What it owns is everything above its *base*: for a BCO's body
// the base is the bottom (its arguments and free variables die with the
// call); for a case scrutinee the base is just above the PUSH_ALTS frame
// (the slots below the frame belong to the alternatives, which run after
// the value returns). For example, in a body of depth 3
//
//     case f x of r { __DEFAULT -> r }
//
// is  PUSH_ALTS L; PUSH_L x; PUSH_G f; SLIDE 2 0; APPLY 1;
//     L: (r on top, depth 4) PUSH_L 0; SLIDE 1 4; RETURN

/// A bytecode object: the code of one function or thunk.
#[derive(Clone, Debug)]
pub struct Bco {
    /// For dumps and error messages: `f`, `f/sat1`.
    pub name: String,
    /// Argument representations, argument 1 first (empty for a thunk).
    pub params: Vec<Rep>,
    /// Free variables in payload order: pointers first.
    pub free: Vec<Rep>,
    pub instrs: Vec<Instr>,
    /// `GlobalRef` i is the global with this unique.
    pub globals: Vec<Unique>,
    /// `SpanRef` i is this source position.
    pub spans: Vec<Span>,
}

impl Bco {
    pub fn arity(&self) -> usize {
        self.params.len()
    }
}

/// A top-level binding, as the linker will build it.
#[derive(Clone, Debug)]
pub struct Top {
    pub unique: Unique,
    pub name: Symbol,
    pub def: TopDef,
}

#[derive(Clone, Debug)]
pub enum TopDef {
    /// A function without free variables.
    Fun(BcoRef),
    /// A CAF; `updatable` is false under call-by-name.
    Thunk(BcoRef, bool),
    /// A static constructor.
    Con(ConId, Vec<StaticField>),
    /// A string literal, unpacked on demand.
    String(Symbol),
}

#[derive(Clone, Debug)]
pub enum StaticField {
    Global(Unique),
    Lit(stg::Lit),
}

/// A compiled unit: its BCOs and its top-level bindings.
#[derive(Clone, Debug, Default)]
pub struct Unit {
    pub bcos: Vec<Bco>,
    pub tops: Vec<Top>,
    /// BCOs whose stack offsets, counts or tables outgrew the 16-bit
    /// operands (see [`TooLarge`]); the linker refuses such a unit.
    pub too_large: Vec<TooLarge>,
}

/// A BCO the instruction set cannot express: a count or index above
/// 65,535 (the operands are 16-bit, like GHC's without its large-operand
/// forms). The front end keeps ordinary programs far below (Note [Long
/// list literals] in `sloth_core::infer`); this is what a pathological one
/// gets instead of wrong code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooLarge {
    pub bco: String,
    /// What overflowed: "stack offset", "arguments", ...
    pub what: &'static str,
    pub value: usize,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is too large to compile: it needs {} {}s, more than the 65,535 the bytecode can address; split it into smaller definitions",
            self.bco, self.value, self.what
        )
    }
}

/// Compiles a lowered program. `globals` is what the lowering knows of
/// every global (arities, for direct calls).
pub fn compile_program(
    data: &DataEnv,
    globals: &HashMap<Unique, GlobalInfo>,
    p: &stg::Program,
) -> Unit {
    let mut unit = Unit::default();
    for b in &p.binds {
        let def = match &b.rhs {
            Rhs::Con(c, args) => TopDef::Con(
                *c,
                args.iter()
                    .map(|a| match a {
                        Atom::Var(v) => StaticField::Global(v.unique),
                        Atom::Lit(l) => StaticField::Lit(*l),
                    })
                    .collect(),
            ),
            Rhs::String(s) => TopDef::String(s.clone()),
            Rhs::Fun(c) => TopDef::Fun(compile_closure(data, globals, &mut unit, &b.var.name, c)),
            Rhs::Thunk(c, flag) => TopDef::Thunk(
                compile_closure(data, globals, &mut unit, &b.var.name, c),
                *flag != UpdateFlag::ReEntrant,
            ),
        };
        unit.tops.push(Top {
            unique: b.var.unique,
            name: b.var.name.clone(),
            def,
        });
    }
    unit
}

/// The free variables of a closure in payload order: pointers first.
pub fn payload_order(free: &[stg::Var]) -> Vec<stg::Var> {
    let mut v: Vec<stg::Var> = free.iter().filter(|x| x.rep == Rep::Ptr).cloned().collect();
    v.extend(free.iter().filter(|x| x.rep != Rep::Ptr).cloned());
    v
}

fn compile_closure(
    data: &DataEnv,
    globals: &HashMap<Unique, GlobalInfo>,
    unit: &mut Unit,
    name: &str,
    c: &stg::Closure,
) -> BcoRef {
    // Reserve the index first: nested closures are compiled while this one
    // is, and take the indices after it.
    let index = unit.bcos.len();
    unit.bcos.push(Bco {
        name: name.to_string(),
        params: vec![],
        free: vec![],
        instrs: vec![],
        globals: vec![],
        spans: vec![],
    });
    let free = payload_order(&c.free);
    let mut cx = Cx {
        data,
        globals,
        unit,
        name: name.to_string(),
        instrs: Vec::new(),
        global_refs: HashMap::new(),
        global_list: Vec::new(),
        spans: Vec::new(),
        slots: HashMap::new(),
        depth: 0,
        max_depth: 0,
        labels: 0,
        joins: HashMap::new(),
        nested: HashMap::new(),
        too_large: std::cell::Cell::new(None),
    };
    for p in c.params.iter().rev() {
        cx.bind_new(p);
    }
    for v in &free {
        cx.bind_new(v);
    }
    cx.tail(&c.body, 0);
    if let Some((what, value)) = cx.too_large.get() {
        cx.unit.too_large.push(TooLarge {
            bco: name.to_string(),
            what,
            value,
        });
    }
    let mut instrs = vec![Instr::StkCheck(cx.max_depth)];
    fuse_pushes(&fuse_evals(&cx.instrs), &mut instrs);
    let bco = Bco {
        name: name.to_string(),
        params: c.params.iter().map(|p| p.rep).collect(),
        free: free.iter().map(|v| v.rep).collect(),
        instrs,
        globals: cx.global_list,
        spans: cx.spans,
    };
    cx.unit.bcos[index] = bco;
    BcoRef(index as u32)
}

/// `PUSH_ALTS l; PUSH_L o; ENTER` becomes `EVAL (o-1) l`: one dispatch
/// instead of three, and no frame or return when the slot is already a
/// value (most scrutinees are: an argument forced before, a field of an
/// evaluated constructor). `o` counted the frame word; `EVAL`'s offset is
/// counted before it.
fn fuse_evals(from: &[Instr]) -> Vec<Instr> {
    let mut out = Vec::with_capacity(from.len());
    let mut i = 0;
    while i < from.len() {
        if let [Instr::PushAlts(l), Instr::PushL(o), Instr::Enter, ..] = from[i..] {
            if o >= 1 {
                out.push(Instr::Eval(o - 1, l));
                i += 3;
                continue;
            }
        }
        out.push(from[i]);
        i += 1;
    }
    out
}

/// Copies `from` to `to`, fusing runs of `PUSH_L` into `PUSH_LL` and
/// `PUSH_LLL` (one dispatch instead of two or three). Their offsets are all
/// counted before the first push, so a later `PUSH_L` is re-based: `PUSH_L
/// x; PUSH_L y` is `PUSH_LL x (y-1)`, or `PUSH_LL x x` when `y` is 0 (the
/// copy just pushed).
fn fuse_pushes(from: &[Instr], to: &mut Vec<Instr>) {
    let mut i = 0;
    while i < from.len() {
        let Instr::PushL(x) = from[i] else {
            to.push(from[i]);
            i += 1;
            continue;
        };
        // Offsets of the following pushes, re-based to before the first.
        let rebase = |pushed: u16, o: u16, earlier: &[u16]| {
            if o >= pushed {
                o - pushed
            } else {
                earlier[usize::from(pushed - 1 - o)]
            }
        };
        let mut run = vec![x];
        while run.len() < 3 {
            let Some(Instr::PushL(o)) = from.get(i + run.len()) else {
                break;
            };
            let o = rebase(run.len() as u16, *o, &run);
            run.push(o);
        }
        to.push(match run[..] {
            [a] => Instr::PushL(a),
            [a, b] => Instr::PushLL(a, b),
            [a, b, c] => Instr::PushLLL(a, b, c),
            _ => unreachable!(),
        });
        i += run.len();
    }
}

/// Where a join point's code is and what its stack looks like on arrival.
#[derive(Clone, Copy)]
struct JoinInfo {
    label: Label,
    /// The depth at which the join point was bound (its parameters go on
    /// top of that).
    depth: u32,
    arity: usize,
}

/// The state of compiling one BCO.
struct Cx<'a> {
    data: &'a DataEnv,
    globals: &'a HashMap<Unique, GlobalInfo>,
    unit: &'a mut Unit,
    name: String,
    instrs: Vec<Instr>,
    global_refs: HashMap<Unique, GlobalRef>,
    global_list: Vec<Unique>,
    spans: Vec<Span>,
    /// Each local's slot, counted from the base.
    slots: HashMap<Unique, u32>,
    depth: u32,
    max_depth: u32,
    labels: u32,
    joins: HashMap<Unique, JoinInfo>,
    /// How many nested closures of each name this BCO has (to name them
    /// distinctly: `f/sat`, `f/sat1`).
    nested: HashMap<String, u32>,
    /// The first operand that did not fit 16 bits.
    too_large: std::cell::Cell<Option<(&'static str, usize)>>,
}

impl Cx<'_> {
    /// `n` as a 16-bit operand; a larger `n` is recorded (the unit will
    /// not link) and 0 returned.
    fn narrow(&self, n: usize, what: &'static str) -> u16 {
        u16::try_from(n).unwrap_or_else(|_| {
            if self.too_large.get().is_none() {
                self.too_large.set(Some((what, n)));
            }
            0
        })
    }

    fn emit(&mut self, i: Instr) {
        self.instrs.push(i);
    }

    fn push_depth(&mut self, n: u32) {
        self.depth += n;
        self.max_depth = self.max_depth.max(self.depth);
    }

    fn pop_depth(&mut self, n: u32) {
        self.depth -= n;
    }

    /// Binds `v` to the slot just pushed.
    fn bind_top(&mut self, v: &stg::Var) {
        self.slots.insert(v.unique, self.depth - 1);
    }

    /// Binds `v` to a new slot (at entry: arguments and free variables).
    fn bind_new(&mut self, v: &stg::Var) {
        self.push_depth(1);
        self.bind_top(v);
    }

    fn new_label(&mut self) -> Label {
        self.labels += 1;
        Label(self.labels - 1)
    }

    fn offset(&self, v: &stg::Var) -> Option<Offset> {
        self.slots
            .get(&v.unique)
            .map(|&s| self.narrow((self.depth - 1 - s) as usize, "stack slot"))
    }

    fn global(&mut self, u: Unique) -> GlobalRef {
        if let Some(&g) = self.global_refs.get(&u) {
            return g;
        }
        let g = GlobalRef(self.narrow(self.global_list.len(), "global"));
        self.global_list.push(u);
        self.global_refs.insert(u, g);
        g
    }

    // ---- pushing atoms ---------------------------------------------------

    fn push_atom(&mut self, a: &Atom) {
        match a {
            Atom::Lit(stg::Lit::Int(n)) => self.emit(Instr::PushInt(*n)),
            Atom::Lit(stg::Lit::Double(d)) => self.emit(Instr::PushDouble(*d)),
            Atom::Lit(stg::Lit::Char(c)) => self.emit(Instr::PushChar(*c)),
            Atom::Var(v) => match self.offset(v) {
                Some(o) => self.emit(Instr::PushL(o)),
                None => {
                    let g = self.global(v.unique);
                    self.emit(Instr::PushG(g));
                }
            },
        }
        self.push_depth(1);
    }

    /// Pushes atoms so that the first ends on top.
    fn push_args(&mut self, args: &[Atom]) {
        for a in args.iter().rev() {
            self.push_atom(a);
        }
    }

    /// `SLIDE keep (depth - keep - base)`: leaves the top `keep` words
    /// right above `base`.
    fn slide_to(&mut self, keep: u32, base: u32) {
        let drop = self.depth - keep - base;
        if drop > 0 {
            let slide = Instr::Slide(
                self.narrow(keep as usize, "stack slot"),
                self.narrow(drop as usize, "stack slot"),
            );
            self.emit(slide);
            self.pop_depth(drop);
        }
    }

    // ---- tail position ---------------------------------------------------

    /// Compiles `e` in tail position above `base` (Note [Tail position]).
    /// Leaves `depth` as it was on entry (the code after it is unreachable
    /// and another path sets the depth).
    fn tail(&mut self, e: &Expr, base: u32) {
        let depth = self.depth;
        deep(|| self.tail_inner(e, base));
        self.depth = depth;
    }

    fn tail_inner(&mut self, e: &Expr, base: u32) {
        match e {
            Expr::Atom(Atom::Var(v)) if v.rep == Rep::Ptr => {
                self.push_atom(&Atom::Var(v.clone()));
                self.slide_to(1, base);
                self.emit(Instr::Enter);
            }
            Expr::Atom(a) => {
                self.push_atom(a);
                self.slide_to(1, base);
                self.emit(Instr::ReturnUnlifted(a.rep()));
            }
            Expr::App(f, args) => {
                self.push_args(args);
                let known = match self.offset(f) {
                    Some(_) => None,
                    None => match self.globals.get(&f.unique).map(|g| g.kind) {
                        Some(GlobalKind::Fun(n)) if n == args.len() => Some(n),
                        _ => None,
                    },
                };
                match known {
                    Some(n) => {
                        self.slide_to(n as u32, base);
                        let g = self.global(f.unique);
                        let n = self.narrow(n, "argument");
                        self.emit(Instr::Call(g, n));
                    }
                    None => {
                        self.push_atom(&Atom::Var(f.clone()));
                        self.slide_to(args.len() as u32 + 1, base);
                        let n = self.narrow(args.len(), "argument");
                        self.emit(Instr::Apply(n));
                    }
                }
            }
            Expr::Con(..) | Expr::Prim(..) => {
                let rep = self.value(e);
                self.slide_to(1, base);
                self.emit(match rep {
                    Rep::Ptr => Instr::Return,
                    r => Instr::ReturnUnlifted(r),
                });
            }
            Expr::Jump(j, args) => {
                let info = self.joins[&j.unique];
                self.push_args(args);
                self.slide_to(info.arity as u32, info.depth);
                self.emit(Instr::Jmp(info.label));
            }
            Expr::Case(c) => self.case(c, base),
            Expr::Let(b, body) => {
                self.let_(std::slice::from_ref(b), false);
                self.tail(body, base);
            }
            Expr::LetRec(bs, body) => {
                self.let_(bs, true);
                self.tail(body, base);
            }
            Expr::LetJoin(g) => {
                let depth = self.depth;
                let infos: Vec<JoinInfo> = g
                    .joins
                    .iter()
                    .map(|j| JoinInfo {
                        label: self.new_label(),
                        depth,
                        arity: j.params.len(),
                    })
                    .collect();
                let outer = self.joins.clone();
                for (j, info) in g.joins.iter().zip(&infos) {
                    self.joins.insert(j.var.unique, *info);
                }
                // The body first; the join points' code follows it. Their
                // bodies see each other only in a recursive group.
                self.tail(&g.body, base);
                if !g.recursive {
                    self.joins.clone_from(&outer);
                }
                for (j, info) in g.joins.iter().zip(&infos) {
                    self.emit(Instr::Label(info.label));
                    self.depth = depth;
                    for p in j.params.iter().rev() {
                        self.bind_new(p);
                    }
                    self.tail(&j.body, base);
                }
                self.joins = outer;
            }
        }
    }

    /// Computes a constructor or primop application onto the stack (one
    /// word) and returns its representation.
    fn value(&mut self, e: &Expr) -> Rep {
        match e {
            Expr::Con(c, args) => {
                self.push_args(args);
                let n = self.narrow(args.len(), "field");
                self.emit(Instr::Pack(*c, n));
                self.pop_depth(args.len() as u32);
                self.push_depth(1);
                Rep::Ptr
            }
            Expr::Prim(PrimOp::Error, args) => {
                self.push_args(args);
                self.emit(Instr::Raise);
                Rep::Ptr
            }
            Expr::Prim(p, args) => {
                self.push_args(args);
                self.emit(Instr::Prim(*p));
                self.pop_depth(args.len() as u32);
                self.push_depth(1);
                let (_, result) = p.ty().split_foralls().1.split_funs();
                sloth_stg::lower::rep_of(&result)
            }
            _ => unreachable!("value of a non-application"),
        }
    }

    // ---- let -----------------------------------------------------------------

    fn let_(&mut self, bs: &[stg::Binding], recursive: bool) {
        if !recursive {
            for b in bs {
                match &b.rhs {
                    Rhs::Con(c, args) => {
                        self.push_args(args);
                        let n = self.narrow(args.len(), "field");
                        self.emit(Instr::Pack(*c, n));
                        self.pop_depth(args.len() as u32);
                        self.push_depth(1);
                    }
                    _ => {
                        self.alloc(b);
                        self.bind_top(&b.var);
                        self.fill(b);
                    }
                }
                self.bind_top(&b.var);
            }
            return;
        }
        for b in bs {
            self.alloc(b);
            self.bind_top(&b.var);
        }
        for b in bs {
            self.fill(b);
        }
    }

    /// Allocates `b`'s closure, unfilled, onto the stack.
    fn alloc(&mut self, b: &stg::Binding) {
        let instr = match &b.rhs {
            Rhs::Con(c, _) => Instr::AllocCon(*c),
            Rhs::Fun(c) => Instr::AllocPap(self.nested_bco(&b.var, c)),
            Rhs::Thunk(c, UpdateFlag::ReEntrant) => Instr::AllocApNoupd(self.nested_bco(&b.var, c)),
            Rhs::Thunk(c, _) => Instr::AllocAp(self.nested_bco(&b.var, c)),
            Rhs::String(_) => unreachable!("string literals are top-level"),
        };
        self.emit(instr);
        self.push_depth(1);
    }

    /// Fills the closure allocated for `b` with its free variables or
    /// fields.
    fn fill(&mut self, b: &stg::Binding) {
        let (words, mk): (Vec<Atom>, fn(Offset, u16) -> Instr) = match &b.rhs {
            Rhs::Con(_, args) => (args.clone(), Instr::MkCon),
            Rhs::Fun(c) => (
                payload_order(&c.free).into_iter().map(Atom::Var).collect(),
                Instr::MkPap,
            ),
            Rhs::Thunk(c, _) => (
                payload_order(&c.free).into_iter().map(Atom::Var).collect(),
                Instr::MkAp,
            ),
            Rhs::String(_) => unreachable!("string literals are top-level"),
        };
        if words.is_empty() {
            return;
        }
        // Payload word 0 ends deepest, so push in payload order.
        for a in &words {
            self.push_atom(a);
        }
        let closure = self.offset(&b.var).expect("allocated");
        let n = self.narrow(words.len(), "free variable");
        self.emit(mk(closure, n));
        self.pop_depth(words.len() as u32);
    }

    fn nested_bco(&mut self, v: &stg::Var, c: &stg::Closure) -> BcoRef {
        let n = self.nested.entry(v.name.to_string()).or_insert(0);
        let name = match *n {
            0 => format!("{}/{}", self.name, v.name),
            k => format!("{}/{}{k}", self.name, v.name),
        };
        *n += 1;
        compile_closure(self.data, self.globals, self.unit, &name, c)
    }

    // ---- case ------------------------------------------------------------------

    fn case(&mut self, c: &stg::Case, base: u32) {
        if let Some(test) = bool_test(c) {
            return self.branch_on_int(test, c, base);
        }
        match &c.scrut {
            // Already a value: compute it in place, no frame.
            e @ (Expr::Con(..) | Expr::Prim(..)) if !matches!(e, Expr::Prim(PrimOp::Error, _)) => {
                self.value(e);
            }
            Expr::Atom(a) if a.rep() != Rep::Ptr => self.push_atom(&a.clone()),
            scrut => {
                let label = self.new_label();
                self.emit(match c.ty {
                    AltType::Prim(rep) => Instr::PushAltsUnlifted(label, rep),
                    _ => Instr::PushAlts(label),
                });
                let depth = self.depth;
                // The frame is one word.
                self.push_depth(1);
                let frame_base = self.depth;
                self.tail(scrut, frame_base);
                self.emit(Instr::Label(label));
                self.depth = depth;
                self.push_depth(1);
            }
        }
        self.bind_top(&c.binder);
        self.alternatives(c, base);
    }

    /// See Note [Branching on a comparison]: the `Int#` test is computed
    /// inline and the Bool never built.
    fn branch_on_int(&mut self, test: &Expr, c: &stg::Case, base: u32) {
        self.value(test);
        let pick = |con| {
            c.alts
                .iter()
                .find(|a| a.con == AltCon::Con(con))
                .or_else(|| c.alts.iter().find(|a| a.con == AltCon::Default))
        };
        let (if_false, if_true) = (pick(ty::FALSE), pick(ty::TRUE));
        let true_label = self.new_label();
        // 0 is False; anything else is True (`isTrue#`).
        self.emit(Instr::TestEqI(0, true_label));
        self.branch(if_false, c, base);
        self.emit(Instr::Label(true_label));
        self.branch(if_true, c, base);
    }

    fn branch(&mut self, alt: Option<&stg::Alt>, c: &stg::Case, base: u32) {
        let depth = self.depth;
        match alt {
            Some(a) => self.tail(&a.rhs, base),
            None => {
                let s = SpanRef(self.narrow(self.spans.len(), "case position"));
                self.spans.push(c.span);
                self.emit(Instr::CaseFail(s));
            }
        }
        self.depth = depth;
    }

    /// The scrutinee's value is on top (bound to the case binder).
    fn alternatives(&mut self, c: &stg::Case, base: u32) {
        let default = c.alts.iter().find(|a| a.con == AltCon::Default);
        let mut tests: Vec<&stg::Alt> =
            c.alts.iter().filter(|a| a.con != AltCon::Default).collect();
        tests.sort_by(|a, b| alt_order(&a.con, &b.con));
        // Every constructor has an alternative: the last one in each range
        // needs no test, and nothing can fail.
        let exhaustive = default.is_none()
            && matches!(c.ty, AltType::Algebraic(tc)
                if self.data.tycon(tc).cons.len() == tests.len());
        if exhaustive {
            self.bisect(&tests, None, base);
            return;
        }
        if !tests.is_empty() {
            let fail = self.new_label();
            self.bisect(&tests, Some(fail), base);
            self.emit(Instr::Label(fail));
        }
        match default {
            Some(a) => self.tail(&a.rhs, base),
            None => {
                let s = SpanRef(self.narrow(self.spans.len(), "case position"));
                self.spans.push(c.span);
                self.emit(Instr::CaseFail(s));
            }
        }
    }

    /// Chooses among `alts` (sorted by constructor or literal) with a
    /// bisecting tree of tests. With a `fail` label, falls through to it
    /// when none matches; without one the alternatives are exhaustive, so
    /// the last candidate of every range is taken untested.
    fn bisect(&mut self, alts: &[&stg::Alt], fail: Option<Label>, base: u32) {
        if alts.len() <= 2 {
            for (i, a) in alts.iter().enumerate() {
                if fail.is_none() && i + 1 == alts.len() {
                    self.alt_body(a, base);
                    return;
                }
                let next = self.new_label();
                self.emit(test_eq(&a.con, next));
                self.alt_body(a, base);
                self.emit(Instr::Label(next));
            }
            if let Some(fail) = fail {
                self.emit(Instr::Jmp(fail));
            }
            return;
        }
        let mid = alts.len() / 2;
        let upper = self.new_label();
        self.emit(test_lt(&alts[mid].con, upper));
        self.bisect(&alts[..mid], fail, base);
        self.emit(Instr::Label(upper));
        self.bisect(&alts[mid..], fail, base);
    }

    fn alt_body(&mut self, a: &stg::Alt, base: u32) {
        let depth = self.depth;
        if !a.binders.is_empty() {
            let stg::AltCon::Con(c) = a.con else {
                unreachable!("only constructor alternatives bind fields")
            };
            self.emit(Instr::Unpack(c));
            for b in a.binders.iter().rev() {
                self.bind_new(b);
            }
        }
        self.tail(&a.rhs, base);
        self.depth = depth;
    }
}

// Note [Branching on a comparison]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// Every `if a < b` at Int becomes, after inlining `ltInt`,
//
//     case (case a <# b of u { __DEFAULT -> isTrue# u }) of r {
//       False -> e1; True -> e2 }
//
// Compiled as it stands, that pushes a case frame, computes the Int#,
// fetches the static True or False, returns it through the frame and tests
// its constructor. When `r` is not used, the same choice is a test of the
// Int# itself:
//
//     PUSH b; PUSH a; PRIM <#; TESTEQ_I 0# L; <e1>; L: <e2>
//
// (The Int# stays in its slot, unused, until the alternative's tail slides
// it away.) This is GHCi's weak spot "primitive comparisons box a Bool".

/// The `Int#` expression a Bool case tests, when it has the shape of Note
/// [Branching on a comparison].
fn bool_test(c: &stg::Case) -> Option<&Expr> {
    if c.ty != AltType::Algebraic(ty::BOOL) || c.alts.iter().any(|a| mentions(&a.rhs, &c.binder)) {
        return None;
    }
    let Expr::Case(inner) = &c.scrut else {
        return None;
    };
    let [alt] = inner.alts.as_slice() else {
        return None;
    };
    let is_test = matches!(&inner.scrut, Expr::Prim(p, _) if *p != PrimOp::Error && *p != PrimOp::IsTrue)
        && inner.ty == AltType::Prim(Rep::Int);
    let returns_it = matches!(&alt.rhs, Expr::Prim(PrimOp::IsTrue, args)
        if matches!(args.as_slice(), [Atom::Var(u)] if *u == inner.binder));
    (alt.con == AltCon::Default && is_test && returns_it).then_some(&inner.scrut)
}

/// Whether `v` occurs in `e` (closures included, by their free lists).
fn mentions(e: &Expr, v: &stg::Var) -> bool {
    let atom = |a: &Atom| matches!(a, Atom::Var(x) if x == v);
    deep(|| match e {
        Expr::Atom(a) => atom(a),
        Expr::App(f, args) => f == v || args.iter().any(atom),
        Expr::Con(_, args) | Expr::Prim(_, args) | Expr::Jump(_, args) => args.iter().any(atom),
        Expr::Case(c) => mentions(&c.scrut, v) || c.alts.iter().any(|a| mentions(&a.rhs, v)),
        Expr::Let(b, body) => rhs_mentions(&b.rhs, v) || mentions(body, v),
        Expr::LetRec(bs, body) => bs.iter().any(|b| rhs_mentions(&b.rhs, v)) || mentions(body, v),
        Expr::LetJoin(g) => g.joins.iter().any(|j| mentions(&j.body, v)) || mentions(&g.body, v),
    })
}

fn rhs_mentions(r: &Rhs, v: &stg::Var) -> bool {
    match r {
        Rhs::Con(_, args) => args.iter().any(|a| matches!(a, Atom::Var(x) if x == v)),
        Rhs::Fun(c) | Rhs::Thunk(c, _) => c.free.contains(v),
        Rhs::String(_) => false,
    }
}

/// Alternatives in test order: constructor ids (declaration order within
/// a type) or literal values.
fn alt_order(a: &AltCon, b: &AltCon) -> std::cmp::Ordering {
    match (a, b) {
        (AltCon::Con(x), AltCon::Con(y)) => x.0.cmp(&y.0),
        (AltCon::Lit(stg::Lit::Int(x)), AltCon::Lit(stg::Lit::Int(y))) => x.cmp(y),
        (AltCon::Lit(stg::Lit::Double(x)), AltCon::Lit(stg::Lit::Double(y))) => x.total_cmp(y),
        (AltCon::Lit(stg::Lit::Char(x)), AltCon::Lit(stg::Lit::Char(y))) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    }
}

fn test_eq(con: &AltCon, l: Label) -> Instr {
    match con {
        AltCon::Con(c) => Instr::TestEqP(*c, l),
        AltCon::Lit(stg::Lit::Int(n)) => Instr::TestEqI(*n, l),
        AltCon::Lit(stg::Lit::Double(d)) => Instr::TestEqD(*d, l),
        AltCon::Lit(stg::Lit::Char(c)) => Instr::TestEqC(*c, l),
        AltCon::Default => unreachable!("defaults are not tested"),
    }
}

fn test_lt(con: &AltCon, l: Label) -> Instr {
    match con {
        AltCon::Con(c) => Instr::TestLtP(*c, l),
        AltCon::Lit(stg::Lit::Int(n)) => Instr::TestLtI(*n, l),
        AltCon::Lit(stg::Lit::Double(d)) => Instr::TestLtD(*d, l),
        AltCon::Lit(stg::Lit::Char(c)) => Instr::TestLtC(*c, l),
        AltCon::Default => unreachable!("defaults are not tested"),
    }
}
