//! The evaluation strategy: a parameter of the lowering and of the
//! reference evaluator, so that both read it from one place.
//!
//! Spec §6: `need` is the default; `name` is the same program without thunk
//! update; `value` evaluates every `let`-bound expression and every argument
//! before use. Under every strategy `if`, `case` alternatives, `&&`, `||`
//! and `seq` are control: see [`CONTROL_FUNCTIONS`].

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Strategy {
    /// Call-by-need: thunks are updated with their value (GHC's default).
    #[default]
    Need,
    /// Call-by-name: thunks are re-evaluated at every use (GHC's `AP_NOUPD`).
    Name,
    /// Call-by-value: `let` right sides and arguments are evaluated first;
    /// constructor fields are strict; lambdas stay values.
    Value,
}

impl Strategy {
    pub const ALL: [Strategy; 3] = [Strategy::Need, Strategy::Name, Strategy::Value];

    pub fn name(self) -> &'static str {
        match self {
            Strategy::Need => "need",
            Strategy::Name => "name",
            Strategy::Value => "value",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Strategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Strategy, String> {
        match s {
            "need" => Ok(Strategy::Need),
            "name" => Ok(Strategy::Name),
            "value" => Ok(Strategy::Value),
            _ => Err(format!(
                "unknown strategy `{s}` (expected need, name or value)"
            )),
        }
    }
}

/// Prelude functions that are control, not functions, under every strategy
/// (spec §6): a *saturated* call (two value arguments) does not evaluate its
/// second argument first, even by value. `&&` and `||` evaluate the first
/// and then maybe the second; `seq a b` evaluates `a` then `b`. An
/// unsaturated use (`foldr (&&) True`) is an ordinary function value.
pub const CONTROL_FUNCTIONS: [&str; 3] = ["&&", "||", "seq"];
