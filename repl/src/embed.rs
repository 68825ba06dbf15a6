//! Embedding Sloth in a Rust program: compile, link and run code while the
//! host runs, and read the values back as Rust values.
//!
//! [`Session`] wraps the REPL's own session ([`ReplSession`]): the prelude
//! is linked once, then every definition and expression is elaborated,
//! linted, simplified, lowered, compiled to bytecode and linked into the
//! one running machine, exactly as a REPL line is, so an embedded program
//! and the REPL cannot disagree. Code comes as source text or as a syntax
//! tree built with [`crate::build`] (no parsing); either way it passes the
//! same elaborator and Core lint and fails with the same diagnostics.
//!
//! What comes back:
//!
//! * [`Session::eval`] converts a value to a Rust type ([`FromValue`]:
//!   `i64`, `f64`, `char`, `bool`, `String`, `Vec<T>`, `Option<T>`,
//!   tuples, `()`), checking the Sloth type against the Rust type *before*
//!   evaluating, and forcing only what the conversion needs.
//! * [`Session::value`] returns a [`Value`]: a handle on a (lazy) value in
//!   the heap, rooted so that the collector keeps it and updates it (see
//!   Note [Host roots] in `sloth_rts::interp`), and keeping alive the code
//!   it may still run (Note [Values keep their code] below).
//! * [`Session::iter`] walks a Sloth list lazily: each `next` forces one
//!   cell and its element, so an endless list can be consumed with `take`.
//! * [`Session::call`] applies a Sloth function to Rust arguments
//!   ([`IntoValue`]).
//!
//! Every failure is an [`Error`]: compile errors (rendered diagnostics),
//! runtime errors, resource limits ([`Budget`], per call), interruption
//! ([`Interrupter`], from another thread) and type mismatches between the
//! Rust and the Sloth side. The session stays usable after any of them:
//! the machine reverts the thunks an aborted run was evaluating (Note
//! [Reverting blackholes after an error] in `sloth_rts::interp`).
//!
//! ```
//! use sloth::{Session, Budget, Error};
//!
//! let mut s = Session::new()?;
//! s.define("square x = x * x")?;
//! assert_eq!(s.eval::<i64>("sum (map square [1 .. 10])")?, 385);
//! let firsts: Vec<i64> = s.iter::<i64>("map square [1 ..]")?
//!     .take(4)
//!     .collect::<Result<_, _>>()?;
//! assert_eq!(firsts, [1, 4, 9, 16]);
//! assert!(matches!(s.eval::<i64>("head []"), Err(Error::Runtime { .. })));
//! s.set_budget(Budget::default().steps(100_000));
//! assert!(matches!(s.eval::<i64>("length [1 ..]"), Err(Error::StepLimit { .. })));
//! assert_eq!(s.eval::<String>("showInt (square 12)")?, "144");
//! assert_eq!(s.show("Just (square 12, 'x')")?, "Just (144,'x')");
//! # Ok::<(), sloth::Error>(())
//! ```
//!
//! Like the REPL, an expression is bound to `it` (later input may mention
//! it), and a later definition shadows an earlier one for later input
//! only. A session is single-threaded (`!Send`); only its
//! [`Interrupter`] crosses threads. The compiler's passes recurse, and
//! move to heap-allocated stack segments when the thread's stack runs low
//! (`sloth_core::session::deep`), so any thread will do. Knows nothing of
//! terminals; builds nothing of its own below the REPL session. Read next:
//! [`crate::build`], then `session`.

#![warn(missing_docs)]

use crate::build;
use crate::run;
use crate::session::{Failure, ReplSession};
use sloth_core::ir::Id;
use sloth_core::types::{self as ty, ConId, TyConId, Type, TypeKind, Unique};
use sloth_rts::heap::Ptr;
use sloth_rts::interp::{RootSlot, RunError};
use sloth_stg::Strategy;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

// Note [Values keep their code]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// The REPL session unlinks a unit once nothing in scope refers to it (see
// `units`): the unit of `it` dies when the next expression rebinds `it`,
// and its code slots are reused. A `Value` is rooted, so its closures
// survive; if they are thunks or functions of that unit, running them
// after the unlink would run someone else's code. So a value made from an
// input holds that input's unit (`Units::hold`) until the last `Value`
// derived from it is dropped: its elements, its fields, and the results of
// calls it took part in, which may run the code of the function and of the
// arguments, share or merge the holds. Values built from Rust data run no
// code and hold nothing; the prelude never dies. Drops cannot reach the
// session (a `Value` does not borrow it), so they queue their root slots
// and holds, and the session releases them at its next operation.

/// A source of code or of a value, for [`Session::eval`], [`Session::value`],
/// [`Session::iter`], [`Session::define`] and [`Session::type_of`]:
/// source text (`&str`, `String`), a syntax tree made with [`crate::build`]
/// ([`build::Expr`] for an expression, [`build::Decls`] for definitions),
/// or a [`Value`] already computed.
pub trait Source {
    /// What the source is (an implementation detail of the session).
    #[doc(hidden)]
    fn source(&self) -> SourceRef<'_>;
}

/// The kinds of [`Source`].
#[doc(hidden)]
pub enum SourceRef<'a> {
    Text(&'a str),
    Expr(&'a build::Expr),
    Decls(&'a build::Decls),
    Value(&'a Value),
}

impl Source for str {
    fn source(&self) -> SourceRef<'_> {
        SourceRef::Text(self)
    }
}

impl Source for String {
    fn source(&self) -> SourceRef<'_> {
        SourceRef::Text(self)
    }
}

impl Source for build::Expr {
    fn source(&self) -> SourceRef<'_> {
        SourceRef::Expr(self)
    }
}

impl Source for build::Decls {
    fn source(&self) -> SourceRef<'_> {
        SourceRef::Decls(self)
    }
}

impl Source for Value {
    fn source(&self) -> SourceRef<'_> {
        SourceRef::Value(self)
    }
}

