//! The instruction set, in its readable form.
//!
//! [`Instr`] is what the compiler emits, the verifier checks and the
//! disassembler prints; the assembler packs it into 16-bit words for the
//! interpreter (see `docs/bytecode.md`). Names follow GHC's
//! `GHC.ByteCode.Instr` where the operation is the same; what this machine
//! adds (inline primops, direct calls of known functions, jumps for join
//! points, constructor knots) is marked *Sloth*.
//!
//! The machine, in brief (the RTS owns the details):
//!
//! * one contiguous stack of words with a pointer map; stack operands
//!   are offsets from the top (0 is the topmost word);
//! * a value returns in a register, to the frame on top of the stack: a
//!   case continuation (pushed by `PUSH_ALTS`), an update frame, or an
//!   apply-the-rest frame;
//! * a call leaves its arguments on the stack, first argument on top; on
//!   entry to a function or thunk the machine pushes the closure's free
//!   variables above them, so a BCO starts with `[args..., free vars...]`.
//!
//! Stack effects below are written `( before -- after )`, top on the right.
//! This module knows neither the heap layout nor the encoding. Read next:
//! `bco` (what a compiled object holds), then `compile`.

use sloth_core::primop::PrimOp;
use sloth_core::types::ConId;
use sloth_stg::syntax::Rep;
use std::fmt;

/// A stack offset from the top.
pub type Offset = u16;

/// A position in a BCO's instruction list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label(pub u32);

/// Another BCO of the same compilation unit (a closure's code), by index
/// in the unit's BCO list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BcoRef(pub u32);

/// A global (a top-level binding of this or an earlier unit), by index in
/// the BCO's global table; the linker resolves it to a heap pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalRef(pub u16);

