//! Core: explicit System F with data types, recursive `let` and flat `case`.
//!
//! This is what the elaborator (`infer`) produces, `lint` checks, `pretty`
//! prints and the STG lowering consumes. Every binder carries its type; every
//! polymorphic value is applied to its type arguments (`TyApp`); constructors
//! and primops are values applied like functions (saturation is STG's job).
//! Literal patterns appear only on unboxed scrutinees: a `case` on a boxed
//! `Int` with literal alternatives is elaborated to an unboxing `case`
//! around a `case` on the `Int#`.
//!
//! The module knows no source syntax and no inference. Read next: `lint`.

use crate::primop::PrimOp;
use crate::source::Span;
use crate::token::Symbol;
use crate::types::{ConId, TyConId, TyVar, Type, Unique};

/// A term variable: binder or occurrence. Occurrences carry the binder's
/// type, so every subterm's type is known without an environment.
#[derive(Clone, Debug)]
pub struct Id {
    pub name: Symbol,
    pub unique: Unique,
    pub ty: Type,
}

impl PartialEq for Id {
    fn eq(&self, o: &Id) -> bool {
        self.unique == o.unique
    }
}
impl Eq for Id {}

#[derive(Clone, Debug)]
pub enum Literal {
    /// A boxed `Int` (`I# n#`), written `42` or `(-42)`.
    Int(i64),
    /// A boxed `Double`, written `1.5`.
    Double(f64),
    /// A boxed `Char`, written `'c'`.
    Char(char),
    /// A `[Char]`, unpacked lazily by the runtime (as GHC's `unpackCString#`).
    String(Symbol),
    IntPrim(i64),
    DoublePrim(f64),
    CharPrim(char),
}

impl PartialEq for Literal {
    /// Doubles compare by bits, so that literal equality is reflexive.
    fn eq(&self, o: &Literal) -> bool {
        use Literal::*;
        match (self, o) {
            (Int(a), Int(b)) | (IntPrim(a), IntPrim(b)) => a == b,
            (Double(a), Double(b)) | (DoublePrim(a), DoublePrim(b)) => a.to_bits() == b.to_bits(),
            (Char(a), Char(b)) | (CharPrim(a), CharPrim(b)) => a == b,
            (String(a), String(b)) => a == b,
            _ => false,
        }
    }
}

