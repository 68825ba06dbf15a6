//! Primitive operations: the names the prelude cannot define in Sloth Core.
//!
//! Each [`PrimOp`] has a source name (GHC's where GHC has one), a type, and is
//! strict in every argument. Core refers to them by value (`Expr::Prim`);
//! STG saturates them and the bytecode compiler turns the unboxed ones into
//! inline instructions. This module knows their types, not how they run.

use crate::types::{TyVar, Type};
use std::rc::Rc;

macro_rules! primops {
    ($($(#[$doc:meta])* $variant:ident = $name:literal : $ty:ident,)*) => {
        /// A primitive operation. See the table in `docs/language.md`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum PrimOp { $($(#[$doc])* $variant,)* }

        impl PrimOp {
            pub const ALL: &'static [PrimOp] = &[$(PrimOp::$variant,)*];

            /// The source name: `+#`, `quotInt#`, `error`.
            pub fn name(self) -> &'static str {
                match self { $(PrimOp::$variant => $name,)* }
            }

            fn shape(self) -> Shape {
                match self { $(PrimOp::$variant => Shape::$ty,)* }
            }
        }
    };
}

/// The few type shapes primops come in (named argument types _ result).
#[derive(Clone, Copy)]
#[allow(non_camel_case_types)]
enum Shape {
    /// `Int# -> Int# -> Int#`
    II_I,
    /// `Int# -> Int#`
    I_I,
    /// `Double# -> Double# -> Double#`
    DD_D,
    /// `Double# -> Double#`
    D_D,
    /// `Double# -> Double# -> Int#`
    DD_I,
    /// `Char# -> Char# -> Int#`
    CC_I,
    /// `Int# -> Double#`
    I_D,
    /// `Double# -> Int#`
    D_I,
    /// `Char# -> Int#`
    C_I,
    /// `Int# -> Char#`
    I_C,
    /// `Int# -> Bool`
    I_Bool,
    /// `Double# -> [Char]`
    D_Str,
    /// `forall a. [Char] -> a`
    Error,
}

primops! {
    IntAdd = "+#" : II_I,
    IntSub = "-#" : II_I,
    IntMul = "*#" : II_I,
    /// Division by zero is a runtime error (GHC leaves it undefined).
    IntQuot = "quotInt#" : II_I,
    IntRem = "remInt#" : II_I,
    IntNeg = "negateInt#" : I_I,
    IntEq = "==#" : II_I,
    IntNe = "/=#" : II_I,
    IntLt = "<#" : II_I,
    IntLe = "<=#" : II_I,
    IntGt = ">#" : II_I,
    IntGe = ">=#" : II_I,
    DoubleAdd = "+##" : DD_D,
    DoubleSub = "-##" : DD_D,
    DoubleMul = "*##" : DD_D,
    DoubleDiv = "/##" : DD_D,
    DoublePow = "**##" : DD_D,
    DoubleNeg = "negateDouble#" : D_D,
    DoubleEq = "==##" : DD_I,
    DoubleNe = "/=##" : DD_I,
    DoubleLt = "<##" : DD_I,
    DoubleLe = "<=##" : DD_I,
    DoubleGt = ">##" : DD_I,
    DoubleGe = ">=##" : DD_I,
    DoubleSqrt = "sqrtDouble#" : D_D,
    DoubleExp = "expDouble#" : D_D,
    DoubleLog = "logDouble#" : D_D,
    DoubleSin = "sinDouble#" : D_D,
    DoubleCos = "cosDouble#" : D_D,
    DoubleTan = "tanDouble#" : D_D,
    DoubleAtan = "atanDouble#" : D_D,
    /// Rounds toward minus infinity (a `Double#` result: use `double2Int#`).
    DoubleFloor = "floorDouble#" : D_D,
    DoubleCeiling = "ceilingDouble#" : D_D,
    /// Rounds half to even, as Haskell's `round`.
    DoubleRound = "roundDouble#" : D_D,
    CharEq = "eqChar#" : CC_I,
    CharNe = "neChar#" : CC_I,
    CharLt = "ltChar#" : CC_I,
    CharLe = "leChar#" : CC_I,
    CharGt = "gtChar#" : CC_I,
    CharGe = "geChar#" : CC_I,
    Int2Double = "int2Double#" : I_D,
    /// Truncates toward zero.
    Double2Int = "double2Int#" : D_I,
    Ord = "ord#" : C_I,
    /// A code point that is not a Unicode scalar value is a runtime error.
    Chr = "chr#" : I_C,
    IsTrue = "isTrue#" : I_Bool,
    /// GHC's `show` for `Double`: shortest round-trip digits, GHC's exponent rules.
    ShowDouble = "showDouble#" : D_Str,
    /// `error msg`: evaluates the message and stops the program with it.
    Error = "error" : Error,
}

impl PrimOp {
    pub fn from_name(name: &str) -> Option<PrimOp> {
        PrimOp::ALL.iter().copied().find(|p| p.name() == name)
    }

    /// The number of value arguments.
    /// Whether an application can fail (a runtime error) rather than
    /// return: such an application is not evaluated speculatively (GHC's
    /// "ok for speculation"), e.g. when building a constructor lazily.
    pub fn can_fail(self) -> bool {
        matches!(
            self,
            PrimOp::IntQuot | PrimOp::IntRem | PrimOp::Chr | PrimOp::Error
        )
    }

    pub fn arity(self) -> usize {
        self.ty().split_foralls().1.split_funs().0.len()
    }

    /// The primop's type. `error`'s type variable has a reserved unique.
    pub fn ty(self) -> Type {
        let (i, d, c) = (Type::int_prim(), Type::double_prim(), Type::char_prim());
        match self.shape() {
            Shape::II_I => Type::funs([i.clone(), i.clone()], i),
            Shape::I_I => Type::fun(i.clone(), i),
            Shape::DD_D => Type::funs([d.clone(), d.clone()], d),
            Shape::D_D => Type::fun(d.clone(), d),
            Shape::DD_I => Type::funs([d.clone(), d], i),
            Shape::CC_I => Type::funs([c.clone(), c], i),
            Shape::I_D => Type::fun(i, d),
            Shape::D_I => Type::fun(d, i),
            Shape::C_I => Type::fun(c, i),
            Shape::I_C => Type::fun(i, c),
            Shape::I_Bool => Type::fun(i, Type::bool()),
            Shape::D_Str => Type::fun(d, Type::string()),
            Shape::Error => {
                let a = TyVar {
                    name: Rc::from("a"),
                    unique: ERROR_TYVAR,
                };
                Type::forall(a.clone(), Type::fun(Type::string(), Type::var(a)))
            }
        }
    }

    /// Whether the primop is an infix operator in source (`+#`, `==##`).
    pub fn is_operator(self) -> bool {
        !self.name().starts_with(|c: char| c.is_alphabetic())
    }
}

/// The unique of `error`'s type variable, in the reserved range.
const ERROR_TYVAR: u32 = 99;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        for &p in PrimOp::ALL {
            assert_eq!(PrimOp::from_name(p.name()), Some(p));
        }
        assert_eq!(PrimOp::IntAdd.arity(), 2);
        assert_eq!(PrimOp::Error.arity(), 1);
        assert!(PrimOp::DoubleEq.is_operator());
        assert!(!PrimOp::IntQuot.is_operator());
    }
}
