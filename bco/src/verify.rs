//! The verifier: checks each BCO before it is linked.
//!
//! It follows every path through the instruction list with the stack each
//! instruction leaves, slot by slot — a pointer, an unboxed word, a case
//! frame, or a closure allocated but not yet filled — starting from the
//! BCO's arguments and free variables, and rejects a BCO when:
//!
//! * an operand is out of range: a stack offset at or beyond the depth, a
//!   global, nested BCO or span index past its table, a constructor that
//!   does not exist;
//! * a slot has the wrong representation: `ENTER`, `EVAL`, `RETURN`,
//!   `APPLY`, `UNPACK` and the constructor tests need a pointer, the
//!   literal tests and primops unboxed words; a constructor's fields
//!   (`PACK`, `MKCON`) and a closure's free variables (`MKAP`, `MKPAP`)
//!   must have the representations its layout or its BCO declares;
//! * a frame is copied, dropped or overwritten as if it were data;
//! * a tail instruction (`ENTER`, `RETURN`, `RETURN_UNLIFTED`, `APPLY`,
//!   `CALL`) leaves anything but its operands above the frame it
//!   returns to: the code in tail position must have slid its own slots
//!   away, or the frame below would be read from the wrong place; a value
//!   returned to this BCO's own case frame must be lifted or unlifted as
//!   the frame expects;
//! * two paths reach an instruction with different stacks;
//! * a jump names a label that is not defined exactly once, or jumps
//!   backwards other than by `JMP` (which polls the fuel, so every loop
//!   can be stopped);
//! * the stack can grow past the BCO's `STKCHECK`;
//! * execution can run off the end.
//!
//! [`verify`] returns each `CALL`'s target and argument representations:
//! the linker, which knows the globals, checks that the target is a
//! function of that arity taking those representations. What the verifier
//! cannot know is in Note [What the verifier cannot know]. Read next:
//! `disasm`.

use crate::compile::{Bco, Unit};
use crate::instr::{GlobalRef, Instr};
use sloth_core::types::{ConId, DataEnv};
use sloth_stg::lower::rep_of;
use sloth_stg::syntax::Rep;
use std::collections::HashMap;

// Note [What the verifier cannot know]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// The verifier knows the representation of every stack slot (pointer or
// unboxed word) but not the types of the values: the bytecode is untyped,
// as GHC's is. Code that passes it can still ask a value of one type to
// behave as another — `UNPACK (,)` on a list cell, `APPLY` on a
// constructor, an unboxed return to an update frame — if it was not
// produced by the compiler from well-typed Core (the fuzzer's `verify`
// target mutates compiled code to make exactly such code). For those few
// operations the machine itself checks what it was going to read anyway
// and stops with `RunError::BadCode` ("internal error", exit 70):
//
//   * `UNPACK c` compares the closure's header with `c` (one compare),
//     so it never reads past the closure or pushes a word as a pointer;
//   * `APPLY` of a constructor, `RETURN_UNLIFTED` to a frame that is not a
//     case, are errors where the interpreter already branches on the kind;
//   * a `CALL`'s target is checked once, at link time (its arity and
//     argument representations).
//
// Everything else a mistyped value can do is confined to words: a
// constructor test on a function compares its code index as a tag, a
// primop adds a pointer's bits. The collector still sees only real
// pointers, because every slot's representation is verified. For example,
// mutating `PUSH_L 1` into `PUSH_L 0` above an `ENTER`, where slot 0
// holds an `Int#`, is rejected ("ENTER needs a pointer, slot 0 is a
// word"), while mutating `TESTEQ_P Nothing` into `TESTEQ_P (:)` is
// accepted and only changes which alternative runs.

/// What a stack slot holds, as far as the verifier can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// A pointer to a closure.
    Ptr,
    /// An unboxed word (`Int#`, `Double#`, `Char#`).
    Word,
    /// A case continuation pushed by this BCO; `true` if it expects an
    /// unboxed value.
    Frame { unlifted: bool },
    /// A closure from `ALLOC_*`, to be filled by `MK*`; a pointer for
    /// every other purpose.
    Pending(Pending),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    /// A thunk or function closure of this unit's BCO.
    Closure {
        bco: u32,
        function: bool,
    },
    Con(ConId),
}