impl Literal {
    pub fn ty(&self) -> Type {
        match self {
            Literal::Int(_) => Type::int(),
            Literal::Double(_) => Type::double(),
            Literal::Char(_) => Type::char(),
            Literal::String(_) => Type::string(),
            Literal::IntPrim(_) => Type::int_prim(),
            Literal::DoublePrim(_) => Type::double_prim(),
            Literal::CharPrim(_) => Type::char_prim(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Expr {
    /// A local or global variable.
    Var(Id),
    /// A data constructor, as a curried function of its fields.
    Con(ConId),
    /// A primitive operation, as a curried function.
    Prim(PrimOp),
    Lit(Literal),
    App(Box<Expr>, Box<Expr>),
    TyApp(Box<Expr>, Type),
    Lam(Id, Box<Expr>),
    TyLam(TyVar, Box<Expr>),
    Let(Box<Bind>, Box<Expr>),
    Case(Box<Case>),
}

/// `case scrut of alts`: evaluates `scrut` to weak head normal form and
/// takes the first alternative that matches (a `Default` matches anything,
/// so it comes last). Reaching no alternative is a runtime error that names
/// `span`, the source position of the `case`.
#[derive(Clone, Debug)]
pub struct Case {
    pub scrut: Expr,
    /// The type of the whole `case` (of every alternative's right side).
    pub ty: Type,
    pub alts: Vec<Alt>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Alt {
    pub pat: Pat,
    pub rhs: Expr,
}

#[derive(Clone, Debug)]
pub enum Pat {
    /// A constructor and one binder per field, typed at the scrutinee's
    /// type arguments.
    Con(ConId, Vec<Id>),
    /// A literal of unboxed type.
    Lit(Literal),
    /// Matches anything; binds the evaluated scrutinee if it has a binder.
    Default(Option<Id>),
}

#[derive(Clone, Debug)]
pub enum Bind {
    NonRec(Id, Expr),
    /// A group whose right sides may refer to every binder of the group.
    Rec(Vec<(Id, Expr)>),
}

impl Bind {
    pub fn binders(&self) -> Vec<&Id> {
        match self {
            Bind::NonRec(x, _) => vec![x],
            Bind::Rec(bs) => bs.iter().map(|(x, _)| x).collect(),
        }
    }

    /// Renames the binders called `from` (names are for display: the
    /// uniques, and so every occurrence, stay as they are).
    pub fn rename_binders(&mut self, from: &str, to: &str) {
        let ids: Vec<&mut Id> = match self {
            Bind::NonRec(x, _) => vec![x],
            Bind::Rec(bs) => bs.iter_mut().map(|(x, _)| x).collect(),
        };
        for x in ids {
            if &*x.name == from {
                x.name = to.into();
            }
        }
    }
}

/// One elaborated compilation unit: the prelude, a program, or a REPL line.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// Data types declared by this unit, in declaration order (their
    /// definitions live in the session's `DataEnv`).
    pub data: Vec<TyConId>,
    /// Top-level bindings in dependency order: each group refers only to
    /// itself, earlier groups, and earlier units.
    pub binds: Vec<Bind>,
}

impl Expr {
    pub fn app(f: Expr, a: Expr) -> Expr {
        Expr::App(Box::new(f), Box::new(a))
    }
    pub fn apps(f: Expr, args: impl IntoIterator<Item = Expr>) -> Expr {
        args.into_iter().fold(f, Expr::app)
    }
    pub fn ty_app(f: Expr, t: Type) -> Expr {
        Expr::TyApp(Box::new(f), t)
    }
    pub fn ty_apps(f: Expr, ts: impl IntoIterator<Item = Type>) -> Expr {
        ts.into_iter().fold(f, Expr::ty_app)
    }
    pub fn lam(x: Id, body: Expr) -> Expr {
        Expr::Lam(x, Box::new(body))
    }
    pub fn ty_lam(a: TyVar, body: Expr) -> Expr {
        Expr::TyLam(a, Box::new(body))
    }
}

impl Module {
    /// The top-level binder called `name` (`main`, `it`), if any.
    pub fn binder(&self, name: &str) -> Option<&Id> {
        self.binds
            .iter()
            .flat_map(|b| b.binders())
            .find(|x| &*x.name == name)
    }

    /// Every variable occurrence's unique and the file of every `case`
    /// span in the unit's right-hand sides: what it may refer to in earlier
    /// units (a REPL session keeps a unit alive while a live one refers to
    /// its globals, or to its source for an error position inlined from
    /// it). An explicit work list, so deep terms need no deep stack.
    pub fn references(
        &self,
        vars: &mut std::collections::HashSet<Unique>,
        files: &mut std::collections::HashSet<crate::source::FileId>,
    ) {
        let mut work: Vec<&Expr> = Vec::new();
        for b in &self.binds {
            match b {
                Bind::NonRec(_, e) => work.push(e),
                Bind::Rec(bs) => work.extend(bs.iter().map(|(_, e)| e)),
            }
        }
        while let Some(e) = work.pop() {
            match e {
                Expr::Var(x) => {
                    vars.insert(x.unique);
                }
                Expr::Con(_) | Expr::Prim(_) | Expr::Lit(_) => {}
                Expr::App(f, a) => {
                    work.push(f);
                    work.push(a);
                }
                Expr::TyApp(e, _) | Expr::Lam(_, e) | Expr::TyLam(_, e) => work.push(e),
                Expr::Let(b, body) => {
                    work.push(body);
                    match &**b {
                        Bind::NonRec(_, e) => work.push(e),
                        Bind::Rec(bs) => work.extend(bs.iter().map(|(_, e)| e)),
                    }
                }
                Expr::Case(c) => {
                    files.insert(c.span.file);
                    work.push(&c.scrut);
                    work.extend(c.alts.iter().map(|a| &a.rhs));
                }
            }
        }
    }
}
