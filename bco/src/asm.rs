//! The assembler: [`Instr`] lists to the packed encoding the interpreter
//! runs, and the decoder that turns packed code back into instructions
//! (for the verifier and the disassembler, so both see exactly what runs).
//!
//! A packed BCO is three arrays, as a GHC BCO is:
//!
//! * `code`: 16-bit words; each instruction is an opcode word followed by
//!   its operands inline. Small operands (stack offsets, counts, a global's
//!   pointer-table index, a primop, a representation) take one word; wide
//!   ones (labels, constructor ids, literal-pool and BCO indices) two, low
//!   half first. A label is the word position of its target: `LABEL`
//!   pseudo-instructions disappear.
//! * `lits`: the literal pool, 64-bit words (`Int#`, `Double#` bits,
//!   `Char#` code points), each distinct value once.
//! * `ptrs`: the pointer table: the globals the code names (entry `i` is
//!   the BCO's `GlobalRef(i)`), then the nested BCOs it allocates. The
//!   linker resolves each entry to a global-table or code-table index.
//!
//! The opcodes and their operands are listed in [`op`]; `docs/bytecode.md`
//! gives the stack effects (also on [`Instr`]). The module knows the
//! instruction set, not the heap. Read next: `verify`.

use crate::compile::{Bco, Top, Unit};
use crate::instr::{BcoRef, GlobalRef, Instr, Label, SpanRef};
use sloth_core::primop::PrimOp;
use sloth_core::types::{ConId, Unique};
use sloth_stg::syntax::Rep;
use std::collections::HashMap;
use std::fmt;

/// Opcode numbers. Operands follow the opcode word: `o` a stack offset,
/// `n`/`k`/`d` counts, `g` a pointer-table index of a global (one word);
/// `l` a label, `c` a constructor id, `x` a literal-pool index, `b` a
/// pointer-table index of a BCO (two words each); `r` a representation
/// (0 pointer, 1 `Int#`, 2 `Double#`, 3 `Char#`), `p` a primop, `s` a span
/// index (one word).
pub mod op {
    /// `STKCHECK n:2`
    pub const STKCHECK: u16 = 0;
    /// `PUSH_L o`
    pub const PUSH_L: u16 = 1;
    /// `PUSH_LL o1 o2`
    pub const PUSH_LL: u16 = 2;
    /// `PUSH_LLL o1 o2 o3`
    pub const PUSH_LLL: u16 = 3;
    /// `PUSH_G g`
    pub const PUSH_G: u16 = 4;
    /// `PUSH_UBX x` of an `Int#`
    pub const PUSH_INT: u16 = 5;
    /// `PUSH_UBX x` of a `Double#`
    pub const PUSH_DOUBLE: u16 = 6;
    /// `PUSH_UBX x` of a `Char#`
    pub const PUSH_CHAR: u16 = 7;
    /// `SLIDE k d`
    pub const SLIDE: u16 = 8;
    /// `PUSH_ALTS l`
    pub const PUSH_ALTS: u16 = 9;
    /// `PUSH_ALTS_UNLIFTED l r`
    pub const PUSH_ALTS_UNLIFTED: u16 = 10;
    /// `ENTER`
    pub const ENTER: u16 = 11;
    /// `RETURN`
    pub const RETURN: u16 = 12;
    /// `RETURN_UNLIFTED r`
    pub const RETURN_UNLIFTED: u16 = 13;
    /// `APPLY n`
    pub const APPLY: u16 = 14;
    /// `CALL g n`
    pub const CALL: u16 = 15;
    /// `JMP l`
    pub const JMP: u16 = 16;
    /// `ALLOC_AP b`
    pub const ALLOC_AP: u16 = 17;
    /// `ALLOC_AP_NOUPD b`
    pub const ALLOC_AP_NOUPD: u16 = 18;
    /// `ALLOC_PAP b`
    pub const ALLOC_PAP: u16 = 19;
    /// `ALLOC_CON c`
    pub const ALLOC_CON: u16 = 20;
    /// `MKAP o n`
    pub const MKAP: u16 = 21;
    /// `MKPAP o n`
    pub const MKPAP: u16 = 22;
    /// `MKCON o n`
    pub const MKCON: u16 = 23;
    /// `PACK c n`
    pub const PACK: u16 = 24;
    /// `UNPACK c:2`
    pub const UNPACK: u16 = 25;
    /// `TESTLT_P c l`
    pub const TESTLT_P: u16 = 26;
    /// `TESTEQ_P c l`
    pub const TESTEQ_P: u16 = 27;
    /// `TESTLT_I x l`
    pub const TESTLT_I: u16 = 28;
    /// `TESTEQ_I x l`
    pub const TESTEQ_I: u16 = 29;
    /// `TESTLT_D x l`
    pub const TESTLT_D: u16 = 30;
    /// `TESTEQ_D x l`
    pub const TESTEQ_D: u16 = 31;
    /// `TESTLT_C x l`
    pub const TESTLT_C: u16 = 32;
    /// `TESTEQ_C x l`
    pub const TESTEQ_C: u16 = 33;
    /// `CASEFAIL s`
    pub const CASEFAIL: u16 = 34;
    /// `PRIM p`
    pub const PRIM: u16 = 35;
    /// `RAISE`
    pub const RAISE: u16 = 36;
    /// `EVAL o l:2`
    pub const EVAL: u16 = 37;
    /// `PRIM +#`, `-#`, `*#`, `==#`, `/=#`, `<#`, `<=#`, `>#`, `>=#`, and
    /// below `quotInt#`, `remInt#`, `negateInt#`: the hottest primops get
    /// opcodes of their own (no operand, no second dispatch).
    pub const ADD_I: u16 = 38;
    pub const SUB_I: u16 = 39;
    pub const MUL_I: u16 = 40;
    pub const EQ_I: u16 = 41;
    pub const NE_I: u16 = 42;
    pub const LT_I: u16 = 43;
    pub const LE_I: u16 = 44;
    pub const GT_I: u16 = 45;
    pub const GE_I: u16 = 46;
    /// `PRIM quotInt#`, `remInt#`, `negateInt#`.
    pub const QUOT_I: u16 = 47;
    pub const REM_I: u16 = 48;
    pub const NEG_I: u16 = 49;
    /// `PRIM isTrue#`.
    pub const IS_TRUE: u16 = 50;
    /// One past the last opcode.
    pub const COUNT: u16 = 51;

