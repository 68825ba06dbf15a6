//! Looking at a value without evaluating it: the REPL's `:sprint`.
//!
//! The heap is read as it is: an unevaluated thunk (or one under
//! evaluation) shows as `_`, a function as `<function>`, an evaluated
//! constructor as GHC's `show` would print it, its fields in turn. A list
//! whose spine and elements are all evaluated prints in list (or string)
//! syntax; a partial one as `1 : 2 : _`, as GHCi's `:sprint` does, and a
//! cyclic one up to where it repeats, then `...`. Nothing
//! is allocated or evaluated, so this never changes what the program does.
//! Constructors say what they hold (`I#` an `Int`, `C#` a `Char`), so no
//! type is needed. A cyclic or huge value is cut off after
//! [`MAX_NODES`] closures with `...`. Read next: `printer`.

use crate::heap::{Kind, Ptr};
use crate::interp::Machine;
use crate::printer::show_box;
use sloth_core::show::{show_char_hash, show_double_hash, show_int_hash, show_string_literal};
use sloth_core::types::{self as ty, tuple_arity, DataEnv};
use sloth_stg::lower::rep_of;
use sloth_stg::syntax::Rep;

/// The most closures one `:sprint` looks at.
pub const MAX_NODES: usize = 10_000;

/// `p` as far as it is evaluated.
pub fn sprint(machine: &Machine, data: &DataEnv, p: Ptr) -> String {
    let mut s = Sprint {
        machine,
        data,
        nodes: 0,
        out: String::new(),
    };
    s.value(p, 0);
    s.out
}

struct Sprint<'a> {
    machine: &'a Machine,
    data: &'a DataEnv,
    nodes: usize,
    out: String,
}

/// What a pointer holds, as far as `:sprint` is concerned.
enum Node {
    Unevaluated,
    Function,
    Con(ty::ConId),
}

impl Sprint<'_> {
    fn node(&self, p: Ptr) -> (Ptr, Node) {
        let p = self.machine.heap.follow(p);
        let node = match self.machine.heap.header(p).kind {
            Kind::Con => Node::Con(ty::ConId(self.machine.heap.info(p))),
            Kind::Fun | Kind::Pap => Node::Function,
            _ => Node::Unevaluated,
        };
        (p, node)
    }

    /// Whether the budget is spent (and says so once).
    fn spent(&mut self) -> bool {
        self.nodes += 1;
        if self.nodes == MAX_NODES + 1 {
            self.out.push_str("...");
        }
        self.nodes > MAX_NODES
    }

    fn value(&mut self, p: Ptr, prec: u8) {
        if self.spent() {
            return;
        }
        let (p, node) = self.node(p);
        let c = match node {
            Node::Unevaluated => return self.out.push('_'),
            Node::Function => return self.out.push_str("<function>"),
            Node::Con(c) => c,
        };
        if c == ty::I_HASH || c == ty::D_HASH || c == ty::C_HASH {
            let w = self.machine.con_field(p, 0).0;
            return self.out.push_str(&show_box(c, w, prec).expect("a box"));
        }
        let con = self.data.con(c);
        if con.tycon == ty::LIST {
            return self.list(p, prec);
        }
        let tuple = tuple_arity(con.tycon).is_some() || c == ty::UNIT_CON;
        if con.fields.is_empty() {
            return self.out.push_str(&con.name);
        }
        let parens = !tuple && prec > 10;
        self.out.push_str(if tuple || parens { "(" } else { "" });
        if !tuple {
            self.out.push_str(&con.name);
        }
        for (i, field_ty) in con.fields.iter().enumerate() {
            self.out.push_str(match (tuple, i) {
                (true, 0) => "",
                (true, _) => ",",
                (false, _) => " ",
            });
            let (w, is_ptr) = self.machine.con_field(p, i);
            if is_ptr {
                self.value(Ptr::from_word(w), if tuple { 0 } else { 11 });
            } else {
                self.out.push_str(&match rep_of(field_ty) {
                    Rep::Double => show_double_hash(f64::from_bits(w)),
                    Rep::Char => show_char_hash(char::from_u32(w as u32).unwrap_or('\u{FFFD}')),
                    _ => show_int_hash(w as i64),
                });
            }
        }
        self.out.push_str(if tuple || parens { ")" } else { "" });
    }

    /// A list: `[1,2]` or `"ab"` when its spine and elements are evaluated,
    /// else `1 : 2 : _`.
    fn list(&mut self, p: Ptr, prec: u8) {
        let mut heads = Vec::new();
        let mut cell = p;
        // A cyclic list (`ones = 1 : ones`, evaluated) ends at the first
        // cell seen twice, printed `...`.
        let mut seen = std::collections::HashSet::new();
        let mut cyclic = false;
        let complete = loop {
            if heads.len() > MAX_NODES {
                break false;
            }
            match self.node(cell) {
                (c, Node::Con(k)) if k == ty::CONS => {
                    if !seen.insert(c) {
                        cyclic = true;
                        break false;
                    }
                    heads.push(self.machine.con_field(c, 0).0);
                    cell = Ptr::from_word(self.machine.con_field(c, 1).0);
                }
                (_, Node::Con(_)) => break true,
                _ => break false,
            }
        };
        let evaluated: Vec<Option<ty::ConId>> = heads
            .iter()
            .map(|&h| match self.node(Ptr::from_word(h)).1 {
                Node::Con(c) => Some(c),
                _ => None,
            })
            .collect();
        let all_chars = !heads.is_empty() && evaluated.iter().all(|c| *c == Some(ty::C_HASH));
        if complete && all_chars {
            let s: String = heads
                .iter()
                .map(|&h| {
                    let w = self
                        .machine
                        .con_field(self.machine.heap.follow(Ptr::from_word(h)), 0)
                        .0;
                    char::from_u32(w as u32).unwrap_or('\u{FFFD}')
                })
                .collect();
            self.out.push_str(&show_string_literal(&s));
            return;
        }
        if complete && evaluated.iter().all(Option::is_some) {
            self.out.push('[');
            for (i, &h) in heads.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                self.value(Ptr::from_word(h), 0);
            }
            self.out.push(']');
            return;
        }
        // `x : xs` is infixr 5.
        let parens = prec > 5;
        self.out.push_str(if parens { "(" } else { "" });
        for &h in &heads {
            self.value(Ptr::from_word(h), 6);
            self.out.push_str(" : ");
        }
        if complete {
            self.out.push_str("[]");
        } else if cyclic {
            self.out.push_str("...");
        } else {
            self.out.push('_');
        }
        self.out.push_str(if parens { ")" } else { "" });
    }
}