/// Why an embedded operation produced no result. The session is usable
/// after every one of them.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Syntax, scope or type errors, rendered as the REPL renders them
    /// (with the source underlined; built code is rendered as text first,
    /// see [`crate::build`]).
    Compile {
        /// The rendered diagnostics.
        diagnostics: String,
    },
    /// The program raised an error: `error`, a failed pattern match,
    /// division by zero, a bad `chr`, `<<loop>>`.
    Runtime {
        /// What `sloth run` prints after `sloth: ` (`divide by zero`,
        /// `Prelude.head: empty list`).
        message: String,
    },
    /// The live heap exceeded the budget's (or the session's) limit.
    HeapExhausted {
        /// The limit in bytes.
        max_bytes: u64,
    },
    /// The machine stack exceeded the budget's limit.
    StackOverflow {
        /// The limit in 8-byte words.
        max_words: usize,
    },
    /// The call ran out of its step budget ([`Budget::steps`]).
    StepLimit {
        /// The budget, in bytecode instructions.
        steps: u64,
    },
    /// An [`Interrupter`] stopped the call.
    Interrupted,
    /// The value's Sloth type does not fit the Rust type asked for (or a
    /// Rust argument does not fit a function's parameter); checked before
    /// anything is evaluated.
    Type {
        /// What was asked for: a Rust type and the Sloth type it reads,
        /// `i64 (Int)`.
        expected: String,
        /// The Sloth type found.
        found: String,
    },
    /// The input was an expression where definitions were expected, or
    /// the other way round.
    Usage {
        /// What was wrong.
        message: String,
    },
    /// A bug in Sloth (bytecode that does not verify, a broken heap).
    Internal {
        /// What went wrong.
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Compile { diagnostics } => write!(f, "{}", diagnostics.trim_end()),
            Error::Runtime { message } => write!(f, "runtime error: {message}"),
            Error::HeapExhausted { max_bytes } => {
                write!(f, "heap exhausted: the live data exceeds {max_bytes} bytes")
            }
            Error::StackOverflow { max_words } => {
                write!(f, "stack overflow: the stack exceeds {max_words} words")
            }
            Error::StepLimit { steps } => write!(f, "step limit reached ({steps} steps)"),
            Error::Interrupted => write!(f, "interrupted"),
            Error::Type { expected, found } => {
                write!(f, "type mismatch: expected {expected}, found {found}")
            }
            Error::Usage { message } | Error::Internal { message } => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for Error {}

/// The resources one call may use: each operation of a [`Session`]
/// ([`Session::eval`], [`Session::call`], one `next` of an [`Iter`], ...)
/// gets the whole budget afresh. `None` leaves a resource at the session's
/// default: unlimited steps, 80% of physical memory for the heap, 1 GiB of
/// stack. A host running generated or untrusted code sets all three.
///
/// ```
/// use sloth::{Budget, Error, Session};
/// let mut s = Session::new()?;
/// s.set_budget(Budget::default().heap_bytes(16 << 20));
/// // Holding the whole list while counting it needs more than 16 MiB.
/// let e = s.eval::<i64>("let xs = [1 .. 3000000] in length xs + sum xs");
/// assert!(matches!(e, Err(Error::HeapExhausted { .. })));
/// assert_eq!(s.eval::<i64>("length [1 .. 3000000]")?, 3000000);
/// # Ok::<(), sloth::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Budget {
    /// Bytecode instructions per call.
    pub steps: Option<u64>,
    /// The most live heap, in bytes, the session may hold during a call
    /// (values kept from earlier calls count). Checked at collections,
    /// which run when the current space is full.
    pub heap_bytes: Option<u64>,
    /// The deepest the machine stack may grow, in 8-byte words.
    pub stack_words: Option<usize>,
}

impl Budget {
    /// This budget with at most `n` bytecode instructions per call.
    pub fn steps(self, n: u64) -> Budget {
        Budget {
            steps: Some(n),
            ..self
        }
    }

    /// This budget with at most `bytes` of live heap.
    pub fn heap_bytes(self, bytes: u64) -> Budget {
        Budget {
            heap_bytes: Some(bytes),
            ..self
        }
    }

    /// This budget with a stack of at most `words` 8-byte words.
    pub fn stack_words(self, words: usize) -> Budget {
        Budget {
            stack_words: Some(words),
            ..self
        }
    }
}

/// Stops the call a [`Session`] is running, from any thread: the machine
/// polls the flag at every call and loop iteration, and the call returns
/// [`Error::Interrupted`]. The interrupt is consumed by the call it stops;
/// one raised while no call runs stops the next call.
///
/// ```
/// use sloth::{Error, Session};
/// let mut s = Session::new()?;
/// let stop = s.interrupter();
/// let watchdog = std::thread::spawn(move || {
///     std::thread::sleep(std::time::Duration::from_millis(50));
///     stop.interrupt();
/// });
/// assert_eq!(s.eval::<i64>("length [1 ..]"), Err(Error::Interrupted));
/// watchdog.join().unwrap();
/// assert_eq!(s.eval::<i64>("1 + 1")?, 2);
/// # Ok::<(), sloth::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Interrupter(Arc<AtomicBool>);

impl Interrupter {
    /// Asks the running (or next) call to stop.
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// What the machine has done since the session started (all calls
/// together); differences between two readings measure a call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytecode instructions executed.
    pub steps: u64,
    /// Function bodies entered with their arguments.
    pub calls: u64,
    /// Thunks allocated.
    pub thunks_allocated: u64,
    /// Thunks entered (evaluated, or found under evaluation).
    pub thunks_entered: u64,
    /// Thunks overwritten with their value.
    pub thunks_updated: u64,
    /// Bytes allocated on the heap.
    pub bytes_allocated: u64,
    /// Garbage collections.
    pub collections: u64,
}

/// What a dropped [`Value`] leaves for the session to release.
enum Released {
    Root(RootSlot),
    Holds(Vec<Unique>),
}

type ReleaseQueue = Rc<RefCell<Vec<Released>>>;

/// Units held for the values made from them (Note [Values keep their
/// code]); shared by every value derived from the same ones.
struct Holds {
    uniques: Vec<Unique>,
    queue: ReleaseQueue,
}

impl Drop for Holds {
    fn drop(&mut self) {
        if !self.uniques.is_empty() {
            let uniques = std::mem::take(&mut self.uniques);
            self.queue.borrow_mut().push(Released::Holds(uniques));
        }
    }
}

/// A Sloth value in a session's heap, maybe unevaluated: the result of
/// [`Session::value`] or [`Session::call`], an element of a list read as
/// `Vec<Value>` or through [`Session::iter`], a field from
/// [`Session::fields`]. Cloning is cheap (the handle is shared). The value
/// stays valid across collections and later definitions until the last
/// clone is dropped. Pass it back to the session that made it to read it
/// ([`Session::eval`] takes a `&Value` as its source), to call it, or as
/// an argument.
///
/// ```
/// use sloth::Session;
/// let mut s = Session::new()?;
/// let fibs = s.value("let fibs = 0 : 1 : zipWith (+) fibs (tail fibs) in fibs")?;
/// assert_eq!(fibs.type_name(), "[Int]");
/// let first: Vec<i64> = s.eval("take 10 it")?;
/// assert_eq!(first, [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
/// // `it` is rebound now; the handle still works.
/// assert_eq!(s.iter::<i64>(&fibs)?.nth(50).unwrap()?, 12586269025);
/// # Ok::<(), sloth::Error>(())
/// ```
#[derive(Clone)]
pub struct Value(Rc<ValueInner>);

struct ValueInner {
    slot: RootSlot,
    ty: Type,
    type_name: String,
    holds: Rc<Holds>,
    session: u64,
}

impl Drop for ValueInner {
    fn drop(&mut self) {
        self.holds
            .queue
            .borrow_mut()
            .push(Released::Root(self.slot));
    }
}

impl Value {
    /// The value's Sloth type, as `:type` prints it (`[Int]`,
    /// `Int -> Int`).
    pub fn type_name(&self) -> &str {
        &self.0.type_name
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Value(_ :: {})", self.0.type_name)
    }
}

/// The Sloth type a Rust type converts from or to ([`FromValue::shape`],
/// [`IntoValue::shape`]).
#[derive(Clone, Debug)]
pub enum Shape {
    /// `i64`: `Int`.
    Int,
    /// `f64`: `Double`.
    Double,
    /// `char`: `Char`.
    Char,
    /// `bool`: `Bool`.
    Bool,
    /// `()`: `()`.
    Unit,
    /// `String`: `String` (`[Char]`).
    String,
    /// `Vec<T>`: `[T]`.
    List(Box<Shape>),
    /// `Option<T>`: the prelude's `Maybe T`.
    Maybe(Box<Shape>),
    /// `(A, B, ...)`: a tuple.
    Tuple(Vec<Shape>),
    /// [`Value`] (or an empty `Vec`'s elements): any type.
    Any,
    /// A [`Value`] passed as an argument: its own type.
    Sloth(Type),
}

