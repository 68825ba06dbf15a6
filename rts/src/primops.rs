//! Inline primops on unboxed words.
//!
//! An `Int#` is the word itself (two's complement), a `Double#` its IEEE
//! bits, a `Char#` its code point. Arithmetic wraps (as GHC's does); a
//! comparison gives `Int#` 1 or 0. The few primops that allocate or fail
//! (`isTrue#`, `showDouble#`, `quotInt#`/`remInt#` by zero, a bad `chr#`)
//! return a [`PrimResult`] the interpreter acts on. Read next: `interp`.

use sloth_core::primop::PrimOp;

/// What a primop produced.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PrimResult {
    Word(u64),
    /// `isTrue#`: the interpreter pushes the static `True` or `False`.
    Bool(bool),
    /// `showDouble#`: the interpreter builds the string.
    ShowDouble(f64),
    DivideByZero,
    BadChr(i64),
}

fn d(w: u64) -> f64 {
    f64::from_bits(w)
}

fn i(w: u64) -> i64 {
    w as i64
}

fn b(x: bool) -> PrimResult {
    PrimResult::Word(u64::from(x))
}

fn dw(x: f64) -> PrimResult {
    PrimResult::Word(x.to_bits())
}

fn iw(x: i64) -> PrimResult {
    PrimResult::Word(x as u64)
}

/// Applies `op` to `args` (argument 1 first). `error` is not handled here.
pub fn apply(op: PrimOp, args: &[u64]) -> PrimResult {
    use PrimOp::*;
    let x = args[0];
    let y = args.get(1).copied().unwrap_or(0);
    match op {
        IntAdd => iw(i(x).wrapping_add(i(y))),
        IntSub => iw(i(x).wrapping_sub(i(y))),
        IntMul => iw(i(x).wrapping_mul(i(y))),
        IntQuot if y == 0 => PrimResult::DivideByZero,
        IntRem if y == 0 => PrimResult::DivideByZero,
        IntQuot => iw(i(x).wrapping_div(i(y))),
        IntRem => iw(i(x).wrapping_rem(i(y))),
        IntNeg => iw(i(x).wrapping_neg()),
        IntEq => b(x == y),
        IntNe => b(x != y),
        IntLt => b(i(x) < i(y)),
        IntLe => b(i(x) <= i(y)),
        IntGt => b(i(x) > i(y)),
        IntGe => b(i(x) >= i(y)),
        DoubleAdd => dw(d(x) + d(y)),
        DoubleSub => dw(d(x) - d(y)),
        DoubleMul => dw(d(x) * d(y)),
        DoubleDiv => dw(d(x) / d(y)),
        DoublePow => dw(d(x).powf(d(y))),
        DoubleNeg => dw(-d(x)),
        DoubleEq => b(d(x) == d(y)),
        DoubleNe => b(d(x) != d(y)),
        DoubleLt => b(d(x) < d(y)),
        DoubleLe => b(d(x) <= d(y)),
        DoubleGt => b(d(x) > d(y)),
        DoubleGe => b(d(x) >= d(y)),
        DoubleSqrt => dw(d(x).sqrt()),
        DoubleExp => dw(d(x).exp()),
        DoubleLog => dw(d(x).ln()),
        DoubleSin => dw(d(x).sin()),
        DoubleCos => dw(d(x).cos()),
        DoubleTan => dw(d(x).tan()),
        DoubleAtan => dw(d(x).atan()),
        DoubleFloor => dw(d(x).floor()),
        DoubleCeiling => dw(d(x).ceil()),
        DoubleRound => dw(d(x).round_ties_even()),
        CharEq => b(x == y),
        CharNe => b(x != y),
        CharLt => b(x < y),
        CharLe => b(x <= y),
        CharGt => b(x > y),
        CharGe => b(x >= y),
        Int2Double => dw(i(x) as f64),
        // x86's cvttsd2si, as GHC: NaN and out of range give minBound.
        Double2Int => {
            // 2^63: the first double out of range.
            const LIMIT: f64 = 9_223_372_036_854_775_808.0;
            let v = d(x);
            if (-LIMIT..LIMIT).contains(&v) {
                iw(v as i64)
            } else {
                iw(i64::MIN)
            }
        }
        Ord => PrimResult::Word(x),
        Chr => match u32::try_from(i(x)).ok().and_then(char::from_u32) {
            Some(c) => PrimResult::Word(u64::from(c)),
            None => PrimResult::BadChr(i(x)),
        },
        IsTrue => PrimResult::Bool(x != 0),
        ShowDouble => PrimResult::ShowDouble(d(x)),
        Error => unreachable!("`error` compiles to RAISE"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_wraps_and_divides_like_ghc() {
        assert_eq!(apply(PrimOp::IntAdd, &[i64::MAX as u64, 1]), iw(i64::MIN));
        assert_eq!(
            apply(PrimOp::IntQuot, &[i64::MIN as u64, -1i64 as u64]),
            iw(i64::MIN)
        );
        assert_eq!(apply(PrimOp::IntRem, &[(-7i64) as u64, 2]), iw(-1));
        assert_eq!(apply(PrimOp::IntQuot, &[1, 0]), PrimResult::DivideByZero);
        assert_eq!(
            apply(PrimOp::IntLt, &[(-1i64) as u64, 0]),
            PrimResult::Word(1)
        );
    }

    #[test]
    fn doubles_and_chars() {
        assert_eq!(apply(PrimOp::DoubleRound, &[2.5f64.to_bits()]), dw(2.0));
        assert_eq!(
            apply(PrimOp::Double2Int, &[f64::NAN.to_bits()]),
            iw(i64::MIN)
        );
        assert_eq!(apply(PrimOp::Double2Int, &[(-2.7f64).to_bits()]), iw(-2));
        assert_eq!(apply(PrimOp::Chr, &[0xD800]), PrimResult::BadChr(0xD800));
        assert_eq!(apply(PrimOp::Chr, &[97]), PrimResult::Word(97));
        assert_eq!(
            apply(PrimOp::DoubleLt, &[f64::NAN.to_bits(), 1f64.to_bits()]),
            PrimResult::Word(0)
        );
    }
}
