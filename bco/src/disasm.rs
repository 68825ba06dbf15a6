//! The disassembler behind `sloth dump --bco`: every BCO of a unit, one
//! instruction per line, in the spirit of GHC's `-ddump-bcos`.
//!
//! Globals print by name, constructors by name, nested BCOs by their name
//! (`f/sat`), labels as `L3:` lines. `sloth dump --bco` prints the packed
//! code read back ([`disassemble_packed`]), so what it shows is what runs;
//! its labels are word positions. Read next: `compile`.

use crate::asm::{self, AsmError, PackedUnit};
use crate::compile::{StaticField, TopDef, Unit};
use crate::instr::Instr;
use sloth_core::types::{DataEnv, Unique};
use sloth_stg::syntax::Lit;
use std::fmt::Write;

/// The packed unit, decoded: labels are word positions, and each BCO's
/// header gives its size in code words, literals and pointers.
pub fn disassemble_packed(
    data: &DataEnv,
    name: &dyn Fn(Unique) -> String,
    unit: &PackedUnit,
) -> Result<String, AsmError> {
    let sizes: Vec<String> = unit
        .bcos
        .iter()
        .map(|b| {
            format!(
                "; {} words, {} literals, {} pointers",
                b.code.len(),
                b.lits.len(),
                b.ptrs.len()
            )
        })
        .collect();
    Ok(listing(data, name, &asm::unpack_unit(unit)?, &sizes))
}

/// `name(u)` gives a global's name.
pub fn disassemble(data: &DataEnv, name: &dyn Fn(Unique) -> String, unit: &Unit) -> String {
    listing(data, name, unit, &[])
}

/// `sizes[i]`, when present, ends BCO i's header line.
fn listing(
    data: &DataEnv,
    name: &dyn Fn(Unique) -> String,
    unit: &Unit,
    sizes: &[String],
) -> String {
    let mut out = String::new();
    let con = |c: sloth_core::types::ConId| data.con(c).name.to_string();
    let lit = |l: &Lit| match l {
        Lit::Int(n) => format!("{n}#"),
        Lit::Double(d) => format!("{d:?}##"),
        Lit::Char(c) => format!("{c:?}#"),
    };
    for top in &unit.tops {
        let def = match &top.def {
            TopDef::Fun(b) => format!("function {}", unit.bcos[b.0 as usize].name),
            TopDef::Thunk(b, true) => format!("CAF {}", unit.bcos[b.0 as usize].name),
            TopDef::Thunk(b, false) => format!("CAF (no update) {}", unit.bcos[b.0 as usize].name),
            TopDef::Con(c, fields) => {
                let fs: Vec<String> = fields
                    .iter()
                    .map(|f| match f {
                        StaticField::Global(u) => name(*u),
                        StaticField::Lit(l) => lit(l),
                    })
                    .collect();
                format!("static {} {}", con(*c), fs.join(" "))
                    .trim_end()
                    .to_string()
            }
            TopDef::String(s) => format!("string {:?}", &**s),
        };
        let _ = writeln!(out, "{} = {def}", top.name);
    }
    for (i, b) in unit.bcos.iter().enumerate() {
        let _ = writeln!(
            out,
            "\nBCO {} (arity {}, {} free{})",
            b.name,
            b.arity(),
            b.free.len(),
            sizes.get(i).map_or("", |s| s.as_str())
        );
        for i in &b.instrs {
            if let Instr::Label(l) = i {
                let _ = writeln!(out, "  {l}:");
                continue;
            }
            let operands = match i {
                Instr::StkCheck(n) => n.to_string(),
                Instr::PushL(o) => o.to_string(),
                Instr::PushLL(a, b) => format!("{a} {b}"),
                Instr::PushLLL(a, b, c) => format!("{a} {b} {c}"),
                Instr::PushG(g) | Instr::Call(g, _) => {
                    let n = name(b.globals[g.0 as usize]);
                    match i {
                        Instr::Call(_, arity) => format!("{n} {arity}"),
                        _ => n,
                    }
                }
                Instr::PushInt(n) => lit(&Lit::Int(*n)),
                Instr::PushDouble(d) => lit(&Lit::Double(*d)),
                Instr::PushChar(c) => lit(&Lit::Char(*c)),
                Instr::Slide(k, d) => format!("{k} {d}"),
                Instr::PushAlts(l) | Instr::Jmp(l) => l.to_string(),
                Instr::Eval(o, l) => format!("{o} {l}"),
                Instr::PushAltsUnlifted(l, r) => format!("{l} {r:?}"),
                Instr::ReturnUnlifted(r) => format!("{r:?}"),
                Instr::Apply(n) => n.to_string(),
                Instr::Unpack(c) => con(*c),
                Instr::AllocAp(r) | Instr::AllocApNoupd(r) | Instr::AllocPap(r) => {
                    unit.bcos[r.0 as usize].name.clone()
                }
                Instr::AllocCon(c) => con(*c),
                Instr::MkAp(o, n) | Instr::MkPap(o, n) | Instr::MkCon(o, n) => format!("{o} {n}"),
                Instr::Pack(c, n) => format!("{} {n}", con(*c)),
                Instr::TestLtP(c, l) | Instr::TestEqP(c, l) => format!("{} {l}", con(*c)),
                Instr::TestLtI(n, l) | Instr::TestEqI(n, l) => {
                    format!("{} {l}", lit(&Lit::Int(*n)))
                }
                Instr::TestLtD(d, l) | Instr::TestEqD(d, l) => {
                    format!("{} {l}", lit(&Lit::Double(*d)))
                }
                Instr::TestLtC(c, l) | Instr::TestEqC(c, l) => {
                    format!("{} {l}", lit(&Lit::Char(*c)))
                }
                Instr::CaseFail(s) => format!("#{}", s.0),
                Instr::Prim(p) => p.name().to_string(),
                Instr::Enter | Instr::Return | Instr::Raise | Instr::Label(_) => String::new(),
            };
            let _ = writeln!(out, "    {} {operands}", i.mnemonic());
        }
    }
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