impl Shape {
    /// The Rust type, for messages.
    fn rust(&self) -> String {
        match self {
            Shape::Int => "i64".into(),
            Shape::Double => "f64".into(),
            Shape::Char => "char".into(),
            Shape::Bool => "bool".into(),
            Shape::Unit => "()".into(),
            Shape::String => "String".into(),
            Shape::List(t) => format!("Vec<{}>", t.rust()),
            Shape::Maybe(t) => format!("Option<{}>", t.rust()),
            Shape::Tuple(ts) => format!(
                "({})",
                ts.iter().map(Shape::rust).collect::<Vec<_>>().join(", ")
            ),
            Shape::Any | Shape::Sloth(_) => "Value".into(),
        }
    }
}

/// A Rust type a Sloth value converts to. The conversion checks the Sloth
/// type first ([`Error::Type`] names both), then forces as much of the
/// value as the Rust type holds: all of it, except inside a [`Value`].
///
/// ```
/// use sloth::Session;
/// let mut s = Session::new()?;
/// let (n, c, ok): (i64, char, bool) = s.eval("(length \"abc\", 'z', 1 < 2)")?;
/// assert_eq!((n, c, ok), (3, 'z', true));
/// let found: Option<Vec<f64>> = s.eval("Just [1.5, 2.5]")?;
/// assert_eq!(found, Some(vec![1.5, 2.5]));
/// let e = s.eval::<i64>("'c'").unwrap_err();
/// assert_eq!(e.to_string(), "type mismatch: expected i64 (Int), found Char");
/// # Ok::<(), sloth::Error>(())
/// ```
pub trait FromValue: Sized {
    /// The Sloth type this Rust type reads.
    fn shape() -> Shape;
    /// Reads the value in the reader's stack slot `slot` (of type `ty`),
    /// evaluating it as needed.
    #[doc(hidden)]
    fn read(r: &mut Reader<'_>, slot: usize, ty: &Type) -> Result<Self, Error>;
}

/// A Rust value that converts to a Sloth value: an argument of
/// [`Session::call`]. Rust data is built in the heap directly (no code
/// runs); a [`Value`] is passed as it is.
pub trait IntoValue {
    /// The Sloth type this value has.
    fn shape(&self) -> Shape;
    /// The Sloth type every value of this Rust type has, if one does (the
    /// elements of an empty `Vec`, the contents of a `None`); `Any` for a
    /// [`Value`].
    fn static_shape() -> Shape
    where
        Self: Sized,
    {
        Shape::Any
    }
    /// Builds the value and pushes it on the machine stack.
    #[doc(hidden)]
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error>;
}

/// Reads values for [`FromValue`]: the session and the holds that values
/// read from it share (Note [Values keep their code]).
#[doc(hidden)]
pub struct Reader<'a> {
    s: &'a mut Session,
    holds: Rc<Holds>,
}

/// Builds values for [`IntoValue`] on the machine stack.
#[doc(hidden)]
pub struct Writer<'a> {
    s: &'a mut Session,
    /// Units the arguments hold (a call's result keeps them too).
    holds: Vec<Unique>,
}

/// A lazy walk over a Sloth list ([`Session::iter`]): each `next` forces
/// one cell of the list and converts its element (within the session's
/// [`Budget`], afresh for each `next`). After an error it ends.
pub struct Iter<'s, T> {
    s: &'s mut Session,
    /// The rest of the list.
    slot: RootSlot,
    elem: Type,
    holds: Rc<Holds>,
    done: bool,
    _t: PhantomData<fn() -> T>,
}

/// An embedded Sloth session: the prelude, the definitions added so far,
/// and the running machine they are linked into. See the [module
/// docs](self).
pub struct Session {
    repl: ReplSession,
    /// Tells this session's values from another's.
    id: u64,
    budget: Budget,
    default_heap: u64,
    queue: ReleaseQueue,
    interrupt: Arc<AtomicBool>,
    /// The prelude's `Maybe`, for `Option`.
    maybe: TyConId,
    /// Next unification variable (`TypeKind::Meta`) of `check`.
    metas: u32,
}

static SESSIONS: AtomicU64 = AtomicU64::new(0);

/// A value resolved for an operation: where it is and its type.
struct Resolved {
    ptr: Ptr,
    ty: Type,
    holds: Rc<Holds>,
}

impl Session {
    /// A session with the prelude loaded, evaluating by need.
    pub fn new() -> Result<Session, Error> {
        Session::with_strategy(Strategy::Need)
    }

    /// A session evaluating under another strategy (`Strategy::Name`,
    /// `Strategy::Value`; see `docs/strategies.md`).
    pub fn with_strategy(strategy: Strategy) -> Result<Session, Error> {
        let default_heap = run::default_max_heap();
        let mut repl = ReplSession::new(strategy, default_heap, run::DEFAULT_MAX_STACK_WORDS)
            .map_err(|message| Error::Internal { message })?;
        let interrupt = Arc::new(AtomicBool::new(false));
        repl.machine.interrupt = interrupt.clone();
        let maybe = repl
            .session
            .env
            .data
            .tycons
            .iter()
            .position(|t| &*t.name == "Maybe")
            .map(|i| TyConId(i as u32))
            .ok_or_else(|| Error::Internal {
                message: "the prelude defines no Maybe".into(),
            })?;
        Ok(Session {
            repl,
            id: SESSIONS.fetch_add(1, Ordering::Relaxed),
            budget: Budget::default(),
            default_heap,
            queue: Rc::default(),
            interrupt,
            maybe,
            metas: 0,
        })
    }

    /// The budget every later call gets.
    pub fn set_budget(&mut self, budget: Budget) {
        self.budget = budget;
    }

    /// The budget calls get now.
    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// A handle that stops the running call from another thread.
    pub fn interrupter(&self) -> Interrupter {
        Interrupter(self.interrupt.clone())
    }

    /// The machine's work counters, over the whole session.
    pub fn stats(&self) -> Stats {
        let m = &self.repl.machine;
        Stats {
            steps: m.stats.instructions,
            calls: m.stats.calls,
            thunks_allocated: m.stats.thunks_allocated,
            thunks_entered: m.stats.thunks_entered,
            thunks_updated: m.stats.thunks_updated,
            bytes_allocated: m.heap.stats.words_allocated * 8,
            collections: m.heap.stats.collections,
        }
    }

    /// The REPL session underneath (`:sprint`, footprints, dumps).
    pub fn repl(&mut self) -> &mut ReplSession {
        &mut self.repl
    }

    /// Adds definitions (data types, type signatures, functions) to the
    /// session; later input sees them. A compile error changes nothing.
    ///
    /// ```
    /// use sloth::Session;
    /// let mut s = Session::new()?;
    /// s.define("data Shape = Circle Double | Rect Double Double\n\
    ///           area s = case s of { Circle r -> 3.0 * r * r; Rect w h -> w * h }")?;
    /// assert_eq!(s.eval::<f64>("area (Rect 2.0 3.5)")?, 7.0);
    /// assert!(s.define("oops = 1 + 'c'").is_err());
    /// # Ok::<(), sloth::Error>(())
    /// ```
    pub fn define(&mut self, decls: &(impl Source + ?Sized)) -> Result<(), Error> {
        self.release_dropped();
        let entered = match decls.source() {
            SourceRef::Text(t) => self.repl.enter(t),
            SourceRef::Decls(d) => {
                let (text, built) = d.render(self.repl.session.sources.next_id());
                self.repl.enter_built(&text, built)
            }
            SourceRef::Expr(_) | SourceRef::Value(_) => {
                return Err(Error::Usage {
                    message: "`define` takes definitions, not an expression".into(),
                })
            }
        };
        match entered.map_err(|f| self.failure(f))? {
            None => Ok(()),
            Some(_) => Err(Error::Usage {
                message: "`define` takes definitions; this is an expression (now bound to `it`)"
                    .into(),
            }),
        }
    }

