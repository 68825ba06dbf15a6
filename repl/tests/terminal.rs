//! `sloth repl` in a real (pseudo-)terminal: the banner and prompt, tab
//! completion, Ctrl-C interrupting an endless evaluation with every
//! definition kept, Ctrl-C at the prompt dropping the line, Ctrl-D ending
//! the session.

use rexpect::session::spawn_command;
use std::process::Command;

#[test]
fn a_terminal_session() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sloth"));
    cmd.arg("repl");
    // History goes to a scratch directory, not the user's.
    let data = std::env::temp_dir().join(format!("sloth-pty-{}", std::process::id()));
    cmd.env("XDG_DATA_HOME", &data);
    let mut p = spawn_command(cmd, Some(30_000)).expect("sloth repl starts in a pty");
    p.exp_string(":help lists the commands").expect("banner");
    p.exp_string("sloth> ").expect("prompt");
    p.send_line("x = 20").unwrap();
    p.exp_string("sloth> ").unwrap();
    // Tab completes a name in scope (`filte` has one completion).
    p.send("xs = filte").unwrap();
    p.send("\t").unwrap();
    p.flush().unwrap();
    p.exp_string("filter").expect("completed to filter");
    p.send_line(" even [1 .. 10]").unwrap();
    p.exp_string("sloth> ").unwrap();
    // Ctrl-C interrupts an endless evaluation and the session goes on.
    p.send_line("length [1 ..]").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    p.send_control('c').unwrap();
    p.exp_string("Interrupted.").expect("interrupted");
    p.exp_string("sloth> ").unwrap();
    p.send_line("x + sum xs").unwrap();
    p.exp_string("50")
        .expect("definitions survive the interrupt");
    p.exp_string("sloth> ").unwrap();
    // Ctrl-C at the prompt drops the line.
    p.send("this is not sent").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("sloth> ").unwrap();
    p.send_line("x").unwrap();
    p.exp_string("20").unwrap();
    p.exp_string("sloth> ").unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().expect("Ctrl-D ends the session");
    let _ = std::fs::remove_dir_all(&data);
}
