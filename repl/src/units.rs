//! The units a REPL session has linked, and which of them are still alive.
//!
//! Every input that defines something (an expression defines `it`) is a
//! unit: a source file, Core globals, STG statics, BCOs and global-table
//! slots. [`Units`] records what each unit refers to in earlier units and
//! finds the ones nothing live can reach any more: a unit is live while
//! one of its globals is in scope by name, while a live unit refers to it,
//! or for good if it declares data types (values of every age may carry
//! its constructors). The session then forgets the dead ones in every stage
//! (see Note [Unlinking] in `sloth_rts::interp`). The prelude is not a unit
//! here: it is always live. Knows nothing of terminals or printing. Read
//! next: `session`.

use sloth_bco::compile::{StaticField, TopDef, Unit};
use sloth_core::ir::Module;
use sloth_core::source::FileId;
use sloth_core::types::Unique;
use sloth_rts::interp::Linked;
use std::collections::{HashMap, HashSet};

// Note [Counting references between units]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// Which units are alive could be found by marking from the names in scope
// after every input, but that costs time in proportion to every unit alive,
// on every line. A unit can only refer to units linked before it (to
// itself within), so the references form a DAG and counting them is exact:
// no cycle can keep a dead group alive. Each unit counts its globals that
// are in scope by name and the live units that refer to it; when an input
// rebinds a name (`it`, or a definition shadowed) the unit that had it
// loses one, and a unit whose counts both reach zero dies and releases
// its own references, which may kill older units in turn. E.g.
//
//     > xs = [1 .. 10]        -- unit 1: names 1 (xs), users 0
//     > n = length xs         -- unit 2: names 1; unit 1 now has users 1
//     > xs = []               -- unit 3; unit 1: names 0, users 1: alive
//     > n = 0                 -- unit 2 dies; so does unit 1 (users 0)

/// What kind of input a unit came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    /// An expression (it defines `it`).
    Expression,
    /// Definitions typed at the prompt: replayed by a fresh session.
    Typed,
    /// A file's definitions (`:load`).
    Loaded,
}

/// A linked unit.
pub struct UnitRecord {
    /// Its source, dropped with it.
    pub file: Option<FileId>,
    /// Its Core globals and its STG top-level bindings (statics included).
    pub globals: Vec<Unique>,
    /// Its slots in the machine.
    pub linked: Linked,
    /// The units it refers to.
    deps: Vec<u32>,
    /// How many of its globals are in scope by name.
    names: usize,
    /// How many live units refer to it.
    users: usize,
    /// How many handles an embedding host holds on it ([`Units::hold`]).
    holds: usize,
    /// Its Core binders, in order.
    binders: Vec<Unique>,
    /// Declares data types: never dropped.
    pinned: bool,
    kind: UnitKind,
}

#[derive(Default)]
pub struct Units {
    units: HashMap<u32, UnitRecord>,
    /// The unit of every global a unit defines.
    owner: HashMap<Unique, u32>,
    /// The unit of every source file a unit was read from.
    file_owner: HashMap<FileId, u32>,
    next: u32,
    /// Units found dead, for [`Units::take_dead`].
    dead: Vec<UnitRecord>,
}

impl Units {
    /// Records a unit just linked, whose Core binders have just come into
    /// scope: `core` is the Core that was lowered and `code` what it
    /// compiled to (both are searched for references to earlier units:
    /// Core for what later inlining may copy, code for what runs).
    /// `replay`: its source is definitions to replay in a fresh session
    /// ([`Units::replay_files`]). A unit that names nothing and declares
    /// nothing is dead at once.
    pub fn add(
        &mut self,
        file: Option<FileId>,
        core: &Module,
        code: &Unit,
        linked: Linked,
        kind: UnitKind,
    ) {
        let id = self.next;
        self.next += 1;
        let mut vars = HashSet::new();
        let mut files = HashSet::new();
        core.references(&mut vars, &mut files);
        for b in &code.bcos {
            vars.extend(b.globals.iter().copied());
            files.extend(b.spans.iter().map(|s| s.file));
        }
        for t in &code.tops {
            if let TopDef::Con(_, fields) = &t.def {
                for f in fields {
                    if let StaticField::Global(u) = f {
                        vars.insert(*u);
                    }
                }
            }
        }
        let mut deps: Vec<u32> = vars
            .iter()
            .filter_map(|u| self.owner.get(u))
            .chain(files.iter().filter_map(|f| self.file_owner.get(f)))
            .copied()
            .collect();
        deps.sort_unstable();
        deps.dedup();
        for d in &deps {
            self.units.get_mut(d).expect("a live unit").users += 1;
        }
        let binders: Vec<Unique> = core
            .binds
            .iter()
            .flat_map(|b| b.binders())
            .map(|x| x.unique)
            .collect();
        let mut globals: Vec<Unique> = binders
            .iter()
            .copied()
            .chain(linked.tops().iter().copied())
            .collect();
        globals.sort_unstable();
        globals.dedup();
        for &u in &globals {
            self.owner.insert(u, id);
        }
        if let Some(f) = file {
            self.file_owner.insert(f, id);
        }
        self.units.insert(
            id,
            UnitRecord {
                file,
                globals,
                linked,
                deps,
                names: binders.len(),
                users: 0,
                holds: 0,
                binders,
                pinned: !core.data.is_empty(),
                kind,
            },
        );
        self.release_if_dead(id);
    }