    /// Evaluates an expression (or a [`Value`]) and converts the result to
    /// `T`, checking the types first.
    ///
    /// ```
    /// use sloth::Session;
    /// let mut s = Session::new()?;
    /// assert_eq!(s.eval::<i64>("product [1 .. 20]")?, 2432902008176640000);
    /// assert_eq!(s.eval::<String>("reverse \"olleh\"")?, "hello");
    /// assert_eq!(s.eval::<(i64, Option<char>)>("(it `div` 0 + 1, Nothing)").is_err(), true);
    /// # Ok::<(), sloth::Error>(())
    /// ```
    pub fn eval<T: FromValue>(&mut self, src: &(impl Source + ?Sized)) -> Result<T, Error> {
        let r = self.resolve(src)?;
        self.check_read::<T>(&r.ty)?;
        self.read_resolved(r)
    }

    /// Elaborates and links an expression without evaluating it, and
    /// returns a handle on its value.
    pub fn value(&mut self, src: &(impl Source + ?Sized)) -> Result<Value, Error> {
        let r = self.resolve(src)?;
        Ok(self.make_value(r.ptr, r.ty, r.holds))
    }

    /// The type of an expression, as `:type` prints it; nothing is
    /// evaluated or added to the session.
    ///
    /// ```
    /// use sloth::Session;
    /// let mut s = Session::new()?;
    /// assert_eq!(s.type_of("map")?, "forall a b. (a -> b) -> [a] -> [b]");
    /// # Ok::<(), sloth::Error>(())
    /// ```
    pub fn type_of(&mut self, src: &(impl Source + ?Sized)) -> Result<String, Error> {
        self.release_dropped();
        match src.source() {
            SourceRef::Text(t) => match self.repl.type_of(t) {
                Ok(t) => Ok(self.show_type(&t)),
                Err(f) => Err(self.failure(f)),
            },
            SourceRef::Value(v) => Ok(v.0.type_name.clone()),
            SourceRef::Expr(_) => Ok(self.value(src)?.0.type_name.clone()),
            SourceRef::Decls(_) => Err(Error::Usage {
                message: "`type_of` takes an expression".into(),
            }),
        }
    }

    /// Evaluates an expression and renders it as `show` would (spec §6:
    /// what the REPL prints), for values of any type.
    ///
    /// ```
    /// use sloth::Session;
    /// let mut s = Session::new()?;
    /// assert_eq!(s.show("(Just [1.5], 'x', \"a\\nb\")")?, "(Just [1.5],'x',\"a\\nb\")");
    /// # Ok::<(), sloth::Error>(())
    /// ```
    pub fn show(&mut self, src: &(impl Source + ?Sized)) -> Result<String, Error> {
        let r = self.resolve(src)?;
        let mut out = Vec::new();
        self.start_call();
        let printed = self.repl.print(&r.ty, r.ptr, &mut out);
        printed.map_err(|e| self.run_error(e))?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// A lazy iterator over a Sloth list: each `next` evaluates one more
    /// cell and its element (converted to `T`). An endless list is fine:
    ///
    /// ```
    /// use sloth::Session;
    /// let mut s = Session::new()?;
    /// let squares = s.iter::<i64>("map (\\x -> x * x) [1 ..]")?;
    /// let small: Vec<i64> = squares
    ///     .map_while(|r| r.ok())
    ///     .take_while(|&sq| sq < 50)
    ///     .collect();
    /// assert_eq!(small, [1, 4, 9, 16, 25, 36, 49]);
    /// # Ok::<(), sloth::Error>(())
    /// ```
    pub fn iter<T: FromValue>(
        &mut self,
        list: &(impl Source + ?Sized),
    ) -> Result<Iter<'_, T>, Error> {
        let r = self.resolve(list)?;
        let elem = match strip_foralls(&r.ty).kind() {
            TypeKind::Con(ty::LIST, args) => args[0].clone(),
            _ => {
                return Err(Error::Type {
                    expected: format!("a list (to iterate over {})", T::shape().rust()),
                    found: self.show_type(&r.ty),
                })
            }
        };
        self.check_read::<Vec<T>>(&r.ty)?;
        let slot = self.repl.machine.root(r.ptr);
        Ok(Iter {
            s: self,
            slot,
            elem,
            holds: r.holds,
            done: false,
            _t: PhantomData,
        })
    }

    /// Applies a Sloth function to Rust arguments (a tuple of up to four
    /// [`IntoValue`]s, or a slice of them) and converts the result. The
    /// argument types are checked against the function's first; a
    /// polymorphic function is instantiated. With `T` = [`Value`] the
    /// result is evaluated only to its outermost constructor.
    ///
    /// ```
    /// use sloth::{Session, Value};
    /// let mut s = Session::new()?;
    /// let take = s.value("take")?;
    /// let xs: Vec<char> = s.call(&take, (3i64, "sloth".to_string()))?;
    /// assert_eq!(xs, ['s', 'l', 'o']);
    /// let add = s.value("\\x y -> x + y :: Int")?;
    /// let inc: Value = s.call(&add, (1i64,))?;   // a partial application
    /// assert_eq!(s.call::<i64>(&inc, (41i64,))?, 42);
    /// assert!(s.call::<i64>(&add, (1.5f64, 2i64)).is_err());
    /// # Ok::<(), sloth::Error>(())
    /// ```
    pub fn call<T: FromValue>(&mut self, f: &Value, args: impl Args) -> Result<T, Error> {
        self.release_dropped();
        self.own(f);
        let shapes = args.shapes();
        // Check the types: instantiate the function's type variables,
        // match each parameter with its argument.
        let mut u = Unify::new(&mut self.metas);
        let mut rest = u.instantiate(&f.0.ty);
        for (i, a) in shapes.iter().enumerate() {
            let a_ty = u.shape_type(a, self.maybe);
            let (param, result) = match u.resolve(&rest).kind() {
                TypeKind::Fun(p, r) => (p.clone(), r.clone()),
                _ => {
                    return Err(Error::Type {
                        expected: format!("a function of {} arguments", shapes.len()),
                        found: f.0.type_name.clone(),
                    })
                }
            };
            if !u.unify(&param, &a_ty) {
                let data = &self.repl.session.env.data;
                return Err(Error::Type {
                    expected: format!(
                        "{} (argument {} of {})",
                        data.display(&u.zonk(&param)),
                        i + 1,
                        f.0.type_name
                    ),
                    found: format!("{} ({})", a.rust(), data.display(&u.zonk(&a_ty))),
                });
            }
            rest = result;
        }
        let result_ty = u.finish(&rest);
        self.check_read::<T>(&result_ty)?;
        self.start_call();
        let base = self.repl.machine.stack.len();
        let mut w = Writer {
            s: self,
            holds: f.0.holds.uniques.clone(),
        };
        let pushed = args.write_args(&mut w);
        let holds = w.holds;
        if let Err(e) = pushed {
            self.repl.machine.stack.truncate(base);
            return Err(e);
        }
        let held: Vec<Unique> = holds.into_iter().filter(|&u| self.repl.hold(u)).collect();
        let holds = Rc::new(Holds {
            uniques: held,
            queue: self.queue.clone(),
        });
        let machine = &mut self.repl.machine;
        if let Err(e) = machine.stack.reserve(1) {
            machine.stack.truncate(base);
            return Err(self.run_error(e.into()));
        }
        machine.stack.push_ptr(machine.rooted(f.0.slot));
        let result = machine.call(shapes.len());
        let v = match result {
            Ok(v) => v,
            Err(e) => {
                self.repl.machine.stack.truncate(base);
                return Err(self.run_error(e));
            }
        };
        self.read_at(v, &result_ty, holds)
    }

