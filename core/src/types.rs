//! Types of explicit Core, and the data-type environment.
//!
//! Owns [`Type`] (shared, immutable; `Meta` variables exist only while the
//! inferencer runs and never survive into Core), the wired-in type and data
//! constructors that syntax and the later stages depend on (`Int#`, `Int`,
//! `Bool`, lists, unit, tuples), and [`DataEnv`], the table of every data
//! type and constructor in a session. It does not know how types are
//! inferred (`infer`) or checked (`lint`). Read next: `ir`.

use crate::source::Span;
use crate::token::Symbol;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

/// A number that identifies one binder (term or type variable) in a session.
pub type Unique = u32;

/// A type variable. Two type variables are the same when their uniques are.
#[derive(Clone, Debug)]
pub struct TyVar {
    pub name: Symbol,
    pub unique: Unique,
}

impl PartialEq for TyVar {
    fn eq(&self, other: &TyVar) -> bool {
        self.unique == other.unique
    }
}
impl Eq for TyVar {}
impl std::hash::Hash for TyVar {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.unique.hash(h)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TyConId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConId(pub u32);

#[derive(Clone, Debug)]
pub struct Type(Rc<TypeKind>);

#[derive(Clone, Debug)]
pub enum TypeKind {
    Var(TyVar),
    /// A saturated type constructor application (`Int`, `Maybe a`, `[a]`).
    Con(TyConId, Vec<Type>),
    Fun(Type, Type),
    Forall(TyVar, Type),
    /// A unification variable of the inferencer. Never in finished Core.
    Meta(u32),
}

impl Type {
    pub fn new(k: TypeKind) -> Type {
        Type(Rc::new(k))
    }
    pub fn kind(&self) -> &TypeKind {
        &self.0
    }
    pub fn var(v: TyVar) -> Type {
        Type::new(TypeKind::Var(v))
    }
    pub fn con(c: TyConId, args: Vec<Type>) -> Type {
        Type::new(TypeKind::Con(c, args))
    }
    pub fn con0(c: TyConId) -> Type {
        Type::con(c, Vec::new())
    }
    pub fn fun(a: Type, b: Type) -> Type {
        Type::new(TypeKind::Fun(a, b))
    }
    /// `a1 -> a2 -> ... -> r`
    pub fn funs(
        args: impl IntoIterator<Item = Type, IntoIter: DoubleEndedIterator>,
        r: Type,
    ) -> Type {
        args.into_iter().rev().fold(r, |acc, a| Type::fun(a, acc))
    }
    pub fn forall(v: TyVar, body: Type) -> Type {
        Type::new(TypeKind::Forall(v, body))
    }
    pub fn foralls(
        vs: impl IntoIterator<Item = TyVar, IntoIter: DoubleEndedIterator>,
        body: Type,
    ) -> Type {
        vs.into_iter()
            .rev()
            .fold(body, |acc, v| Type::forall(v, acc))
    }
    pub fn meta(m: u32) -> Type {
        Type::new(TypeKind::Meta(m))
    }
    pub fn list(elem: Type) -> Type {
        Type::con(LIST, vec![elem])
    }
    pub fn int() -> Type {
        Type::con0(INT)
    }
    pub fn double() -> Type {
        Type::con0(DOUBLE)
    }
    pub fn char() -> Type {
        Type::con0(CHAR)
    }
    pub fn bool() -> Type {
        Type::con0(BOOL)
    }
    pub fn string() -> Type {
        Type::list(Type::char())
    }
    pub fn int_prim() -> Type {
        Type::con0(INT_PRIM)
    }
    pub fn double_prim() -> Type {
        Type::con0(DOUBLE_PRIM)
    }
    pub fn char_prim() -> Type {
        Type::con0(CHAR_PRIM)
    }