    use sloth_core::primop::PrimOp;

    /// The opcode of its own a primop has, if any.
    pub fn of_prim(p: PrimOp) -> Option<u16> {
        Some(match p {
            PrimOp::IntAdd => ADD_I,
            PrimOp::IntSub => SUB_I,
            PrimOp::IntMul => MUL_I,
            PrimOp::IntEq => EQ_I,
            PrimOp::IntNe => NE_I,
            PrimOp::IntLt => LT_I,
            PrimOp::IntLe => LE_I,
            PrimOp::IntGt => GT_I,
            PrimOp::IntGe => GE_I,
            PrimOp::IntQuot => QUOT_I,
            PrimOp::IntRem => REM_I,
            PrimOp::IntNeg => NEG_I,
            PrimOp::IsTrue => IS_TRUE,
            _ => return None,
        })
    }

    /// The primop of an opcode of [`of_prim`].
    pub fn prim_of(w: u16) -> Option<PrimOp> {
        Some(match w {
            ADD_I => PrimOp::IntAdd,
            SUB_I => PrimOp::IntSub,
            MUL_I => PrimOp::IntMul,
            EQ_I => PrimOp::IntEq,
            NE_I => PrimOp::IntNe,
            LT_I => PrimOp::IntLt,
            LE_I => PrimOp::IntLe,
            GT_I => PrimOp::IntGt,
            GE_I => PrimOp::IntGe,
            QUOT_I => PrimOp::IntQuot,
            REM_I => PrimOp::IntRem,
            NEG_I => PrimOp::IntNeg,
            IS_TRUE => PrimOp::IsTrue,
            _ => return None,
        })
    }
}

/// An entry of a BCO's pointer table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PtrEntry {
    Global(Unique),
    /// A BCO of the same unit.
    Bco(BcoRef),
}