/// A source position (of a `case` that can fail), by index in the BCO's
/// span table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpanRef(pub u16);

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Instr {
    /// `LABEL l` ( -- ) a jump target (GHC's pseudo-instruction; the
    /// assembler removes it).
    Label(Label),

    // ---- stack -----------------------------------------------------------
    /// `STKCHECK n` ( -- ) the stack has room for `n` more words, or the
    /// run stops with a stack overflow. First instruction of every BCO that
    /// pushes.
    StkCheck(u32),
    /// `PUSH_L o` ( .. x@o .. -- .. x .. x ) push a copy of a slot.
    PushL(Offset),
    /// `PUSH_LL o1 o2` ( -- x1 x2 ) two copies; `o2` is counted before the
    /// first push.
    PushLL(Offset, Offset),
    /// `PUSH_LLL o1 o2 o3` ( -- x1 x2 x3 ) three copies, offsets counted
    /// before any push.
    PushLLL(Offset, Offset, Offset),
    /// `PUSH_G g` ( -- p ) push a global's pointer.
    PushG(GlobalRef),
    /// `PUSH_UBX n` ( -- w ) push an unboxed literal: an `Int#`, or the
    /// bits of a `Double#`, or a `Char#` (three variants keep `Instr` at
    /// two words).
    PushInt(i64),
    PushDouble(f64),
    PushChar(char),
    /// `SLIDE keep drop` ( d1..d_drop k1..k_keep -- k1..k_keep ) drop the
    /// `drop` words under the top `keep`.
    Slide(u16, u16),

    // ---- evaluation and return --------------------------------------------
    /// `PUSH_ALTS l` ( -- frame ) push a case continuation: when a lifted
    /// value returns to it, the frame is popped, the value pushed, and
    /// execution continues at `l` in this BCO.
    PushAlts(Label),
    /// `PUSH_ALTS_UNLIFTED l rep` ( -- frame ) the same for an unboxed
    /// value of representation `rep`.
    PushAltsUnlifted(Label, Rep),
    /// `EVAL o l` ( -- v ) *Sloth*: `PUSH_ALTS l; PUSH_L (o+1); ENTER` in
    /// one instruction: evaluate the slot at offset `o` and continue at `l`
    /// with its value on top. A slot that already holds a value is pushed
    /// and the jump taken, with no frame and no return.
    Eval(Offset, Label),
    /// `ENTER` ( p -- ) evaluate the closure `p` and return its value: a
    /// value returns at once; a thunk is blackholed, an update frame pushed
    /// (unless it is non-updatable), and its code entered.
    Enter,
    /// `RETURN` ( v -- ) return the evaluated value `v` to the frame below.
    Return,
    /// `RETURN_UNLIFTED rep` ( w -- ) return an unboxed word.
    ReturnUnlifted(Rep),

    // ---- calls --------------------------------------------------------------
    /// `APPLY n` ( a_n .. a_1 f -- ) call the closure `f` with `n`
    /// arguments by eval/apply: evaluate `f`; exactly its arity: enter;
    /// fewer: return a partial application; more: call with its arity
    /// under an apply-the-rest frame. (*Sloth*: GHC pushes `stg_ap` frames.)
    Apply(u16),
    /// `CALL g n` ( a_n .. a_1 -- ) *Sloth*: call the known global
    /// function `g`, whose arity is `n`: no evaluation, no arity check.
    Call(GlobalRef, u16),
    /// `JMP l` ( -- ) continue at `l` in this BCO: case alternatives,
    /// join points (*Sloth*: GHCi allocates those as closures) and loops.
    Jmp(Label),

    // ---- allocation -----------------------------------------------------------
    /// `ALLOC_AP b` ( -- p ) allocate an updatable thunk running BCO `b`,
    /// its free variables not yet filled (`MKAP`).
    AllocAp(BcoRef),
    /// `ALLOC_AP_NOUPD b` ( -- p ) the same, non-updatable (call-by-name).
    AllocApNoupd(BcoRef),
    /// `ALLOC_PAP b` ( -- p ) allocate a function closure of BCO `b`
    /// (GHC allocates a PAP of a BCO with no arguments), to fill by `MKPAP`.
    AllocPap(BcoRef),
    /// `ALLOC_CON c` ( -- p ) *Sloth*: allocate constructor `c` with its
    /// fields not yet filled (`MKCON`): a constructor in a recursive `let`.
    AllocCon(ConId),
    /// `MKAP o n` ( .. p@o .. x_1..x_n -- .. p .. ) fill the thunk at
    /// offset `o` (counted before the pops) with the `n` words on top —
    /// payload word 1 deepest, in the heap's order (pointers first) — and
    /// pop them.
    MkAp(Offset, u16),
    /// `MKPAP o n` the same for a function closure.
    MkPap(Offset, u16),
    /// `MKCON o n` the same for a constructor's fields, field 1 deepest
    /// (*Sloth*).
    MkCon(Offset, u16),
    /// `PACK c n` ( x_n .. x_1 -- p ) allocate constructor `c` with the
    /// `n` words on top as its fields, field 1 topmost.
    Pack(ConId, u16),
    /// `UNPACK c` ( p -- p f_n .. f_1 ) push the `n` fields of the
    /// constructor `c` on top, field 1 topmost. Naming `c` lets the
    /// verifier know every field's representation; the machine stops
    /// with bad code if the value on top is not `c` (see Note [What the
    /// verifier cannot know] in `verify`).
    Unpack(ConId),

    // ---- tests --------------------------------------------------------------
    /// `TESTLT_P c l` ( p -- p ) if the constructor on top is not below
    /// `c`, continue at `l`. Constructors of a type have consecutive ids in
    /// declaration order, so this is a test on the tag.
    TestLtP(ConId, Label),
    /// `TESTEQ_P c l` ( p -- p ) if the constructor on top is not `c`,
    /// continue at `l`.
    TestEqP(ConId, Label),
    /// `TESTLT_I n l` ( w -- w ) if the `Int#` on top is not below `n`,
    /// continue at `l`; `TESTEQ_I` and the `_D` (`Double#`) and `_C`
    /// (`Char#`) forms likewise.
    TestLtI(i64, Label),
    TestEqI(i64, Label),
    TestLtD(f64, Label),
    TestEqD(f64, Label),
    TestLtC(char, Label),
    TestEqC(char, Label),
    /// `CASEFAIL s` ( -- ) no alternative matched: the run stops with a
    /// pattern-match failure at source position `s`.
    CaseFail(SpanRef),

    // ---- primitives -------------------------------------------------------------
    /// `PRIM op` ( w_n .. w_1 -- r ) *Sloth*: an inline primop on the
    /// unboxed words on top (argument 1 topmost): arithmetic, comparisons
    /// (`Int#` 1 or 0), conversions. `isTrue#` pushes a `Bool` pointer,
    /// `showDouble#` a string; `quotInt#`/`remInt#` by zero and a bad
    /// `chr#` stop the run. `error` is not a `PRIM`: see `RAISE`.
    Prim(PrimOp),
    /// `RAISE` ( s -- ) *Sloth*: `error s`: evaluate the string `s` fully
    /// and stop the run with it as the message (an error while evaluating
    /// it wins).
    Raise,
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "L{}", self.0)
    }
}

