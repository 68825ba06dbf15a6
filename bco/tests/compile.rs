//! Snapshots of the bytecode of representative programs (the program's own
//! BCOs, not the prelude's), as `sloth dump --bco` prints them: assembled,
//! then decoded (labels are word positions). `UPDATE_EXPECT=1` rewrites
//! them; review the diff: a changed snapshot is a changed compiler.

use expect_test::{expect, Expect};
use sloth_bco::asm::assemble_unit;
use sloth_bco::{compile::compile_program, disasm::disassemble_packed, verify::verify_unit};
use sloth_core::session::{with_compiler_stack, Session};
use sloth_stg::{lower_with_prelude, Strategy};

fn bco_text(src: &str, strategy: Strategy) -> String {
    let src = src.to_string();
    with_compiler_stack(move || {
        let mut s = Session::new().expect("the prelude compiles");
        let m = match s.elaborate("test.core", &src) {
            Ok(m) => m,
            Err(e) => panic!("{}", s.render(&e.0, false)),
        };
        let l = lower_with_prelude(&mut s, &m, strategy);
        // The prelude compiles too.
        compile_program(&s.env.data, &l.env.globals, &l.prelude);
        let unit = compile_program(&s.env.data, &l.env.globals, &l.program);
        let name = |u| {
            l.env
                .globals
                .get(&u)
                .map_or_else(|| format!("?{u}"), |g| g.var.name.to_string())
        };
        let packed = assemble_unit(&unit).expect("assembles");
        disassemble_packed(&s.env.data, &name, &packed).expect("decodes")
    })
}

fn check_bco(src: &str, strategy: Strategy, expect: Expect) {
    expect.assert_eq(&bco_text(src, strategy));
}