    /// The name of global `u` now refers to something else (a later input
    /// rebound it). See Note [Counting references between units].
    pub fn unname(&mut self, u: Unique) {
        if let Some(&id) = self.owner.get(&u) {
            let r = self.units.get_mut(&id).expect("a recorded unit");
            r.names = r.names.saturating_sub(1);
            self.release_if_dead(id);
        }
    }

    /// A host keeps a value computed by the unit that defines global `u`
    /// (an embedded session's `sloth::Value`): the unit must stay linked
    /// whatever rebinds its names, because the value's closures may run
    /// its code. False when no live unit defines `u` (the prelude's
    /// globals, which never die).
    pub fn hold(&mut self, u: Unique) -> bool {
        match self.owner.get(&u) {
            Some(id) => {
                self.units.get_mut(id).expect("a recorded unit").holds += 1;
                true
            }
            None => false,
        }
    }

    /// Releases a [`Units::hold`]; the unit may die.
    pub fn release(&mut self, u: Unique) {
        if let Some(&id) = self.owner.get(&u) {
            let r = self.units.get_mut(&id).expect("a recorded unit");
            r.holds = r.holds.saturating_sub(1);
            self.release_if_dead(id);
        }
    }

    /// Kills unit `id` if nothing keeps it alive, and the units only it
    /// kept alive.
    fn release_if_dead(&mut self, id: u32) {
        let mut work = vec![id];
        while let Some(id) = work.pop() {
            let r = &self.units[&id];
            if r.names > 0 || r.users > 0 || r.holds > 0 || r.pinned {
                continue;
            }
            let r = self.units.remove(&id).expect("a recorded unit");
            for u in &r.globals {
                self.owner.remove(u);
            }
            if let Some(f) = r.file {
                self.file_owner.remove(&f);
            }
            for d in &r.deps {
                let dep = self.units.get_mut(d).expect("a used unit is alive");
                dep.users -= 1;
                work.push(*d);
            }
            self.dead.push(r);
        }
    }

    /// The units that died since the last call, for the session to forget.
    pub fn take_dead(&mut self) -> Vec<UnitRecord> {
        std::mem::take(&mut self.dead)
    }

    /// The live units of these kinds, oldest first.
    fn live(&self, kinds: &[UnitKind]) -> Vec<&UnitRecord> {
        let mut ids: Vec<(u32, &UnitRecord)> = self
            .units
            .iter()
            .filter(|(_, r)| kinds.contains(&r.kind))
            .map(|(&id, r)| (id, r))
            .collect();
        ids.sort_unstable_by_key(|(id, _)| *id);
        ids.into_iter().map(|(_, r)| r).collect()
    }

    /// The sources of the live definitions typed at the prompt, oldest
    /// first: replayed in order, they define what is in scope again (a dead
    /// unit is not needed by anything in scope).
    pub fn replay_files(&self) -> Vec<FileId> {
        let live = self.live(&[UnitKind::Typed]);
        live.into_iter().filter_map(|r| r.file).collect()
    }

    /// The globals of the live definitions (typed or loaded), oldest
    /// first; some may be shadowed.
    pub fn definitions(&self) -> Vec<Unique> {
        let live = self.live(&[UnitKind::Typed, UnitKind::Loaded]);
        live.into_iter()
            .flat_map(|r| r.binders.iter().copied())
            .collect()
    }