/// A BCO in the packed encoding, with what the linker needs beside it.
#[derive(Clone, Debug)]
pub struct PackedBco {
    pub name: String,
    pub params: Vec<Rep>,
    pub free: Vec<Rep>,
    pub code: Vec<u16>,
    pub lits: Vec<u64>,
    pub ptrs: Vec<PtrEntry>,
    pub spans: Vec<sloth_core::source::Span>,
}

/// A unit in the packed encoding.
#[derive(Clone, Debug, Default)]
pub struct PackedUnit {
    pub bcos: Vec<PackedBco>,
    pub tops: Vec<Top>,
}

/// A BCO the encoding cannot represent, or packed code that does not
/// decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmError(pub String);

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn rep_code(r: Rep) -> u16 {
    match r {
        Rep::Ptr => 0,
        Rep::Int => 1,
        Rep::Double => 2,
        Rep::Char => 3,
    }
}

fn rep_of_code(w: u16) -> Option<Rep> {
    Some(match w {
        0 => Rep::Ptr,
        1 => Rep::Int,
        2 => Rep::Double,
        3 => Rep::Char,
        _ => return None,
    })
}

/// Assembles every BCO of a unit.
pub fn assemble_unit(unit: &Unit) -> Result<PackedUnit, AsmError> {
    let bcos = unit
        .bcos
        .iter()
        .map(|b| assemble(b).map_err(|e| AsmError(format!("BCO {}: {e}", b.name))))
        .collect::<Result<_, _>>()?;
    Ok(PackedUnit {
        bcos,
        tops: unit.tops.clone(),
    })
}

struct Assembler {
    code: Vec<u16>,
    lits: Vec<u64>,
    lit_index: HashMap<u64, u32>,
    ptrs: Vec<PtrEntry>,
    bco_index: HashMap<BcoRef, u32>,
    /// Label operands to patch: (word position, label).
    fixups: Vec<(usize, Label)>,
}

impl Assembler {
    fn word(&mut self, w: u16) {
        self.code.push(w);
    }

    fn wide(&mut self, w: u32) {
        self.code.push(w as u16);
        self.code.push((w >> 16) as u16);
    }

    fn lit(&mut self, bits: u64) {
        let next = self.lits.len() as u32;
        let i = *self.lit_index.entry(bits).or_insert(next);
        if i == next {
            self.lits.push(bits);
        }
        self.wide(i);
    }

    fn label(&mut self, l: Label) {
        self.fixups.push((self.code.len(), l));
        self.wide(0);
    }

    fn bco(&mut self, b: BcoRef) {
        let next = self.ptrs.len() as u32;
        let i = *self.bco_index.entry(b).or_insert(next);
        if i == next {
            self.ptrs.push(PtrEntry::Bco(b));
        }
        self.wide(i);
    }
}

