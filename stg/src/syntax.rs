//! The STG language: what the bytecode compiler consumes.
//!
//! In the spirit of GHC's `GHC.Stg.Syntax`. Types are erased; what remains
//! of them is the *representation* of each variable ([`Rep`]): a pointer to
//! a heap object, or an unboxed `Int#`, `Double#` or `Char#` word. The
//! invariants, checked by `lint`:
//!
//! * every argument is an [`Atom`] (a variable or an unboxed literal);
//! * constructor and primop applications are saturated;
//! * every `let` binds a closure ([`Rhs`]): a constructor application, a
//!   function with its arity, or a thunk, each with its exact list of free
//!   local variables (globals are not free variables: the linker resolves
//!   them);
//! * a join point (`LetJoin`) is only reached by `Jump`s in tail position,
//!   never captured by a closure, so the bytecode can compile it to a label.
//!
//! This module knows nothing of Core or of the strategy that produced a
//! program; the strategy shows only in update flags and in where `case`s
//! were placed. Read next: `lower`.

use sloth_core::primop::PrimOp;
use sloth_core::source::Span;
use sloth_core::token::Symbol;
use sloth_core::types::{ConId, TyConId, Unique};

/// How a value is represented at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rep {
    /// A pointer to a heap object (every lifted type: data, functions).
    Ptr,
    /// An unboxed 64-bit integer (`Int#`).
    Int,
    /// An unboxed IEEE double (`Double#`).
    Double,
    /// An unboxed Unicode scalar value (`Char#`).
    Char,
}

/// A variable: a local binder or a global (top-level) name.
#[derive(Clone, Debug)]
pub struct Var {
    pub name: Symbol,
    pub unique: Unique,
    pub rep: Rep,
}

impl PartialEq for Var {
    fn eq(&self, o: &Var) -> bool {
        self.unique == o.unique
    }
}
impl Eq for Var {}

/// An unboxed literal.
#[derive(Clone, Copy, Debug)]
pub enum Lit {
    Int(i64),
    Double(f64),
    Char(char),
}

impl PartialEq for Lit {
    /// Doubles compare by bits, so that `case` on a literal is decidable.
    fn eq(&self, o: &Lit) -> bool {
        match (self, o) {
            (Lit::Int(a), Lit::Int(b)) => a == b,
            (Lit::Double(a), Lit::Double(b)) => a.to_bits() == b.to_bits(),
            (Lit::Char(a), Lit::Char(b)) => a == b,
            _ => false,
        }
    }
}

impl Lit {
    pub fn rep(self) -> Rep {
        match self {
            Lit::Int(_) => Rep::Int,
            Lit::Double(_) => Rep::Double,
            Lit::Char(_) => Rep::Char,
        }
    }
}

/// An argument: something that needs no evaluation.
#[derive(Clone, Debug, PartialEq)]
pub enum Atom {
    Var(Var),
    Lit(Lit),
}