    /// Splits `forall a b. t` into `([a, b], t)`.
    pub fn split_foralls(&self) -> (Vec<TyVar>, Type) {
        let mut vs = Vec::new();
        let mut t = self.clone();
        while let TypeKind::Forall(v, b) = t.kind() {
            vs.push(v.clone());
            let b = b.clone();
            t = b;
        }
        (vs, t)
    }

    /// Splits `a -> b -> r` into `([a, b], r)`.
    pub fn split_funs(&self) -> (Vec<Type>, Type) {
        let mut args = Vec::new();
        let mut t = self.clone();
        while let TypeKind::Fun(a, r) = t.kind() {
            args.push(a.clone());
            let r = r.clone();
            t = r;
        }
        (args, t)
    }

    /// Whether this is one of the unboxed primitive types (kind `#`).
    pub fn is_unlifted(&self) -> bool {
        matches!(self.kind(), TypeKind::Con(c, _) if is_unlifted_tycon(*c))
    }

    /// Replaces the free occurrences of `v` by `by`. Binders are unique in a
    /// session (every `forall` gets a fresh unique), so no capture can occur.
    pub fn subst(&self, v: &TyVar, by: &Type) -> Type {
        match self.kind() {
            TypeKind::Var(w) if w == v => by.clone(),
            TypeKind::Var(_) | TypeKind::Meta(_) => self.clone(),
            TypeKind::Con(c, args) => {
                if args.is_empty() {
                    self.clone()
                } else {
                    Type::con(*c, args.iter().map(|a| a.subst(v, by)).collect())
                }
            }
            TypeKind::Fun(a, r) => Type::fun(a.subst(v, by), r.subst(v, by)),
            TypeKind::Forall(w, b) if w == v => self.clone(),
            TypeKind::Forall(w, b) => Type::forall(w.clone(), b.subst(v, by)),
        }
    }

    /// Simultaneous substitution of type variables.
    pub fn subst_many(&self, s: &HashMap<Unique, Type>) -> Type {
        if s.is_empty() {
            return self.clone();
        }
        match self.kind() {
            TypeKind::Var(w) => s.get(&w.unique).cloned().unwrap_or_else(|| self.clone()),
            TypeKind::Meta(_) => self.clone(),
            TypeKind::Con(c, args) => {
                if args.is_empty() {
                    self.clone()
                } else {
                    Type::con(*c, args.iter().map(|a| a.subst_many(s)).collect())
                }
            }
            TypeKind::Fun(a, r) => Type::fun(a.subst_many(s), r.subst_many(s)),
            TypeKind::Forall(w, b) => {
                if s.contains_key(&w.unique) {
                    let mut s2 = s.clone();
                    s2.remove(&w.unique);
                    Type::forall(w.clone(), b.subst_many(&s2))
                } else {
                    Type::forall(w.clone(), b.subst_many(s))
                }
            }
        }
    }

    /// Free type variables, in order of first appearance, without repeats.
    pub fn free_tyvars(&self) -> Vec<TyVar> {
        fn go(t: &Type, bound: &mut Vec<Unique>, out: &mut Vec<TyVar>) {
            match t.kind() {
                TypeKind::Var(v) => {
                    if !bound.contains(&v.unique) && !out.contains(v) {
                        out.push(v.clone())
                    }
                }
                TypeKind::Meta(_) => {}
                TypeKind::Con(_, args) => args.iter().for_each(|a| go(a, bound, out)),
                TypeKind::Fun(a, r) => {
                    go(a, bound, out);
                    go(r, bound, out)
                }
                TypeKind::Forall(v, b) => {
                    bound.push(v.unique);
                    go(b, bound, out);
                    bound.pop();
                }
            }
        }
        let mut out = Vec::new();
        go(self, &mut Vec::new(), &mut out);
        out
    }

    /// Whether any `Meta` variable is left in the type.
    pub fn has_metas(&self) -> bool {
        match self.kind() {
            TypeKind::Meta(_) => true,
            TypeKind::Var(_) => false,
            TypeKind::Con(_, args) => args.iter().any(Type::has_metas),
            TypeKind::Fun(a, r) => a.has_metas() || r.has_metas(),
            TypeKind::Forall(_, b) => b.has_metas(),
        }
    }

