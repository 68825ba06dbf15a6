//! The top-level environment a compilation unit is elaborated in.
//!
//! [`Env`] holds what earlier units (the wired-in names, the prelude,
//! earlier REPL lines) left in scope: data types, the names in scope and
//! what they refer to, the type of every global, and the prelude names that
//! syntax desugars to. It is persistent (`imbl` maps), so a unit that fails
//! leaves the environment as it was, and a REPL can keep old versions cheaply.
//! Read next: `rename`.

use crate::ast::Res;
use crate::ir::Id;
use crate::overload::Overload;
use crate::primop::PrimOp;
use crate::token::Symbol;
use crate::types::{DataEnv, TyConId, Unique, FIRST_FREE_UNIQUE};
use std::rc::Rc;

/// Value names in scope and what they refer to.
pub type Scope = imbl::HashMap<Symbol, Res>;

#[derive(Clone)]
pub struct Env {
    pub data: DataEnv,
    /// Value names in scope at top level: globals, constructors, primops,
    /// overloaded names.
    pub values: Scope,
    /// Type constructor names in scope.
    pub types: imbl::HashMap<Symbol, TyConId>,
    /// Every global ever defined in the session, with its type.
    pub globals: imbl::HashMap<Unique, Id>,
    /// Where each top-level definition's name was written (`:info`).
    pub def_spans: imbl::HashMap<Unique, crate::source::Span>,
    /// The prelude's own top-level names, which sugar refers to whatever the
    /// program shadows (`[a .. b]` is always the prelude's `enumFromTo`).
    pub prelude: imbl::HashMap<Symbol, Unique>,
    /// The next unique to hand out.
    pub supply: Unique,
}

impl Default for Env {
    fn default() -> Self {
        Env::new()
    }
}

impl Env {
    /// The wired-in names only (no prelude).
    pub fn new() -> Env {
        let data = DataEnv::new();
        let mut values = imbl::HashMap::new();
        for (i, c) in data.cons.iter().enumerate() {
            values.insert(c.name.clone(), Res::Con(crate::types::ConId(i as u32)));
        }
        for &p in PrimOp::ALL {
            values.insert(Rc::from(p.name()), Res::Prim(p));
        }
        for &o in Overload::ALL {
            values.insert(Rc::from(o.name()), Res::Overloaded(o));
        }
        let mut types = imbl::HashMap::new();
        for (i, t) in data.tycons.iter().enumerate() {
            // Unit and tuples are written with brackets, not by name.
            if !t.name.starts_with('(') {
                types.insert(t.name.clone(), TyConId(i as u32));
            }
        }
        Env {
            data,
            values,
            types,
            globals: imbl::HashMap::new(),
            def_spans: imbl::HashMap::new(),
            prelude: imbl::HashMap::new(),
            supply: FIRST_FREE_UNIQUE,
        }
    }

    pub fn fresh(&mut self) -> Unique {
        let u = self.supply;
        self.supply += 1;
        u
    }
}