#[test]
fn fib() {
    check_bco(
        "fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\n",
        Strategy::Need,
        expect![[r#"
            fib = function fib

            BCO fib (arity 1, 0 free; 93 words, 3 literals, 1 pointers)
                STKCHECK 10
                EVAL 0 L7
              L7:
                UNPACK I#
                PUSH_UBX 2#
                PUSH_L 1
                PRIM <#
                TESTEQ_I 0# L87
                PUSH_ALTS L44
                PUSH_UBX 1#
                PUSH_L 3
                PRIM -#
                PUSH_L 0
                PACK I# 1
                PUSH_L 0
                SLIDE 1 2
                CALL fib 1
              L44:
                UNPACK I#
                PUSH_ALTS L70
                PUSH_UBX 2#
                PUSH_L 5
                PRIM -#
                PUSH_L 0
                PACK I# 1
                PUSH_L 0
                SLIDE 1 2
                CALL fib 1
              L70:
                UNPACK I#
                PUSH_LL 0 2
                PRIM +#
                PUSH_L 0
                PACK I# 1
                SLIDE 1 9
                RETURN
              L87:
                PUSH_L 3
                SLIDE 1 4
                ENTER
        "#]],
    );
}

#[test]
fn local_loop_is_a_jump() {
    check_bco(
        "sumTo :: Int -> Int\nsumTo n = let go acc i = if i > n then acc else go (acc + i) (i + 1) in go 0 1\n",
        Strategy::Need,
        expect![[r#"
            0 = static I# 0#
            1 = static I# 1#
            sumTo = function sumTo

            BCO sumTo (arity 1, 0 free; 69 words, 2 literals, 3 pointers)
                STKCHECK 13
                PUSH_G 1
                PUSH_G 0
                JMP L10
              L10:
                EVAL 1 L14
              L14:
                UNPACK I#
                EVAL 4 L21
              L21:
                UNPACK I#
                PUSH_LL 0 2
                PRIM >#
                TESTEQ_I 0# L63
                ALLOC_AP sumTo/sat
                PUSH_LL 6 4
                MKAP 2 2
                PUSH_UBX 1#
                PUSH_L 5
                PRIM +#
                PUSH_L 0
                PACK I# 1
                PUSH_LL 0 2
                SLIDE 2 10
                JMP L10
              L63:
                PUSH_L 5
                SLIDE 1 8
                ENTER

            BCO sumTo/sat (arity 0, 2 free; 24 words, 0 literals, 0 pointers)
                STKCHECK 6
                EVAL 1 L7
              L7:
                UNPACK I#
                PUSH_LL 2 0
                PRIM +#
                PUSH_L 0
                PACK I# 1
                SLIDE 1 5
                RETURN
        "#]],
    );
}

#[test]
fn closures_and_knots() {
    check_bco(
        "adders :: Int -> [Int -> Int]\nadders n = let add x = x + n in [add, \\y -> add (add y)]\nones :: Int -> [Int]\nones n = let xs = n : xs in xs\n",
        Strategy::Need,
        expect![[r#"
            [] = static []
            adders = function adders
            ones = function ones

            BCO adders (arity 1, 0 free; 38 words, 0 literals, 3 pointers)
                STKCHECK 6
                ALLOC_PAP adders/add
                PUSH_L 1
                MKPAP 1 1
                ALLOC_PAP adders/sat
                PUSH_L 1
                MKPAP 1 1
                PUSH_G []
                PUSH_L 1
                PACK : 2
                PUSH_LL 0 2
                PACK : 2
                SLIDE 1 4
                RETURN

            BCO adders/add (arity 1, 1 free; 31 words, 0 literals, 0 pointers)
                STKCHECK 8
                EVAL 1 L7
              L7:
                UNPACK I#
                EVAL 2 L14
              L14:
                UNPACK I#
                PUSH_LL 0 2
                PRIM +#
                PUSH_L 0
                PACK I# 1
                SLIDE 1 7
                RETURN

            BCO adders/sat (arity 1, 1 free; 20 words, 0 literals, 1 pointers)
                STKCHECK 5
                ALLOC_AP adders/sat/sat
                PUSH_LL 1 2
                MKAP 2 2
                PUSH_LL 0 1
                SLIDE 2 3
                APPLY 1

            BCO adders/sat/sat (arity 0, 2 free; 11 words, 0 literals, 0 pointers)
                STKCHECK 4
                PUSH_LL 0 1
                SLIDE 2 2
                APPLY 1

            BCO ones (arity 1, 0 free; 18 words, 0 literals, 0 pointers)
                STKCHECK 4
                ALLOC_CON :
                PUSH_LL 1 0
                MKCON 2 2
                PUSH_L 0
                SLIDE 1 2
                ENTER
        "#]],
    );
}

#[test]
fn many_constructors_bisect() {
    check_bco(
        "data Colour = Red | Orange | Yellow | Green | Blue | Indigo | Violet\nwarm :: Colour -> Int\nwarm c = case c of\n  Red -> 1\n  Orange -> 2\n  Yellow -> 3\n  Green -> 4\n  Blue -> 5\n  Indigo -> 6\n  Violet -> 7\n",
        Strategy::Need,
        expect![[r#"
            1 = static I# 1#
            2 = static I# 2#
            3 = static I# 3#
            4 = static I# 4#
            5 = static I# 5#
            6 = static I# 6#
            7 = static I# 7#
            warm = function warm

            BCO warm (arity 1, 0 free; 79 words, 0 literals, 7 pointers)
                STKCHECK 3
                EVAL 0 L7
              L7:
                TESTLT_P Green L40
                TESTLT_P Orange L23
                PUSH_G 1
                SLIDE 1 2
                ENTER
              L23:
                TESTEQ_P Orange L34
                PUSH_G 2
                SLIDE 1 2
                ENTER
              L34:
                PUSH_G 3
                SLIDE 1 2
                ENTER
              L40:
                TESTLT_P Indigo L62
                TESTEQ_P Green L56
                PUSH_G 4
                SLIDE 1 2
                ENTER
              L56:
                PUSH_G 5
                SLIDE 1 2
                ENTER
              L62:
                TESTEQ_P Indigo L73
                PUSH_G 6
                SLIDE 1 2
                ENTER
              L73:
                PUSH_G 7
                SLIDE 1 2
                ENTER
        "#]],
    );
}

/// The prelude and every example compile under every strategy, and every
/// BCO passes the verifier.
#[test]
fn every_example_compiles_and_verifies() {
    let problems = with_compiler_stack(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("examples/")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "core"))
            .collect();
        paths.sort();
        let mut problems = Vec::new();
        for p in paths {
            let text = std::fs::read_to_string(&p).expect("readable");
            for st in Strategy::ALL {
                let mut s = Session::new().expect("prelude");
                let m = s
                    .elaborate(&p.display().to_string(), &text)
                    .expect("compiles");
                let l = lower_with_prelude(&mut s, &m, st);
                for (what, prog) in [("prelude", &l.prelude), ("program", &l.program)] {
                    let unit = compile_program(&s.env.data, &l.env.globals, prog);
                    if let Err(e) = verify_unit(&s.env.data, &unit) {
                        problems.push(format!("{} {what} under {st}: {e}", p.display()));
                    }
                }
            }
        }
        problems
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
