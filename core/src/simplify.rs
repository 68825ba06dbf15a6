//! The Core simplifier: a few always-beneficial rewrites between
//! elaboration and the STG lowering.
//!
//! Owns the rewrites that make elaborated Core cheaper to run under every
//! evaluation strategy without changing what it means under any of them:
//! beta reduction of applied lambdas (Note [Beta reduction]), substitution
//! of `let`-bound atoms and dropping of dead `let`s of values
//! (Note [Atoms and values]), turning a `let` whose body scrutinises the
//! binder first into a `case` (Note [Strict let]), case of a known
//! constructor or literal (Note [Case of known constructor]), case of a
//! single-alternative case and case of `let` (Note [Case of case]), and
//! inlining of small non-recursive functions at saturated calls
//! (Note [Inlining]), which is what makes `x + y` at `Int` primop code:
//!
//! ```text
//!     plusInt (f a) (g b)   ==>   case f a of I# x -> case g b of I# y -> I# (x +# y)
//! ```
//!
//! [`Simplifier`] keeps what outlives one unit: the unfoldings (small
//! functions that later units may inline: the prelude's, every earlier
//! unit's, earlier groups of the same module) and what is known of each
//! global (its arity, whether it is a value). Each top-level right side is
//! simplified by passes of occurrence counting and rewriting until a pass
//! changes nothing (at most [`MAX_PASSES`]); see Note [Passes].
//!
//! The hard constraint is Note [Evaluation strategies]: the output must
//! evaluate the same possibly-failing expressions in the same order as the
//! input under call-by-need, call-by-name and call-by-value, and must not
//! duplicate work under need. Every rewrite's Note argues this for all
//! three. Lint passes on every output (`Session::simplify` checks it).
//!
//! Deliberately not done: inlining of `let`-bound (local) functions or of
//! recursive functions, floating `let`s in or out, case of case with more
//! than one inner alternative (it needs join points, which the STG lowering
//! introduces), eta expansion, constant folding of primops, dropping dead
//! recursive groups or dead top-level bindings (a REPL line may refer to
//! them later), strictness analysis (so `let x = f y in g x` stays a thunk
//! under need even when `g` is strict: moving `f y` would change the order
//! of evaluation by value).
//!
//! Stack use: every recursive function goes through [`crate::session::deep`],
//! so a 400,000-level-deep term is simplified on any thread.
//!
//! Read next: the STG lowering (`sloth-stg`'s `lower`), which consumes the
//! output; `lint`, which checks it.

use crate::env::Env;
use crate::ir::{Alt, Bind, Case, Expr, Id, Literal, Module, Pat};
use crate::primop::PrimOp;
use crate::session::deep;
use crate::source::Span;
use crate::types::{ConId, TyVar, Type, TypeKind, Unique, C_HASH, D_HASH, I_HASH};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// The largest function (in [`size_upto`] units: expression nodes, the
/// lambdas included) that is inlined at its saturated calls. `plusInt` is
/// 13, `maxInt` after simplification 16, `compareInt` 25, `showInt` 32;
/// `div`, `mod` and recursive functions never are. See Note [Inlining].
pub const INLINE_THRESHOLD: usize = 40;

/// Passes over one top-level right side before the simplifier gives up on
/// reaching a fixpoint (the result is correct either way; it is just not
/// fully simplified). The prelude and every example reach one in at most
/// three (the last of which changes nothing).
pub const MAX_PASSES: usize = 8;

/// How many `let`s a strict `let` looks through for the `case` on its
/// binder (Note [Strict let]); a bound keeps the check linear in long
/// `let` chains.
const MAX_STRICT_LETS: usize = 32;

/// The prelude functions that are control, not functions, under every
/// strategy (spec §6), always inlined when saturated (Note [Control
/// functions]). The same list as `sloth_stg::strategy::CONTROL_FUNCTIONS`.
pub const CONTROL_FUNCTIONS: [&str; 3] = ["&&", "||", "seq"];

// Note [Evaluation strategies]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// A simplified program may be lowered with any of three strategies (spec
// §6; `sloth_stg::lower`, Note [Strategies in the lowering]):
//
// * need:  a `let` right side or a non-atomic argument becomes a thunk,
//          updated with its value when forced;
// * name:  the same thunks, never updated: every use evaluates again;
// * value: `let x = e in b` evaluates `e`, then `b`; a call evaluates its
//          arguments left to right and the function (the simplifier never
//          relies on which of those two comes first), then calls;
//          constructor fields are strict (they are arguments); lambdas are
//          values; a global CAF is evaluated on first use.
//
// Under all three, `case` evaluates its scrutinee and then only the
// alternative it takes, unboxed (`Int#`) arguments are evaluated before the
// call, type abstraction and application are erased, and a saturated call
// of `&&`, `||`, `seq` is control.
//
// A rewrite is allowed only if, under each strategy separately, the
// rewritten program evaluates the same possibly-failing (or diverging)
// expressions in the same order as the original, so that it raises the
// same error or loops the same way, and (under need) does not evaluate any
// expression more often. Two consequences shape everything here:
//
// * Nothing may be dropped that `value` would evaluate: a dead `let` goes
//   only if its right side cannot fail (Note [Atoms and values]); a case
//   of a known constructor keeps `let`s for the constructor's other fields.
// * Nothing may be moved across another evaluation unless the move is
//   invisible under all three: a `let` is lazy under need and name but
//   eager under value, so moving `e` across a `let y = e2` is allowed only
//   where `value` would evaluate `e` first anyway (Note [Strict let]).
//
// Evaluating an already-evaluated variable again cannot fail (evaluation is
// deterministic), so removing such a re-evaluation is always allowed; under
// name it even saves work.

// Note [Atoms and values]
// ~~~~~~~~~~~~~~~~~~~~~~~~
// Three properties of an expression `e`, from weak to strong use:
//
// * `e` *cannot fail* (`Pass::cannot_fail`): binding it with `let` (which
//   evaluates it by value) does nothing observable and terminates, so a
//   dead `let x = e` may be dropped. True of every value (below), of
//   unboxed arithmetic other than `quotInt#`, `remInt#` and `chr#`, and of
//   a constructor applied to such (`I# (a +# 1#)`). Not of `error "e"`:
//   `let x = error "e" in 1` is 1 by need and an error by value, and must
//   remain so. Not of a string literal either: its `let` is kept (the
//   brief is conservative there; unpacking cannot fail, but it is work).
//
// * `e` is a *value* (`Pass::is_value`): an atom, a lambda, a type lambda
//   of a value, a constructor applied to at most its number of fields of
//   atoms, a primop or known global function applied to fewer atoms than
//   its arity. By value a value needs no evaluation.
//
// * `e` is an *atom* (`Pass::is_atom`): it may be copied freely, since
//   binding it does nothing under any strategy and copying it duplicates
//   no work:
//   - a local variable: by value every local variable is already a value;
//     by need and name copying a variable copies a pointer to the same
//     thunk. Except a non-lambda binder of a recursive `let` inside its own
//     group, which is a thunk even by value;
//   - a global known to be a value (a function, or a constructor
//     application of literals and value globals). A global CAF is not an
//     atom: by value `let x = g` forces `g` at the `let`, and substituting
//     it would move that;
//   - a constructor not applied to values (a static closure);
//   - an Int, Double or Char literal, boxed or unboxed. Not a string
//     literal: each occurrence is unpacked afresh, so copying one
//     duplicates work;
//   - an atom applied to types (type application is erased).
//   `let x = a in b` with `a` an atom becomes `b[a/x]`, under all three
//   strategies the same program: by value `a` is already a value; by need
//   and by name `x` would be a thunk evaluating `a` exactly when `a` is
//   evaluated at each use.
//
// Being a value by value does not make a term evaluated by need: a local
// variable may be a thunk there. So *removing* an evaluation (`case v of
// _ -> e` becomes `e`, `case v of z -> e` becomes `e[v/z]`) needs `v` to be
// evaluated under every strategy (`Pass::is_whnf`): a value other than a
// variable, an unboxed variable, a case binder, a `let`-bound value, a
// global function or constant, or (for `_ ->`, where re-evaluation would
// only repeat a success) a variable scrutinised by an enclosing case.

// Note [Passes]
// ~~~~~~~~~~~~~
// The simplifier walks the *input* term top-down and builds the *output*
// bottom-up. The input is consumed (moved), so every input node is
// simplified at most once. Three pieces of state carry information down:
//
// * the substitution (`Pass::ids`, `Pass::tys`): input variable → output
//   atom, input type variable → output type. It is not scoped: binders are
//   unique in the input (lint checks it), and every inlined copy gets
//   fresh uniques (`Env::fresh`) before it is simplified, so an entry can
//   only be looked up inside its binder's scope;
// * what is known in the current subterm (`Scope`: a variable's
//   constructor, that it is evaluated), in persistent maps since it holds
//   only there;
// * the context (`Cont`): the `case`s waiting for the value of the term
//   being simplified, innermost last (Note [Case of case]).
//
// A rewrite that needs an input shape (beta, strict let, inlining)
// restructures the input and simplifies the result; one that needs an
// output shape (a known constructor as scrutinee) works on the simplified
// scrutinee and the still-unsimplified alternatives, so no alternative is
// simplified twice.
//
// Decisions that depend on how often a variable occurs use counts taken
// over the pass's input (plus those of each inlined copy, counted as it is
// made). Substitution can make a variable occur more often in the output
// than in the input (`let w = y in .. w .. w ..`), so `Pass::extra` keeps,
// per variable, how many occurrences substitution may have added; input
// count plus extra bounds the output occurrences from above, which is the
// safe direction for "dead" and "used once" decisions.
//
// A pass counts its rewrites; a top-level right side is simplified again
// until a pass makes none (at most `MAX_PASSES`), so the output is a
// fixpoint and simplifying it again changes nothing. A pass is linear in
// the size of its input plus the inlined copies (each at most
// `INLINE_THRESHOLD` nodes, at a call that was already there); the only
// searches are bounded (`MAX_STRICT_LETS`).

// Note [Beta reduction]
// ~~~~~~~~~~~~~~~~~~~~~
// `(\x -> b) e` becomes `let x = e in b`. Under need and name the call
// would allocate a thunk for `e` and bind `x` to it, which is what the
// `let` does. By value the call evaluates the function (a lambda: nothing
// happens), then `e`, then `b`; the `let` evaluates `e`, then `b`. With
// several arguments, `(\x y -> b) e1 e2` becomes
// `let x = e1 in let y = e2 in b`: left to right, as the call would.
//
// `(\@a -> b) @t` becomes `b[t/a]`, the type substituted in every binder,
// annotation and case type (type abstraction is erased at run time).
//
// A binder of unboxed type (`Int#`) cannot be `let`-bound (lint rejects
// it): `(\(x :: Int#) -> b) e` becomes `case e of x -> b`. Unboxed
// arguments are evaluated before the call under every strategy, so that
// is the same program.
//
// More arguments than lambdas: `(\x -> b) e c` is reduced only if `c` is
// an atom. By value the call evaluates `e` and `c` and then enters `b`,
// while `(let x = e in b) c` would evaluate `e`, `b` and then `c` (or `c`
// first, depending on whether the function or the argument comes first):
// the same only if evaluating `c` does nothing. The same rule applies to
// inlining (Note [Inlining]).