impl Slot {
    fn of(r: Rep) -> Slot {
        if r == Rep::Ptr {
            Slot::Ptr
        } else {
            Slot::Word
        }
    }
    fn is_ptr(self) -> bool {
        matches!(self, Slot::Ptr | Slot::Pending(_))
    }
    fn is_frame(self) -> bool {
        matches!(self, Slot::Frame { .. })
    }
    fn name(self) -> &'static str {
        match self {
            Slot::Ptr | Slot::Pending(_) => "a pointer",
            Slot::Word => "a word",
            Slot::Frame { .. } => "a frame",
        }
    }
}

/// A `CALL` site: the global called and its arguments' representations,
/// argument 1 first (for the linker to check against the callee).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallSite {
    pub global: GlobalRef,
    pub args: Vec<Rep>,
}

/// Verifies every BCO of a unit; the error names the BCO and the
/// instruction.
pub fn verify_unit(data: &DataEnv, unit: &Unit) -> Result<(), String> {
    for b in &unit.bcos {
        verify(data, &unit.bcos, b).map_err(|e| format!("BCO {}: {e}", b.name))?;
    }
    Ok(())
}

/// Verifies `b`, one of the BCOs of `unit` (whose closures it may
/// allocate); returns its `CALL` sites.
pub fn verify(data: &DataEnv, unit: &[Bco], b: &Bco) -> Result<Vec<CallSite>, String> {
    let mut labels = HashMap::new();
    for (i, ins) in b.instrs.iter().enumerate() {
        if let Instr::Label(l) = ins {
            if labels.insert(*l, i).is_some() {
                return Err(format!("label {l} defined twice"));
            }
        }
    }
    let limit = match b.instrs.first() {
        Some(Instr::StkCheck(n)) => *n as usize,
        _ => return Err("does not start with STKCHECK".into()),
    };
    // [a_n .. a_1, free_1 .. free_k], top last.
    let entry: Vec<Slot> = b
        .params
        .iter()
        .rev()
        .chain(&b.free)
        .map(|&r| Slot::of(r))
        .collect();
    if entry.len() > limit {
        return Err(format!(
            "the arguments and free variables ({}) exceed STKCHECK {limit}",
            entry.len()
        ));
    }
    let con_reps = |c: ConId| -> Option<Vec<Slot>> {
        let con = data.cons.get(c.0 as usize)?;
        Some(con.fields.iter().map(|t| Slot::of(rep_of(t))).collect())
    };
    let mut calls = Vec::new();
    let mut seen: Vec<Option<Vec<Slot>>> = vec![None; b.instrs.len()];
    let mut work = vec![(0usize, entry)];
    while let Some((mut pc, mut st)) = work.pop() {
        loop {
            if pc >= b.instrs.len() {
                return Err("execution runs off the end".into());
            }
            match &seen[pc] {
                Some(s) if *s == st => break,
                Some(s) => match join(s, &st) {
                    // Nothing new on this path.
                    Some(j) if j == *s => break,
                    // Go on with what both paths agree on.
                    Some(j) => {
                        st = j;
                        seen[pc] = Some(st.clone());
                    }
                    None => {
                        return Err(format!(
                            "instruction {pc} ({}) is reached with different stacks: {} and {}",
                            b.instrs[pc].mnemonic(),
                            show(s),
                            show(&st)
                        ))
                    }
                },
                None => seen[pc] = Some(st.clone()),
            }
            let ins = &b.instrs[pc];
            let at = |what: String| format!("instruction {pc} ({}): {what}", ins.mnemonic());
            let depth = st.len();
            // The slot at offset `o` (0 is the top).
            let slot = |st: &[Slot], o: usize| -> Result<Slot, String> {
                if o < st.len() {
                    Ok(st[st.len() - 1 - o])
                } else {
                    Err(at(format!(
                        "needs {} words, the stack holds {}",
                        o + 1,
                        st.len()
                    )))
                }
            };
            let data_slot = |st: &[Slot], o: usize| -> Result<Slot, String> {
                let s = slot(st, o)?;
                if s.is_frame() {
                    return Err(at(format!("slot {o} is a frame, not a value")));
                }
                Ok(s)
            };
            let ptr = |st: &[Slot], o: usize| -> Result<(), String> {
                let s = slot(st, o)?;
                if s.is_ptr() {
                    Ok(())
                } else {
                    Err(at(format!("needs a pointer, slot {o} is {}", s.name())))
                }
            };
            let word = |st: &[Slot], o: usize| -> Result<(), String> {
                let s = slot(st, o)?;
                if s == Slot::Word {
                    Ok(())
                } else {
                    Err(at(format!("needs a word, slot {o} is {}", s.name())))
                }
            };
            // The top `n` slots hold exactly `reps`, the first deepest.
            let exactly = |st: &[Slot], reps: &[Slot], what: &str| -> Result<(), String> {
                if reps.len() > st.len() {
                    return Err(at(format!(
                        "needs {} words, the stack holds {}",
                        reps.len(),
                        st.len()
                    )));
                }
                for (i, (&have, &want)) in st[st.len() - reps.len()..].iter().zip(reps).enumerate()
                {
                    if have.is_ptr() != want.is_ptr() || have.is_frame() {
                        return Err(at(format!(
                            "{what} {} must be {}, the stack has {}",
                            i + 1,
                            want.name(),
                            have.name()
                        )));
                    }
                }
                Ok(())
            };
            // A tail instruction: its `n` operands must be all that is
            // above the frame it returns to.
            let tail = |st: &[Slot], n: usize| -> Result<Option<Slot>, String> {
                let frame = st.iter().rposition(|s| s.is_frame());
                let above = st.len() - frame.map_or(0, |f| f + 1);
                if above != n {
                    return Err(at(format!(
                        "leaves {above} words above the frame it returns to, not {n}"
                    )));
                }
                Ok(frame.map(|f| st[f]))
            };
            let con_known = |c: ConId| -> Result<Vec<Slot>, String> {
                con_reps(c).ok_or_else(|| at(format!("constructor {} out of range", c.0)))
            };
            let target = |l| {
                labels
                    .get(&l)
                    .copied()
                    .ok_or_else(|| at(format!("jumps to undefined label {l}")))
            };
            // Only `JMP` may jump backwards: the interpreter polls its fuel
            // there, so a loop can always be stopped (step limit, Ctrl-C).
            let forward = |l| {
                let t = target(l)?;
                if t > pc {
                    Ok(t)
                } else {
                    Err(at(format!(
                        "jumps backwards to {l}; only JMP may (it polls the fuel)"
                    )))
                }
            };
            let global = |g: GlobalRef| {
                if usize::from(g.0) < b.globals.len() {
                    Ok(())
                } else {
                    Err(at(format!("global {} out of range", g.0)))
                }
            };
            let bco = |r: u32| {
                unit.get(r as usize)
                    .ok_or_else(|| at(format!("BCO {r} out of range")))
            };
            // Whether execution falls through to the next instruction.
            let mut falls = true;
            match ins {
                Instr::Label(_) | Instr::StkCheck(_) => {}
                Instr::PushL(o) => {
                    let s = data_slot(&st, usize::from(*o))?;
                    st.push(s);
                }
                Instr::PushLL(a, c) => {
                    let (x, y) = (
                        data_slot(&st, usize::from(*a))?,
                        data_slot(&st, usize::from(*c))?,
                    );
                    st.extend([x, y]);
                }
                Instr::PushLLL(a, c, d) => {
                    let x = data_slot(&st, usize::from(*a))?;
                    let y = data_slot(&st, usize::from(*c))?;
                    let z = data_slot(&st, usize::from(*d))?;
                    st.extend([x, y, z]);
                }
                Instr::PushG(g) => {
                    global(*g)?;
                    st.push(Slot::Ptr);
                }
                Instr::PushInt(_) | Instr::PushDouble(_) | Instr::PushChar(_) => {
                    st.push(Slot::Word)
                }
                Instr::Slide(k, d) => {
                    let (k, d) = (usize::from(*k), usize::from(*d));
                    if k + d > depth {
                        return Err(at(format!(
                            "needs {} words, the stack holds {depth}",
                            k + d
                        )));
                    }
                    if st[depth - k - d..].iter().any(|s| s.is_frame()) {
                        return Err(at("slides a frame".into()));
                    }
                    st.drain(depth - k - d..depth - k);
                }
                Instr::PushAlts(l) => {
                    let mut cont = st.clone();
                    cont.push(Slot::Ptr);
                    work.push((forward(*l)?, cont));
                    st.push(Slot::Frame { unlifted: false });
                }
                Instr::PushAltsUnlifted(l, r) => {
                    let mut cont = st.clone();
                    cont.push(Slot::of(*r));
                    work.push((forward(*l)?, cont));
                    st.push(Slot::Frame {
                        unlifted: *r != Rep::Ptr,
                    });
                }
                Instr::Eval(o, l) => {
                    ptr(&st, usize::from(*o))?;
                    st.push(Slot::Ptr);
                    work.push((forward(*l)?, st.clone()));
                    falls = false;
                }
                Instr::Raise => {
                    // The run stops: nothing below is read again.
                    ptr(&st, 0)?;
                    falls = false;
                }
                Instr::Enter | Instr::Return => {
                    ptr(&st, 0)?;
                    let frame = tail(&st, 1)?;
                    if matches!(ins, Instr::Return) && frame == Some(Slot::Frame { unlifted: true })
                    {
                        return Err(at("returns a pointer to an unboxed case".into()));
                    }
                    falls = false;
                }
                Instr::ReturnUnlifted(_) => {
                    word(&st, 0)?;
                    if tail(&st, 1)? == Some(Slot::Frame { unlifted: false }) {
                        return Err(at("returns a word to a lifted case".into()));
                    }
                    falls = false;
                }
                Instr::Apply(n) => {
                    let n = usize::from(*n);
                    tail(&st, n + 1)?;
                    for o in 0..=n {
                        ptr(&st, o)?;
                    }
                    falls = false;
                }
                Instr::Call(g, n) => {
                    global(*g)?;
                    let n = usize::from(*n);
                    tail(&st, n)?;
                    calls.push(CallSite {
                        global: *g,
                        // Argument 1 is on top.
                        args: (0..n)
                            .map(|o| {
                                if st[depth - 1 - o].is_ptr() {
                                    Rep::Ptr
                                } else {
                                    Rep::Int
                                }
                            })
                            .collect(),
                    });
                    falls = false;
                }
                Instr::Jmp(l) => {
                    work.push((target(*l)?, st.clone()));
                    falls = false;
                }
                Instr::AllocAp(r) | Instr::AllocApNoupd(r) | Instr::AllocPap(r) => {
                    bco(r.0)?;
                    st.push(Slot::Pending(Pending::Closure {
                        bco: r.0,
                        function: matches!(ins, Instr::AllocPap(_)),
                    }));
                }
                Instr::AllocCon(c) => {
                    con_known(*c)?;
                    st.push(Slot::Pending(Pending::Con(*c)));
                }
                Instr::MkAp(o, n) | Instr::MkPap(o, n) | Instr::MkCon(o, n) => {
                    let (o, n) = (usize::from(*o), usize::from(*n));
                    if o < n {
                        return Err(at(format!("the closure at {o} is among the {n} words")));
                    }
                    let want: Vec<Slot> = match (ins, slot(&st, o)?) {
                        (
                            Instr::MkAp(..),
                            Slot::Pending(Pending::Closure {
                                bco: r,
                                function: false,
                            }),
                        )
                        | (
                            Instr::MkPap(..),
                            Slot::Pending(Pending::Closure {
                                bco: r,
                                function: true,
                            }),
                        ) => bco(r)?.free.iter().map(|&r| Slot::of(r)).collect(),
                        (Instr::MkCon(..), Slot::Pending(Pending::Con(c))) => con_known(c)?,
                        (_, s) => {
                            return Err(at(format!(
                                "slot {o} is {s:?}, not a closure this instruction fills"
                            )))
                        }
                    };
                    if want.len() != n {
                        return Err(at(format!("{n} words for a closure of {}", want.len())));
                    }
                    exactly(&st, &want, "word")?;
                    st.truncate(depth - n);
                }
                Instr::Pack(c, n) => {
                    let mut want = con_known(*c)?;
                    if usize::from(*n) != want.len() {
                        return Err(at(format!(
                            "{n} fields for a constructor of arity {}",
                            want.len()
                        )));
                    }
                    // Field 1 is on top.
                    want.reverse();
                    exactly(&st, &want, "field")?;
                    st.truncate(depth - want.len());
                    st.push(Slot::Ptr);
                }
                Instr::Unpack(c) => {
                    let fields = con_known(*c)?;
                    ptr(&st, 0)?;
                    // Field 1 ends on top.
                    st.extend(fields.iter().rev());
                }
                Instr::TestLtP(c, l) | Instr::TestEqP(c, l) => {
                    con_known(*c)?;
                    ptr(&st, 0)?;
                    work.push((forward(*l)?, st.clone()));
                }
                Instr::TestLtI(_, l)
                | Instr::TestEqI(_, l)
                | Instr::TestLtD(_, l)
                | Instr::TestEqD(_, l)
                | Instr::TestLtC(_, l)
                | Instr::TestEqC(_, l) => {
                    word(&st, 0)?;
                    work.push((forward(*l)?, st.clone()));
                }
                Instr::CaseFail(s) => {
                    if usize::from(s.0) >= b.spans.len() {
                        return Err(at(format!("span {} out of range", s.0)));
                    }
                    falls = false;
                }
                Instr::Prim(p) => {
                    if matches!(p, sloth_core::primop::PrimOp::Error) {
                        return Err(at("`error` is RAISE, not a primop".into()));
                    }
                    let n = p.arity();
                    for o in 0..n {
                        word(&st, o)?;
                    }
                    st.truncate(depth - n);
                    let result = p.ty().split_foralls().1.split_funs().1;
                    st.push(Slot::of(rep_of(&result)));
                }
            }
            if st.len() > limit {
                return Err(at(format!(
                    "the stack reaches {} words, over STKCHECK {limit}",
                    st.len()
                )));
            }
            if !falls {
                break;
            }
            pc += 1;
        }
    }
    Ok(calls)
}

