//! The verifier: checks each BCO before it is linked.
//!
//! It follows every path through the instruction list with the stack depth
//! each instruction leaves (a BCO starts with its arguments and free
//! variables) and rejects a BCO when:
//!
//! * an operand is out of range: a stack offset at or beyond the depth, a
//!   global, nested BCO or span index past its table, a `PACK` whose count
//!   is not the constructor's arity;
//! * two paths reach an instruction with different depths;
//! * a jump names a label that is not defined exactly once;
//! * the stack can grow past the BCO's `STKCHECK`;
//! * execution can run off the end.
//!
//! A verified BCO cannot make the interpreter index outside its stack
//! frame or its tables. Read next: `disasm`.

use crate::compile::{Bco, Unit};
use crate::instr::Instr;
use sloth_core::types::{ConId, DataEnv};
use std::collections::HashMap;

/// Verifies every BCO of a unit; the error names the BCO and the
/// instruction.
pub fn verify_unit(data: &DataEnv, unit: &Unit) -> Result<(), String> {
    for b in &unit.bcos {
        verify(data, unit.bcos.len(), b).map_err(|e| format!("BCO {}: {e}", b.name))?;
    }
    Ok(())
}

pub fn verify(data: &DataEnv, bco_count: usize, b: &Bco) -> Result<(), String> {
    let mut labels = HashMap::new();
    for (i, ins) in b.instrs.iter().enumerate() {
        if let Instr::Label(l) = ins {
            if labels.insert(*l, i).is_some() {
                return Err(format!("label {l} defined twice"));
            }
        }
    }
    let limit = match b.instrs.first() {
        Some(Instr::StkCheck(n)) => *n,
        _ => return Err("does not start with STKCHECK".into()),
    };
    let entry = (b.params.len() + b.free.len()) as u32;
    let mut depth_at: Vec<Option<u32>> = vec![None; b.instrs.len()];
    let mut work = vec![(0usize, entry)];
    while let Some((pc, depth)) = work.pop() {
        if pc >= b.instrs.len() {
            return Err("execution runs off the end".into());
        }
        match depth_at[pc] {
            Some(d) if d == depth => continue,
            Some(d) => {
                return Err(format!(
                    "instruction {pc} ({}) is reached with depths {d} and {depth}",
                    b.instrs[pc].mnemonic()
                ))
            }
            None => depth_at[pc] = Some(depth),
        }
        let ins = &b.instrs[pc];
        let at = |what: String| format!("instruction {pc} ({}): {what}", ins.mnemonic());
        let need = |n: u32| {
            if n > depth {
                Err(at(format!("needs {n} words, the stack holds {depth}")))
            } else {
                Ok(())
            }
        };
        let con = |c: ConId| {
            if (c.0 as usize) < data.cons.len() {
                Ok(())
            } else {
                Err(at(format!("constructor {} out of range", c.0)))
            }
        };
        let target = |l| {
            labels
                .get(&l)
                .copied()
                .ok_or_else(|| at(format!("jumps to undefined label {l}")))
        };
        // The depth after the instruction, or None when it ends the block.
        let next: Option<u32> = match ins {
            Instr::Label(_) | Instr::StkCheck(_) => Some(depth),
            Instr::PushL(o) => {
                need(u32::from(*o) + 1)?;
                Some(depth + 1)
            }
            Instr::PushLL(a, c) => {
                need(u32::from(*a.max(c)) + 1)?;
                Some(depth + 2)
            }
            Instr::PushLLL(a, c, d) => {
                need(u32::from(*a.max(c).max(d)) + 1)?;
                Some(depth + 3)
            }
            Instr::PushG(g) => {
                if usize::from(g.0) >= b.globals.len() {
                    return Err(at(format!("global {} out of range", g.0)));
                }
                Some(depth + 1)
            }
            Instr::PushInt(_) | Instr::PushDouble(_) | Instr::PushChar(_) => Some(depth + 1),
            Instr::Slide(k, d) => {
                need(u32::from(*k) + u32::from(*d))?;
                Some(depth - u32::from(*d))
            }
            Instr::PushAlts(l) | Instr::PushAltsUnlifted(l, _) => {
                // The continuation starts with the returned value where
                // the frame was.
                work.push((target(*l)?, depth + 1));
                Some(depth + 1)
            }
            Instr::Eval(o, l) => {
                need(u32::from(*o) + 1)?;
                // Frame or not, the continuation starts with the value on
                // top.
                work.push((target(*l)?, depth + 1));
                if depth + 1 > limit {
                    return Err(at(format!(
                        "the stack reaches {} words, over STKCHECK {limit}",
                        depth + 1
                    )));
                }
                None
            }
            Instr::Enter | Instr::Return | Instr::ReturnUnlifted(_) | Instr::Raise => {
                need(1)?;
                None
            }
            Instr::Apply(n) => {
                need(u32::from(*n) + 1)?;
                None
            }
            Instr::Call(g, n) => {
                if usize::from(g.0) >= b.globals.len() {
                    return Err(at(format!("global {} out of range", g.0)));
                }
                need(u32::from(*n))?;
                None
            }
            Instr::Jmp(l) => {
                work.push((target(*l)?, depth));
                None
            }
            Instr::AllocAp(r) | Instr::AllocApNoupd(r) | Instr::AllocPap(r) => {
                if r.0 as usize >= bco_count {
                    return Err(at(format!("BCO {} out of range", r.0)));
                }
                Some(depth + 1)
            }
            Instr::AllocCon(c) => {
                con(*c)?;
                Some(depth + 1)
            }
            Instr::MkAp(o, n) | Instr::MkPap(o, n) | Instr::MkCon(o, n) => {
                if o < n {
                    return Err(at(format!("the closure at {o} is among the {n} words")));
                }
                need(u32::from(*o) + 1)?;
                Some(depth - u32::from(*n))
            }
            Instr::Pack(c, n) => {
                con(*c)?;
                let arity = data.con(*c).fields.len();
                if usize::from(*n) != arity {
                    return Err(at(format!("{n} fields for a constructor of arity {arity}")));
                }
                need(u32::from(*n))?;
                Some(depth - u32::from(*n) + 1)
            }
            Instr::Unpack(n) => {
                need(1)?;
                Some(depth + u32::from(*n))
            }
            Instr::TestLtP(c, l) | Instr::TestEqP(c, l) => {
                con(*c)?;
                need(1)?;
                work.push((target(*l)?, depth));
                Some(depth)
            }
            Instr::TestLtI(_, l)
            | Instr::TestEqI(_, l)
            | Instr::TestLtD(_, l)
            | Instr::TestEqD(_, l)
            | Instr::TestLtC(_, l)
            | Instr::TestEqC(_, l) => {
                need(1)?;
                work.push((target(*l)?, depth));
                Some(depth)
            }
            Instr::CaseFail(s) => {
                if usize::from(s.0) >= b.spans.len() {
                    return Err(at(format!("span {} out of range", s.0)));
                }
                None
            }
            Instr::Prim(p) => {
                let n = p.arity() as u32;
                need(n)?;
                Some(depth - n + 1)
            }
        };
        if let Some(d) = next {
            if d > limit {
                return Err(at(format!(
                    "the stack reaches {d} words, over STKCHECK {limit}"
                )));
            }
            work.push((pc + 1, d));
        }
    }
    Ok(())
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
        verify(&DataEnv::new(), 1, &bco(instrs))
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
                    Instr::Enter,
                ],
                "reached with depths",
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
