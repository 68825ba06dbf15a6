//! Renamer: resolves every name, declares data types, and splits bindings
//! into dependency groups.
//!
//! Owns scoping: which binder each variable, constructor and operator refers
//! to (the [`Res`] slots of the AST), duplicate definitions, "did you mean"
//! suggestions, constructor arity in patterns, signatures matched with their
//! definitions, and the strongly connected components of the top level and
//! of every `let` (Hindley–Milner generalises one component at a time). It
//! also turns type syntax into [`Type`]s (`resolve_type`), which `infer`
//! uses for signatures and annotations. It knows nothing of type inference.
//! Read next: `infer`.

use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::env::Env;
use crate::overload::Overload;
use crate::source::Span;
use crate::token::Symbol;
use crate::types::{self, ConId, DataConInfo, TyConId, TyConInfo, TyVar, Type as Ty, Unique};
use std::collections::HashMap;
use std::rc::Rc;

type Scope = imbl::HashMap<Symbol, Res>;

/// What the renamer found out about a module, beside filling in the AST.
#[derive(Debug, Default)]
pub struct Renamed {
    /// Indices (into `Module::decls`) of the definitions, grouped into
    /// strongly connected components in dependency order.
    pub groups: Vec<Vec<usize>>,
    /// For a definition's unique, the index of its signature.
    pub sigs: HashMap<Unique, usize>,
    /// Data types declared by the module, in order.
    pub data: Vec<TyConId>,
    /// Top-level value names the module defines (for the environment).
    pub values: Vec<(Symbol, Res)>,
    /// Type names the module defines.
    pub types: Vec<(Symbol, TyConId)>,
}

/// The prelude names that sugar expands to (and, for the prelude itself,
/// the dependency edges that expansion adds).
pub const SUGAR_NAMES: &[&str] = &["enumFrom", "enumFromThen", "enumFromTo", "enumFromThenTo"];

pub fn rename_module(
    env: &mut Env,
    m: &mut Module,
    is_prelude: bool,
) -> (Renamed, Vec<Diagnostic>) {
    let mut r = Renamer {
        env,
        diags: Vec::new(),
        refs: Vec::new(),
        is_prelude,
        module_level: HashMap::new(),
    };
    let out = r.module(m);
    (out, r.diags)
}

/// Resolves an expression alone (a REPL line), in the environment's scope.
pub fn rename_expr(env: &mut Env, e: &mut Expr) -> Vec<Diagnostic> {
    let mut r = Renamer {
        env,
        diags: Vec::new(),
        refs: Vec::new(),
        is_prelude: false,
        module_level: HashMap::new(),
    };
    let scope = r.env.values.clone();
    r.expr(e, &scope);
    r.diags
}

struct Renamer<'e> {
    env: &'e mut Env,
    diags: Vec<Diagnostic>,
    /// Log of every variable reference, for dependency analysis.
    refs: Vec<Unique>,
    is_prelude: bool,
    /// Top-level names of the module being renamed, to their uniques.
    module_level: HashMap<Symbol, Unique>,
}