    /// Equality up to renaming of bound type variables.
    pub fn alpha_eq(&self, other: &Type) -> bool {
        fn go(a: &Type, b: &Type, env: &mut Vec<(Unique, Unique)>) -> bool {
            if Rc::ptr_eq(&a.0, &b.0) && env.is_empty() {
                return true;
            }
            match (a.kind(), b.kind()) {
                (TypeKind::Var(x), TypeKind::Var(y)) => {
                    for &(l, r) in env.iter().rev() {
                        if l == x.unique || r == y.unique {
                            return l == x.unique && r == y.unique;
                        }
                    }
                    x.unique == y.unique
                }
                (TypeKind::Meta(x), TypeKind::Meta(y)) => x == y,
                (TypeKind::Con(c, xs), TypeKind::Con(d, ys)) => {
                    c == d && xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| go(x, y, env))
                }
                (TypeKind::Fun(a1, r1), TypeKind::Fun(a2, r2)) => {
                    go(a1, a2, env) && go(r1, r2, env)
                }
                (TypeKind::Forall(v, b1), TypeKind::Forall(w, b2)) => {
                    env.push((v.unique, w.unique));
                    let r = go(b1, b2, env);
                    env.pop();
                    r
                }
                _ => false,
            }
        }
        go(self, other, &mut Vec::new())
    }
}

// ---------------------------------------------------------------------------
// Wired-in type and data constructors.
//
// Their ids are fixed so that the parser's sugar (lists, tuples, `if`), the
// primops and the later stages can name them without a lookup. `DataEnv::new`
// creates them in exactly this order.

pub const INT_PRIM: TyConId = TyConId(0);
pub const DOUBLE_PRIM: TyConId = TyConId(1);
pub const CHAR_PRIM: TyConId = TyConId(2);
pub const INT: TyConId = TyConId(3);
pub const DOUBLE: TyConId = TyConId(4);
pub const CHAR: TyConId = TyConId(5);
pub const BOOL: TyConId = TyConId(6);
pub const LIST: TyConId = TyConId(7);
pub const UNIT: TyConId = TyConId(8);
/// Tuples of 2 to 7 components: `TUPLE2.0 + (n - 2)`.
pub const TUPLE2: TyConId = TyConId(9);
pub const MAX_TUPLE: usize = 7;

pub const I_HASH: ConId = ConId(0);
pub const D_HASH: ConId = ConId(1);
pub const C_HASH: ConId = ConId(2);
pub const FALSE: ConId = ConId(3);
pub const TRUE: ConId = ConId(4);
pub const NIL: ConId = ConId(5);
pub const CONS: ConId = ConId(6);
pub const UNIT_CON: ConId = ConId(7);
/// Tuple constructors of 2 to 7 components: `TUPLE2_CON.0 + (n - 2)`.
pub const TUPLE2_CON: ConId = ConId(8);

pub fn tuple_tycon(n: usize) -> TyConId {
    debug_assert!((2..=MAX_TUPLE).contains(&n));
    TyConId(TUPLE2.0 + (n as u32 - 2))
}
pub fn tuple_con(n: usize) -> ConId {
    debug_assert!((2..=MAX_TUPLE).contains(&n));
    ConId(TUPLE2_CON.0 + (n as u32 - 2))
}
/// The arity of a tuple type constructor, or `None` for any other.
pub fn tuple_arity(c: TyConId) -> Option<usize> {
    let k = c.0.checked_sub(TUPLE2.0)? as usize + 2;
    (k <= MAX_TUPLE).then_some(k)
}
pub fn is_unlifted_tycon(c: TyConId) -> bool {
    c == INT_PRIM || c == DOUBLE_PRIM || c == CHAR_PRIM
}