impl Instr {
    /// The labels this instruction may jump to.
    pub fn targets(&self) -> Option<Label> {
        match self {
            Instr::PushAlts(l)
            | Instr::PushAltsUnlifted(l, _)
            | Instr::Eval(_, l)
            | Instr::Jmp(l)
            | Instr::TestLtP(_, l)
            | Instr::TestEqP(_, l)
            | Instr::TestLtI(_, l)
            | Instr::TestEqI(_, l)
            | Instr::TestLtD(_, l)
            | Instr::TestEqD(_, l)
            | Instr::TestLtC(_, l)
            | Instr::TestEqC(_, l) => Some(*l),
            _ => None,
        }
    }

    /// Whether execution never falls through to the next instruction.
    pub fn ends_block(&self) -> bool {
        matches!(
            self,
            Instr::Enter
                | Instr::Eval(..)
                | Instr::Return
                | Instr::ReturnUnlifted(_)
                | Instr::Apply(_)
                | Instr::Call(..)
                | Instr::Jmp(_)
                | Instr::CaseFail(_)
                | Instr::Raise
        )
    }

    /// GHC-style mnemonic.
    pub fn mnemonic(&self) -> &'static str {
        match self {
            Instr::Label(_) => "LABEL",
            Instr::StkCheck(_) => "STKCHECK",
            Instr::PushL(_) => "PUSH_L",
            Instr::PushLL(..) => "PUSH_LL",
            Instr::PushLLL(..) => "PUSH_LLL",
            Instr::PushG(_) => "PUSH_G",
            Instr::PushInt(_) | Instr::PushDouble(_) | Instr::PushChar(_) => "PUSH_UBX",
            Instr::Slide(..) => "SLIDE",
            Instr::PushAlts(_) => "PUSH_ALTS",
            Instr::PushAltsUnlifted(..) => "PUSH_ALTS_UNLIFTED",
            Instr::Eval(..) => "EVAL",
            Instr::Enter => "ENTER",
            Instr::Return => "RETURN",
            Instr::ReturnUnlifted(_) => "RETURN_UNLIFTED",
            Instr::Apply(_) => "APPLY",
            Instr::Call(..) => "CALL",
            Instr::Jmp(_) => "JMP",
            Instr::AllocAp(_) => "ALLOC_AP",
            Instr::AllocApNoupd(_) => "ALLOC_AP_NOUPD",
            Instr::AllocPap(_) => "ALLOC_PAP",
            Instr::AllocCon(_) => "ALLOC_CON",
            Instr::MkAp(..) => "MKAP",
            Instr::MkPap(..) => "MKPAP",
            Instr::MkCon(..) => "MKCON",
            Instr::Pack(..) => "PACK",
            Instr::Unpack(_) => "UNPACK",
            Instr::TestLtP(..) => "TESTLT_P",
            Instr::TestEqP(..) => "TESTEQ_P",
            Instr::TestLtI(..) => "TESTLT_I",
            Instr::TestEqI(..) => "TESTEQ_I",
            Instr::TestLtD(..) => "TESTLT_D",
            Instr::TestEqD(..) => "TESTEQ_D",
            Instr::TestLtC(..) => "TESTLT_C",
            Instr::TestEqC(..) => "TESTEQ_C",
            Instr::CaseFail(_) => "CASEFAIL",
            Instr::Prim(_) => "PRIM",
            Instr::Raise => "RAISE",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compiler keeps vectors of these; keep them two words.
    #[test]
    fn instr_stays_small() {
        assert_eq!(std::mem::size_of::<Instr>(), 16);
    }

    #[test]
    fn block_ends_and_targets() {
        assert!(Instr::Jmp(Label(3)).ends_block());
        assert_eq!(Instr::TestEqP(ConId(4), Label(7)).targets(), Some(Label(7)));
        assert!(!Instr::PushAlts(Label(1)).ends_block());
        assert_eq!(Instr::Slide(1, 2).mnemonic(), "SLIDE");
    }
}