/// Packs one BCO. Fails only when a label is defined twice or missing.
pub fn assemble(b: &Bco) -> Result<PackedBco, AsmError> {
    let mut a = Assembler {
        code: Vec::with_capacity(b.instrs.len() * 2),
        lits: Vec::new(),
        lit_index: HashMap::new(),
        ptrs: b.globals.iter().map(|&u| PtrEntry::Global(u)).collect(),
        bco_index: HashMap::new(),
        fixups: Vec::new(),
    };
    let mut positions: HashMap<Label, u32> = HashMap::new();
    for i in &b.instrs {
        use op::*;
        match *i {
            Instr::Label(l) => {
                if positions.insert(l, a.code.len() as u32).is_some() {
                    return Err(AsmError(format!("label {l} defined twice")));
                }
            }
            Instr::StkCheck(n) => {
                a.word(STKCHECK);
                a.wide(n);
            }
            Instr::PushL(o) => {
                a.word(PUSH_L);
                a.word(o);
            }
            Instr::PushLL(x, y) => {
                a.word(PUSH_LL);
                a.word(x);
                a.word(y);
            }
            Instr::PushLLL(x, y, z) => {
                a.word(PUSH_LLL);
                a.word(x);
                a.word(y);
                a.word(z);
            }
            Instr::PushG(g) => {
                a.word(PUSH_G);
                a.word(g.0);
            }
            Instr::PushInt(n) => {
                a.word(PUSH_INT);
                a.lit(n as u64);
            }
            Instr::PushDouble(d) => {
                a.word(PUSH_DOUBLE);
                a.lit(d.to_bits());
            }
            Instr::PushChar(c) => {
                a.word(PUSH_CHAR);
                a.lit(u64::from(c));
            }
            Instr::Slide(k, d) => {
                a.word(SLIDE);
                a.word(k);
                a.word(d);
            }
            Instr::PushAlts(l) => {
                a.word(PUSH_ALTS);
                a.label(l);
            }
            Instr::PushAltsUnlifted(l, r) => {
                a.word(PUSH_ALTS_UNLIFTED);
                a.label(l);
                a.word(rep_code(r));
            }
            Instr::Enter => a.word(ENTER),
            Instr::Return => a.word(RETURN),
            Instr::ReturnUnlifted(r) => {
                a.word(RETURN_UNLIFTED);
                a.word(rep_code(r));
            }
            Instr::Apply(n) => {
                a.word(APPLY);
                a.word(n);
            }
            Instr::Call(g, n) => {
                a.word(CALL);
                a.word(g.0);
                a.word(n);
            }
            Instr::Jmp(l) => {
                a.word(JMP);
                a.label(l);
            }
            Instr::AllocAp(r) | Instr::AllocApNoupd(r) | Instr::AllocPap(r) => {
                a.word(match i {
                    Instr::AllocAp(_) => ALLOC_AP,
                    Instr::AllocApNoupd(_) => ALLOC_AP_NOUPD,
                    _ => ALLOC_PAP,
                });
                a.bco(r);
            }
            Instr::AllocCon(c) => {
                a.word(ALLOC_CON);
                a.wide(c.0);
            }
            Instr::MkAp(o, n) | Instr::MkPap(o, n) | Instr::MkCon(o, n) => {
                a.word(match i {
                    Instr::MkAp(..) => MKAP,
                    Instr::MkPap(..) => MKPAP,
                    _ => MKCON,
                });
                a.word(o);
                a.word(n);
            }
            Instr::Pack(c, n) => {
                a.word(PACK);
                a.wide(c.0);
                a.word(n);
            }
            Instr::Unpack(c) => {
                a.word(UNPACK);
                a.wide(c.0);
            }
            Instr::TestLtP(c, l) | Instr::TestEqP(c, l) => {
                a.word(if matches!(i, Instr::TestLtP(..)) {
                    TESTLT_P
                } else {
                    TESTEQ_P
                });
                a.wide(c.0);
                a.label(l);
            }
            Instr::TestLtI(x, l) | Instr::TestEqI(x, l) => {
                a.word(if matches!(i, Instr::TestLtI(..)) {
                    TESTLT_I
                } else {
                    TESTEQ_I
                });
                a.lit(x as u64);
                a.label(l);
            }
            Instr::TestLtD(x, l) | Instr::TestEqD(x, l) => {
                a.word(if matches!(i, Instr::TestLtD(..)) {
                    TESTLT_D
                } else {
                    TESTEQ_D
                });
                a.lit(x.to_bits());
                a.label(l);
            }
            Instr::TestLtC(x, l) | Instr::TestEqC(x, l) => {
                a.word(if matches!(i, Instr::TestLtC(..)) {
                    TESTLT_C
                } else {
                    TESTEQ_C
                });
                a.lit(u64::from(x));
                a.label(l);
            }
            Instr::CaseFail(s) => {
                a.word(CASEFAIL);
                a.word(s.0);
            }
            Instr::Prim(p) => match of_prim(p) {
                Some(w) => a.word(w),
                None => {
                    a.word(PRIM);
                    a.word(p as u16);
                }
            },
            Instr::Eval(o, l) => {
                a.word(EVAL);
                a.word(o);
                a.label(l);
            }
            Instr::Raise => a.word(RAISE),
        }
    }
    for &(at, l) in &a.fixups {
        let Some(&pos) = positions.get(&l) else {
            return Err(AsmError(format!("jump to undefined label {l}")));
        };
        a.code[at] = pos as u16;
        a.code[at + 1] = (pos >> 16) as u16;
    }
    Ok(PackedBco {
        name: b.name.clone(),
        params: b.params.clone(),
        free: b.free.clone(),
        code: a.code,
        lits: a.lits,
        ptrs: a.ptrs,
        spans: b.spans.clone(),
    })
}

