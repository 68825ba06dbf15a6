//! The surface syntax tree: what the parser builds, with a span on every node.
//!
//! Names are left as text with a [`Res`] slot that `rename` fills in; sugar
//! (`if`, operators, sections, list literals, ranges, tuples) is kept as
//! written, so diagnostics can speak of what the user wrote. `infer`
//! desugars while it elaborates. Read next: `parser`.

use crate::primop::PrimOp;
use crate::source::Span;
use crate::token::Symbol;
use crate::types::{ConId, TyConId, Unique};

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: Symbol,
    pub span: Span,
}

/// What a name in an expression refers to, filled in by `rename`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Res {
    Unresolved,
    /// A lambda-, `let`-, `case`- or top-level binder of this unit, or a
    /// top-level binder of an earlier unit (the prelude, a REPL line).
    Var(Unique),
    /// One of the overloaded names of spec §4 (`+`, `==`, `sum`, ...).
    Overloaded(crate::overload::Overload),
    Con(ConId),
    Prim(PrimOp),
    /// A name that could not be resolved (already reported).
    Error,
}

#[derive(Clone, Debug)]
pub struct Module {
    pub decls: Vec<Decl>,
}

#[derive(Clone, Debug)]
pub enum Decl {
    Data(DataDecl),
    Sig(Sig),
    Def(Def),
}

#[derive(Clone, Debug)]
pub struct DataDecl {
    pub name: Ident,
    pub params: Vec<Ident>,
    pub cons: Vec<ConDecl>,
    pub span: Span,
    /// Filled in by `rename`.
    pub id: Option<TyConId>,
}

#[derive(Clone, Debug)]
pub struct ConDecl {
    pub name: Ident,
    pub fields: Vec<Type>,
    pub span: Span,
}

/// `name :: type`
#[derive(Clone, Debug)]
pub struct Sig {
    pub name: Ident,
    pub ty: Type,
    pub span: Span,
}

/// `name binders = body`
#[derive(Clone, Debug)]
pub struct Def {
    pub name: Ident,
    pub binders: Vec<Binder>,
    pub body: Expr,
    pub span: Span,
    /// The binder's unique, filled in by `rename`.
    pub unique: Unique,
}

#[derive(Clone, Debug)]
pub enum Binder {
    /// `x` (its unique filled in by `rename`).
    Var(Ident, Unique),
    /// `_`
    Wild(Span),
    /// `(x :: t)`
    Annot(Ident, Unique, Type),
    /// `@a`
    Type(Ident),
}

impl Binder {
    pub fn span(&self) -> Span {
        match self {
            Binder::Var(x, _) | Binder::Type(x) => x.span,
            Binder::Wild(s) => *s,
            Binder::Annot(x, _, t) => x.span.to(t.span),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Type {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TypeKind {
    Var(Ident),
    /// A type constructor name (`Int`, `Maybe`, `String`, `List`).
    Con(Ident),
    /// `f a b`: the head is a `Con` or a `Var` (the latter is a kind error).
    App(Box<Type>, Vec<Type>),
    Fun(Box<Type>, Box<Type>),
    Forall(Vec<Ident>, Box<Type>),
    /// `[t]`
    List(Box<Type>),
    /// `(t1, ..., tn)`, n ≥ 2
    Tuple(Vec<Type>),
    /// `()`
    Unit,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// An operator occurrence: `+`, `:`, or a backquoted name (`` `div` ``).
#[derive(Clone, Debug)]
pub struct Op {
    pub name: Symbol,
    pub span: Span,
    pub backquoted: bool,
    pub res: Res,
}

#[derive(Clone, Debug)]
pub enum Lit {
    Int(i64),
    Double(f64),
    Char(char),
    String(Symbol),
    IntPrim(i64),
    DoublePrim(f64),
    CharPrim(char),
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Var(Ident, Res),
    Con(Ident, Res),
    Lit(Lit),
    App(Box<Expr>, Box<Expr>),
    /// `f @t`
    TyApp(Box<Expr>, Type),
    Lam(Vec<Binder>, Box<Expr>),
    /// The bindings, the body, and (filled in by `rename`) the indices of
    /// the `Def` items grouped into strongly connected components, in
    /// dependency order.
    Let(Vec<LetItem>, Box<Expr>, Vec<Vec<usize>>),
    Case(Box<Expr>, Vec<Alt>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `l op r`, after fixity resolution.
    BinOp(Op, Box<Expr>, Box<Expr>),
    /// Prefix minus: `-e`.
    Neg(Box<Expr>),
    /// `(op)`
    OpVar(Op),
    /// `(e op)`
    SectionL(Box<Expr>, Op),
    /// `(op e)`
    SectionR(Op, Box<Expr>),
    Annot(Box<Expr>, Type),
    List(Vec<Expr>),
    /// `[from ..]`, `[from, then ..]`, `[from .. to]`, `[from, then .. to]`
    Range(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    Tuple(Vec<Expr>),
    Unit,
    /// `(e)`, kept so that spans and sections print as written.
    Paren(Box<Expr>),
}

#[derive(Clone, Debug)]
pub enum LetItem {
    Sig(Sig),
    Def(Def),
}

#[derive(Clone, Debug)]
pub struct Alt {
    pub pat: Pat,
    pub body: Expr,
    pub span: Span,
}

/// A pattern variable: `x` or `_`.
#[derive(Clone, Debug)]
pub enum PVar {
    Var(Ident, Unique),
    Wild(Span),
}

#[derive(Clone, Debug)]
pub enum Pat {
    /// `C x y` (also `()` and `True`); `Res` filled in by `rename`.
    Con(Ident, Res, Vec<PVar>),
    /// `[]`
    Nil(Span),
    /// `x : xs`
    Cons(PVar, PVar),
    /// `(x, y, z)`
    Tuple(Vec<PVar>, Span),
    Lit(Lit, Span),
    /// `x ->`: the default alternative, binding the scrutinee.
    Var(Ident, Unique),
    /// `_ ->`
    Wild(Span),
}