impl Atom {
    pub fn rep(&self) -> Rep {
        match self {
            Atom::Var(v) => v.rep,
            Atom::Lit(l) => l.rep(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Expr {
    /// Evaluate an atom: enter a pointer variable, return an unboxed one.
    Atom(Atom),
    /// Call a function variable (local or global, known or not) with at
    /// least one argument. Arity mismatches are the machine's business
    /// (eval/apply); the bytecode compiler may call a known global directly.
    App(Var, Vec<Atom>),
    /// A saturated constructor application: allocate and return.
    Con(ConId, Vec<Atom>),
    /// A saturated primop application.
    Prim(PrimOp, Vec<Atom>),
    /// Evaluate the scrutinee, bind its value to `binder`, take the first
    /// alternative that matches. No match is a runtime error naming `span`.
    Case(Box<Case>),
    /// Allocate closures, then evaluate the body.
    Let(Box<Binding>, Box<Expr>),
    /// Allocate a group of closures that may refer to each other.
    LetRec(Vec<Binding>, Box<Expr>),
    /// Bind join points (labels with parameters), then run the body. In a
    /// recursive group the join points' bodies may jump to each other.
    LetJoin(Box<JoinGroup>),
    /// Jump to a join point in scope, in tail position, with exactly its
    /// arity of arguments.
    Jump(Var, Vec<Atom>),
}

#[derive(Clone, Debug)]
pub struct Case {
    pub scrut: Expr,
    /// Bound to the evaluated scrutinee in every alternative.
    pub binder: Var,
    pub ty: AltType,
    pub alts: Vec<Alt>,
    pub span: Span,
}

/// What a `case` scrutinises, which decides how it returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AltType {
    /// A value of a data type: alternatives test constructors.
    Algebraic(TyConId),
    /// An unboxed value: alternatives test literals.
    Prim(Rep),
    /// A lifted value of unknown type (a type variable or a function):
    /// only a default alternative; the `case` just evaluates.
    Poly,
}

#[derive(Clone, Debug)]
pub struct Alt {
    pub con: AltCon,
    /// The constructor's fields (empty for literals and the default).
    pub binders: Vec<Var>,
    pub rhs: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AltCon {
    Con(ConId),
    Lit(Lit),
    Default,
}

/// A closure and the variable it is bound to.
#[derive(Clone, Debug)]
pub struct Binding {
    pub var: Var,
    pub rhs: Rhs,
}

#[derive(Clone, Debug)]
pub enum Rhs {
    /// A saturated constructor application: allocated as a value.
    Con(ConId, Vec<Atom>),
    /// A function of `params.len()` (at least one) arguments.
    Fun(Closure),
    /// A suspended computation.
    Thunk(Closure, UpdateFlag),
    /// A string literal, unpacked to a `[Char]` on demand (GHC's
    /// `unpackCString#`): a thunk without free variables.
    String(Symbol),
}

/// The code part of a function or thunk.
#[derive(Clone, Debug)]
pub struct Closure {
    /// The local variables the body uses that are bound outside it, in a
    /// fixed order (the closure's payload layout).
    pub free: Vec<Var>,
    pub params: Vec<Var>,
    pub body: Expr,
}

/// What happens when a thunk is entered (GHC's `UpdateFlag`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateFlag {
    /// Call-by-need: push an update frame, blackhole, overwrite with the
    /// value on return.
    Updatable,
    /// Entered at most once (its variable occurs once, not under a lambda):
    /// no update frame needed, the thunk is dead after entry.
    SingleEntry,
    /// Re-evaluated at every entry: call-by-name (GHC's `AP_NOUPD`).
    ReEntrant,
}

#[derive(Clone, Debug)]
pub struct JoinGroup {
    pub recursive: bool,
    pub joins: Vec<JoinPoint>,
    pub body: Expr,
}

/// A `let`-bound function that is only ever tail-called with all its
/// arguments: compiled to a label in its enclosing code, not a closure.
#[derive(Clone, Debug)]
pub struct JoinPoint {
    pub var: Var,
    pub params: Vec<Var>,
    pub body: Expr,
}

/// A top-level binding. Its right side has no free variables.
#[derive(Clone, Debug)]
pub struct TopBinding {
    pub var: Var,
    pub rhs: Rhs,
}

/// A lowered compilation unit: top-level bindings in dependency order
/// (each refers only to itself, earlier bindings of the unit, or earlier
/// units). `recursive[i]` groups are not needed by the machine, which links
/// all of a unit's globals before running any of them.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub binds: Vec<TopBinding>,
}

impl Rhs {
    /// The closure's free variables (none for constructors: their atoms are
    /// the payload; see `lint`).
    pub fn free_vars(&self) -> &[Var] {
        match self {
            Rhs::Fun(c) | Rhs::Thunk(c, _) => &c.free,
            Rhs::Con(..) | Rhs::String(_) => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytecode compiler walks these; keep them small.
    #[test]
    fn sizes() {
        assert_eq!(std::mem::size_of::<Var>(), 24);
        assert_eq!(std::mem::size_of::<Atom>(), 24);
        assert_eq!(std::mem::size_of::<Expr>(), 56);
    }
}