/// Reads packed code back: the instruction at each word position that
/// starts one, in order. Labels are word positions.
pub fn decode_instrs(p: &PackedBco) -> Result<Vec<(u32, Instr)>, AsmError> {
    let mut out = Vec::new();
    let mut pc = 0usize;
    let code = &p.code;
    let word = |at: usize| -> Result<u16, AsmError> {
        code.get(at)
            .copied()
            .ok_or_else(|| AsmError(format!("an instruction runs off the end (word {at})")))
    };
    let wide = |at: usize| -> Result<u32, AsmError> {
        Ok(u32::from(word(at)?) | u32::from(word(at + 1)?) << 16)
    };
    let lit = |at: usize| -> Result<u64, AsmError> {
        let i = wide(at)? as usize;
        p.lits
            .get(i)
            .copied()
            .ok_or_else(|| AsmError(format!("literal {i} is not in the pool")))
    };
    let bco = |at: usize| -> Result<BcoRef, AsmError> {
        let i = wide(at)? as usize;
        match p.ptrs.get(i) {
            Some(PtrEntry::Bco(b)) => Ok(*b),
            _ => Err(AsmError(format!("pointer-table entry {i} is not a BCO"))),
        }
    };
    let rep = |at: usize| -> Result<Rep, AsmError> {
        let w = word(at)?;
        rep_of_code(w).ok_or_else(|| AsmError(format!("bad representation {w}")))
    };
    let chr = |bits: u64| -> Result<char, AsmError> {
        u32::try_from(bits)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| AsmError(format!("bad character literal {bits}")))
    };
    let label = |at: usize| -> Result<Label, AsmError> { Ok(Label(wide(at)?)) };
    while pc < code.len() {
        use op::*;
        let (ins, len) = match code[pc] {
            STKCHECK => (Instr::StkCheck(wide(pc + 1)?), 3),
            PUSH_L => (Instr::PushL(word(pc + 1)?), 2),
            PUSH_LL => (Instr::PushLL(word(pc + 1)?, word(pc + 2)?), 3),
            PUSH_LLL => (
                Instr::PushLLL(word(pc + 1)?, word(pc + 2)?, word(pc + 3)?),
                4,
            ),
            PUSH_G => (Instr::PushG(GlobalRef(word(pc + 1)?)), 2),
            PUSH_INT => (Instr::PushInt(lit(pc + 1)? as i64), 3),
            PUSH_DOUBLE => (Instr::PushDouble(f64::from_bits(lit(pc + 1)?)), 3),
            PUSH_CHAR => (Instr::PushChar(chr(lit(pc + 1)?)?), 3),
            SLIDE => (Instr::Slide(word(pc + 1)?, word(pc + 2)?), 3),
            PUSH_ALTS => (Instr::PushAlts(label(pc + 1)?), 3),
            PUSH_ALTS_UNLIFTED => (Instr::PushAltsUnlifted(label(pc + 1)?, rep(pc + 3)?), 4),
            ENTER => (Instr::Enter, 1),
            RETURN => (Instr::Return, 1),
            RETURN_UNLIFTED => (Instr::ReturnUnlifted(rep(pc + 1)?), 2),
            APPLY => (Instr::Apply(word(pc + 1)?), 2),
            CALL => (Instr::Call(GlobalRef(word(pc + 1)?), word(pc + 2)?), 3),
            JMP => (Instr::Jmp(label(pc + 1)?), 3),
            ALLOC_AP => (Instr::AllocAp(bco(pc + 1)?), 3),
            ALLOC_AP_NOUPD => (Instr::AllocApNoupd(bco(pc + 1)?), 3),
            ALLOC_PAP => (Instr::AllocPap(bco(pc + 1)?), 3),
            ALLOC_CON => (Instr::AllocCon(ConId(wide(pc + 1)?)), 3),
            MKAP => (Instr::MkAp(word(pc + 1)?, word(pc + 2)?), 3),
            MKPAP => (Instr::MkPap(word(pc + 1)?, word(pc + 2)?), 3),
            MKCON => (Instr::MkCon(word(pc + 1)?, word(pc + 2)?), 3),
            PACK => (Instr::Pack(ConId(wide(pc + 1)?), word(pc + 3)?), 4),
            UNPACK => (Instr::Unpack(ConId(wide(pc + 1)?)), 3),
            TESTLT_P => (Instr::TestLtP(ConId(wide(pc + 1)?), label(pc + 3)?), 5),
            TESTEQ_P => (Instr::TestEqP(ConId(wide(pc + 1)?), label(pc + 3)?), 5),
            TESTLT_I => (Instr::TestLtI(lit(pc + 1)? as i64, label(pc + 3)?), 5),
            TESTEQ_I => (Instr::TestEqI(lit(pc + 1)? as i64, label(pc + 3)?), 5),
            TESTLT_D => (
                Instr::TestLtD(f64::from_bits(lit(pc + 1)?), label(pc + 3)?),
                5,
            ),
            TESTEQ_D => (
                Instr::TestEqD(f64::from_bits(lit(pc + 1)?), label(pc + 3)?),
                5,
            ),
            TESTLT_C => (Instr::TestLtC(chr(lit(pc + 1)?)?, label(pc + 3)?), 5),
            TESTEQ_C => (Instr::TestEqC(chr(lit(pc + 1)?)?, label(pc + 3)?), 5),
            CASEFAIL => (Instr::CaseFail(SpanRef(word(pc + 1)?)), 2),
            PRIM => {
                let w = word(pc + 1)?;
                let p = PrimOp::ALL
                    .get(usize::from(w))
                    .ok_or_else(|| AsmError(format!("bad primop {w}")))?;
                (Instr::Prim(*p), 2)
            }
            RAISE => (Instr::Raise, 1),
            EVAL => (Instr::Eval(word(pc + 1)?, label(pc + 2)?), 4),
            w if prim_of(w).is_some() => (Instr::Prim(prim_of(w).unwrap()), 1),
            w => return Err(AsmError(format!("bad opcode {w} at word {pc}"))),
        };
        out.push((pc as u32, ins));
        pc += len;
    }
    Ok(out)
}