/// What two paths reaching one instruction agree on: the same slots,
/// except that a closure still to be filled on one path and a pointer (or
/// another such closure) on the other is a pointer. `None` if they differ
/// in depth, representation or frames. Joining only forgets, so the walk
/// ends.
fn join(a: &[Slot], b: &[Slot]) -> Option<Vec<Slot>> {
    if a.len() != b.len() {
        return None;
    }
    a.iter()
        .zip(b)
        .map(|(&x, &y)| match (x, y) {
            _ if x == y => Some(x),
            _ if x.is_ptr() && y.is_ptr() => Some(Slot::Ptr),
            _ => None,
        })
        .collect()
}

/// A stack for an error message, top last: `[p w F]`.
fn show(st: &[Slot]) -> String {
    let cells: Vec<&str> = st
        .iter()
        .map(|s| match s {
            Slot::Ptr => "p",
            Slot::Word => "w",
            Slot::Frame { unlifted: false } => "F",
            Slot::Frame { unlifted: true } => "F#",
            Slot::Pending(_) => "a",
        })
        .collect();
    format!("[{}]", cells.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instr::{GlobalRef, Label};

    fn bco(instrs: Vec<Instr>) -> Bco {
        Bco {
            name: "t".into(),
            params: vec![sloth_stg::syntax::Rep::Ptr],
            free: vec![],
            instrs,
            globals: vec![],
            spans: vec![],
        }
    }

    fn check(instrs: Vec<Instr>) -> Result<(), String> {
        let b = bco(instrs);
        verify(&DataEnv::new(), std::slice::from_ref(&b), &b).map(drop)
    }

    #[test]
    fn a_good_bco_passes() {
        check(vec![
            Instr::StkCheck(2),
            Instr::PushL(0),
            Instr::TestEqP(sloth_core::types::TRUE, Label(0)),
            Instr::Slide(1, 1),
            Instr::Return,
            Instr::Label(Label(0)),
            Instr::Slide(1, 1),
            Instr::Enter,
        ])
        .unwrap();
    }

    /// `EVAL`'s continuation starts with the value on top.
    #[test]
    fn eval_continues_one_deeper() {
        check(vec![
            Instr::StkCheck(2),
            Instr::Eval(0, Label(0)),
            Instr::Label(Label(0)),
            Instr::Slide(1, 1),
            Instr::Return,
        ])
        .unwrap();
    }

    #[test]
    fn bad_bcos_are_rejected() {
        let cases: Vec<(Vec<Instr>, &str)> = vec![
            (vec![Instr::PushL(0), Instr::Enter], "STKCHECK"),
            (
                vec![Instr::StkCheck(2), Instr::PushL(1), Instr::Enter],
                "needs 2 words",
            ),
            (
                vec![Instr::StkCheck(2), Instr::PushG(GlobalRef(0)), Instr::Enter],
                "global 0 out of range",
            ),
            (
                vec![Instr::StkCheck(2), Instr::Jmp(Label(9))],
                "undefined label",
            ),
            (
                vec![Instr::StkCheck(2), Instr::PushL(0)],
                "runs off the end",
            ),
            (
                vec![Instr::StkCheck(1), Instr::PushL(0), Instr::Enter],
                "over STKCHECK",
            ),
            (
                vec![
                    Instr::StkCheck(3),
                    Instr::TestEqP(sloth_core::types::TRUE, Label(0)),
                    Instr::PushL(0),
                    Instr::Label(Label(0)),
                    Instr::Slide(0, 1),
                    Instr::Enter,
                ],
                "reached with different stacks: [p p] and [p]",
            ),
            // An unboxed word entered as if it were a closure.
            (
                vec![Instr::StkCheck(2), Instr::PushInt(3), Instr::Enter],
                "needs a pointer, slot 0 is a word",
            ),
            // Local slots left under a tail call: the frame below would be
            // read from the wrong place.
            (
                vec![Instr::StkCheck(2), Instr::PushL(0), Instr::Enter],
                "leaves 2 words above the frame it returns to, not 1",
            ),
            // A case frame copied as data.
            (
                vec![
                    Instr::StkCheck(4),
                    Instr::PushAlts(Label(0)),
                    Instr::PushL(0),
                    Instr::Enter,
                    Instr::Label(Label(0)),
                    Instr::Slide(1, 1),
                    Instr::Return,
                ],
                "slot 0 is a frame",
            ),
            // A frame slid away.
            (
                vec![
                    Instr::StkCheck(4),
                    Instr::PushAlts(Label(0)),
                    Instr::PushL(1),
                    Instr::Slide(1, 2),
                    Instr::Enter,
                    Instr::Label(Label(0)),
                    Instr::Enter,
                ],
                "slides a frame",
            ),
            // A word returned to a case that expects a pointer.
            (
                vec![
                    Instr::StkCheck(4),
                    Instr::PushAlts(Label(0)),
                    Instr::PushInt(1),
                    Instr::ReturnUnlifted(sloth_stg::syntax::Rep::Int),
                    Instr::Label(Label(0)),
                    Instr::Slide(1, 1),
                    Instr::Return,
                ],
                "returns a word to a lifted case",
            ),
            // A primop on a pointer.
            (
                vec![
                    Instr::StkCheck(3),
                    Instr::PushInt(1),
                    Instr::PushL(1),
                    Instr::Prim(sloth_core::primop::PrimOp::IntAdd),
                    Instr::Enter,
                ],
                "needs a word, slot 0 is a pointer",
            ),
            // A loop by a test, which does not poll the fuel (fuzzer
            // finding: it hung the machine).
            (
                vec![
                    Instr::StkCheck(2),
                    Instr::PushInt(0),
                    Instr::Label(Label(0)),
                    Instr::TestEqI(1, Label(0)),
                    Instr::Return,
                ],
                "jumps backwards to L0; only JMP may",
            ),
            // Filling a closure that no ALLOC made.
            (
                vec![
                    Instr::StkCheck(3),
                    Instr::PushL(0),
                    Instr::MkAp(1, 1),
                    Instr::Enter,
                ],
                "not a closure this instruction fills",
            ),
            (
                vec![
                    Instr::StkCheck(2),
                    Instr::Eval(1, Label(0)),
                    Instr::Label(Label(0)),
                    Instr::Enter,
                ],
                "needs 2 words",
            ),
            (
                vec![
                    Instr::StkCheck(1),
                    Instr::Eval(0, Label(0)),
                    Instr::Label(Label(0)),
                    Instr::Enter,
                ],
                "over STKCHECK",
            ),
            (
                vec![
                    Instr::StkCheck(2),
                    Instr::Pack(ConId(1 << 30), 0),
                    Instr::Enter,
                ],
                "constructor 1073741824 out of range",
            ),
        ];
        for (instrs, expected) in cases {
            let e = check(instrs.clone()).unwrap_err();
            assert!(e.contains(expected), "{instrs:?}: {e}");
        }
    }
}