impl Renamer<'_> {
    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn module(&mut self, m: &mut Module) -> Renamed {
        let mut out = Renamed::default();
        let mut scope = self.env.values.clone();
        let mut type_scope = self.env.types.clone();

        // Data types: declare every type and constructor first (they may be
        // mutually recursive), then resolve the field types.
        let mut seen_types: HashMap<Symbol, Span> = HashMap::new();
        let mut seen_cons: HashMap<Symbol, Span> = HashMap::new();
        let mut declared: Vec<(usize, TyConId)> = Vec::new();
        for (i, d) in m.decls.iter_mut().enumerate() {
            let Decl::Data(dd) = d else { continue };
            if let Some(prev) = seen_types.get(&dd.name.name) {
                self.error(
                    Diagnostic::error(
                        dd.name.span,
                        format!("the type `{}` is declared twice", dd.name.name),
                    )
                    .with_label("second declaration")
                    .with_secondary(*prev, "first declared here"),
                );
                continue;
            }
            seen_types.insert(dd.name.name.clone(), dd.name.span);
            let mut params: Vec<TyVar> = Vec::new();
            for p in &dd.params {
                if params.iter().any(|q| q.name == p.name) {
                    self.error(Diagnostic::error(
                        p.span,
                        format!(
                            "the type variable `{}` appears twice in this declaration",
                            p.name
                        ),
                    ));
                }
                params.push(TyVar {
                    name: p.name.clone(),
                    unique: self.env.fresh(),
                });
            }
            let id = TyConId(self.env.data.tycons.len() as u32);
            self.env.data.tycons.push(TyConInfo {
                name: dd.name.name.clone(),
                params,
                cons: Vec::new(),
                span: Some(dd.name.span),
            });
            dd.id = Some(id);
            type_scope.insert(dd.name.name.clone(), id);
            out.types.push((dd.name.name.clone(), id));
            out.data.push(id);
            for (tag, c) in dd.cons.iter().enumerate() {
                if let Some(prev) = seen_cons.get(&c.name.name) {
                    self.error(
                        Diagnostic::error(
                            c.name.span,
                            format!("the constructor `{}` is declared twice", c.name.name),
                        )
                        .with_label("second declaration")
                        .with_secondary(*prev, "first declared here"),
                    );
                    continue;
                }
                seen_cons.insert(c.name.name.clone(), c.name.span);
                let cid = ConId(self.env.data.cons.len() as u32);
                self.env.data.cons.push(DataConInfo {
                    name: c.name.name.clone(),
                    tycon: id,
                    tag: tag as u32,
                    fields: Vec::new(),
                    span: Some(c.name.span),
                });
                self.env.data.tycons[id.0 as usize].cons.push(cid);
                scope.insert(c.name.name.clone(), Res::Con(cid));
                out.values.push((c.name.name.clone(), Res::Con(cid)));
            }
            declared.push((i, id));
        }
        for (i, id) in declared {
            let Decl::Data(dd) = &m.decls[i] else {
                continue;
            };
            let params = self.env.data.tycons[id.0 as usize].params.clone();
            let cons = self.env.data.tycons[id.0 as usize].cons.clone();
            for (c, cid) in dd.cons.iter().zip(cons) {
                let mut fields = Vec::new();
                for f in &c.fields {
                    let mut tvs = TyVarScope::Fixed(&params);
                    match resolve_type(
                        &type_scope,
                        &self.env.data,
                        &mut tvs,
                        &mut self.env.supply,
                        f,
                    ) {
                        Ok(t) => fields.push(t),
                        Err(e) => self.error(e),
                    }
                }
                self.env.data.cons[cid.0 as usize].fields = fields;
            }
        }
        self.env.types = type_scope;

        // Top-level definitions and signatures.
        let mut defs: HashMap<Symbol, (usize, Span)> = HashMap::new();
        for (i, d) in m.decls.iter_mut().enumerate() {
            let Decl::Def(def) = d else { continue };
            if let Some((_, prev)) = defs.get(&def.name.name) {
                let prev = *prev;
                self.error(
                    Diagnostic::error(
                        def.name.span,
                        format!("`{}` is defined twice", def.name.name),
                    )
                    .with_label("second definition")
                    .with_secondary(prev, "first defined here")
                    .with_note(
                        "a function is defined by one equation; use `case` to distinguish cases",
                    ),
                );
                def.unique = 0;
                continue;
            }
            def.unique = self.env.fresh();
            defs.insert(def.name.name.clone(), (i, def.name.span));
            self.env.def_spans.insert(def.unique, def.name.span);
            scope.insert(def.name.name.clone(), Res::Var(def.unique));
            self.module_level.insert(def.name.name.clone(), def.unique);
            out.values
                .push((def.name.name.clone(), Res::Var(def.unique)));
        }
        for (i, d) in m.decls.iter().enumerate() {
            let Decl::Sig(sig) = d else { continue };
            match defs.get(&sig.name.name) {
                None => self.error(
                    Diagnostic::error(
                        sig.name.span,
                        format!("the signature for `{}` has no definition", sig.name.name),
                    )
                    .with_label("no definition of this name follows"),
                ),
                Some(&(di, _)) => {
                    let Decl::Def(def) = &m.decls[di] else {
                        continue;
                    };
                    if let Some(&prev) = out.sigs.get(&def.unique) {
                        let Decl::Sig(p) = &m.decls[prev] else {
                            continue;
                        };
                        let e = Diagnostic::error(
                            sig.name.span,
                            format!("`{}` has two signatures", sig.name.name),
                        )
                        .with_label("second signature")
                        .with_secondary(p.name.span, "first signature");
                        self.error(e);
                    } else {
                        out.sigs.insert(def.unique, i);
                    }
                }
            }
        }

        // Bodies, with dependency edges.
        let index_of: HashMap<Unique, usize> = m
            .decls
            .iter()
            .enumerate()
            .filter_map(|(i, d)| match d {
                Decl::Def(def) if def.unique != 0 => Some((def.unique, i)),
                _ => None,
            })
            .collect();
        let mut nodes: Vec<usize> = Vec::new();
        let mut edges: Vec<Vec<usize>> = Vec::new();
        for (i, d) in m.decls.iter_mut().enumerate() {
            let Decl::Def(def) = d else { continue };
            if def.unique == 0 {
                continue;
            }
            let start = self.refs.len();
            self.function(&mut def.binders, &mut def.body, &scope);
            let mut deps: Vec<usize> = self.refs[start..]
                .iter()
                .filter_map(|u| index_of.get(u).copied())
                .collect();
            self.refs.truncate(start);
            deps.sort_unstable();
            deps.dedup();
            nodes.push(i);
            edges.push(deps);
        }
        // Map decl indices to node positions for the SCC computation.
        let pos: HashMap<usize, usize> = nodes.iter().enumerate().map(|(p, &i)| (i, p)).collect();
        let graph: Vec<Vec<usize>> = edges
            .iter()
            .map(|es| es.iter().filter_map(|e| pos.get(e).copied()).collect())
            .collect();
        out.groups = sccs(&graph)
            .into_iter()
            .map(|g| g.into_iter().map(|p| nodes[p]).collect())
            .collect();
        out
    }

    /// Binders then body: `f x (y :: t) @a = body` or `\x -> body`.
    fn function(&mut self, binders: &mut [Binder], body: &mut Expr, scope: &Scope) {
        let mut inner = scope.clone();
        let mut seen: Vec<(Symbol, Span)> = Vec::new();
        for b in binders.iter_mut() {
            let (id, u) = match b {
                Binder::Var(id, u) | Binder::Annot(id, u, _) => (id, u),
                Binder::Wild(_) | Binder::Type(_) => continue,
            };
            if let Some((_, prev)) = seen.iter().find(|(n, _)| *n == id.name) {
                let e = Diagnostic::error(
                    id.span,
                    format!("the parameter `{}` is bound twice", id.name),
                )
                .with_label("second binding")
                .with_secondary(*prev, "first binding");
                self.error(e);
            }
            seen.push((id.name.clone(), id.span));
            *u = self.env.fresh();
            inner.insert(id.name.clone(), Res::Var(*u));
        }
        self.expr(body, &inner);
    }

    fn lookup_value(&mut self, name: &Ident, scope: &Scope, what: &str) -> Res {
        match scope.get(&name.name) {
            Some(r) => {
                if let Res::Var(u) = r {
                    self.refs.push(*u);
                }
                if let Res::Overloaded(o) = r {
                    self.overload_deps(*o);
                }
                *r
            }
            None => {
                let is_con = name
                    .name
                    .starts_with(|c: char| c.is_uppercase() || c == '(' || c == ':');
                let mut d = Diagnostic::error(name.span, format!("unknown {what} `{}`", name.name))
                    .with_label("not in scope");
                let cands = scope.keys().filter(|k| {
                    k.starts_with(|c: char| c.is_uppercase() || c == '(' || c == ':') == is_con
                });
                if let Some(s) = suggest(&name.name, cands) {
                    d = d.with_note(format!("did you mean `{s}`?"));
                }
                self.error(d);
                Res::Error
            }
        }
    }

    /// In the prelude, an overloaded name depends on its instances.
    fn overload_deps(&mut self, o: Overload) {
        if self.is_prelude {
            for (_, n) in o.instances() {
                if let Some(u) = self.module_level.get(*n) {
                    self.refs.push(*u);
                }
            }
        }
    }

    fn sugar_deps(&mut self, names: &[&str]) {
        if self.is_prelude {
            for n in names {
                if let Some(u) = self.module_level.get(*n) {
                    self.refs.push(*u);
                }
            }
        }
    }

    fn op(&mut self, op: &mut Op, scope: &Scope) {
        let id = Ident {
            name: op.name.clone(),
            span: op.span,
        };
        let what = if op.backquoted { "name" } else { "operator" };
        op.res = self.lookup_value(&id, scope, what);
    }

    fn expr(&mut self, e: &mut Expr, scope: &Scope) {
        crate::session::deep(|| self.expr_inner(e, scope))
    }

    fn expr_inner(&mut self, e: &mut Expr, scope: &Scope) {
        match &mut e.kind {
            ExprKind::Var(id, res) => *res = self.lookup_value(id, scope, "variable"),
            ExprKind::Con(id, res) => *res = self.lookup_value(id, scope, "constructor"),
            ExprKind::Lit(_) | ExprKind::Unit => {}
            ExprKind::App(f, a) => {
                self.expr(f, scope);
                self.expr(a, scope);
            }
            ExprKind::TyApp(f, _) | ExprKind::Annot(f, _) | ExprKind::Paren(f) => {
                self.expr(f, scope)
            }
            ExprKind::Neg(x) => {
                self.overload_deps(Overload::Negate);
                self.expr(x, scope)
            }
            ExprKind::Lam(bs, body) => self.function(bs, body, scope),
            ExprKind::Let(items, body, groups) => {
                let inner = self.let_items(items, groups, scope);
                self.expr(body, &inner);
            }
            ExprKind::Case(s, alts) => {
                self.expr(s, scope);
                for a in alts {
                    self.alt(a, scope);
                }
            }
            ExprKind::If(c, t, f) => {
                self.expr(c, scope);
                self.expr(t, scope);
                self.expr(f, scope);
            }
            ExprKind::BinOp(op, l, r) => {
                self.op(op, scope);
                self.expr(l, scope);
                self.expr(r, scope);
            }
            ExprKind::OpVar(op) => self.op(op, scope),
            ExprKind::SectionL(x, op) | ExprKind::SectionR(op, x) => {
                self.op(op, scope);
                self.expr(x, scope);
            }
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                for x in items {
                    self.expr(x, scope);
                }
            }
            ExprKind::Range(a, b, c) => {
                self.sugar_deps(SUGAR_NAMES);
                self.expr(a, scope);
                if let Some(b) = b {
                    self.expr(b, scope);
                }
                if let Some(c) = c {
                    self.expr(c, scope);
                }
            }
        }
    }

    /// A `let` group: duplicates, signatures, bodies, and components.
    fn let_items(
        &mut self,
        items: &mut [LetItem],
        groups: &mut Vec<Vec<usize>>,
        scope: &Scope,
    ) -> Scope {
        let mut inner = scope.clone();
        let mut defs: HashMap<Symbol, (usize, Span)> = HashMap::new();
        for (i, it) in items.iter_mut().enumerate() {
            let LetItem::Def(def) = it else { continue };
            if let Some((_, prev)) = defs.get(&def.name.name) {
                let e = Diagnostic::error(
                    def.name.span,
                    format!("`{}` is defined twice in this `let`", def.name.name),
                )
                .with_label("second definition")
                .with_secondary(*prev, "first defined here");
                self.error(e);
                def.unique = 0;
                continue;
            }
            def.unique = self.env.fresh();
            defs.insert(def.name.name.clone(), (i, def.name.span));
            inner.insert(def.name.name.clone(), Res::Var(def.unique));
        }
        let mut has_sig: HashMap<Symbol, Span> = HashMap::new();
        for it in items.iter() {
            let LetItem::Sig(sig) = it else { continue };
            if !defs.contains_key(&sig.name.name) {
                self.error(
                    Diagnostic::error(
                        sig.name.span,
                        format!("the signature for `{}` has no definition", sig.name.name),
                    )
                    .with_label("no definition of this name in this `let`"),
                );
            } else if let Some(prev) = has_sig.get(&sig.name.name) {
                let e = Diagnostic::error(
                    sig.name.span,
                    format!("`{}` has two signatures", sig.name.name),
                )
                .with_label("second signature")
                .with_secondary(*prev, "first signature");
                self.error(e);
            } else {
                has_sig.insert(sig.name.name.clone(), sig.name.span);
            }
        }
        let index_of: HashMap<Unique, usize> = items
            .iter()
            .enumerate()
            .filter_map(|(i, it)| match it {
                LetItem::Def(d) if d.unique != 0 => Some((d.unique, i)),
                _ => None,
            })
            .collect();
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for (i, it) in items.iter_mut().enumerate() {
            let LetItem::Def(def) = it else { continue };
            if def.unique == 0 {
                continue;
            }
            let start = self.refs.len();
            self.function(&mut def.binders, &mut def.body, &inner);
            let mut deps: Vec<usize> = self.refs[start..]
                .iter()
                .filter_map(|u| index_of.get(u).copied())
                .collect();
            deps.sort_unstable();
            deps.dedup();
            nodes.push(i);
            edges.push(deps);
        }
        let pos: HashMap<usize, usize> = nodes.iter().enumerate().map(|(p, &i)| (i, p)).collect();
        let graph: Vec<Vec<usize>> = edges
            .iter()
            .map(|es: &Vec<usize>| es.iter().filter_map(|e| pos.get(e).copied()).collect())
            .collect();
        *groups = sccs(&graph)
            .into_iter()
            .map(|g| g.into_iter().map(|p| nodes[p]).collect())
            .collect();
        inner
    }

    fn alt(&mut self, a: &mut Alt, scope: &Scope) {
        let mut inner = scope.clone();
        let mut seen: Vec<(Symbol, Span)> = Vec::new();
        let mut bind = |r: &mut Self, v: &mut PVar, inner: &mut Scope| {
            if let PVar::Var(id, u) = v {
                if let Some((_, prev)) = seen.iter().find(|(n, _)| *n == id.name) {
                    let e = Diagnostic::error(
                        id.span,
                        format!("the variable `{}` is bound twice in this pattern", id.name),
                    )
                    .with_label("second binding")
                    .with_secondary(*prev, "first binding");
                    r.error(e);
                }
                seen.push((id.name.clone(), id.span));
                *u = r.env.fresh();
                inner.insert(id.name.clone(), Res::Var(*u));
            }
        };
        match &mut a.pat {
            Pat::Con(c, res, vars) => {
                *res = self.lookup_value(c, scope, "constructor");
                if let Res::Con(cid) = *res {
                    let arity = self.env.data.con(cid).fields.len();
                    if arity != vars.len() {
                        let e = Diagnostic::error(
                            c.span.to(vars.last().map_or(c.span, pvar_span)),
                            format!(
                                "the constructor `{}` has {} field{}, but this pattern binds {}",
                                c.name,
                                arity,
                                if arity == 1 { "" } else { "s" },
                                vars.len()
                            ),
                        )
                        .with_label("wrong number of fields");
                        self.error(e);
                    }
                } else if *res != Res::Error {
                    let e = Diagnostic::error(c.span, format!("`{}` is not a constructor", c.name));
                    self.error(e);
                    *res = Res::Error;
                }
                for v in vars {
                    bind(self, v, &mut inner);
                }
            }
            Pat::Cons(h, t) => {
                bind(self, h, &mut inner);
                bind(self, t, &mut inner);
            }
            Pat::Tuple(vars, _) => {
                for v in vars {
                    bind(self, v, &mut inner);
                }
            }
            Pat::Var(id, u) => {
                *u = self.env.fresh();
                inner.insert(id.name.clone(), Res::Var(*u));
            }
            Pat::Nil(_) | Pat::Lit(..) | Pat::Wild(_) => {}
        }
        self.expr(&mut a.body, &inner);
    }
}