/// Decodes packed code into a [`Bco`] the verifier and the disassembler
/// take: a `LABEL` (named by its word position) before every jump target,
/// and the pointer table's globals as the global table.
pub fn unpack(p: &PackedBco) -> Result<Bco, AsmError> {
    let decoded = decode_instrs(p)?;
    let mut targets: Vec<u32> = decoded
        .iter()
        .filter_map(|(_, i)| i.targets())
        .map(|l| l.0)
        .collect();
    targets.sort_unstable();
    targets.dedup();
    let mut instrs = Vec::with_capacity(decoded.len() + targets.len());
    let mut next = targets.iter().peekable();
    for (pos, ins) in decoded {
        while let Some(&&t) = next.peek() {
            if t > pos {
                break;
            }
            if t < pos {
                return Err(AsmError(format!(
                    "a jump lands inside an instruction (word {t})"
                )));
            }
            instrs.push(Instr::Label(Label(t)));
            next.next();
        }
        instrs.push(ins);
    }
    if let Some(t) = next.next() {
        return Err(AsmError(format!("a jump lands past the end (word {t})")));
    }
    // The globals come first in the pointer table (`GlobalRef` i is entry i).
    let globals = p
        .ptrs
        .iter()
        .map_while(|e| match e {
            PtrEntry::Global(u) => Some(*u),
            PtrEntry::Bco(_) => None,
        })
        .collect();
    Ok(Bco {
        name: p.name.clone(),
        params: p.params.clone(),
        free: p.free.clone(),
        instrs,
        globals,
        spans: p.spans.clone(),
    })
}