    /// Evaluates a value to its outermost constructor and returns the
    /// constructor's name and its fields, as values: how a host reads the
    /// data types it defined.
    ///
    /// ```
    /// use sloth::Session;
    /// let mut s = Session::new()?;
    /// s.define("data Tree = Leaf | Node Tree Int Tree")?;
    /// let t = s.value("Node Leaf (6 * 7) Leaf")?;
    /// let (con, fields) = s.fields(&t)?;
    /// assert_eq!(con, "Node");
    /// assert_eq!(fields[1].type_name(), "Int");
    /// assert_eq!(s.eval::<i64>(&fields[1])?, 42);
    /// # Ok::<(), sloth::Error>(())
    /// ```
    pub fn fields(&mut self, src: &(impl Source + ?Sized)) -> Result<(String, Vec<Value>), Error> {
        let r = self.resolve(src)?;
        let base = self.repl.machine.stack.len();
        let out = self.fields_at(r, base);
        self.repl.machine.stack.truncate(base);
        out
    }

    fn fields_at(&mut self, r: Resolved, base: usize) -> Result<(String, Vec<Value>), Error> {
        let (_, v) = self.push_eval(r.ptr)?;
        let t = strip_foralls(&r.ty);
        let data = &self.repl.session.env.data;
        let c = ConId(self.repl.machine.heap.header(v).info);
        let args = match t.kind() {
            TypeKind::Con(_, args) => args.clone(),
            _ => {
                return Err(Error::Type {
                    expected: "a value of a data type".into(),
                    found: self.show_type(&r.ty),
                })
            }
        };
        let name = data.con(c).name.to_string();
        let field_types = data.con_fields_at(c, &args);
        let mut fields = Vec::new();
        for (i, ft) in field_types.into_iter().enumerate() {
            let v = Ptr::from_word(self.repl.machine.stack.at(base));
            let (w, is_ptr) = self.repl.machine.con_field(v, i);
            if !is_ptr {
                return Err(Error::Type {
                    expected: "boxed fields".into(),
                    found: self.show_type(&ft),
                });
            }
            fields.push(self.make_value(Ptr::from_word(w), ft, r.holds.clone()));
        }
        Ok((name, fields))
    }

    /// Collects garbage now (values held by [`Value`]s survive).
    pub fn collect_garbage(&mut self) -> Result<(), Error> {
        self.release_dropped();
        self.repl.machine.collect().map_err(|e| self.run_error(e))
    }

    // ---- internals -------------------------------------------------------

    /// Releases what dropped values left (Note [Values keep their code]).
    fn release_dropped(&mut self) {
        let released = std::mem::take(&mut *self.queue.borrow_mut());
        for r in released {
            match r {
                Released::Root(slot) => self.repl.machine.unroot(slot),
                Released::Holds(us) => {
                    for u in us {
                        self.repl.release(u);
                    }
                }
            }
        }
    }

    /// Sets the machine's limits for one call.
    fn start_call(&mut self) {
        let m = &mut self.repl.machine;
        m.max_steps = match self.budget.steps {
            Some(n) => m.stats.instructions.saturating_add(n),
            None => u64::MAX,
        };
        m.heap
            .set_max_bytes(self.budget.heap_bytes.unwrap_or(self.default_heap));
        m.stack.set_max_words(
            self.budget
                .stack_words
                .unwrap_or(run::DEFAULT_MAX_STACK_WORDS),
        );
    }

    /// Panics if `v` comes from another session.
    fn own(&self, v: &Value) {
        assert_eq!(
            v.0.session, self.id,
            "a sloth::Value was used with a session other than its own"
        );
    }

    /// Compiles and links an input (or takes a value) for an operation.
    fn resolve(&mut self, src: &(impl Source + ?Sized)) -> Result<Resolved, Error> {
        self.release_dropped();
        let it = match src.source() {
            SourceRef::Value(v) => {
                self.own(v);
                return Ok(Resolved {
                    ptr: self.repl.machine.rooted(v.0.slot),
                    ty: v.0.ty.clone(),
                    holds: v.0.holds.clone(),
                });
            }
            SourceRef::Text(t) => self.repl.enter(t),
            SourceRef::Expr(e) => {
                let (text, built) = e.render(self.repl.session.sources.next_id());
                self.repl.enter_built(&text, built)
            }
            SourceRef::Decls(_) => {
                return Err(Error::Usage {
                    message: "expected an expression, not definitions (see `define`)".into(),
                })
            }
        };
        let it: Id = match it.map_err(|f| self.failure(f))? {
            Some(it) => it,
            None => {
                return Err(Error::Usage {
                    message: "expected an expression; these definitions were added (see `define`)"
                        .into(),
                })
            }
        };
        let ptr = self
            .repl
            .machine
            .global(it.unique)
            .expect("`it` was just linked");
        let held = self.repl.hold(it.unique);
        Ok(Resolved {
            ptr,
            ty: it.ty,
            holds: Rc::new(Holds {
                uniques: if held { vec![it.unique] } else { Vec::new() },
                queue: self.queue.clone(),
            }),
        })
    }

    /// Checks that a value of Sloth type `t` converts to `T`.
    fn check_read<T: FromValue>(&mut self, t: &Type) -> Result<(), Error> {
        let shape = T::shape();
        let mut u = Unify::new(&mut self.metas);
        let found = u.instantiate(t);
        let want = u.shape_type(&shape, self.maybe);
        if u.unify(&want, &found) {
            return Ok(());
        }
        let data = &self.repl.session.env.data;
        let expected = format!("{} ({})", shape.rust(), data.display(&u.zonk(&want)));
        Err(Error::Type {
            expected,
            found: self.show_type(t),
        })
    }

    fn read_resolved<T: FromValue>(&mut self, r: Resolved) -> Result<T, Error> {
        self.start_call();
        let base = self.repl.machine.stack.len();
        if let Err(e) = self.repl.machine.stack.reserve(1) {
            return Err(self.run_error(e.into()));
        }
        self.repl.machine.stack.push_ptr(r.ptr);
        self.read_at_slot(base, &r.ty, r.holds)
    }

    /// Reads the value `v` (just computed, not yet rooted) as `T`.
    fn read_at<T: FromValue>(&mut self, v: Ptr, t: &Type, holds: Rc<Holds>) -> Result<T, Error> {
        let base = self.repl.machine.stack.len();
        // `call` made room for its result's slot.
        self.repl.machine.stack.push_ptr(v);
        self.read_at_slot(base, t, holds)
    }

    /// Reads the value in stack slot `base` as `T`, then pops the slot
    /// (and anything above it) whatever happens.
    fn read_at_slot<T: FromValue>(
        &mut self,
        base: usize,
        t: &Type,
        holds: Rc<Holds>,
    ) -> Result<T, Error> {
        let mut r = Reader { s: self, holds };
        let out = T::read(&mut r, base, t);
        self.repl.machine.stack.truncate(base);
        out
    }