#[derive(Clone, Debug)]
pub struct TyConInfo {
    pub name: Symbol,
    pub params: Vec<TyVar>,
    pub cons: Vec<ConId>,
    /// Where the user declared it; `None` for wired-in types.
    pub span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct DataConInfo {
    pub name: Symbol,
    pub tycon: TyConId,
    /// Position among its type's constructors, from 0, in declaration order.
    pub tag: u32,
    /// Field types, mentioning the type constructor's parameters.
    pub fields: Vec<Type>,
    pub span: Option<Span>,
}

/// Every data type and constructor of a session, indexed by id. Append-only:
/// a redefinition (a program's own `Maybe`, a REPL line) gets new ids.
#[derive(Clone, Debug)]
pub struct DataEnv {
    pub tycons: Vec<TyConInfo>,
    pub cons: Vec<DataConInfo>,
}

impl Default for DataEnv {
    fn default() -> Self {
        DataEnv::new()
    }
}

impl DataEnv {
    /// The wired-in types. Type variables of wired-in types use uniques from
    /// the reserved range below [`FIRST_FREE_UNIQUE`].
    pub fn new() -> DataEnv {
        let mut env = DataEnv {
            tycons: Vec::new(),
            cons: Vec::new(),
        };
        let mut u = 0;
        let mut fresh = |n: &str| {
            u += 1;
            TyVar {
                name: Rc::from(n),
                unique: u,
            }
        };
        env.add_tycon("Int#", vec![], vec![]);
        env.add_tycon("Double#", vec![], vec![]);
        env.add_tycon("Char#", vec![], vec![]);
        env.add_tycon("Int", vec![], vec![("I#", vec![Type::int_prim()])]);
        env.add_tycon("Double", vec![], vec![("D#", vec![Type::double_prim()])]);
        env.add_tycon("Char", vec![], vec![("C#", vec![Type::char_prim()])]);
        env.add_tycon("Bool", vec![], vec![("False", vec![]), ("True", vec![])]);
        let a = fresh("a");
        let la = Type::list(Type::var(a.clone()));
        env.add_tycon(
            "List",
            vec![a.clone()],
            vec![("[]", vec![]), (":", vec![Type::var(a), la])],
        );
        env.add_tycon("()", vec![], vec![("()", vec![])]);
        for n in 2..=MAX_TUPLE {
            let vs: Vec<TyVar> = (0..n)
                .map(|i| fresh(&((b'a' + i as u8) as char).to_string()))
                .collect();
            let name = format!("({})", ",".repeat(n - 1));
            let fields = vs.iter().cloned().map(Type::var).collect();
            env.add_tycon(&name, vs, vec![(&name, fields)]);
        }
        debug_assert_eq!(env.tycons[BOOL.0 as usize].name.as_ref(), "Bool");
        debug_assert_eq!(env.cons[TUPLE2_CON.0 as usize].name.as_ref(), "(,)");
        assert!(u < FIRST_FREE_UNIQUE);
        env
    }

    fn add_tycon(
        &mut self,
        name: &str,
        params: Vec<TyVar>,
        cons: Vec<(&str, Vec<Type>)>,
    ) -> TyConId {
        let id = TyConId(self.tycons.len() as u32);
        let mut con_ids = Vec::new();
        for (tag, (cname, fields)) in cons.into_iter().enumerate() {
            con_ids.push(ConId(self.cons.len() as u32));
            self.cons.push(DataConInfo {
                name: Rc::from(cname),
                tycon: id,
                tag: tag as u32,
                fields,
                span: None,
            });
        }
        self.tycons.push(TyConInfo {
            name: Rc::from(name),
            params,
            cons: con_ids,
            span: None,
        });
        id
    }

    pub fn tycon(&self, id: TyConId) -> &TyConInfo {
        &self.tycons[id.0 as usize]
    }

