//! The closed set of overloaded names of spec §4, resolved as Standard ML does.
//!
//! Each [`Overload`] has one constrained type variable (in its `scheme`, the
//! variable named `n`) and, per base type it works at, the monomorphic
//! prelude function that implements it. `infer` gives an occurrence a fresh
//! constrained variable and, at the end of the enclosing top-level group,
//! replaces it by the monomorphic function for the type found (or `Int`
//! when nothing fixed it). The prelude defines the monomorphic functions
//! (`plusInt`, `eqChar`, ...); this module only names them.

/// The base types an overloaded name can be used at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    Int,
    Double,
    Char,
}

macro_rules! overloads {
    ($($variant:ident = $name:literal, $scheme:literal, [$($base:ident => $target:literal),*];)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Overload { $($variant,)* }

        impl Overload {
            pub const ALL: &'static [Overload] = &[$(Overload::$variant,)*];

            /// The source name (`+`, `maximum`).
            pub fn name(self) -> &'static str {
                match self { $(Overload::$variant => $name,)* }
            }
            /// The type, in source syntax; `n` is the constrained variable.
            pub fn scheme(self) -> &'static str {
                match self { $(Overload::$variant => $scheme,)* }
            }
            /// The prelude function implementing it at each base type.
            pub fn instances(self) -> &'static [(Base, &'static str)] {
                match self { $(Overload::$variant => &[$((Base::$base, $target)),*],)* }
            }
        }
    };
}

overloads! {
    Plus = "+", "n -> n -> n", [Int => "plusInt", Double => "plusDouble"];
    Minus = "-", "n -> n -> n", [Int => "minusInt", Double => "minusDouble"];
    Times = "*", "n -> n -> n", [Int => "timesInt", Double => "timesDouble"];
    Negate = "negate", "n -> n", [Int => "negateInt", Double => "negateDouble"];
    Abs = "abs", "n -> n", [Int => "absInt", Double => "absDouble"];
    Signum = "signum", "n -> n", [Int => "signumInt", Double => "signumDouble"];
    Sum = "sum", "[n] -> n", [Int => "sumInt", Double => "sumDouble"];
    Product = "product", "[n] -> n", [Int => "productInt", Double => "productDouble"];
    Eq = "==", "n -> n -> Bool", [Int => "eqInt", Double => "eqDouble", Char => "eqChar"];
    Ne = "/=", "n -> n -> Bool", [Int => "neInt", Double => "neDouble", Char => "neChar"];
    Lt = "<", "n -> n -> Bool", [Int => "ltInt", Double => "ltDouble", Char => "ltChar"];
    Le = "<=", "n -> n -> Bool", [Int => "leInt", Double => "leDouble", Char => "leChar"];
    Gt = ">", "n -> n -> Bool", [Int => "gtInt", Double => "gtDouble", Char => "gtChar"];
    Ge = ">=", "n -> n -> Bool", [Int => "geInt", Double => "geDouble", Char => "geChar"];
    Max = "max", "n -> n -> n", [Int => "maxInt", Double => "maxDouble", Char => "maxChar"];
    Min = "min", "n -> n -> n", [Int => "minInt", Double => "minDouble", Char => "minChar"];
    Compare = "compare", "n -> n -> Ordering", [Int => "compareInt", Double => "compareDouble", Char => "compareChar"];
    Maximum = "maximum", "[n] -> n", [Int => "maximumInt", Double => "maximumDouble", Char => "maximumChar"];
    Minimum = "minimum", "[n] -> n", [Int => "minimumInt", Double => "minimumDouble", Char => "minimumChar"];
    Elem = "elem", "n -> [n] -> Bool", [Int => "elemInt", Double => "elemDouble", Char => "elemChar"];
    NotElem = "notElem", "n -> [n] -> Bool", [Int => "notElemInt", Double => "notElemDouble", Char => "notElemChar"];
    Lookup = "lookup", "n -> [(n, b)] -> Maybe b", [Int => "lookupInt", Double => "lookupDouble", Char => "lookupChar"];
}

impl Overload {
    pub fn from_name(name: &str) -> Option<Overload> {
        Overload::ALL.iter().copied().find(|o| o.name() == name)
    }
    pub fn instance(self, b: Base) -> Option<&'static str> {
        self.instances()
            .iter()
            .find(|(x, _)| *x == b)
            .map(|(_, n)| *n)
    }
}