// Note [Strict let]
// ~~~~~~~~~~~~~~~~~
// Problem: inlining `plusInt` at `plusInt (f a) (g b)` gives
//
//     let x = f a in let y = g b in case x of I# p -> case y of I# q -> I# (p +# q)
//
// which under need allocates two thunks only to force them at once.
//
// Rule: `let x = e in let b1 .. in case x of alts` (`e` not an atom; `x`
// may occur in the `b`s and `alts`) becomes a `case` on `e`, provided
// that, if there is at least one intervening `let`, `alts` is a single
// irrefutable alternative (a default, or a constructor of a type with one
// constructor):
//
// * `x` occurs only as the scrutinee: `case e of alt -> let b1 .. in rhs`;
// * `alts` is `_ -> rhs`: `case e of x -> let b1 .. in rhs`;
// * otherwise: `case e of x -> let b1 .. in case x of alts`.
//
// And `let x = e in x` becomes `e`: by need a thunk for `e` entered at
// once, by value `e` evaluated and returned.
//
// Why the order of evaluation is unchanged:
// * need: the original allocates the thunks of `x` and `b1 ..` (nothing is
//   evaluated) and then forces `x`, evaluating `e` first; the result
//   evaluates `e` first and allocates the `b`s afterwards. Later uses of
//   `x` find the value in both (an updated thunk, a case binder).
// * name: the same, except that in the original later uses of `x`
//   evaluate `e` again; the first evaluation succeeded, so they would
//   succeed with the same value, and the rewrite only saves work.
// * value: the original evaluates `e`, then the `b`s, then matches; the
//   result evaluates `e`, matches, then evaluates the `b`s. The match of an
//   irrefutable alternative does nothing, so the order of `e` and the `b`s
//   is kept. With a refutable alternative a failing match would come before
//   an error in a `b` instead of after it, hence the restriction.
//
// With the example: `case f a of I# p -> case g b of I# q -> I# (p +# q)`,
// no thunk at all; by value `f a` is still evaluated before `g b`.
//
// The rule is tried twice. On the input, before the right side is
// simplified, so that `e` is simplified with the case as its context
// (Note [Case of case]); this is what handles the example above. And on
// the output, after the body is simplified, for a body that became a case
// on `x` only then: in `let x1 = e in let x2 = x1 + 1 in x2`, the body of
// `x1` is a case on `x1` only once `+` is inlined. There the alternatives
// are output already, so a known constructor binds its fields with `let`s
// instead of substituting them, and "x occurs once" uses the upper bound
// of Note [Passes]. Without the second form a chain of n such `let`s
// needs n passes. The search looks through at most `MAX_STRICT_LETS`
// `let`s.

// Note [Case of known constructor]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// `case K a1 .. an of { K x1 .. xn -> rhs; .. }` becomes
// `let x1 = a1 in .. let xn = an in rhs`, an atom `ai` substituted instead,
// an unboxed `ai` bound by `case ai of xi -> ..`, a dead `xi` dropped only
// if `ai` cannot fail (Note [Atoms and values]). By value
// the constructor's fields are evaluated left to right when it is built,
// and so are the `let`s; by need and name the fields would be thunks (or,
// unboxed, evaluated when the constructor is built), and so are the
// `let`s. A default alternative instead of `K ..` keeps the `let`s of the
// non-value fields (by value they are evaluated), and `z -> rhs` binds
// `z = K b1 .. bn` with the fields bound to atoms `bi` first.
//
// A literal: `case 5 of I# x -> rhs` is `rhs[5#/x]`; `case 5# of { 5# -> a;
// _ -> b }` is `a`; a default binder is bound to the literal.
//
// A variable: in the alternative `K x1 .. xn` of `case v of ..`, `v` is
// known to be `K x1 .. xn`, so an inner `case v of K y1 .. yn -> rhs` is
// `rhs[xi/yi]`. Under name `v` would be evaluated again by the inner case,
// with the same result: dropping that evaluation only saves work. The
// inner case's default binder is bound to `v` only when `v` is bound to a
// value (under name a scrutinised `v` may be a thunk, evaluated again at
// every use of the binder). `let`-bound constructor applications of atoms,
// case binders and unboxed variables are known the same way, and so are
// global constants such as `otherwise = True`.
//
// An evaluated variable (or a value) scrutinised by `case v of _ -> rhs`
// is just `rhs` (`seq v e` on an evaluated `v`).
//
// When no alternative matches, the case stays: it must fail at run time
// with its source position.

// Note [Case of case]
// ~~~~~~~~~~~~~~~~~~~
// `case (case s of p -> r) of alts` becomes `case s of p -> case r of alts`
// and `case (let b in e) of alts` becomes `let b in case e of alts`. Every
// strategy evaluates `s`, matches `p` (failing with the inner case's
// position), evaluates `r`, then matches `alts`, in both; binders are
// unique, so nothing is captured. Only a single inner alternative is
// allowed: with more, `alts` would be copied into each (GHC uses join
// points for that).
//
// Done naively (simplify the scrutinee, then look for a case in it) this
// is quadratic: in `((1 + 2) + 3) + ..` the scrutinee of each level is a
// chain of cases as long as the level's depth, walked again by the next.
// So, as in GHC, the scrutinee is simplified *in its context*: the
// pending cases (`Cont`) travel down with it, into `let` bodies and
// single-alternative case bodies, and are applied where a value comes
// out (at a variable, an application, a constructor: `Pass::apply`), or
// outside a case with several alternatives. Nothing is walked twice.
//
// These arise from inlining a comparison inside `if`:
//
//     case ltInt n 2 of { False -> a; True -> b }
//     ==>  case (case n of I# x -> isTrue# (x <# 2#)) of { False -> a; True -> b }
//     ==>  case n of I# x -> case isTrue# (x <# 2#) of { False -> a; True -> b }
//
// and in `a` and `b`, `n` is now known to be `I# x` (Note [Case of known
// constructor]), so `n - 1` there becomes `I# (x -# 1#)`.

// Note [Inlining]
// ~~~~~~~~~~~~~~~
// A global whose simplified definition is non-recursive, of the form
// `\@a1 .. @ak x1 .. xn -> body` with n >= 1, whose body contains no lambda,
// type lambda or recursive `let`, and whose size (expression nodes, the
// lambdas included) is at most `INLINE_THRESHOLD` = 40 has an unfolding.
// A call that supplies all k type and n value arguments is replaced by a
// copy of the unfolding, every binder of it (term and type) given a fresh
// unique from `Env::fresh`, which beta reduction then applies to the
// arguments (Note [Beta reduction]). By value the call would evaluate the
// function (a global lambda: nothing), the arguments left to right, then
// the body: exactly the `let`s of the beta reduction followed by the body.
// Arguments beyond the n are allowed only if they are atoms.
//
// 40 nodes covers the prelude's arithmetic and comparison wrappers
// (`plusInt` is 13 nodes, `compareInt` 25), `not`, `fst`, `id`, `const`,
// `.`, `$`, `null`, `head`, `showInt`: 124 of the prelude's functions; it
// excludes `div`, `mod`, `chr` and everything recursive. Unfoldings are
// taken after simplification, so nested calls of small functions are
// already expanded in them and inlining does not cascade; each inlining
// adds at most 40 nodes where a call was.
//
// Unfoldings come from the prelude, from every unit simplified earlier in
// the session (a REPL line's functions are inlined in the next line), and
// from earlier groups of the unit being simplified (groups are in
// dependency order). Unsaturated uses (`map (plusInt 1) xs`) are left
// alone: they are function values.

// Note [Control functions]
// ~~~~~~~~~~~~~~~~~~~~~~~~
// `&&`, `||` and `seq` are control under every strategy (spec §6): by value
// `False && error "x"` is `False`, so `(&&) a b` must not evaluate `b`
// before the call. The STG lowering relies on every saturated call having
// been inlined. Their unfoldings are recorded whatever their size, and a
// saturated call is inlined by substituting the *arguments themselves* for
// the binders, not by `let`-binding them (which would evaluate `b` first by
// value):
//
//     a && b   ==>  case a of { False -> False; True -> b }
//     seq a b  ==>  case a of _ -> b
//
// Each binder occurs exactly once, outside any lambda (a test checks the
// prelude's definitions; were it not so, the call would be inlined with
// `let`s, right for need and name only), so no work is duplicated or moved
// under need and name; by value the result is the control meaning. A call with more arguments than two (`seq a f x`) is
// inlined as well, the rest applied to the result: the lowering treats the
// control call as the function of that application, and so does the
// result.

/// One small non-recursive function that later code may inline.
#[derive(Clone, Debug)]
pub struct Unfolding {
    /// `\@a1 .. @ak (x1 :: t1) .. (xn :: tn) -> body`, already simplified;
    /// `body` is not a lambda and contains no lambda and no recursive `let`.
    pub rhs: Expr,
    /// `k`: type arguments a saturated call supplies first.
    pub ty_arity: usize,
    /// `n >= 1`: value arguments a saturated call supplies.
    pub arity: usize,
    pub size: usize,
    /// `&&`, `||`, `seq` (Note [Control functions]).
    pub control: bool,
}

/// Rewrites made, cumulative over the simplifier's life.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Passes run (one per top-level right side, plus one per repeat).
    pub passes: u64,
    /// Calls replaced by a copy of the function's unfolding.
    pub inlined: u64,
    /// Lambdas and type lambdas applied to arguments.
    pub beta: u64,
    /// `let x = atom` substituted, and known fields or literals bound by
    /// substitution.
    pub substituted: u64,
    /// Dead `let`s (and unused constructor fields) that cannot fail,
    /// dropped.
    pub dead_lets: u64,
    /// `let x = e in .. case x of ..` turned into `case e of ..`, and
    /// `let x = e in x` into `e`.
    pub strict_lets: u64,
    /// Cases of a known constructor, literal or evaluated variable resolved.
    pub known_cases: u64,
    pub case_of_case: u64,
    pub case_of_let: u64,
    /// Right sides still changing after `MAX_PASSES` passes (correct, not
    /// fully simplified; none in the prelude or the examples).
    pub unfinished: u64,
    /// The most passes one right side took (the last one changing nothing).
    pub max_passes: u64,
}

impl Stats {
    pub fn total(&self) -> u64 {
        self.inlined
            + self.beta
            + self.substituted
            + self.dead_lets
            + self.strict_lets
            + self.known_cases
            + self.case_of_case
            + self.case_of_let
    }
}

/// A constructor, its type arguments and its fields (atoms).
type ConFields = (ConId, Rc<[Type]>, Rc<[Expr]>);