    /// Pushes `p`, evaluates it in place; returns its slot and value.
    fn push_eval(&mut self, p: Ptr) -> Result<(usize, Ptr), Error> {
        let m = &mut self.repl.machine;
        m.stack
            .reserve(1)
            .map_err(RunError::from)
            .map_err(|e| self.run_error(e))?;
        let m = &mut self.repl.machine;
        m.stack.push_ptr(p);
        let slot = m.stack.len() - 1;
        self.start_call();
        let v = self.eval_slot(slot)?;
        Ok((slot, v))
    }

    /// Evaluates the value in stack slot `slot` and stores the result back.
    fn eval_slot(&mut self, slot: usize) -> Result<Ptr, Error> {
        let m = &mut self.repl.machine;
        match m.eval(Ptr::from_word(m.stack.at(slot))) {
            Ok(v) => {
                m.stack.set_at_ptr(slot, v);
                Ok(v)
            }
            Err(e) => Err(self.run_error(e)),
        }
    }

    fn make_value(&mut self, p: Ptr, ty: Type, holds: Rc<Holds>) -> Value {
        let type_name = self.show_type(&ty);
        let slot = self.repl.machine.root(p);
        Value(Rc::new(ValueInner {
            slot,
            ty,
            type_name,
            holds,
            session: self.id,
        }))
    }

    fn show_type(&self, t: &Type) -> String {
        self.repl.session.env.data.display(t).to_string()
    }

    fn failure(&mut self, f: Failure) -> Error {
        match f {
            Failure::Compile(diagnostics) => Error::Compile { diagnostics },
            Failure::Runtime(e) => self.run_error(e),
        }
    }

    /// The error for a run that stopped; an interrupt is consumed here.
    fn run_error(&mut self, e: RunError) -> Error {
        match e {
            RunError::Heap(h) => Error::HeapExhausted {
                max_bytes: h.max_bytes,
            },
            RunError::Stack(s) => Error::StackOverflow {
                max_words: s.max_words,
            },
            RunError::StepLimit => Error::StepLimit {
                steps: self.budget.steps.unwrap_or(u64::MAX),
            },
            RunError::Interrupted => {
                self.interrupt.store(false, Ordering::Relaxed);
                Error::Interrupted
            }
            RunError::BadCode(_) | RunError::HeapCorrupt(_) => Error::Internal {
                message: run::describe(&self.repl.session, &e),
            },
            // Code too large for the bytecode: the program must change.
            RunError::TooLarge(why) => Error::Compile { diagnostics: why },
            RunError::User(_)
            | RunError::PatternFail(_)
            | RunError::DivideByZero
            | RunError::BadChr(_)
            | RunError::Loop => Error::Runtime {
                message: run::describe(&self.repl.session, &e),
            },
        }
    }
}

impl<T: FromValue> Iterator for Iter<'_, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Result<T, Error>> {
        if self.done {
            return None;
        }
        let s = &mut *self.s;
        s.release_dropped();
        let base = s.repl.machine.stack.len();
        let out = self.step(base);
        self.s.repl.machine.stack.truncate(base);
        match out {
            Ok(Some(x)) => Some(Ok(x)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl<T: FromValue> Iter<'_, T> {
    /// Forces the next cell; reads its head; moves on to its tail.
    fn step(&mut self, base: usize) -> Result<Option<T>, Error> {
        let cell = self.s.repl.machine.rooted(self.slot);
        let (_, cell) = self.s.push_eval(cell)?;
        if self.s.repl.machine.heap.header(cell).info != ty::CONS.0 {
            return Ok(None);
        }
        let head = self.s.repl.machine.con_field(cell, 0).0;
        let m = &mut self.s.repl.machine;
        m.stack
            .reserve(1)
            .map_err(RunError::from)
            .map_err(|e| self.s.run_error(e))?;
        self.s.repl.machine.stack.push_ptr(Ptr::from_word(head));
        let mut r = Reader {
            s: self.s,
            holds: self.holds.clone(),
        };
        let x = T::read(&mut r, base + 1, &self.elem)?;
        // The cell may have moved while the head was evaluated.
        let m = &mut self.s.repl.machine;
        let cell = Ptr::from_word(m.stack.at(base));
        let tail = Ptr::from_word(m.con_field(cell, 1).0);
        m.set_root(self.slot, tail);
        Ok(Some(x))
    }
}

impl<T> Drop for Iter<'_, T> {
    fn drop(&mut self) {
        self.s.repl.machine.unroot(self.slot);
    }
}

// ---- reading -----------------------------------------------------------------

impl Reader<'_> {
    /// Evaluates the value in `slot` (in place) to its constructor.
    fn eval(&mut self, slot: usize) -> Result<Ptr, Error> {
        self.s.eval_slot(slot)
    }

    /// The unboxed word of an evaluated `I#`, `D#` or `C#`.
    fn boxed(&mut self, slot: usize) -> Result<u64, Error> {
        let v = self.eval(slot)?;
        Ok(self.s.repl.machine.con_field(v, 0).0)
    }

    fn con(&mut self, slot: usize) -> Result<ConId, Error> {
        let v = self.eval(slot)?;
        Ok(ConId(self.s.repl.machine.heap.header(v).info))
    }

    /// Reads field `i` of the evaluated constructor in `slot` as `T`.
    fn field<T: FromValue>(&mut self, slot: usize, i: usize, t: &Type) -> Result<T, Error> {
        let m = &mut self.s.repl.machine;
        let v = Ptr::from_word(m.stack.at(slot));
        let (w, _) = m.con_field(v, i);
        if let Err(e) = m.stack.reserve(1) {
            return Err(self.s.run_error(e.into()));
        }
        let m = &mut self.s.repl.machine;
        m.stack.push_ptr(Ptr::from_word(w));
        let field_slot = m.stack.len() - 1;
        let out = T::read(self, field_slot, t);
        self.s.repl.machine.stack.truncate(field_slot);
        out
    }

    /// The type arguments of a (checked) type: `[a]` gives `a`.
    fn args(t: &Type) -> Vec<Type> {
        match strip_foralls(t).kind() {
            TypeKind::Con(_, args) => args.clone(),
            _ => Vec::new(),
        }
    }

    /// Reads a list, element by element.
    fn list<T: FromValue>(&mut self, slot: usize, elem: &Type) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        loop {
            if self.con(slot)? != ty::CONS {
                return Ok(out);
            }
            out.push(self.field(slot, 0, elem)?);
            let m = &mut self.s.repl.machine;
            let cell = Ptr::from_word(m.stack.at(slot));
            let tail = m.con_field(cell, 1).0;
            m.stack.set_at_ptr(slot, Ptr::from_word(tail));
        }
    }
}

/// `i64`, `f64` and `char`: a boxed `Int`, `Double` or `Char` (`I# w`).
macro_rules! boxed_impls {
    ($($rust:ty, $shape:ident, $con:ident, |$x:ident| $to_word:expr, |$w:ident| $from_word:expr;)+) => {$(
        impl FromValue for $rust {
            fn shape() -> Shape {
                Shape::$shape
            }
            fn read(r: &mut Reader<'_>, slot: usize, _: &Type) -> Result<$rust, Error> {
                let $w = r.boxed(slot)?;
                Ok($from_word)
            }
        }

        impl IntoValue for $rust {
            fn shape(&self) -> Shape {
                Shape::$shape
            }
            fn static_shape() -> Shape {
                Shape::$shape
            }
            fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
                let $x = *self;
                w.con(ty::$con, &[$to_word])
            }
        }
    )+};
}