    /// A type constructor's parameters as types (`[a, b]` for `Either a
    /// b`): the arguments to use when a value's type is not known more
    /// precisely (printing a polymorphic value).
    pub fn param_types(&self, id: TyConId) -> Vec<Type> {
        self.tycon(id)
            .params
            .iter()
            .cloned()
            .map(Type::var)
            .collect()
    }

    pub fn con(&self, id: ConId) -> &DataConInfo {
        &self.cons[id.0 as usize]
    }

    /// The type of a constructor used as a function:
    /// `forall params. field1 -> ... -> T params`.
    pub fn con_type(&self, id: ConId) -> Type {
        let dc = self.con(id);
        let tc = self.tycon(dc.tycon);
        let res = Type::con(dc.tycon, self.param_types(dc.tycon));
        Type::foralls(
            tc.params.iter().cloned(),
            Type::funs(dc.fields.iter().cloned(), res),
        )
    }

    /// Field types of a constructor at the given type arguments.
    pub fn con_fields_at(&self, id: ConId, args: &[Type]) -> Vec<Type> {
        let dc = self.con(id);
        let tc = self.tycon(dc.tycon);
        let s: HashMap<Unique, Type> = tc
            .params
            .iter()
            .map(|v| v.unique)
            .zip(args.iter().cloned())
            .collect();
        dc.fields.iter().map(|f| f.subst_many(&s)).collect()
    }

    pub fn display<'a>(&'a self, ty: &'a Type) -> TypeDisplay<'a> {
        TypeDisplay { env: self, ty }
    }
}

/// The first unique free for binders; the ones below are the wired-in types'.
pub const FIRST_FREE_UNIQUE: Unique = 100;

/// Renders a type in source syntax: `forall a. a -> [a]`, `(Int, Char)`.
pub struct TypeDisplay<'a> {
    env: &'a DataEnv,
    ty: &'a Type,
}

impl fmt::Display for TypeDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_type(self.env, self.ty, 0, f)
    }
}

/// Precedence: 0 = top (forall, arrow allowed), 1 = argument of an arrow's
/// left side, 2 = argument of a type application.
fn write_type(env: &DataEnv, t: &Type, prec: u8, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match t.kind() {
        TypeKind::Var(v) => write!(f, "{}", v.name),
        TypeKind::Meta(m) => write!(f, "t{m}"),
        TypeKind::Forall(..) => {
            let (vs, body) = t.split_foralls();
            if prec > 0 {
                write!(f, "(")?;
            }
            write!(f, "forall")?;
            for v in &vs {
                write!(f, " {}", v.name)?;
            }
            write!(f, ". ")?;
            write_type(env, &body, 0, f)?;
            if prec > 0 {
                write!(f, ")")?;
            }
            Ok(())
        }
        TypeKind::Fun(a, r) => {
            if prec > 0 {
                write!(f, "(")?;
            }
            write_type(env, a, 1, f)?;
            write!(f, " -> ")?;
            write_type(env, r, 0, f)?;
            if prec > 0 {
                write!(f, ")")?;
            }
            Ok(())
        }
        TypeKind::Con(c, args) => {
            if *c == LIST && args.len() == 1 {
                if let TypeKind::Con(CHAR, _) = args[0].kind() {
                    return write!(f, "String");
                }
                write!(f, "[")?;
                write_type(env, &args[0], 0, f)?;
                return write!(f, "]");
            }
            if tuple_arity(*c).is_some() {
                write!(f, "(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write_type(env, a, 0, f)?;
                }
                return write!(f, ")");
            }
            let name = env
                .tycons
                .get(c.0 as usize)
                .map(|t| t.name.clone())
                .unwrap_or_else(|| Rc::from("?"));
            if args.is_empty() {
                return write!(f, "{name}");
            }
            if prec > 1 {
                write!(f, "(")?;
            }
            write!(f, "{name}")?;
            for a in args {
                write!(f, " ")?;
                write_type(env, a, 2, f)?;
            }
            if prec > 1 {
                write!(f, ")")?;
            }
            Ok(())
        }
    }
}