/// The packed unit read back, for the verifier and the disassembler.
pub fn unpack_unit(u: &PackedUnit) -> Result<Unit, AsmError> {
    let bcos = u
        .bcos
        .iter()
        .map(|b| unpack(b).map_err(|e| AsmError(format!("BCO {}: {e}", b.name))))
        .collect::<Result<_, _>>()?;
    Ok(Unit {
        bcos,
        tops: u.tops.clone(),
        too_large: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bco(instrs: Vec<Instr>) -> Bco {
        Bco {
            name: "t".into(),
            params: vec![Rep::Ptr],
            free: vec![],
            instrs,
            globals: vec![7],
            spans: vec![],
        }
    }

    #[test]
    fn primops_are_numbered_in_declaration_order() {
        for (i, p) in PrimOp::ALL.iter().enumerate() {
            assert_eq!(*p as usize, i);
        }
    }

    #[test]
    fn operands_are_inline_and_literals_pooled() {
        let b = bco(vec![
            Instr::StkCheck(2),
            Instr::PushInt(1 << 40),
            Instr::PushInt(1 << 40),
            Instr::PushL(1),
            Instr::AllocAp(BcoRef(3)),
            Instr::PushG(GlobalRef(0)),
            Instr::Return,
        ]);
        let p = assemble(&b).unwrap();
        use op::*;
        assert_eq!(
            p.code,
            [
                STKCHECK, 2, 0, PUSH_INT, 0, 0, PUSH_INT, 0, 0, PUSH_L, 1, ALLOC_AP, 1, 0, PUSH_G,
                0, RETURN
            ]
        );
        assert_eq!(p.lits, [1 << 40]);
        assert_eq!(p.ptrs, [PtrEntry::Global(7), PtrEntry::Bco(BcoRef(3))]);
    }

    #[test]
    fn labels_become_word_positions_and_decode_back() {
        let b = bco(vec![
            Instr::StkCheck(2),
            Instr::PushAlts(Label(9)),
            Instr::PushL(1),
            Instr::Enter,
            Instr::Label(Label(9)),
            Instr::TestEqC('x', Label(4)),
            Instr::Return,
            Instr::Label(Label(4)),
            Instr::PushDouble(-0.5),
            Instr::Prim(PrimOp::DoubleNeg),
            Instr::ReturnUnlifted(Rep::Double),
        ]);
        let p = assemble(&b).unwrap();
        let back = unpack(&p).unwrap();
        let expect = vec![
            Instr::StkCheck(2),
            Instr::PushAlts(Label(9)),
            Instr::PushL(1),
            Instr::Enter,
            Instr::Label(Label(9)),
            Instr::TestEqC('x', Label(15)),
            Instr::Return,
            Instr::Label(Label(15)),
            Instr::PushDouble(-0.5),
            Instr::Prim(PrimOp::DoubleNeg),
            Instr::ReturnUnlifted(Rep::Double),
        ];
        assert_eq!(back.instrs, expect);
        assert_eq!(back.globals, b.globals);
        // Assembling the decoded form gives the same words.
        assert_eq!(assemble(&back).unwrap().code, p.code);
    }

    #[test]
    fn bad_code_is_an_error_not_a_panic() {
        let b = bco(vec![Instr::StkCheck(0), Instr::Jmp(Label(1))]);
        assert!(assemble(&b).unwrap_err().0.contains("undefined label"));
        let mut p = assemble(&bco(vec![Instr::StkCheck(0), Instr::Return])).unwrap();
        p.code.push(op::COUNT);
        assert!(unpack(&p).unwrap_err().0.contains("bad opcode"));
        p.code.pop();
        p.code.push(op::PUSH_INT);
        p.code.push(5);
        assert!(unpack(&p).unwrap_err().0.contains("off the end"));
        p.code.push(0);
        assert!(unpack(&p).unwrap_err().0.contains("not in the pool"));
        let mut p = assemble(&bco(vec![
            Instr::StkCheck(0),
            Instr::Jmp(Label(0)),
            Instr::Label(Label(0)),
            Instr::Return,
        ]))
        .unwrap();
        p.code[4] = 1; // into the middle of STKCHECK's operand
        assert!(unpack(&p).unwrap_err().0.contains("inside an instruction"));
    }
}