boxed_impls! {
    i64, Int, I_HASH, |x| x as u64, |w| w as i64;
    f64, Double, D_HASH, |x| x.to_bits(), |w| f64::from_bits(w);
    // `chr#` refuses what is not a code point.
    char, Char, C_HASH, |x| u64::from(x), |w| char::from_u32(w as u32).unwrap_or('\u{FFFD}');
}

impl FromValue for bool {
    fn shape() -> Shape {
        Shape::Bool
    }
    fn read(r: &mut Reader<'_>, slot: usize, _: &Type) -> Result<bool, Error> {
        Ok(r.con(slot)? == ty::TRUE)
    }
}

impl FromValue for () {
    fn shape() -> Shape {
        Shape::Unit
    }
    fn read(r: &mut Reader<'_>, slot: usize, _: &Type) -> Result<(), Error> {
        r.con(slot).map(|_| ())
    }
}

impl FromValue for String {
    fn shape() -> Shape {
        Shape::String
    }
    fn read(r: &mut Reader<'_>, slot: usize, _: &Type) -> Result<String, Error> {
        let chars: Vec<char> = r.list(slot, &Type::char())?;
        Ok(chars.into_iter().collect())
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn shape() -> Shape {
        Shape::List(Box::new(T::shape()))
    }
    fn read(r: &mut Reader<'_>, slot: usize, t: &Type) -> Result<Vec<T>, Error> {
        let elem = Reader::args(t).pop().unwrap_or_else(Type::int);
        r.list(slot, &elem)
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn shape() -> Shape {
        Shape::Maybe(Box::new(T::shape()))
    }
    fn read(r: &mut Reader<'_>, slot: usize, t: &Type) -> Result<Option<T>, Error> {
        let c = r.con(slot)?;
        let just = r.s.repl.session.env.data.tycon(r.s.maybe).cons[1];
        if c != just {
            return Ok(None);
        }
        let elem = Reader::args(t).pop().unwrap_or_else(Type::int);
        r.field(slot, 0, &elem).map(Some)
    }
}

impl FromValue for Value {
    fn shape() -> Shape {
        Shape::Any
    }
    fn read(r: &mut Reader<'_>, slot: usize, t: &Type) -> Result<Value, Error> {
        let p = Ptr::from_word(r.s.repl.machine.stack.at(slot));
        Ok(r.s.make_value(p, t.clone(), r.holds.clone()))
    }
}

macro_rules! tuple_impls {
    ($( ($($t:ident $i:tt),+) )+) => {$(
        impl<$($t: FromValue),+> FromValue for ($($t,)+) {
            fn shape() -> Shape {
                Shape::Tuple(vec![$($t::shape()),+])
            }
            fn read(r: &mut Reader<'_>, slot: usize, t: &Type) -> Result<Self, Error> {
                r.con(slot)?;
                let args = Reader::args(t);
                Ok(($(r.field::<$t>(slot, $i, &args[$i])?,)+))
            }
        }

        impl<$($t: IntoValue),+> IntoValue for ($($t,)+) {
            fn shape(&self) -> Shape {
                Shape::Tuple(vec![$(self.$i.shape()),+])
            }
            fn static_shape() -> Shape {
                Shape::Tuple(vec![$($t::static_shape()),+])
            }
            fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
                $(self.$i.write(w)?;)+
                w.con(ty::tuple_con([$($i),+].len()), &[])
            }
        }

        impl<$($t: IntoValue),+> Args for ($($t,)+) {
            fn shapes(&self) -> Vec<Shape> {
                vec![$(self.$i.shape()),+]
            }
            fn write_args(&self, w: &mut Writer<'_>) -> Result<(), Error> {
                $(self.$i.write(w)?;)+
                Ok(())
            }
        }
    )+};
}

tuple_impls! {
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
}

// ---- writing -----------------------------------------------------------------

/// The arguments of [`Session::call`]: a tuple of up to five
/// [`IntoValue`]s (`(x,)` for one, `()` for none), or a slice or `Vec`
/// of one type of them.
pub trait Args {
    /// The arguments' types, in order.
    fn shapes(&self) -> Vec<Shape>;
    /// Builds the arguments and pushes them, the first first.
    #[doc(hidden)]
    fn write_args(&self, w: &mut Writer<'_>) -> Result<(), Error>;
}

impl Args for () {
    fn shapes(&self) -> Vec<Shape> {
        Vec::new()
    }
    fn write_args(&self, _: &mut Writer<'_>) -> Result<(), Error> {
        Ok(())
    }
}

impl<A: IntoValue> Args for (A,) {
    fn shapes(&self) -> Vec<Shape> {
        vec![self.0.shape()]
    }
    fn write_args(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        self.0.write(w)
    }
}

impl<A: IntoValue> Args for &[A] {
    fn shapes(&self) -> Vec<Shape> {
        self.iter().map(IntoValue::shape).collect()
    }
    fn write_args(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        self.iter().try_for_each(|a| a.write(w))
    }
}

impl<A: IntoValue> Args for Vec<A> {
    fn shapes(&self) -> Vec<Shape> {
        self.as_slice().shapes()
    }
    fn write_args(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        self.as_slice().write_args(w)
    }
}

impl Writer<'_> {
    /// Builds constructor `c` over the pointers on top and `words`.
    fn con(&mut self, c: ConId, words: &[u64]) -> Result<(), Error> {
        let data = &self.s.repl.session.env.data;
        match self.s.repl.machine.push_con(data, c, words) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.s.run_error(e)),
        }
    }

    /// A list of the items, built from its end.
    fn list<T>(
        &mut self,
        items: impl DoubleEndedIterator<Item = T>,
        push: impl Fn(&mut Writer<'_>, T) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.con(ty::NIL, &[])?;
        for x in items.rev() {
            push(self, x)?;
            // `(:)` takes the head first: swap it under the tail (no
            // allocation in between, so the words stay valid).
            let m = &mut self.s.repl.machine;
            let head = m.stack.pop_ptr();
            let tail = m.stack.pop_ptr();
            m.stack.push_ptr(head);
            m.stack.push_ptr(tail);
            self.con(ty::CONS, &[])?;
        }
        Ok(())
    }
}

impl<T: IntoValue + ?Sized> IntoValue for &T {
    fn shape(&self) -> Shape {
        (**self).shape()
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        (**self).write(w)
    }
}

impl IntoValue for bool {
    fn shape(&self) -> Shape {
        Shape::Bool
    }
    fn static_shape() -> Shape {
        Shape::Bool
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.con(if *self { ty::TRUE } else { ty::FALSE }, &[])
    }
}

impl IntoValue for () {
    fn shape(&self) -> Shape {
        Shape::Unit
    }
    fn static_shape() -> Shape {
        Shape::Unit
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.con(ty::UNIT_CON, &[])
    }
}

impl IntoValue for str {
    fn shape(&self) -> Shape {
        Shape::String
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let chars: Vec<char> = self.chars().collect();
        w.list(chars.into_iter(), |w, c| c.write(w))
    }
}

impl IntoValue for String {
    fn shape(&self) -> Shape {
        Shape::String
    }
    fn static_shape() -> Shape {
        Shape::String
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        self.as_str().write(w)
    }
}

