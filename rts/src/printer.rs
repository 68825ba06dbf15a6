//! The value printer of spec §6: GHC's derived `show`, driven by the type
//! of `main`, streaming while evaluation proceeds.
//!
//! Each part is evaluated (by the machine) just before it is printed, so
//! `take 3 xs` of an endless list prints, and a runtime error leaves the
//! output so far in place. Pointers the printer still needs live on the
//! machine stack, not in Rust variables, because every evaluation may move
//! the heap. The printer reads the type of `main` and the data type table;
//! no Core terms. Formats come from `sloth_core::show` (shared with the
//! reference evaluator). Read next: the `sloth run` driver in `repl/`.

use crate::heap::{Kind, Ptr};
use crate::interp::{Machine, RunError};
use sloth_core::session::deep;
use sloth_core::show::{
    show_char_hash, show_char_literal, show_double_hash, show_double_prec, show_int_hash,
    show_int_prec, StringEscaper,
};
use sloth_core::types::{self as ty, tuple_arity, ConId, DataEnv, TyConId, Type, TypeKind};
use sloth_stg::lower::rep_of;
use sloth_stg::syntax::Rep;
use std::io::Write;

/// Precedence of a constructor argument (GHC's `showsPrec 11`).
const ARG_PREC: u8 = 11;

/// A boxed `Int`, `Double` or `Char` (`I#`, `D#`, `C#` around the word
/// `w`) as `show` prints it at precedence `prec`; `None` for any other
/// constructor.
pub fn show_box(c: ty::ConId, w: u64, prec: u8) -> Option<String> {
    Some(if c == ty::I_HASH {
        show_int_prec(w as i64, prec)
    } else if c == ty::D_HASH {
        show_double_prec(f64::from_bits(w), prec)
    } else if c == ty::C_HASH {
        show_char_literal(char::from_u32(w as u32).unwrap_or('\u{FFFD}'))
    } else {
        return None;
    })
}

pub struct Printer<'a> {
    pub machine: &'a mut Machine,
    pub data: &'a DataEnv,
    pub out: &'a mut dyn Write,
}

type Run<T> = Result<T, RunError>;