    /// Whether a global belongs to a unit still alive.
    pub fn defines(&self, u: Unique) -> bool {
        self.owner.contains_key(&u)
    }

    /// How many units are alive.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sloth_core::ir::{Bind, Expr, Id, Literal};
    use sloth_core::types::Type;

    fn id(u: Unique) -> Id {
        Id {
            name: format!("x{u}").into(),
            unique: u,
            ty: Type::int(),
        }
    }

    fn zero() -> Expr {
        Expr::Lit(Literal::Int(0))
    }

    /// A unit from `file` defining `u` as a reference to each of `refs`.
    fn unit(units: &mut Units, file: Option<FileId>, u: Unique, body: Expr) {
        let core = Module {
            data: Vec::new(),
            binds: vec![Bind::NonRec(id(u), body)],
        };
        units.add(
            file,
            &core,
            &Unit::default(),
            Linked::default(),
            UnitKind::Typed,
        );
    }

    fn refs(us: &[Unique]) -> Expr {
        us.iter()
            .fold(zero(), |e, &r| Expr::app(e, Expr::Var(id(r))))
    }

    fn dead(units: &mut Units) -> Vec<Vec<Unique>> {
        let mut d: Vec<Vec<Unique>> = units.take_dead().into_iter().map(|r| r.globals).collect();
        d.sort();
        d
    }

    #[test]
    fn a_unit_lives_while_named_or_used_and_deaths_cascade() {
        // The example of Note [Counting references between units].
        let mut units = Units::default();
        unit(&mut units, None, 1, zero()); // xs = [1 .. 10]
        unit(&mut units, None, 2, refs(&[1])); // n = length xs
        unit(&mut units, None, 3, zero()); // xs = []
        units.unname(1);
        assert_eq!(dead(&mut units), Vec::<Vec<Unique>>::new());
        unit(&mut units, None, 4, zero()); // n = 0
        units.unname(2);
        assert_eq!(dead(&mut units), vec![vec![1], vec![2]]);
        assert!(units.defines(3) && units.defines(4) && !units.defines(1));
        assert_eq!(units.len(), 2);
        assert_eq!(units.definitions(), vec![3, 4]);
    }

    #[test]
    fn a_unit_lives_while_a_live_unit_shows_a_position_in_its_source() {
        // Unit 1 (file 7) had `f`, whose `case` a later unit inlined: the
        // later unit no longer names `f`, but its pattern-match failure
        // would print a position in file 7.
        let mut units = Units::default();
        unit(&mut units, Some(7), 1, zero());
        let inlined = Expr::Case(Box::new(sloth_core::ir::Case {
            scrut: zero(),
            ty: Type::int(),
            alts: Vec::new(),
            span: sloth_core::source::Span::new(7, 0, 1),
        }));
        unit(&mut units, Some(8), 2, inlined);
        units.unname(1);
        assert_eq!(dead(&mut units), Vec::<Vec<Unique>>::new());
        units.unname(2);
        assert_eq!(dead(&mut units), vec![vec![1], vec![2]]);
    }

    #[test]
    fn a_held_unit_outlives_its_names_until_released() {
        let mut units = Units::default();
        unit(&mut units, None, 1, zero()); // it = ...
        assert!(units.hold(1), "a host keeps a value of unit 1");
        assert!(!units.hold(99), "no unit defines 99 (the prelude)");
        unit(&mut units, None, 2, zero()); // it = ... again
        units.unname(1);
        assert_eq!(dead(&mut units), Vec::<Vec<Unique>>::new());
        units.release(1);
        assert_eq!(dead(&mut units), vec![vec![1]]);
    }

    #[test]
    fn units_declaring_data_are_kept_and_units_naming_nothing_are_not() {
        let mut units = Units::default();
        let data = Module {
            data: vec![sloth_core::types::TyConId(0)],
            binds: Vec::new(),
        };
        let (code, typed) = (Unit::default(), UnitKind::Typed);
        units.add(Some(1), &data, &code, Linked::default(), typed);
        units.add(Some(2), &Module::default(), &code, Linked::default(), typed);
        assert_eq!(units.len(), 1, "the unit declaring data stays");
        assert_eq!(dead(&mut units).len(), 1);
        assert_eq!(units.replay_files(), vec![1]);
    }
}