impl<T: IntoValue> IntoValue for [T] {
    fn shape(&self) -> Shape {
        // An empty list fits a list of anything.
        Shape::List(Box::new(
            self.first().map_or_else(T::static_shape, T::shape),
        ))
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.list(self.iter(), |w, x| x.write(w))
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn shape(&self) -> Shape {
        self.as_slice().shape()
    }
    fn static_shape() -> Shape {
        Shape::List(Box::new(T::static_shape()))
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        self.as_slice().write(w)
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn shape(&self) -> Shape {
        Shape::Maybe(Box::new(
            self.as_ref().map_or_else(T::static_shape, T::shape),
        ))
    }
    fn static_shape() -> Shape {
        Shape::Maybe(Box::new(T::static_shape()))
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let cons = w.s.repl.session.env.data.tycon(w.s.maybe).cons.clone();
        match self {
            None => w.con(cons[0], &[]),
            Some(x) => {
                x.write(w)?;
                w.con(cons[1], &[])
            }
        }
    }
}

impl IntoValue for Value {
    fn shape(&self) -> Shape {
        Shape::Sloth(self.0.ty.clone())
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.s.own(self);
        w.holds.extend(self.0.holds.uniques.iter().copied());
        let m = &mut w.s.repl.machine;
        if let Err(e) = m.stack.reserve(1) {
            return Err(w.s.run_error(e.into()));
        }
        let m = &mut w.s.repl.machine;
        m.stack.push_ptr(m.rooted(self.0.slot));
        Ok(())
    }
}

// ---- type checking between Rust and Sloth -----------------------------------

fn strip_foralls(t: &Type) -> Type {
    let mut t = t.clone();
    while let TypeKind::Forall(_, body) = t.kind() {
        t = body.clone();
    }
    t
}

/// First-order unification of Sloth types, with `Meta` variables standing
/// for the type variables of a polymorphic value (instantiated) and for
/// what a Rust value leaves open (an empty `Vec`, a `Value` target).
struct Unify<'a> {
    next: &'a mut u32,
    subst: HashMap<u32, Type>,
}

impl<'a> Unify<'a> {
    fn new(next: &'a mut u32) -> Unify<'a> {
        Unify {
            next,
            subst: HashMap::new(),
        }
    }

    fn fresh(&mut self) -> Type {
        *self.next = self.next.wrapping_add(1);
        Type::meta(*self.next)
    }

    /// `t` with its outer `forall`s, and its free type variables,
    /// replaced by fresh unification variables. A free variable comes from
    /// a `forall` above a value this one was taken from (an element of a
    /// `forall a. [a]`): by parametricity only bottoms have that type, so
    /// it may be read at any type.
    fn instantiate(&mut self, t: &Type) -> Type {
        let mut t = t.clone();
        while let TypeKind::Forall(v, body) = t.kind() {
            let m = self.fresh();
            t = body.subst(v, &m);
        }
        for v in t.free_tyvars() {
            let m = self.fresh();
            t = t.subst(&v, &m);
        }
        t
    }

    /// `t` zonked, its unification variables left open turned into type
    /// variables `a`, `b`, ... (a value's type, shown to the host; reading
    /// the value instantiates them again).
    fn finish(&self, t: &Type) -> Type {
        let mut t = self.zonk(t);
        let mut metas = Vec::new();
        collect_metas(&t, &mut metas);
        for (i, m) in metas.into_iter().enumerate() {
            let name = ((b'a' + (i % 26) as u8) as char).to_string();
            let v = ty::TyVar {
                name: name.into(),
                unique: u32::MAX - m,
            };
            let mut s = HashMap::new();
            s.insert(m, Type::var(v));
            t = replace_metas(&t, &s);
        }
        t
    }

    fn shape_type(&mut self, s: &Shape, maybe: TyConId) -> Type {
        match s {
            Shape::Int => Type::int(),
            Shape::Double => Type::double(),
            Shape::Char => Type::char(),
            Shape::Bool => Type::bool(),
            Shape::Unit => Type::con0(ty::UNIT),
            Shape::String => Type::list(Type::char()),
            Shape::List(e) => Type::list(self.shape_type(e, maybe)),
            Shape::Maybe(e) => Type::con(maybe, vec![self.shape_type(e, maybe)]),
            Shape::Tuple(ts) => Type::con(
                ty::tuple_tycon(ts.len()),
                ts.iter().map(|t| self.shape_type(t, maybe)).collect(),
            ),
            Shape::Any => self.fresh(),
            Shape::Sloth(t) => self.instantiate(t),
        }
    }

    /// Follows bound variables at the top.
    fn resolve(&self, t: &Type) -> Type {
        let mut t = t.clone();
        while let TypeKind::Meta(m) = t.kind() {
            match self.subst.get(m) {
                Some(b) => t = b.clone(),
                None => break,
            }
        }
        t
    }

    fn occurs(&self, m: u32, t: &Type) -> bool {
        match self.resolve(t).kind() {
            TypeKind::Meta(n) => *n == m,
            TypeKind::Con(_, args) => args.iter().any(|a| self.occurs(m, a)),
            TypeKind::Fun(a, b) => self.occurs(m, a) || self.occurs(m, b),
            TypeKind::Forall(_, b) => self.occurs(m, b),
            TypeKind::Var(_) => false,
        }
    }

    fn unify(&mut self, a: &Type, b: &Type) -> bool {
        let (a, b) = (self.resolve(a), self.resolve(b));
        match (a.kind(), b.kind()) {
            (TypeKind::Meta(m), TypeKind::Meta(n)) if m == n => true,
            (TypeKind::Meta(m), _) if !self.occurs(*m, &b) => {
                self.subst.insert(*m, b.clone());
                true
            }
            (_, TypeKind::Meta(n)) if !self.occurs(*n, &a) => {
                self.subst.insert(*n, a.clone());
                true
            }
            (TypeKind::Var(x), TypeKind::Var(y)) => x == y,
            (TypeKind::Con(c, xs), TypeKind::Con(d, ys)) => {
                c == d && xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| self.unify(x, y))
            }
            (TypeKind::Fun(a1, r1), TypeKind::Fun(a2, r2)) => {
                self.unify(a1, a2) && self.unify(r1, r2)
            }
            // Higher-rank arguments: compare as written.
            (TypeKind::Forall(..), TypeKind::Forall(..)) => a.alpha_eq(&b),
            _ => false,
        }
    }

    /// `t` with every bound variable replaced by what it is bound to.
    fn zonk(&self, t: &Type) -> Type {
        let t = self.resolve(t);
        match t.kind() {
            TypeKind::Con(c, args) => Type::con(*c, args.iter().map(|a| self.zonk(a)).collect()),
            TypeKind::Fun(a, b) => Type::fun(self.zonk(a), self.zonk(b)),
            TypeKind::Forall(v, b) => Type::forall(v.clone(), self.zonk(b)),
            _ => t,
        }
    }
}

fn collect_metas(t: &Type, out: &mut Vec<u32>) {
    match t.kind() {
        TypeKind::Meta(m) if !out.contains(m) => out.push(*m),
        TypeKind::Con(_, args) => args.iter().for_each(|a| collect_metas(a, out)),
        TypeKind::Fun(a, b) => {
            collect_metas(a, out);
            collect_metas(b, out);
        }
        TypeKind::Forall(_, b) => collect_metas(b, out),
        _ => {}
    }
}

fn replace_metas(t: &Type, s: &HashMap<u32, Type>) -> Type {
    match t.kind() {
        TypeKind::Meta(m) => s.get(m).cloned().unwrap_or_else(|| t.clone()),
        TypeKind::Con(c, args) => Type::con(*c, args.iter().map(|a| replace_metas(a, s)).collect()),
        TypeKind::Fun(a, b) => Type::fun(replace_metas(a, s), replace_metas(b, s)),
        TypeKind::Forall(v, b) => Type::forall(v.clone(), replace_metas(b, s)),
        TypeKind::Var(_) => t.clone(),
    }
}