fn pvar_span(v: &PVar) -> Span {
    match v {
        PVar::Var(id, _) => id.span,
        PVar::Wild(s) => *s,
    }
}

/// The best near miss among the candidates, if any is close enough: at
/// most one edit per three characters, of the same kind (an operator for
/// an operator, a name for a name); a name under three characters only
/// gets a name with one more character (`sq`: `seq`), since every other
/// short name is one edit away from `f`.
pub fn suggest<'a>(name: &str, cands: impl Iterator<Item = &'a Symbol>) -> Option<Symbol> {
    let len = name.chars().count();
    let is_op = |s: &str| !s.starts_with(|c: char| c.is_alphanumeric() || c == '_');
    let short = len < 3 && !is_op(name);
    let limit = (len / 3).max(1);
    let mut best: Option<((usize, std::cmp::Reverse<usize>), Symbol)> = None;
    for c in cands {
        let c_len = c.chars().count();
        if c.as_ref() == name
            || is_op(c) != is_op(name)
            || c_len.abs_diff(len) > limit
            || (short && c_len != len + 1)
        {
            continue;
        }
        // Ties go to the longer common prefix (`<$`: `<$>` before `$`),
        // then to the first in order.
        let prefix = name
            .chars()
            .zip(c.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let key = (edit_distance(name, c), std::cmp::Reverse(prefix));
        if key.0 <= limit && best.as_ref().is_none_or(|(bk, bc)| (key, c) < (*bk, bc)) {
            best = Some((key, c.clone()));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment distance (Levenshtein with transpositions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, x) in d.iter_mut().enumerate().take(w) {
        *x = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// Strongly connected components (Tarjan, iterative), in dependency order:
/// a component comes after every component it refers to. Within a
/// component, nodes keep their original order.
pub fn sccs(graph: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = graph.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next edge to look at)
        let mut work = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if *ei < graph[v].len() {
                let w = graph[v][*ei];
                *ei += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(u, _)) = work.last() {
                    low[u] = low[u].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    comp.sort_unstable();
                    out.push(comp);
                }
            }
        }
    }
    out
}

// ----- type syntax -----

/// How type variables in a piece of type syntax are resolved.
pub enum TyVarScope<'a> {
    /// Only these (a data declaration's parameters); others are errors.
    Fixed(&'a [TyVar]),
    /// Lexically scoped variables first (from enclosing `\@a` and explicit
    /// `forall`s); any other variable is implicitly quantified and collected
    /// here, in order of first appearance.
    Implicit {
        scoped: &'a imbl::HashMap<Symbol, TyVar>,
        new: Vec<TyVar>,
    },
}

/// Turns type syntax into a [`Ty`], checking names and kinds: every type
/// constructor applied to exactly its number of parameters, no type variable
/// applied to arguments, no unboxed type as an argument of a type
/// constructor.
pub fn resolve_type(
    types: &imbl::HashMap<Symbol, TyConId>,
    data: &types::DataEnv,
    tvs: &mut TyVarScope,
    supply: &mut Unique,
    t: &Type,
) -> Result<Ty, Diagnostic> {
    let mut bound: Vec<TyVar> = Vec::new();
    resolve_type_in(types, data, tvs, supply, &mut bound, t)
}

fn resolve_type_in(
    types: &imbl::HashMap<Symbol, TyConId>,
    data: &types::DataEnv,
    tvs: &mut TyVarScope,
    supply: &mut Unique,
    bound: &mut Vec<TyVar>,
    t: &Type,
) -> Result<Ty, Diagnostic> {
    let go = |t: &Type, bound: &mut Vec<TyVar>, tvs: &mut TyVarScope, supply: &mut Unique| {
        resolve_type_in(types, data, tvs, supply, bound, t)
    };
    match &t.kind {
        TypeKind::Var(v) => {
            if let Some(b) = bound.iter().rev().find(|b| b.name == v.name) {
                return Ok(Ty::var(b.clone()));
            }
            match tvs {
                TyVarScope::Fixed(params) => match params.iter().find(|p| p.name == v.name) {
                    Some(p) => Ok(Ty::var(p.clone())),
                    None => Err(Diagnostic::error(v.span, format!("the type variable `{}` is not in scope", v.name))
                        .with_label("not a parameter of this data type")
                        .with_note("every type variable in a constructor's fields must be a parameter of its type")),
                },
                TyVarScope::Implicit { scoped, new } => {
                    if let Some(s) = scoped.get(&v.name) {
                        return Ok(Ty::var(s.clone()));
                    }
                    if let Some(n) = new.iter().find(|n| n.name == v.name) {
                        return Ok(Ty::var(n.clone()));
                    }
                    let tv = TyVar { name: v.name.clone(), unique: *supply };
                    *supply += 1;
                    new.push(tv.clone());
                    Ok(Ty::var(tv))
                }
            }
        }
        TypeKind::Con(c) => con_app(types, data, c, Vec::new(), t.span),
        TypeKind::App(head, args) => {
            let mut targs = Vec::new();
            for a in args {
                let ta = go(a, bound, tvs, supply)?;
                if ta.is_unlifted() {
                    return Err(Diagnostic::error(
                        a.span,
                        format!(
                            "the unboxed type `{}` cannot be an argument of a type constructor",
                            data.display(&ta)
                        ),
                    )
                    .with_label("unboxed"));
                }
                targs.push(ta);
            }
            match &head.kind {
                TypeKind::Con(c) => con_app(types, data, c, targs, t.span),
                TypeKind::Var(v) => Err(Diagnostic::error(
                    head.span,
                    format!(
                        "the type variable `{}` cannot be applied to arguments",
                        v.name
                    ),
                )
                .with_label("applied here")
                .with_note("type variables stand for types of kind `*` only")),
                _ => Err(
                    Diagnostic::error(head.span, "this type cannot be applied to arguments")
                        .with_label("not a type constructor"),
                ),
            }
        }
        TypeKind::Fun(a, r) => Ok(Ty::fun(
            go(a, bound, tvs, supply)?,
            go(r, bound, tvs, supply)?,
        )),
        TypeKind::Forall(vs, body) => {
            let n = bound.len();
            let mut tvars = Vec::new();
            for v in vs {
                let tv = TyVar {
                    name: v.name.clone(),
                    unique: *supply,
                };
                *supply += 1;
                bound.push(tv.clone());
                tvars.push(tv);
            }
            let b = go(body, bound, tvs, supply);
            bound.truncate(n);
            Ok(Ty::foralls(tvars, b?))
        }
        TypeKind::List(e) => {
            let te = go(e, bound, tvs, supply)?;
            if te.is_unlifted() {
                return Err(Diagnostic::error(
                    e.span,
                    format!(
                        "the unboxed type `{}` cannot be a list element",
                        data.display(&te)
                    ),
                )
                .with_label("unboxed"));
            }
            Ok(Ty::list(te))
        }
        TypeKind::Tuple(items) => {
            let mut ts = Vec::new();
            for x in items {
                let tx = go(x, bound, tvs, supply)?;
                if tx.is_unlifted() {
                    return Err(Diagnostic::error(
                        x.span,
                        format!(
                            "the unboxed type `{}` cannot be a tuple component",
                            data.display(&tx)
                        ),
                    )
                    .with_label("unboxed"));
                }
                ts.push(tx);
            }
            Ok(Ty::con(types::tuple_tycon(ts.len()), ts))
        }
        TypeKind::Unit => Ok(Ty::con0(types::UNIT)),
    }
}

fn con_app(
    types: &imbl::HashMap<Symbol, TyConId>,
    data: &types::DataEnv,
    c: &Ident,
    args: Vec<Ty>,
    span: Span,
) -> Result<Ty, Diagnostic> {
    if c.name.as_ref() == "String" && !types.contains_key(&c.name) {
        if !args.is_empty() {
            return Err(Diagnostic::error(span, "`String` takes no type arguments")
                .with_label("applied here"));
        }
        return Ok(Ty::string());
    }
    let Some(&id) = types.get(&c.name) else {
        let mut d = Diagnostic::error(c.span, format!("unknown type `{}`", c.name))
            .with_label("not in scope");
        let string: Symbol = Rc::from("String");
        if let Some(s) = suggest(&c.name, types.keys().chain(std::iter::once(&string))) {
            d = d.with_note(format!("did you mean `{s}`?"));
        }
        return Err(d);
    };
    let arity = data.tycon(id).params.len();
    if arity != args.len() {
        return Err(Diagnostic::error(
            span,
            format!(
                "the type `{}` expects {} type argument{}, but has {}",
                c.name,
                arity,
                if arity == 1 { "" } else { "s" },
                args.len()
            ),
        )
        .with_label("kind error"));
    }
    Ok(Ty::con(id, args))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(name: &str, cands: &[&str]) -> Option<String> {
        let cands: Vec<Symbol> = cands.iter().map(|&c| c.into()).collect();
        suggest(name, cands.iter()).map(|s| s.to_string())
    }

    #[test]
    fn suggestions_are_near_misses_of_the_same_kind() {
        let prelude = [
            "$",
            "seq",
            "fst",
            "id",
            "length",
            "undefined",
            "absDouble",
            "<$>",
        ];
        assert_eq!(near("lenght", &prelude).as_deref(), Some("length"));
        assert_eq!(near("sq", &prelude).as_deref(), Some("seq"));
        assert_eq!(
            near("undefinedName", &prelude).as_deref(),
            Some("undefined")
        );
        assert_eq!(near("<$", &prelude).as_deref(), Some("<$>"));
        // A one-letter name is one edit from every other short name.
        assert_eq!(near("f", &prelude), None);
        assert_eq!(near("x", &prelude), None);
        // Far apart, however long.
        assert_eq!(near("undefinedNameTooLong", &prelude), None);
        assert_eq!(edit_distance("abcdefgh", "a"), 7);
        assert_eq!(edit_distance("ab", "ba"), 1);
    }
}