impl Printer<'_> {
    fn emit(&mut self, s: &str) {
        // A closed pipe (`sloth run f | head`) just stops the output.
        let _ = self.out.write_all(s.as_bytes());
    }

    /// Prints the value `p` of type `t` at the top level.
    pub fn print_top(&mut self, t: &Type, p: Ptr) -> Run<()> {
        self.machine.stack.reserve(1)?;
        self.machine.stack.push_ptr(p);
        let slot = self.machine.stack.len() - 1;
        let r = self.print(t, slot, 0);
        self.machine.stack.truncate(slot);
        r
    }

    /// Prints the value in stack slot `slot` (a pointer, maybe
    /// unevaluated) at precedence `prec`.
    fn print(&mut self, t: &Type, slot: usize, prec: u8) -> Run<()> {
        deep(|| self.print_inner(t, slot, prec))
    }

    fn eval_slot(&mut self, slot: usize) -> Run<Ptr> {
        let v = self
            .machine
            .eval(Ptr::from_word(self.machine.stack.at(slot)))?;
        self.machine.stack.set_at_ptr(slot, v);
        Ok(v)
    }

    fn print_inner(&mut self, t: &Type, slot: usize, prec: u8) -> Run<()> {
        let mut t = t;
        while let TypeKind::Forall(_, body) = t.kind() {
            t = body;
        }
        // `showList` for `Char` writes its quote before looking at the list.
        if let TypeKind::Con(ty::LIST, args) = t.kind() {
            if matches!(args[0].kind(), TypeKind::Con(c, _) if *c == ty::CHAR) {
                return self.print_string(slot);
            }
        }
        let v = self.eval_slot(slot)?;
        let h = self.machine.heap.header(v);
        if matches!(h.kind, Kind::Fun | Kind::Pap) || matches!(t.kind(), TypeKind::Fun(..)) {
            self.emit("<function>");
            return Ok(());
        }
        let c = match t.kind() {
            TypeKind::Con(tycon, _) => self.con_of(v, *tycon)?,
            // A polymorphic `main`: any constructor.
            _ => self.con_of(v, None)?,
        };
        if c == ty::I_HASH || c == ty::D_HASH || c == ty::C_HASH {
            let text = show_box(c, self.machine.con_field(v, 0).0, prec).expect("a box");
            self.emit(&text);
            return Ok(());
        }
        let tycon = self.data.con(c).tycon;
        let args: Vec<Type> = match t.kind() {
            TypeKind::Con(_, args) => args.clone(),
            // A polymorphic `main`: go by the value.
            _ => self.data.param_types(tycon),
        };
        if tycon == ty::LIST {
            return self.print_list(&args[0], slot);
        }
        let fields = self.data.con_fields_at(c, &args);
        let name = self.data.con(c).name.clone();
        let tuple = tuple_arity(tycon).is_some() || c == ty::UNIT_CON;
        if !tuple && fields.is_empty() {
            self.emit(&name);
            return Ok(());
        }
        let parens = !tuple && prec > 10;
        self.emit(if tuple || parens { "(" } else { "" });
        if !tuple {
            self.emit(&name);
        }
        for (i, ft) in fields.iter().enumerate() {
            self.emit(if tuple {
                if i > 0 {
                    ","
                } else {
                    ""
                }
            } else {
                " "
            });
            let v = Ptr::from_word(self.machine.stack.at(slot));
            let (w, is_ptr) = self.machine.con_field(v, i);
            if !is_ptr {
                let text = match rep_of(ft) {
                    Rep::Double => show_double_hash(f64::from_bits(w)),
                    Rep::Char => show_char_hash(char::from_u32(w as u32).unwrap_or('\u{FFFD}')),
                    _ => show_int_hash(w as i64),
                };
                self.emit(&text);
                continue;
            }
            self.machine.stack.reserve(1)?;
            self.machine.stack.push_ptr(Ptr::from_word(w));
            let field_slot = self.machine.stack.len() - 1;
            let r = self.print(ft, field_slot, if tuple { 0 } else { ARG_PREC });
            self.machine.stack.truncate(field_slot);
            r?;
        }
        if tuple || parens {
            self.emit(")");
        }
        Ok(())
    }

    /// The constructor of the evaluated value `v`, which must be one of
    /// `tycon`'s (any, for `None`). Compiled well-typed code always
    /// passes; bytecode mutated past the verifier (Note [What the verifier
    /// cannot know] in `sloth_bco::verify`) may hand over a value of
    /// another type, which is bad code, not a reason to index out of
    /// bounds.
    fn con_of(&self, v: Ptr, tycon: impl Into<Option<TyConId>>) -> Run<ConId> {
        let h = self.machine.heap.header(v);
        let con = (h.kind == Kind::Con)
            .then(|| self.data.cons.get(h.info as usize))
            .flatten();
        match (con, tycon.into()) {
            (Some(con), Some(want)) if con.tycon != want => {}
            (Some(_), _) => return Ok(ConId(h.info)),
            (None, _) => {}
        }
        Err(RunError::BadCode(format!(
            "the printer finds a {:?} (info {}) where a value of its type should be",
            h.kind, h.info
        )))
    }

    /// `[e1,e2,...]`: iterative over the spine, each element evaluated and
    /// printed before the next cell is.
    fn print_list(&mut self, elem: &Type, slot: usize) -> Run<()> {
        let mut first = true;
        loop {
            let cell = self.eval_slot(slot)?;
            if self.con_of(cell, ty::LIST)? != ty::CONS {
                break;
            }
            self.emit(if first { "[" } else { "," });
            first = false;
            let head = self.machine.con_field(cell, 0).0;
            self.machine.stack.reserve(1)?;
            self.machine.stack.push_ptr(Ptr::from_word(head));
            let head_slot = self.machine.stack.len() - 1;
            let r = self.print(elem, head_slot, 0);
            self.machine.stack.truncate(head_slot);
            r?;
            let cell = Ptr::from_word(self.machine.stack.at(slot));
            let tail = self.machine.con_field(cell, 1).0;
            self.machine.stack.set_at_ptr(slot, Ptr::from_word(tail));
        }
        self.emit(if first { "[]" } else { "]" });
        Ok(())
    }

    /// A `[Char]` as a string literal, each character written as soon as
    /// it is evaluated.
    fn print_string(&mut self, slot: usize) -> Run<()> {
        let mut buf = String::new();
        let mut esc = StringEscaper::begin(&mut buf);
        self.emit(&std::mem::take(&mut buf));
        loop {
            let cell = self.eval_slot(slot)?;
            if self.con_of(cell, ty::LIST)? != ty::CONS {
                break;
            }
            let head = self.machine.con_field(cell, 0).0;
            let c = self.machine.eval(Ptr::from_word(head))?;
            self.con_of(c, ty::CHAR)?;
            let ch = char::from_u32(self.machine.con_field(c, 0).0 as u32).unwrap_or('\u{FFFD}');
            esc.push(ch, &mut buf);
            self.emit(&std::mem::take(&mut buf));
            let cell = Ptr::from_word(self.machine.stack.at(slot));
            let tail = self.machine.con_field(cell, 1).0;
            self.machine.stack.set_at_ptr(slot, Ptr::from_word(tail));
        }
        esc.end(&mut buf);
        self.emit(&buf);
        Ok(())
    }
}