/// What is known of a global after its unit was simplified.
#[derive(Clone, Debug)]
struct GlobalInfo {
    /// Its evaluation does nothing: a function, a literal, a constructor
    /// applied to literals and value globals.
    value: bool,
    /// Value lambdas after the type lambdas (0 if not a function).
    arity: usize,
    /// For a constructor application of closed atoms: the constructor,
    /// the type arguments and the fields.
    con: Option<ConFields>,
}

/// The simplifier's state across units. See the module documentation.
#[derive(Clone, Default)]
pub struct Simplifier {
    unfoldings: HashMap<Unique, Unfolding>,
    globals: HashMap<Unique, GlobalInfo>,
    stats: Stats,
    /// Lint messages of units whose simplified Core failed lint and was
    /// thrown away (release builds only: see `Session::simplify`).
    pub lint_failures: Vec<String>,
}

impl Simplifier {
    pub fn new() -> Simplifier {
        Simplifier::default()
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The unfolding recorded for a global, if it is inlinable.
    pub fn unfolding(&self, global: Unique) -> Option<&Unfolding> {
        self.unfoldings.get(&global)
    }

    pub fn unfolding_count(&self) -> usize {
        self.unfoldings.len()
    }

    /// Forgets what was recorded for the globals of `m` (used when a
    /// simplified unit is thrown away).
    /// Forgets what is known of these globals (a REPL unit that nothing
    /// refers to any more).
    pub fn forget_globals(&mut self, globals: &[Unique]) {
        for u in globals {
            self.unfoldings.remove(u);
            self.globals.remove(u);
        }
    }

    pub fn forget(&mut self, m: &Module) {
        for b in &m.binds {
            for x in b.binders() {
                self.unfoldings.remove(&x.unique);
                self.globals.remove(&x.unique);
            }
        }
    }

    /// Simplifies a unit and records its small non-recursive globals as
    /// unfoldings for later groups and units. `env` is the session's
    /// environment after the unit was elaborated (its unique supply is
    /// used for the binders of inlined copies).
    pub fn simplify_module(&mut self, env: &mut Env, m: &Module) -> Module {
        let module_globals: HashSet<Unique> = m
            .binds
            .iter()
            .flat_map(|b| b.binders())
            .map(|x| x.unique)
            .collect();
        let mut binds = Vec::with_capacity(m.binds.len());
        for b in &m.binds {
            match b {
                Bind::NonRec(x, rhs) => {
                    let rhs = self.fixpoint(env, &module_globals, rhs.clone());
                    self.record(env, x, &rhs);
                    binds.push(Bind::NonRec(x.clone(), rhs));
                }
                Bind::Rec(bs) => {
                    // Members refer to each other: what is known of them
                    // while their right sides are simplified comes from the
                    // input (a lambda stays a lambda).
                    for (x, rhs) in bs {
                        self.globals
                            .insert(x.unique, global_info(rhs, &self.globals));
                    }
                    let bs: Vec<(Id, Expr)> = bs
                        .iter()
                        .map(|(x, rhs)| {
                            (x.clone(), self.fixpoint(env, &module_globals, rhs.clone()))
                        })
                        .collect();
                    for (x, rhs) in &bs {
                        self.globals
                            .insert(x.unique, global_info(rhs, &self.globals));
                    }
                    binds.push(Bind::Rec(bs));
                }
            }
        }
        Module {
            data: m.data.clone(),
            binds,
        }
    }

    /// Simplifies a closed expression (a REPL line's expression); its free
    /// variables are globals of earlier units.
    pub fn simplify_expr(&mut self, env: &mut Env, e: &Expr) -> Expr {
        self.fixpoint(env, &HashSet::new(), e.clone())
    }

    fn fixpoint(&mut self, env: &mut Env, module_globals: &HashSet<Unique>, mut e: Expr) -> Expr {
        for i in 0..MAX_PASSES {
            let mut occ = HashMap::new();
            count_occurrences(&e, &mut occ);
            let mut pass = Pass {
                env: &mut *env,
                unfoldings: &self.unfoldings,
                globals: &self.globals,
                module_globals,
                stats: &mut self.stats,
                occ,
                extra: HashMap::new(),
                ids: HashMap::new(),
                tys: HashMap::new(),
                ty_fvs: HashSet::new(),
                ticks: 0,
            };
            e = pass.simpl(&Scope::default(), e);
            let ticks = pass.ticks;
            self.stats.passes += 1;
            if ticks == 0 {
                let n = i as u64 + 1;
                self.stats.max_passes = self.stats.max_passes.max(n);
                return e;
            }
        }
        self.stats.unfinished += 1;
        self.stats.max_passes = MAX_PASSES as u64;
        e
    }

    /// Records what later code may use of a simplified top-level binding.
    fn record(&mut self, env: &Env, x: &Id, rhs: &Expr) {
        let info = global_info(rhs, &self.globals);
        self.globals.insert(x.unique, info);
        let control = CONTROL_FUNCTIONS
            .iter()
            .any(|n| env.prelude.get(*n) == Some(&x.unique));
        if let Some(u) = unfolding_of(rhs, control) {
            self.unfoldings.insert(x.unique, u);
        }
    }
}

/// What a simplified top-level right side is (Note [Atoms and values]).
fn global_info(rhs: &Expr, globals: &HashMap<Unique, GlobalInfo>) -> GlobalInfo {
    let mut e = rhs;
    let mut tylams = 0;
    while let Expr::TyLam(_, b) = e {
        e = b;
        tylams += 1;
    }
    let mut arity = 0;
    while let Expr::Lam(_, b) = e {
        e = b;
        arity += 1;
    }
    let not_value = GlobalInfo {
        value: false,
        arity: 0,
        con: None,
    };
    if arity > 0 {
        return GlobalInfo {
            value: true,
            arity,
            con: None,
        };
    }
    if tylams > 0 {
        return not_value;
    }
    let closed_atom = |a: &Expr| match a {
        Expr::Lit(l) => !matches!(l, Literal::String(_)),
        Expr::Var(g) => globals.get(&g.unique).is_some_and(|i| i.value),
        _ => false,
    };
    match e {
        Expr::Lit(l) => match boxed_literal(l) {
            Some((k, prim)) => GlobalInfo {
                value: true,
                arity: 0,
                con: Some((k, Rc::from(Vec::new()), Rc::from(vec![Expr::Lit(prim)]))),
            },
            None => not_value,
        },
        _ => match con_app_ref(e) {
            Some((k, tys, args)) if args.iter().all(|a| closed_atom(a)) => GlobalInfo {
                value: true,
                arity: 0,
                con: Some((
                    k,
                    Rc::from(tys.into_iter().cloned().collect::<Vec<_>>()),
                    Rc::from(args.into_iter().cloned().collect::<Vec<_>>()),
                )),
            },
            _ => not_value,
        },
    }
}

/// The unfolding of a simplified top-level right side, if it is small
/// enough and of the right shape (Note [Inlining]).
fn unfolding_of(rhs: &Expr, control: bool) -> Option<Unfolding> {
    let mut e = rhs;
    let mut ty_arity = 0;
    while let Expr::TyLam(_, b) = e {
        e = b;
        ty_arity += 1;
    }
    let mut arity = 0;
    while let Expr::Lam(_, b) = e {
        e = b;
        arity += 1;
    }
    if arity == 0 {
        return None;
    }
    let limit = if control {
        usize::MAX
    } else {
        INLINE_THRESHOLD
    };
    let size = size_upto(rhs, limit)?;
    if !inlinable_body(e) {
        return None;
    }
    Some(Unfolding {
        rhs: rhs.clone(),
        ty_arity,
        arity,
        size,
        control,
    })
}

/// The number of expression nodes of `e`, or `None` if it exceeds `limit`.
pub fn size_upto(e: &Expr, limit: usize) -> Option<usize> {
    fn go(e: &Expr, n: &mut usize, limit: usize) -> bool {
        *n += 1;
        if *n > limit {
            return false;
        }
        deep(|| match e {
            Expr::Var(_) | Expr::Con(_) | Expr::Prim(_) | Expr::Lit(_) => true,
            Expr::App(f, a) => go(f, n, limit) && go(a, n, limit),
            Expr::TyApp(f, _) | Expr::Lam(_, f) | Expr::TyLam(_, f) => go(f, n, limit),
            Expr::Let(b, body) => {
                let rhss_ok = match &**b {
                    Bind::NonRec(_, r) => go(r, n, limit),
                    Bind::Rec(bs) => bs.iter().all(|(_, r)| go(r, n, limit)),
                };
                rhss_ok && go(body, n, limit)
            }
            Expr::Case(c) => go(&c.scrut, n, limit) && c.alts.iter().all(|a| go(&a.rhs, n, limit)),
        })
    }
    let mut n = 0;
    go(e, &mut n, limit).then_some(n)
}

/// No lambda, type lambda or recursive `let` inside.
fn inlinable_body(e: &Expr) -> bool {
    deep(|| match e {
        Expr::Var(_) | Expr::Con(_) | Expr::Prim(_) | Expr::Lit(_) => true,
        Expr::Lam(..) | Expr::TyLam(..) => false,
        Expr::App(f, a) => inlinable_body(f) && inlinable_body(a),
        Expr::TyApp(f, _) => inlinable_body(f),
        Expr::Let(b, body) => match &**b {
            Bind::NonRec(_, r) => inlinable_body(r) && inlinable_body(body),
            Bind::Rec(_) => false,
        },
        Expr::Case(c) => inlinable_body(&c.scrut) && c.alts.iter().all(|a| inlinable_body(&a.rhs)),
    })
}

fn count_occurrences(e: &Expr, occ: &mut HashMap<Unique, u32>) {
    deep(|| match e {
        Expr::Var(x) => *occ.entry(x.unique).or_insert(0) += 1,
        Expr::Con(_) | Expr::Prim(_) | Expr::Lit(_) => {}
        Expr::App(f, a) => {
            count_occurrences(f, occ);
            count_occurrences(a, occ);
        }
        Expr::TyApp(f, _) | Expr::Lam(_, f) | Expr::TyLam(_, f) => count_occurrences(f, occ),
        Expr::Let(b, body) => {
            match &**b {
                Bind::NonRec(_, r) => count_occurrences(r, occ),
                Bind::Rec(bs) => bs.iter().for_each(|(_, r)| count_occurrences(r, occ)),
            }
            count_occurrences(body, occ);
        }
        Expr::Case(c) => {
            count_occurrences(&c.scrut, occ);
            c.alts.iter().for_each(|a| count_occurrences(&a.rhs, occ));
        }
    })
}

/// `I# 5#` for the boxed literal `5`, and so on; `None` for unboxed and
/// string literals.
fn boxed_literal(l: &Literal) -> Option<(ConId, Literal)> {
    match l {
        Literal::Int(n) => Some((I_HASH, Literal::IntPrim(*n))),
        Literal::Double(d) => Some((D_HASH, Literal::DoublePrim(*d))),
        Literal::Char(c) => Some((C_HASH, Literal::CharPrim(*c))),
        _ => None,
    }
}

fn is_unboxed_literal(l: &Literal) -> bool {
    matches!(
        l,
        Literal::IntPrim(_) | Literal::DoublePrim(_) | Literal::CharPrim(_)
    )
}

/// An argument of an application spine.
enum Arg {
    Ty(Type),
    Val(Expr),
}

/// Splits `f @t x y` into `f` and its arguments, in order.
fn spine(mut e: Expr) -> (Expr, Vec<Arg>) {
    let mut args = Vec::new();
    loop {
        match e {
            Expr::App(f, a) => {
                args.push(Arg::Val(*a));
                e = *f;
            }
            Expr::TyApp(f, t) => {
                args.push(Arg::Ty(t));
                e = *f;
            }
            _ => break,
        }
    }
    args.reverse();
    (e, args)
}

fn rebuild(head: Expr, args: Vec<Arg>) -> Expr {
    args.into_iter().fold(head, |f, a| match a {
        Arg::Ty(t) => Expr::ty_app(f, t),
        Arg::Val(v) => Expr::app(f, v),
    })
}

/// A constructor applied to all its type arguments and some value
/// arguments: the constructor, the types, the values.
fn con_app_ref(e: &Expr) -> Option<(ConId, Vec<&Type>, Vec<&Expr>)> {
    let mut tys = Vec::new();
    let mut vals = Vec::new();
    let mut e = e;
    loop {
        match e {
            Expr::App(f, a) => {
                if !tys.is_empty() {
                    return None; // a type argument after a value argument
                }
                vals.push(&**a);
                e = f;
            }
            Expr::TyApp(f, t) => {
                tys.push(t);
                e = f;
            }
            Expr::Con(k) => {
                tys.reverse();
                vals.reverse();
                return Some((*k, tys, vals));
            }
            _ => return None,
        }
    }
}

/// Whether an unboxed expression can be evaluated early or not at all
/// without changing the program: literals, variables, primops that cannot
/// fail applied to such (not `quotInt#`, `remInt#`, `chr#`, `error`).
fn ok_for_speculation(e: &Expr) -> bool {
    match e {
        Expr::Lit(l) => is_unboxed_literal(l),
        Expr::Var(x) => x.ty.is_unlifted(),
        Expr::App(..) => {
            let mut args = Vec::new();
            let mut h = e;
            while let Expr::App(f, a) = h {
                args.push(&**a);
                h = f;
            }
            match h {
                Expr::Prim(p) => {
                    !matches!(
                        p,
                        PrimOp::IntQuot | PrimOp::IntRem | PrimOp::Chr | PrimOp::Error
                    ) && p.arity() == args.len()
                        && p.ty().split_funs().1.is_unlifted()
                        && args.iter().all(|a| deep(|| ok_for_speculation(a)))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// One pass

/// What is known of an output variable in a scope.
#[derive(Clone)]
struct Known {
    shape: KnownShape,
    /// The variable is bound to a value (a case binder, a `let` of a
    /// value, an unboxed variable), not merely evaluated once before (a
    /// scrutinised thunk, which under name would be evaluated again).
    value: bool,
}

#[derive(Clone)]
enum KnownShape {
    /// Evaluated, shape unknown.
    Any,
    /// This constructor, at these type arguments, with these atoms as
    /// fields.
    Con(ConId, Rc<[Type]>, Rc<[Expr]>),
    /// This unboxed literal.
    Lit(Literal),
}

/// What is known in a subterm (Note [Passes]): facts that hold only
/// there, so kept in persistent maps that are cheap to extend for a
/// subterm. (The substitution is not scoped: it lives in [`Pass`].)
#[derive(Clone, Default)]
struct Scope {
    /// What is known of output variables.
    known: imbl::HashMap<Unique, Known>,
    /// Non-lambda binders of the recursive `let` groups whose right sides
    /// are being simplified: thunks even by value, so not atoms.
    lazy_rec: imbl::HashSet<Unique>,
}

/// The shape of a simplified scrutinee, as far as a case can use it.
enum Shape {
    /// A saturated constructor application (its fields are taken from the
    /// scrutinee itself).
    ConApp(ConId),
    /// A boxed literal: `I# 5#` for `5`.
    Boxed(ConId, Literal),
    /// A variable of known constructor; `bool`: it is bound to a value.
    KnownCon(ConId, Rc<[Type]>, Rc<[Expr]>, bool),
    /// An unboxed literal, or a variable known to be one.
    Lit(Literal),
    /// Evaluated (or a value, if `true`) of unknown shape.
    Evaluated(bool),
    Unknown,
}

struct Pass<'s> {
    env: &'s mut Env,
    unfoldings: &'s HashMap<Unique, Unfolding>,
    globals: &'s HashMap<Unique, GlobalInfo>,
    module_globals: &'s HashSet<Unique>,
    stats: &'s mut Stats,
    /// Occurrences of each variable in the pass's input and in the copies
    /// inlined so far.
    occ: HashMap<Unique, u32>,
    /// For each variable, an upper bound on the occurrences that
    /// substitution added to the output beyond its input occurrences (see
    /// [`Pass::substitute`]).
    extra: HashMap<Unique, u32>,
    /// The substitution: input term variable → output atom. Not scoped:
    /// every binder of the input is unique, so an entry can only be
    /// looked up in its binder's scope (Note [Passes]).
    ids: HashMap<Unique, Expr>,
    /// Input type variable → output type (type lambdas applied).
    tys: HashMap<Unique, Type>,
    /// The free type variables of the types in `tys` (for capture
    /// avoidance).
    ty_fvs: HashSet<Unique>,
    ticks: u64,
}

macro_rules! tick {
    ($pass:expr, $field:ident) => {{
        $pass.ticks += 1;
        $pass.stats.$field += 1;
    }};
}

impl Pass<'_> {
    fn occurrences(&self, x: &Id) -> u32 {
        self.occ.get(&x.unique).copied().unwrap_or(0)
    }

    /// An upper bound on the occurrences of `x` in the output (Note
    /// [Strict let]): its input occurrences plus what substitution added.
    fn output_occurrences(&self, x: &Id) -> u32 {
        self.occurrences(x) + self.extra.get(&x.unique).copied().unwrap_or(0)
    }

    /// Substitutes the output atom `a` for the input variable `w`.
    /// `consumed`: `a` was an occurrence in the output that is dropped now
    /// (a `let` right side, a scrutinee), as opposed to a copy of what is
    /// known. Every occurrence of `w` becomes one of `a`'s variable.
    fn substitute(&mut self, w: &Id, a: Expr, consumed: bool) {
        let mut h = &a;
        while let Expr::TyApp(f, _) = h {
            h = f;
        }
        if let Expr::Var(v) = h {
            let added = self.occurrences(w).saturating_sub(u32::from(consumed));
            if added > 0 {
                *self.extra.entry(v.unique).or_insert(0) += added;
            }
        }
        self.ids.insert(w.unique, a);
    }

    fn is_global(&self, u: Unique) -> bool {
        self.module_globals.contains(&u) || self.env.globals.contains_key(&u)
    }

    fn global_value(&self, u: Unique) -> Option<&GlobalInfo> {
        self.globals.get(&u).filter(|i| i.value)
    }

    // -----------------------------------------------------------------------
    // Atoms and values (Note [Atoms and values]), of output expressions

    fn is_atom(&self, sc: &Scope, e: &Expr) -> bool {
        match e {
            Expr::Var(x) => {
                if self.is_global(x.unique) {
                    self.global_value(x.unique).is_some()
                } else {
                    !sc.lazy_rec.contains(&x.unique)
                }
            }
            Expr::Lit(l) => !matches!(l, Literal::String(_)),
            // A constructor not applied to values: static.
            Expr::Con(_) => true,
            Expr::TyApp(f, _) => self.is_atom(sc, f),
            _ => false,
        }
    }

    /// An input expression that simplifies to an atom.
    fn is_input_atom(&self, sc: &Scope, e: &Expr) -> bool {
        match e {
            Expr::Var(x) => match self.ids.get(&x.unique) {
                Some(a) => self.is_atom(sc, a),
                None => self.is_atom(sc, e),
            },
            Expr::Lit(l) => !matches!(l, Literal::String(_)),
            Expr::Con(_) => true,
            Expr::TyApp(f, _) => self.is_input_atom(sc, f),
            _ => false,
        }
    }

    fn is_value(&self, sc: &Scope, e: &Expr) -> bool {
        match e {
            Expr::Var(_) | Expr::Lit(_) | Expr::Con(_) => self.is_atom(sc, e),
            Expr::Prim(_) => true,
            Expr::Lam(..) => true,
            Expr::TyLam(_, b) => deep(|| self.is_value(sc, b)),
            Expr::App(..) | Expr::TyApp(..) => {
                let mut vals = 0;
                let mut h = e;
                loop {
                    match h {
                        Expr::App(f, a) => {
                            if !self.is_atom(sc, a) {
                                return false;
                            }
                            vals += 1;
                            h = f;
                        }
                        Expr::TyApp(f, _) => h = f,
                        _ => break,
                    }
                }
                match h {
                    Expr::Con(k) => vals <= self.env.data.con(*k).fields.len(),
                    Expr::Prim(p) => vals < p.arity(),
                    Expr::Var(_) if vals == 0 => self.is_atom(sc, h),
                    Expr::Var(g) => self.global_value(g.unique).is_some_and(|i| vals < i.arity),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// Whether evaluating `e` does nothing under *every* strategy: a value
    /// that is not a variable, or a variable known to be bound to a value.
    /// Stronger than [`Pass::is_value`]: a local variable is a value by
    /// value, but may be an unevaluated thunk by need or by name.
    fn is_whnf(&self, sc: &Scope, e: &Expr) -> bool {
        let mut h = e;
        while let Expr::TyApp(f, _) = h {
            h = f;
        }
        match h {
            Expr::Var(v) => {
                v.ty.is_unlifted()
                    || sc.known.get(&v.unique).is_some_and(|k| k.value)
                    || (self.is_global(v.unique) && self.global_value(v.unique).is_some())
            }
            // Type abstraction is erased: `\@a -> x` is `x`.
            Expr::TyLam(_, b) => deep(|| self.is_whnf(sc, b)),
            _ => self.is_value(sc, e),
        }
    }

    /// What a `let` binder bound to `rhs` is known to be.
    fn known_of_rhs(&self, sc: &Scope, rhs: &Expr) -> Option<Known> {
        if let Some((k, tys, args)) = con_app_ref(rhs) {
            if args.len() == self.env.data.con(k).fields.len()
                && args.iter().all(|a| self.is_atom(sc, a))
            {
                return Some(Known {
                    shape: KnownShape::Con(
                        k,
                        tys.into_iter().cloned().collect(),
                        args.into_iter().cloned().collect(),
                    ),
                    value: true,
                });
            }
        }
        self.is_whnf(sc, rhs).then_some(Known {
            shape: KnownShape::Any,
            value: true,
        })
    }

    // -----------------------------------------------------------------------
    // Types

    fn subst_ty(&mut self, t: &Type) -> Type {
        if self.tys.is_empty() {
            return t.clone();
        }
        let s = std::mem::take(&mut self.tys);
        let fvs = std::mem::take(&mut self.ty_fvs);
        let r = self.subst_ty_with(t, &s, &fvs);
        self.tys = s;
        self.ty_fvs = fvs;
        r.unwrap_or_else(|| t.clone())
    }

    fn add_ty(&mut self, v: &TyVar, t: Type) {
        for w in t.free_tyvars() {
            self.ty_fvs.insert(w.unique);
        }
        self.tys.insert(v.unique, t);
    }

    /// Capture-avoiding substitution; `None` if nothing changes.
    fn subst_ty_with(
        &mut self,
        t: &Type,
        s: &HashMap<Unique, Type>,
        fvs: &HashSet<Unique>,
    ) -> Option<Type> {
        match t.kind() {
            TypeKind::Var(v) => s.get(&v.unique).cloned(),
            TypeKind::Meta(_) => None,
            TypeKind::Con(c, args) => {
                let new: Vec<Option<Type>> =
                    args.iter().map(|a| self.subst_ty_with(a, s, fvs)).collect();
                if new.iter().all(Option::is_none) {
                    return None;
                }
                Some(Type::con(
                    *c,
                    new.into_iter()
                        .zip(args)
                        .map(|(n, a)| n.unwrap_or_else(|| a.clone()))
                        .collect(),
                ))
            }
            TypeKind::Fun(a, r) => {
                let (na, nr) = (self.subst_ty_with(a, s, fvs), self.subst_ty_with(r, s, fvs));
                if na.is_none() && nr.is_none() {
                    return None;
                }
                Some(Type::fun(
                    na.unwrap_or_else(|| a.clone()),
                    nr.unwrap_or_else(|| r.clone()),
                ))
            }
            TypeKind::Forall(w, b) => {
                if s.contains_key(&w.unique) {
                    let mut s2 = s.clone();
                    s2.remove(&w.unique);
                    let nb = self.subst_ty_with(b, &s2, fvs)?;
                    Some(Type::forall(w.clone(), nb))
                } else if fvs.contains(&w.unique) {
                    let w2 = TyVar {
                        name: w.name.clone(),
                        unique: self.env.fresh(),
                    };
                    let mut s2 = s.clone();
                    s2.insert(w.unique, Type::var(w2.clone()));
                    let nb = self.subst_ty_with(b, &s2, fvs).unwrap_or_else(|| b.clone());
                    Some(Type::forall(w2, nb))
                } else {
                    let nb = self.subst_ty_with(b, s, fvs)?;
                    Some(Type::forall(w.clone(), nb))
                }
            }
        }
    }

    /// The type of a (well-typed) expression.
    fn type_of(&mut self, e: &Expr) -> Type {
        deep(|| match e {
            Expr::Var(x) => x.ty.clone(),
            Expr::Con(k) => self.env.data.con_type(*k),
            Expr::Prim(p) => p.ty(),
            Expr::Lit(l) => l.ty(),
            Expr::App(f, _) => match self.type_of(f).kind() {
                TypeKind::Fun(_, r) => r.clone(),
                _ => panic!("simplifier: an application of a non-function"),
            },
            Expr::TyApp(f, t) => match self.type_of(f).kind() {
                TypeKind::Forall(v, b) => {
                    let s = HashMap::from([(v.unique, t.clone())]);
                    let fvs: HashSet<Unique> =
                        t.free_tyvars().into_iter().map(|w| w.unique).collect();
                    self.subst_ty_with(b, &s, &fvs).unwrap_or_else(|| b.clone())
                }
                _ => panic!("simplifier: a type application of a monomorphic expression"),
            },
            Expr::Lam(x, b) => Type::fun(x.ty.clone(), self.type_of(b)),
            Expr::TyLam(v, b) => Type::forall(v.clone(), self.type_of(b)),
            Expr::Let(_, b) => self.type_of(b),
            Expr::Case(c) => c.ty.clone(),
        })
    }

    /// An input binder in the output: its type substituted.
    fn bndr(&mut self, x: Id) -> Id {
        if self.tys.is_empty() {
            return x;
        }
        let ty = self.subst_ty(&x.ty);
        Id { ty, ..x }
    }

    fn fresh_id(&mut self, name: &str, ty: Type) -> Id {
        Id {
            name: Rc::from(name),
            unique: self.env.fresh(),
            ty,
        }
    }

    // -----------------------------------------------------------------------
    // Expressions

    fn simpl(&mut self, sc: &Scope, e: Expr) -> Expr {
        self.simpl_k(sc, e, Vec::new())
    }

    /// Simplifies `e` in the context of the pending cases `k` (Note [Case
    /// of case]): the result is `k` applied to `e`'s simplification.
    fn simpl_k(&mut self, sc: &Scope, e: Expr, k: Cont) -> Expr {
        deep(|| self.simpl_k_inner(sc, e, k))
    }

    fn simpl_k_inner(&mut self, sc: &Scope, e: Expr, mut k: Cont) -> Expr {
        match e {
            Expr::Var(x) => {
                let e = self.var(x);
                self.apply(sc, e, k)
            }
            e @ (Expr::Con(_) | Expr::Prim(_) | Expr::Lit(_)) => self.apply(sc, e, k),
            e @ (Expr::App(..) | Expr::TyApp(..)) => self.app(sc, e, k),
            Expr::Lam(x, b) => {
                let x = self.bndr(x);
                let e = Expr::Lam(x, Box::new(self.simpl(sc, *b)));
                self.apply(sc, e, k)
            }
            Expr::TyLam(a, b) => {
                let e = Expr::TyLam(a, Box::new(self.simpl(sc, *b)));
                self.apply(sc, e, k)
            }
            Expr::Let(b, body) => match *b {
                Bind::NonRec(x, rhs) => self.let_nonrec(sc, x, rhs, *body, k),
                Bind::Rec(bs) => self.let_rec(sc, bs, *body, k),
            },
            Expr::Case(c) => {
                let Case {
                    scrut,
                    ty,
                    alts,
                    span,
                } = *c;
                k.push(Frame { ty, alts, span });
                self.simpl_k(sc, scrut, k)
            }
        }
    }

    /// `k` applied to the simplified `e`.
    fn apply(&mut self, sc: &Scope, e: Expr, mut k: Cont) -> Expr {
        match k.pop() {
            None => e,
            Some(frame) => self.case_of(sc, e, frame, k),
        }
    }

    /// The type of `k` applied to something of type `inner` (input types).
    fn result_type(&mut self, inner: &Type, k: &Cont) -> Type {
        let t = k.first().map_or(inner, |f| &f.ty).clone();
        self.subst_ty(&t)
    }

    fn var(&mut self, x: Id) -> Expr {
        if let Some(a) = self.ids.get(&x.unique) {
            return a.clone();
        }
        Expr::Var(self.bndr(x))
    }

    // -----------------------------------------------------------------------
    // Applications: beta, inlining

    fn app(&mut self, sc: &Scope, e: Expr, k: Cont) -> Expr {
        let (head, args) = spine(e);
        match &head {
            Expr::Lam(..) | Expr::TyLam(..) if self.beta_ok(sc, &head, &args) => {
                tick!(self, beta);
                let e = self.beta(head, args, false);
                return self.simpl_k(sc, e, k);
            }
            Expr::Var(x) => {
                let h = self.var(x.clone());
                if let Some(copy) = self.inline_head(sc, &h, &args) {
                    let mut ty_args: Vec<Arg> = Vec::new();
                    let mut g = h;
                    while let Expr::TyApp(f, t) = g {
                        ty_args.push(Arg::Ty(t));
                        g = *f;
                    }
                    ty_args.reverse();
                    ty_args.extend(args);
                    let (rhs, control) = copy;
                    let e = self.beta(rhs, ty_args, control);
                    return self.simpl_k(sc, e, k);
                }
            }
            _ => {}
        }
        let h = self.simpl(sc, head);
        let e = args.into_iter().fold(h, |f, a| match a {
            Arg::Ty(t) => {
                let t = self.subst_ty(&t);
                Expr::ty_app(f, t)
            }
            Arg::Val(v) => {
                let v = self.simpl(sc, v);
                Expr::app(f, v)
            }
        });
        self.apply(sc, e, k)
    }

    /// Whether `head args` (head a lambda or type lambda) may be reduced:
    /// the arguments beyond the lambdas, if any, are types or atoms (Note
    /// [Beta reduction]).
    fn beta_ok(&self, sc: &Scope, head: &Expr, args: &[Arg]) -> bool {
        let mut e = head;
        let mut used = 0;
        for a in args {
            match (e, a) {
                (Expr::TyLam(_, b), Arg::Ty(_)) | (Expr::Lam(_, b), Arg::Val(_)) => {
                    e = b;
                    used += 1;
                }
                _ => break,
            }
        }
        used > 0 && self.extra_args_ok(sc, &args[used..])
    }

    fn extra_args_ok(&self, sc: &Scope, extra: &[Arg]) -> bool {
        extra.iter().all(|a| match a {
            Arg::Ty(_) => true,
            Arg::Val(v) => self.is_input_atom(sc, v),
        })
    }

    /// If the (simplified) head `h` is a global with an unfolding and
    /// `args` saturate it, a fresh copy of the unfolding and whether it is
    /// control (Note [Inlining]).
    fn inline_head(&mut self, sc: &Scope, h: &Expr, args: &[Arg]) -> Option<(Expr, bool)> {
        let mut head_tys = 0;
        let mut g = h;
        while let Expr::TyApp(f, _) = g {
            head_tys += 1;
            g = f;
        }
        let Expr::Var(g) = g else { return None };
        let unf = self.unfoldings.get(&g.unique)?;
        let lead_tys = args.iter().take_while(|a| matches!(a, Arg::Ty(_))).count();
        if head_tys + lead_tys != unf.ty_arity {
            return None;
        }
        let vals = args[lead_tys..]
            .iter()
            .take_while(|a| matches!(a, Arg::Val(_)))
            .count();
        if vals < unf.arity {
            return None;
        }
        if !unf.control && !self.extra_args_ok(sc, &args[lead_tys + unf.arity..]) {
            return None;
        }
        let (rhs, control) = (unf.rhs.clone(), unf.control);
        tick!(self, inlined);
        let mut ren = Renaming::default();
        Some((self.copy(&rhs, &mut ren), control))
    }

    /// `(\@a .. x .. -> body) @t .. e ..` as an input expression: type
    /// arguments go into the scope, value arguments become `let`s (or
    /// `case`s for unboxed binders), or, for a control function, replace
    /// the binders (Note [Beta reduction], Note [Control functions]).
    fn beta(&mut self, head: Expr, args: Vec<Arg>, control: bool) -> Expr {
        let mut f = head;
        let mut binds: Vec<(Id, Expr)> = Vec::new();
        let mut rest = args.into_iter().peekable();
        let mut f = loop {
            f = match f {
                Expr::TyLam(a, b) if matches!(rest.peek(), Some(Arg::Ty(_))) => {
                    let Some(Arg::Ty(t)) = rest.next() else {
                        unreachable!()
                    };
                    let t = self.subst_ty(&t);
                    self.add_ty(&a, t);
                    *b
                }
                Expr::Lam(x, b) if matches!(rest.peek(), Some(Arg::Val(_))) => {
                    let Some(Arg::Val(a)) = rest.next() else {
                        unreachable!()
                    };
                    binds.push((x, a));
                    *b
                }
                other => break other,
            };
        };
        if control && binds.iter().all(|(x, _)| self.occurrences(x) == 1) {
            let mut map: HashMap<Unique, Option<Expr>> =
                binds.drain(..).map(|(x, a)| (x.unique, Some(a))).collect();
            f = replace_once(f, &mut map);
        }
        let body = rebuild(f, rest.collect());
        if binds.is_empty() {
            return body;
        }
        let needs_type = binds.iter().any(|(x, _)| x.ty.is_unlifted());
        let body_ty = if needs_type {
            Some(self.type_of(&body))
        } else {
            None
        };
        binds.into_iter().rev().fold(body, |body, (x, a)| {
            if x.ty.is_unlifted() {
                let ty = body_ty.clone().expect("computed above");
                Expr::Case(Box::new(Case {
                    scrut: a,
                    ty,
                    alts: vec![Alt {
                        pat: Pat::Default(Some(x)),
                        rhs: body,
                    }],
                    span: Span::default(),
                }))
            } else {
                Expr::Let(Box::new(Bind::NonRec(x, a)), Box::new(body))
            }
        })
    }

    /// A copy of an unfolding with fresh uniques for every binder, term and
    /// type; counts the copy's occurrences.
    fn copy(&mut self, e: &Expr, r: &mut Renaming) -> Expr {
        deep(|| match e {
            Expr::Var(x) => match r.ids.get(&x.unique) {
                Some(y) => {
                    *self.occ.entry(y.unique).or_insert(0) += 1;
                    Expr::Var(y.clone())
                }
                None => Expr::Var(x.clone()),
            },
            Expr::Con(_) | Expr::Prim(_) | Expr::Lit(_) => e.clone(),
            Expr::App(f, a) => {
                let f = self.copy(f, r);
                Expr::app(f, self.copy(a, r))
            }
            Expr::TyApp(f, t) => {
                let f = self.copy(f, r);
                Expr::ty_app(f, r.ty(t))
            }
            Expr::Lam(x, b) => {
                let x = self.copy_bndr(x, r);
                Expr::lam(x, self.copy(b, r))
            }
            Expr::TyLam(a, b) => {
                let a2 = TyVar {
                    name: a.name.clone(),
                    unique: self.env.fresh(),
                };
                r.tys.insert(a.unique, Type::var(a2.clone()));
                Expr::ty_lam(a2, self.copy(b, r))
            }
            Expr::Let(b, body) => {
                let b = match &**b {
                    Bind::NonRec(x, rhs) => {
                        let rhs = self.copy(rhs, r);
                        Bind::NonRec(self.copy_bndr(x, r), rhs)
                    }
                    Bind::Rec(bs) => {
                        let xs: Vec<Id> = bs.iter().map(|(x, _)| self.copy_bndr(x, r)).collect();
                        Bind::Rec(
                            xs.into_iter()
                                .zip(bs)
                                .map(|(x, (_, rhs))| (x, self.copy(rhs, r)))
                                .collect(),
                        )
                    }
                };
                Expr::Let(Box::new(b), Box::new(self.copy(body, r)))
            }
            Expr::Case(c) => {
                let scrut = self.copy(&c.scrut, r);
                let alts = c
                    .alts
                    .iter()
                    .map(|a| {
                        let pat = match &a.pat {
                            Pat::Con(k, xs) => {
                                Pat::Con(*k, xs.iter().map(|x| self.copy_bndr(x, r)).collect())
                            }
                            Pat::Lit(l) => Pat::Lit(l.clone()),
                            Pat::Default(z) => {
                                Pat::Default(z.as_ref().map(|z| self.copy_bndr(z, r)))
                            }
                        };
                        Alt {
                            pat,
                            rhs: self.copy(&a.rhs, r),
                        }
                    })
                    .collect();
                Expr::Case(Box::new(Case {
                    scrut,
                    ty: r.ty(&c.ty),
                    alts,
                    span: c.span,
                }))
            }
        })
    }

    fn copy_bndr(&mut self, x: &Id, r: &mut Renaming) -> Id {
        let y = Id {
            name: x.name.clone(),
            unique: self.env.fresh(),
            ty: r.ty(&x.ty),
        };
        r.ids.insert(x.unique, y.clone());
        y
    }

    // -----------------------------------------------------------------------
    // Let

    fn let_nonrec(&mut self, sc: &Scope, x: Id, rhs: Expr, body: Expr, k: Cont) -> Expr {
        // Note [Strict let]: decided on the input, so that the right side
        // is simplified with the case it is scrutinised by.
        if matches!(&body, Expr::Var(y) if *y == x) {
            tick!(self, strict_lets);
            return self.simpl_k(sc, rhs, k);
        }
        if !self.is_input_atom(sc, &rhs) {
            if let Some(lets) = self.strict_shape(&body, &x) {
                tick!(self, strict_lets);
                return self.strict_let(sc, x, rhs, body, lets, k);
            }
        }
        let rhs = self.simpl(sc, rhs);
        // Note [Atoms and values]
        if self.is_atom(sc, &rhs) {
            tick!(self, substituted);
            self.substitute(&x, rhs, true);
            return self.simpl_k(sc, body, k);
        }
        if self.occurrences(&x) == 0 && self.cannot_fail(sc, &rhs) {
            tick!(self, dead_lets);
            return self.simpl_k(sc, body, k);
        }
        let x = self.bndr(x);
        let mut sc2 = sc.clone();
        if let Some(kn) = self.known_of_rhs(sc, &rhs) {
            sc2.known.insert(x.unique, kn);
        }
        if !k.is_empty() {
            tick!(self, case_of_let);
        }
        let body = self.simpl_k(&sc2, body, k);
        self.strict_let_out(x, rhs, body)
    }

    /// `let x = rhs in body`, all simplified: Note [Strict let] once more,
    /// for a body that became a case on `x` only by simplification (a chain
    /// `let x1 = e in let x2 = x1 + 1 in ..` would otherwise need a pass
    /// per link). The alternatives are output already, so a known
    /// constructor binds its fields with `let`s instead of substituting
    /// them (the next pass substitutes atoms).
    fn strict_let_out(&mut self, x: Id, rhs: Expr, body: Expr) -> Expr {
        // `let x = e in case x of y { __DEFAULT -> b }` is
        // `case e of x { __DEFAULT -> let y = x in b }` even when `x`
        // occurs in `b`: the body forces `x` first, and after that every
        // use of `x` sees the same value (under name too: evaluation is
        // deterministic, so re-evaluating `e` gives it again). This is
        // `foldl'`'s `let z' = f z x in z' `seq` ...`: no thunk.
        let body = match body {
            Expr::Case(c)
                if c.alts.len() == 1
                    && matches!(c.alts[0].pat, Pat::Default(_))
                    && matches!(&c.scrut, Expr::Var(v) if v.unique == x.unique) =>
            {
                tick!(self, strict_lets);
                let Case {
                    ty, mut alts, span, ..
                } = *c;
                let alt = alts.pop().expect("one alternative");
                let rhs_body = match alt.pat {
                    Pat::Default(Some(y)) => Expr::Let(
                        Box::new(Bind::NonRec(y, Expr::Var(x.clone()))),
                        Box::new(alt.rhs),
                    ),
                    _ => alt.rhs,
                };
                let alts = vec![Alt {
                    pat: Pat::Default(Some(x)),
                    rhs: rhs_body,
                }];
                return self.case_out(rhs, ty, alts, span, 0);
            }
            body => body,
        };
        let shape = if self.output_occurrences(&x) == 1 {
            self.strict_shape(&body, &x)
        } else {
            None
        };
        let Some(n) = shape else {
            return Expr::Let(Box::new(Bind::NonRec(x, rhs)), Box::new(body));
        };
        tick!(self, strict_lets);
        let (lets, c) = peel_lets(body, n);
        let Case {
            ty, mut alts, span, ..
        } = *c;
        if n > 0 {
            let alt = alts.pop().expect("one alternative");
            let rhs = lets
                .into_iter()
                .rev()
                .fold(alt.rhs, |e, b| Expr::Let(Box::new(b), Box::new(e)));
            alts.push(Alt { pat: alt.pat, rhs });
        }
        self.case_out(rhs, ty, alts, span, 0)
    }

    /// `case s of alts`, everything simplified: case of case and case of
    /// `let` through at most `MAX_STRICT_LETS` levels of `s`, case of
    /// known constructor without substitution.
    fn case_out(
        &mut self,
        s: Expr,
        ty: Type,
        mut alts: Vec<Alt>,
        span: Span,
        depth: usize,
    ) -> Expr {
        if depth < MAX_STRICT_LETS {
            match s {
                Expr::Let(b, e) => {
                    tick!(self, case_of_let);
                    let e = self.case_out(*e, ty, alts, span, depth + 1);
                    return Expr::Let(b, Box::new(e));
                }
                Expr::Case(c) if c.alts.len() == 1 => {
                    tick!(self, case_of_case);
                    let Case {
                        scrut,
                        alts: mut inner,
                        span: inner_span,
                        ..
                    } = *c;
                    let Alt { pat, rhs } = inner.pop().expect("one alternative");
                    let rhs = self.case_out(rhs, ty.clone(), alts, span, depth + 1);
                    return Expr::Case(Box::new(Case {
                        scrut,
                        ty,
                        alts: vec![Alt { pat, rhs }],
                        span: inner_span,
                    }));
                }
                s => return self.case_out(s, ty, alts, span, MAX_STRICT_LETS),
            }
        }
        if let Some((c, _, vals)) = con_app_ref(&s) {
            let i = alts
                .iter()
                .position(|a| matches!(&a.pat, Pat::Con(d, _) if *d == c));
            if let (Some(i), true) = (i, vals.len() == self.env.data.con(c).fields.len()) {
                tick!(self, known_cases);
                let (_, _, vals) = spine_con(s);
                let alt = alts.swap_remove(i);
                let Pat::Con(_, xs) = alt.pat else {
                    unreachable!()
                };
                return xs
                    .into_iter()
                    .zip(vals)
                    .rev()
                    .fold(alt.rhs, |body, (x, a)| bind_field(x, a, body, &ty, span));
            }
        }
        Expr::Case(Box::new(Case {
            scrut: s,
            ty,
            alts,
            span,
        }))
    }

    /// If `body` is `let .. in case x of alts` (at most `MAX_STRICT_LETS`
    /// `let`s, and only a single irrefutable alternative if there are any),
    /// the number of `let`s.
    fn strict_shape(&self, body: &Expr, x: &Id) -> Option<usize> {
        let mut e = body;
        let mut lets = 0;
        loop {
            match e {
                Expr::Let(_, b) if lets < MAX_STRICT_LETS => {
                    lets += 1;
                    e = b;
                }
                Expr::Case(c) if matches!(&c.scrut, Expr::Var(y) if y == x) => {
                    let ok = lets == 0 || (c.alts.len() == 1 && self.irrefutable(&c.alts[0].pat));
                    return ok.then_some(lets);
                }
                _ => return None,
            }
        }
    }

    fn irrefutable(&self, p: &Pat) -> bool {
        match p {
            Pat::Default(_) => true,
            Pat::Con(k, _) => {
                let tc = self.env.data.con(*k).tycon;
                self.env.data.tycon(tc).cons.len() == 1
            }
            Pat::Lit(_) => false,
        }
    }

    /// `let x = rhs in let b1 .. in case x of alts` (Note [Strict let]),
    /// in the context `k`.
    fn strict_let(
        &mut self,
        sc: &Scope,
        x: Id,
        rhs: Expr,
        body: Expr,
        n: usize,
        mut k: Cont,
    ) -> Expr {
        let (lets, c) = peel_lets(body, n);
        let Case {
            scrut,
            ty,
            mut alts,
            span,
        } = *c;
        let wrap = |lets: Vec<Bind>, e: Expr| {
            lets.into_iter()
                .rev()
                .fold(e, |e, b| Expr::Let(Box::new(b), Box::new(e)))
        };
        if self.occurrences(&x) == 1 {
            // `x` occurs only as the scrutinee.
            if n > 0 {
                let alt = alts.pop().expect("one alternative");
                alts.push(Alt {
                    pat: alt.pat,
                    rhs: wrap(lets, alt.rhs),
                });
            }
            k.push(Frame { ty, alts, span });
            return self.simpl_k(sc, rhs, k);
        }
        if alts.len() == 1 && matches!(alts[0].pat, Pat::Default(None)) {
            let alt = alts.pop().expect("one alternative");
            let alts = vec![Alt {
                pat: Pat::Default(Some(x)),
                rhs: wrap(lets, alt.rhs),
            }];
            k.push(Frame { ty, alts, span });
            return self.simpl_k(sc, rhs, k);
        }
        // `x` is used elsewhere too: bind it as the case binder.
        let inner = Expr::Case(Box::new(Case {
            scrut,
            ty: ty.clone(),
            alts,
            span,
        }));
        let alts = vec![Alt {
            pat: Pat::Default(Some(x)),
            rhs: wrap(lets, inner),
        }];
        k.push(Frame { ty, alts, span });
        self.simpl_k(sc, rhs, k)
    }

    fn let_rec(&mut self, sc: &Scope, bs: Vec<(Id, Expr)>, body: Expr, k: Cont) -> Expr {
        let mut in_rhs = sc.clone();
        let mut in_body = sc.clone();
        for (x, rhs) in &bs {
            let mut r = rhs;
            while let Expr::TyLam(_, b) = r {
                r = b;
            }
            if matches!(r, Expr::Lam(..)) {
                let k = Known {
                    shape: KnownShape::Any,
                    value: true,
                };
                in_rhs.known.insert(x.unique, k.clone());
                in_body.known.insert(x.unique, k);
            } else {
                // A thunk inside the group even by value; forced right
                // after the group by value, so evaluated in the body.
                in_rhs.lazy_rec.insert(x.unique);
            }
        }
        let bs: Vec<(Id, Expr)> = bs
            .into_iter()
            .map(|(x, rhs)| {
                let x = self.bndr(x);
                (x, self.simpl(&in_rhs, rhs))
            })
            .collect();
        if !k.is_empty() {
            tick!(self, case_of_let);
        }
        let body = self.simpl_k(&in_body, body, k);
        Expr::Let(Box::new(Bind::Rec(bs)), Box::new(body))
    }

    // -----------------------------------------------------------------------
    // Case

    /// `case s of frame.alts` in the context `k`, `s` simplified and the
    /// frame not.
    fn case_of(&mut self, sc: &Scope, s: Expr, frame: Frame, k: Cont) -> Expr {
        deep(|| self.case_of_inner(sc, s, frame, k))
    }

    fn case_of_inner(&mut self, sc: &Scope, s: Expr, frame: Frame, k: Cont) -> Expr {
        // Note [Case of case], for a scrutinee that was built before its
        // case was known (the scrutinee of a strict `let` is simplified
        // with its case already; this handles what beta reduction and
        // known constructors produce).
        let s = match s {
            Expr::Let(b, e) => {
                tick!(self, case_of_let);
                let e = self.case_of(sc, *e, frame, k);
                return Expr::Let(b, Box::new(e));
            }
            Expr::Case(c) if c.alts.len() == 1 => {
                tick!(self, case_of_case);
                let Case {
                    scrut,
                    ty: _,
                    alts: mut inner,
                    span: inner_span,
                } = *c;
                let Alt { pat, rhs } = inner.pop().expect("one alternative");
                let ty = self.result_type(&frame.ty, &k);
                let sc2 = self.learn(sc, &scrut, &pat);
                let rhs = self.case_of(&sc2, rhs, frame, k);
                return Expr::Case(Box::new(Case {
                    scrut,
                    ty,
                    alts: vec![Alt { pat, rhs }],
                    span: inner_span,
                }));
            }
            s => s,
        };
        let Frame { ty, mut alts, span } = frame;
        // Note [Case of known constructor]
        match self.shape(sc, &s) {
            Shape::ConApp(c) => {
                if let Some(i) = find_con_alt(&alts, c) {
                    tick!(self, known_cases);
                    let (_, tys, vals) = spine_con(s);
                    let alt = alts.swap_remove(i);
                    let ty = self.result_type(&ty, &k);
                    let known = KnownCon {
                        con: c,
                        tys,
                        vals,
                        scrut: Scrut::Alloc,
                    };
                    return self.known_con(sc, known, alt, ty, span, k);
                }
            }
            Shape::Boxed(c, prim) => {
                if let Some(i) = find_con_alt(&alts, c) {
                    tick!(self, known_cases);
                    let alt = alts.swap_remove(i);
                    let ty = self.result_type(&ty, &k);
                    let known = KnownCon {
                        con: c,
                        tys: vec![],
                        vals: vec![Expr::Lit(prim)],
                        scrut: Scrut::Atom(s),
                    };
                    return self.known_con(sc, known, alt, ty, span, k);
                }
            }
            Shape::KnownCon(c, tys, fields, value) => {
                if let Some(i) = find_con_alt(&alts, c) {
                    let binds_scrut =
                        matches!(&alts[i].pat, Pat::Default(Some(z)) if self.occurrences(z) > 0);
                    if value || !binds_scrut {
                        tick!(self, known_cases);
                        let alt = alts.swap_remove(i);
                        let ty = self.result_type(&ty, &k);
                        let known = KnownCon {
                            con: c,
                            tys: tys.to_vec(),
                            vals: fields.to_vec(),
                            scrut: Scrut::Atom(s),
                        };
                        return self.known_con(sc, known, alt, ty, span, k);
                    }
                }
            }
            Shape::Lit(l) => {
                let i = alts.iter().position(|a| match &a.pat {
                    Pat::Lit(m) => *m == l,
                    Pat::Default(_) => true,
                    Pat::Con(..) => false,
                });
                if let Some(i) = i {
                    tick!(self, known_cases);
                    let alt = alts.swap_remove(i);
                    if let Pat::Default(Some(z)) = alt.pat {
                        self.ids.insert(z.unique, Expr::Lit(l));
                    }
                    return self.simpl_k(sc, alt.rhs, k);
                }
            }
            Shape::Evaluated(value) => {
                if alts.len() == 1 {
                    match &alts[0].pat {
                        Pat::Default(None) => {
                            tick!(self, known_cases);
                            let alt = alts.pop().expect("one alternative");
                            return self.simpl_k(sc, alt.rhs, k);
                        }
                        Pat::Default(Some(_)) if value => {
                            tick!(self, known_cases);
                            let alt = alts.pop().expect("one alternative");
                            let Pat::Default(Some(z)) = alt.pat else {
                                unreachable!()
                            };
                            if self.is_atom(sc, &s) {
                                self.substitute(&z, s, true);
                                return self.simpl_k(sc, alt.rhs, k);
                            }
                            // A value that is not an atom (a lambda): a
                            // `let` does nothing more than the `case`.
                            let z = self.bndr(z);
                            let mut sc2 = sc.clone();
                            if let Some(kn) = self.known_of_rhs(sc, &s) {
                                sc2.known.insert(z.unique, kn);
                            }
                            let rhs = self.simpl_k(&sc2, alt.rhs, k);
                            return Expr::Let(Box::new(Bind::NonRec(z, s)), Box::new(rhs));
                        }
                        _ => {}
                    }
                }
            }
            Shape::Unknown => {}
        }
        // The general case. A single alternative takes the context inside
        // (case of case); with several, the context stays outside (it is
        // not copied into each).
        let single = alts.len() == 1;
        if single && !k.is_empty() {
            tick!(self, case_of_case);
        }
        let case_ty = if single {
            self.result_type(&ty, &k)
        } else {
            self.subst_ty(&ty)
        };
        let mut inner_k = Some(k);
        let alts = alts
            .into_iter()
            .map(|Alt { pat, rhs }| {
                let pat = match pat {
                    Pat::Con(c, xs) => Pat::Con(c, xs.into_iter().map(|x| self.bndr(x)).collect()),
                    Pat::Default(Some(z)) => Pat::Default(Some(self.bndr(z))),
                    p => p,
                };
                let sc2 = self.learn(sc, &s, &pat);
                let rhs = if single {
                    let k = inner_k.take().expect("one alternative");
                    self.simpl_k(&sc2, rhs, k)
                } else {
                    self.simpl(&sc2, rhs)
                };
                Alt { pat, rhs }
            })
            .collect();
        let e = Expr::Case(Box::new(Case {
            scrut: s,
            ty: case_ty,
            alts,
            span,
        }));
        match inner_k {
            Some(k) => self.apply(sc, e, k),
            None => e,
        }
    }

    /// The scope of an alternative `pat` (output binders) of a case on
    /// `s` (output): what the match tells about `s` and the binders.
    fn learn(&self, sc: &Scope, s: &Expr, pat: &Pat) -> Scope {
        let mut sc2 = sc.clone();
        // Unboxed variables are known to be values without an entry.
        if let Pat::Default(Some(z)) = pat {
            if !z.ty.is_unlifted() {
                let k = Known {
                    shape: KnownShape::Any,
                    value: true,
                };
                sc2.known.insert(z.unique, k);
            }
        }
        let Expr::Var(v) = s else { return sc2 };
        if v.ty.is_unlifted() && !matches!(pat, Pat::Lit(_)) {
            return sc2;
        }
        let value = sc.known.get(&v.unique).is_some_and(|k| k.value) || v.ty.is_unlifted();
        let shape = match pat {
            Pat::Con(k, xs) => {
                let tys: Rc<[Type]> = match v.ty.kind() {
                    TypeKind::Con(_, args) => args.iter().cloned().collect(),
                    _ => return sc2,
                };
                let fields: Rc<[Expr]> = xs.iter().cloned().map(Expr::Var).collect();
                KnownShape::Con(*k, tys, fields)
            }
            Pat::Lit(l) => KnownShape::Lit(l.clone()),
            Pat::Default(_) => match sc.known.get(&v.unique) {
                Some(k) => k.shape.clone(),
                None => KnownShape::Any,
            },
        };
        sc2.known.insert(v.unique, Known { shape, value });
        sc2
    }

    fn shape(&self, sc: &Scope, s: &Expr) -> Shape {
        match s {
            Expr::Lit(l) => {
                if let Some((k, prim)) = boxed_literal(l) {
                    Shape::Boxed(k, prim)
                } else if is_unboxed_literal(l) {
                    Shape::Lit(l.clone())
                } else {
                    Shape::Unknown
                }
            }
            Expr::Var(v) => {
                if let Some(k) = sc.known.get(&v.unique) {
                    return match &k.shape {
                        KnownShape::Any => Shape::Evaluated(k.value),
                        KnownShape::Con(c, tys, fields) => {
                            Shape::KnownCon(*c, tys.clone(), fields.clone(), k.value)
                        }
                        KnownShape::Lit(l) => Shape::Lit(l.clone()),
                    };
                }
                if v.ty.is_unlifted() {
                    return Shape::Evaluated(true);
                }
                if let Some(g) = self
                    .globals
                    .get(&v.unique)
                    .filter(|_| self.is_global(v.unique))
                {
                    if let Some((c, tys, fields)) = &g.con {
                        return Shape::KnownCon(*c, tys.clone(), fields.clone(), true);
                    }
                    if g.value {
                        return Shape::Evaluated(true);
                    }
                }
                Shape::Unknown
            }
            _ => {
                if let Some((k, _, vals)) = con_app_ref(s) {
                    if vals.len() == self.env.data.con(k).fields.len() {
                        return Shape::ConApp(k);
                    }
                }
                if self.is_whnf(sc, s) {
                    return Shape::Evaluated(true);
                }
                Shape::Unknown
            }
        }
    }

    /// Case of a known constructor (output) with the chosen alternative
    /// (input), in the context `k`; `ty` is the type of the result.
    /// Note [Case of known constructor].
    fn known_con(
        &mut self,
        sc: &Scope,
        known: KnownCon,
        alt: Alt,
        ty: Type,
        span: Span,
        k: Cont,
    ) -> Expr {
        let KnownCon {
            con,
            tys,
            vals,
            scrut,
        } = known;
        // The fields of an allocated scrutinee are moved out of it; those
        // of a known variable are copies of what is known.
        let consumed = matches!(scrut, Scrut::Alloc);
        let field_tys = self.env.data.con_fields_at(con, &tys);
        let mut sc2 = sc.clone();
        // Bindings, outermost first: evaluated in field order.
        let mut binds: Vec<(Id, Expr)> = Vec::new();
        match alt.pat {
            Pat::Con(_, xs) => {
                for (x, a) in xs.into_iter().zip(vals) {
                    if self.is_atom(sc, &a) {
                        tick!(self, substituted);
                        self.substitute(&x, a, consumed);
                    } else if self.occurrences(&x) == 0 && self.cannot_fail(sc, &a) {
                        tick!(self, dead_lets);
                    } else {
                        let x = self.bndr(x);
                        if let Some(kn) = self.known_of_rhs(sc, &a) {
                            sc2.known.insert(x.unique, kn);
                        }
                        binds.push((x, a));
                    }
                }
            }
            Pat::Default(z) => {
                let z = z.filter(|z| self.occurrences(z) > 0);
                let mut atoms = Vec::with_capacity(vals.len());
                for (a, fty) in vals.into_iter().zip(field_tys) {
                    if self.is_atom(sc, &a) {
                        atoms.push(a);
                    } else if z.is_none() && self.cannot_fail(sc, &a) {
                        tick!(self, dead_lets);
                    } else {
                        let f = self.fresh_id("field", fty);
                        atoms.push(Expr::Var(f.clone()));
                        binds.push((f, a));
                    }
                }
                if let Some(z) = z {
                    match scrut {
                        Scrut::Atom(a) => {
                            tick!(self, substituted);
                            self.substitute(&z, a, true);
                        }
                        Scrut::Alloc => {
                            let z = self.bndr(z);
                            let app = Expr::apps(
                                Expr::ty_apps(Expr::Con(con), tys.clone()),
                                atoms.clone(),
                            );
                            sc2.known.insert(
                                z.unique,
                                Known {
                                    shape: KnownShape::Con(con, tys.into(), atoms.into()),
                                    value: true,
                                },
                            );
                            binds.push((z, app));
                        }
                    }
                }
            }
            Pat::Lit(_) => unreachable!("a literal pattern on a constructor"),
        }
        let rhs = self.simpl_k(&sc2, alt.rhs, k);
        binds
            .into_iter()
            .rev()
            .fold(rhs, |body, (x, a)| bind_field(x, a, body, &ty, span))
    }

    /// Whether evaluating `e` does nothing observable under every
    /// strategy, so that an unused `e` may be dropped: a value, an unboxed
    /// computation that cannot fail, or a constructor applied to such
    /// (`I# (a +# 1#)`). Note [Atoms and values].
    fn cannot_fail(&self, sc: &Scope, e: &Expr) -> bool {
        if self.is_value(sc, e) || ok_for_speculation(e) {
            return true;
        }
        match con_app_ref(e) {
            Some((k, _, vals)) => {
                vals.len() <= self.env.data.con(k).fields.len()
                    && vals
                        .iter()
                        .all(|a| self.is_atom(sc, a) || ok_for_speculation(a))
            }
            None => false,
        }
    }
}

/// A pending `case [] of alts` around the expression being simplified:
/// the type (of the case) and the alternatives are input.
struct Frame {
    ty: Type,
    alts: Vec<Alt>,
    span: Span,
}

/// The pending cases, innermost last (Note [Case of case]).
type Cont = Vec<Frame>;

/// A scrutinee of known constructor.
struct KnownCon {
    con: ConId,
    /// Type arguments (output).
    tys: Vec<Type>,
    /// Fields (output).
    vals: Vec<Expr>,
    scrut: Scrut,
}

/// How a case binder of a known-constructor scrutinee is bound.
enum Scrut {
    /// The scrutinee is an atom (a literal, a variable bound to a value):
    /// substitute it.
    Atom(Expr),
    /// The scrutinee is a constructor application: allocate it.
    Alloc,
}

/// The alternative a constructor `k` takes.
fn find_con_alt(alts: &[Alt], k: ConId) -> Option<usize> {
    alts.iter().position(|a| match &a.pat {
        Pat::Con(c, _) => *c == k,
        Pat::Default(_) => true,
        Pat::Lit(_) => false,
    })
}

/// The type and value arguments of a constructor application.
fn spine_con(e: Expr) -> (ConId, Vec<Type>, Vec<Expr>) {
    let (head, args) = spine(e);
    let Expr::Con(k) = head else {
        unreachable!("checked by con_app_ref")
    };
    let mut tys = Vec::new();
    let mut vals = Vec::new();
    for a in args {
        match a {
            Arg::Ty(t) => tys.push(t),
            Arg::Val(v) => vals.push(v),
        }
    }
    (k, tys, vals)
}

/// Replaces each variable of `map` (occurring once) by its expression.
fn replace_once(e: Expr, map: &mut HashMap<Unique, Option<Expr>>) -> Expr {
    deep(|| match e {
        Expr::Var(x) => match map.get_mut(&x.unique).and_then(Option::take) {
            Some(a) => a,
            None => Expr::Var(x),
        },
        e @ (Expr::Con(_) | Expr::Prim(_) | Expr::Lit(_)) => e,
        Expr::App(f, a) => {
            let f = replace_once(*f, map);
            Expr::app(f, replace_once(*a, map))
        }
        Expr::TyApp(f, t) => Expr::ty_app(replace_once(*f, map), t),
        Expr::Lam(x, b) => Expr::lam(x, replace_once(*b, map)),
        Expr::TyLam(a, b) => Expr::ty_lam(a, replace_once(*b, map)),
        Expr::Let(b, body) => {
            let b = match *b {
                Bind::NonRec(x, r) => Bind::NonRec(x, replace_once(r, map)),
                Bind::Rec(bs) => Bind::Rec(
                    bs.into_iter()
                        .map(|(x, r)| (x, replace_once(r, map)))
                        .collect(),
                ),
            };
            Expr::Let(Box::new(b), Box::new(replace_once(*body, map)))
        }
        Expr::Case(c) => {
            let Case {
                scrut,
                ty,
                alts,
                span,
            } = *c;
            let scrut = replace_once(scrut, map);
            let alts = alts
                .into_iter()
                .map(|a| Alt {
                    pat: a.pat,
                    rhs: replace_once(a.rhs, map),
                })
                .collect();
            Expr::Case(Box::new(Case {
                scrut,
                ty,
                alts,
                span,
            }))
        }
    })
}

/// The renaming of an unfolding's copy.
#[derive(Default)]
struct Renaming {
    ids: HashMap<Unique, Id>,
    tys: HashMap<Unique, Type>,
}

impl Renaming {
    fn ty(&self, t: &Type) -> Type {
        t.subst_many(&self.tys)
    }
}

/// `let x = a in body`, or `case a of x -> body` for an unboxed `x` (which
/// Core cannot `let`-bind); `ty` is the type of `body`.
fn bind_field(x: Id, a: Expr, body: Expr, ty: &Type, span: Span) -> Expr {
    if x.ty.is_unlifted() {
        Expr::Case(Box::new(Case {
            scrut: a,
            ty: ty.clone(),
            alts: vec![Alt {
                pat: Pat::Default(Some(x)),
                rhs: body,
            }],
            span,
        }))
    } else {
        Expr::Let(Box::new(Bind::NonRec(x, a)), Box::new(body))
    }
}

/// Splits a body of the shape `strict_shape` accepted — `n` non-recursive
/// lets around a `case` — into the lets (outermost first) and the case.
fn peel_lets(body: Expr, n: usize) -> (Vec<Bind>, Box<Case>) {
    let mut lets = Vec::with_capacity(n);
    let mut e = body;
    for _ in 0..n {
        let Expr::Let(b, rest) = e else {
            unreachable!("checked by strict_shape")
        };
        lets.push(*b);
        e = *rest;
    }
    let Expr::Case(c) = e else {
        unreachable!("checked by strict_shape")
    };
    (lets, c)
}
