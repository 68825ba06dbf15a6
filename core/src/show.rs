//! How values print: GHC's derived `show` for the base types (spec §6).
//!
//! Owns the text of an `Int`, a `Double` (GHC's `show :: Double -> String`,
//! digit for digit), a `Char` literal and a `String` literal with GHC's
//! escapes, including the `\&` separator. These are pure functions on Rust
//! values, shared by everything that prints Sloth values: the reference
//! evaluator in `sloth-stg`, the runtime's value printer and the
//! `showDouble#` primop. Printing a `String` streams (the characters of a
//! lazily produced string appear as they are evaluated, so that partial
//! output survives a later error), and whether `\&` is needed depends on the
//! next character, so strings are escaped one character at a time by a
//! [`StringEscaper`].
//!
//! It deliberately knows nothing of the heap or of types: walking a value
//! and choosing which of these to call is the printer's job.
//! Read next: `primop` (`showDouble#`), then the printer in
//! `sloth_stg::reference`.

use std::cmp::Ordering;
use std::fmt::Write;

/// The precedence of a constructor's argument in derived `showsPrec`: a
/// negative number there is parenthesised (`Just (-3)`).
pub const ARG_PREC: u8 = 11;

/// `showsPrec prec n` for `Int`: negative numbers are parenthesised above
/// precedence 6, as GHC does.
pub fn show_int_prec(n: i64, prec: u8) -> String {
    if n < 0 && prec > 6 {
        format!("({n})")
    } else {
        n.to_string()
    }
}

/// `showsPrec prec x` for `Double`: like [`show_int_prec`], where negative
/// includes `-0.0` and `-Infinity` but not `NaN` (GHC's `showSignedFloat`).
pub fn show_double_prec(x: f64, prec: u8) -> String {
    let s = show_double(x);
    if prec > 6 && (x < 0.0 || (x == 0.0 && x.is_sign_negative())) {
        format!("({s})")
    } else {
        s
    }
}

/// An unboxed `Int#` as GHC's derived `Show` prints a constructor's
/// unboxed field: `3#`, and `-3#` without parentheses at any precedence.
pub fn show_int_hash(n: i64) -> String {
    format!("{n}#")
}

/// An unboxed `Double#` field: `2.5##`, `-2.5##`.
pub fn show_double_hash(x: f64) -> String {
    format!("{}##", show_double(x))
}

/// An unboxed `Char#` field: `'a'#`.
pub fn show_char_hash(c: char) -> String {
    format!("{}#", show_char_literal(c))
}

/// GHC's `show :: Double -> String`: the shortest digits that identify the
/// number (GHC's `floatToDigits`), in fixed notation when
/// `0.1 <= |x| < 10^7` and as `d.ddde<exp>` otherwise: `0.1`, `1.0e-2`,
/// `1.2345678e7`, `5.0e-324`, `Infinity`, `NaN`, `-0.0`.
///
/// Rust's own shortest formatting is not used: it accepts a digit string
/// lying exactly on the boundary between two doubles when the mantissa is
/// even (`1e23`), and GHC's algorithm never does (`9.999999999999999e22`).
pub fn show_double(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x < 0.0 || (x == 0.0 && x.is_sign_negative()) {
        return format!("-{}", show_double(-x));
    }
    if x.is_infinite() {
        return "Infinity".to_string();
    }
    let (digits, e) = float_to_digits(x);
    let ds: String = digits.iter().map(|&d| char::from(b'0' + d)).collect();
    // `digits` and `e` say x = 0.d1d2... * 10^e; GHC's `FFGeneric` uses
    // fixed notation exactly when 0 <= e <= 7.
    if (0..=7).contains(&e) {
        let e = e as usize;
        if e == 0 {
            format!("0.{ds}")
        } else if ds.len() <= e {
            format!("{ds}{}.0", "0".repeat(e - ds.len()))
        } else {
            format!("{}.{}", &ds[..e], &ds[e..])
        }
    } else {
        let (first, rest) = ds.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{first}.{rest}e{}", e - 1)
    }
}

/// GHC's `floatToDigits 10` (Burger and Dybvig's free-format algorithm, with
/// exact integer arithmetic) for a finite `x >= 0`: digits `d1 d2 ... dn`
/// and `e` with `x ≈ 0.d1d2...dn * 10^e`, the shortest digit string
/// strictly inside the interval of reals that round to `x`. Zero is `([0], 0)`.
fn float_to_digits(x: f64) -> (Vec<u8>, i32) {
    if x == 0.0 {
        return (vec![0], 0);
    }
    const MIN_EXP: i32 = -1074; // the exponent of the smallest subnormal
    const HIDDEN: u64 = 1 << 52; // `expt b (p-1)`
    let bits = x.to_bits();
    let raw_exp = ((bits >> 52) & 0x7ff) as i32;
    let raw_man = bits & (HIDDEN - 1);
    // x = f * 2^e, with subnormals at the minimum exponent (as GHC adjusts).
    let (f, e) = if raw_exp == 0 {
        (raw_man, MIN_EXP)
    } else {
        (raw_man | HIDDEN, raw_exp - 1075)
    };
    let f = Nat::from_u64(f);
    // r / s = x; (r - mDn) / s and (r + mUp) / s are the rounding interval's
    // ends (scaled by 2 so that they are integers). The gap below a power of
    // two is half the gap above.
    let (r, s, m_up, m_dn) = if e >= 0 {
        let be = Nat::from_u64(1).shl(e as u32);
        if f == Nat::from_u64(HIDDEN) {
            (f.mul(&be).shl(2), Nat::from_u64(4), be.shl(1), be)
        } else {
            (f.mul(&be).shl(1), Nat::from_u64(2), be.clone(), be)
        }
    } else if e > MIN_EXP && f == Nat::from_u64(HIDDEN) {
        (
            f.shl(2),
            Nat::from_u64(1).shl((-e + 1) as u32 + 1),
            Nat::from_u64(2),
            Nat::from_u64(1),
        )
    } else {
        (
            f.shl(1),
            Nat::from_u64(1).shl((-e) as u32 + 1),
            Nat::from_u64(1),
            Nat::from_u64(1),
        )
    };
    // k: the least n with (r + mUp) / s <= 10^n. The floating-point
    // estimate is at most one too large, so start below it and count up.
    let high = r.add(&m_up);
    let mut k = x.log10().floor() as i32 - 1;
    loop {
        let fits = if k >= 0 {
            high.cmp(&s.mul(&Nat::pow10(k as u32))) != Ordering::Greater
        } else {
            high.mul(&Nat::pow10((-k) as u32)).cmp(&s) != Ordering::Greater
        };
        if fits {
            break;
        }
        k += 1;
    }
    let (mut rn, sn, mut up, mut dn) = if k >= 0 {
        (r, s.mul(&Nat::pow10(k as u32)), m_up, m_dn)
    } else {
        let bk = Nat::pow10((-k) as u32);
        (r.mul(&bk), s, m_up.mul(&bk), m_dn.mul(&bk))
    };
    let mut digits = Vec::new();
    loop {
        // One digit: (rn * 10) `quotRem` sn; the quotient is below 10.
        let mut rem = rn.mul_small(10);
        let mut digit = 0u8;
        while rem.cmp(&sn) != Ordering::Less {
            rem = rem.sub(&sn);
            digit += 1;
        }
        up = up.mul_small(10);
        dn = dn.mul_small(10);
        let low_ok = rem.cmp(&dn) == Ordering::Less;
        let high_ok = rem.add(&up).cmp(&sn) == Ordering::Greater;
        match (low_ok, high_ok) {
            (false, false) => {
                digits.push(digit);
                rn = rem;
            }
            (true, false) => {
                digits.push(digit);
                break;
            }
            (false, true) => {
                digits.push(digit + 1);
                break;
            }
            (true, true) => {
                let closer_below = rem.shl(1).cmp(&sn) == Ordering::Less;
                digits.push(if closer_below { digit } else { digit + 1 });
                break;
            }
        }
    }
    (digits, k)
}

/// A natural number in little-endian base-2^32 limbs without trailing zero
/// limbs: just the arithmetic `float_to_digits` needs.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Nat(Vec<u32>);

impl Nat {
    fn from_u64(n: u64) -> Nat {
        Nat(vec![n as u32, (n >> 32) as u32]).normalised()
    }

    fn normalised(mut self) -> Nat {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
        self
    }

    fn pow10(k: u32) -> Nat {
        (0..k).fold(Nat::from_u64(1), |n, _| n.mul_small(10))
    }

    fn mul_small(&self, m: u32) -> Nat {
        let mut carry = 0u64;
        let mut out = Vec::with_capacity(self.0.len() + 1);
        for &limb in &self.0 {
            let v = limb as u64 * m as u64 + carry;
            out.push(v as u32);
            carry = v >> 32;
        }
        out.push(carry as u32);
        Nat(out).normalised()
    }

    fn mul(&self, o: &Nat) -> Nat {
        let mut out = vec![0u32; self.0.len() + o.0.len() + 1];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in o.0.iter().enumerate() {
                let v = out[i + j] as u64 + a as u64 * b as u64 + carry;
                out[i + j] = v as u32;
                carry = v >> 32;
            }
            let mut at = i + o.0.len();
            while carry != 0 {
                let v = out[at] as u64 + carry;
                out[at] = v as u32;
                carry = v >> 32;
                at += 1;
            }
        }
        Nat(out).normalised()
    }

    /// `self * 2^bits`.
    fn shl(&self, bits: u32) -> Nat {
        let (limbs, bits) = ((bits / 32) as usize, bits % 32);
        let mut out = vec![0u32; limbs];
        let mut carry = 0u32;
        for &limb in &self.0 {
            if bits == 0 {
                out.push(limb);
            } else {
                out.push((limb << bits) | carry);
                carry = limb >> (32 - bits);
            }
        }
        out.push(carry);
        Nat(out).normalised()
    }

    fn add(&self, o: &Nat) -> Nat {
        let n = self.0.len().max(o.0.len());
        let mut out = Vec::with_capacity(n + 1);
        let mut carry = 0u64;
        for i in 0..n {
            let v = *self.0.get(i).unwrap_or(&0) as u64 + *o.0.get(i).unwrap_or(&0) as u64 + carry;
            out.push(v as u32);
            carry = v >> 32;
        }
        out.push(carry as u32);
        Nat(out).normalised()
    }

    /// `self - o`, for `self >= o`.
    fn sub(&self, o: &Nat) -> Nat {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for (i, &limb) in self.0.iter().enumerate() {
            let mut v = limb as i64 - *o.0.get(i).unwrap_or(&0) as i64 - borrow;
            borrow = 0;
            if v < 0 {
                v += 1 << 32;
                borrow = 1;
            }
            out.push(v as u32);
        }
        debug_assert_eq!(borrow, 0, "Nat::sub underflow");
        Nat(out).normalised()
    }

    fn cmp(&self, o: &Nat) -> Ordering {
        self.0
            .len()
            .cmp(&o.0.len())
            .then_with(|| self.0.iter().rev().cmp(o.0.iter().rev()))
    }
}

/// The names GHC's `showLitChar` uses for control characters without a
/// single-letter escape (`asciiTab`).
const ASCII_NAMES: [&str; 32] = [
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
    "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC",
    "FS", "GS", "RS", "US",
];

/// What the character after an escape must not be, lest the two read back
/// as one escape (GHC's `protectEsc`): `\200` then `1`, `\SO` then `H`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Protect {
    Nothing,
    Digit,
    H,
}

/// GHC's `showLitChar`: one character as it appears inside a literal,
/// without the quotes (so `'` and `"` are left alone; callers escape them).
fn push_lit_char(c: char, out: &mut String) -> Protect {
    match c {
        '\u{80}'.. => {
            let _ = write!(out, "\\{}", c as u32);
            return Protect::Digit;
        }
        '\x7f' => out.push_str("\\DEL"),
        '\\' => out.push_str("\\\\"),
        ' '.. => out.push(c),
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        '\x0e' => {
            out.push_str("\\SO");
            return Protect::H;
        }
        _ => {
            out.push('\\');
            out.push_str(ASCII_NAMES[c as usize]);
        }
    }
    Protect::Nothing
}

/// GHC's `show :: Char -> String`: `'a'`, `'\n'`, `'\''`, `'"'`, `'\200'`.
pub fn show_char_literal(c: char) -> String {
    if c == '\'' {
        return "'\\''".to_string();
    }
    let mut out = String::from("'");
    push_lit_char(c, &mut out);
    out.push('\'');
    out
}

/// Escapes a string one character at a time, as GHC's `showLitString`
/// does, so that a printer can emit each character as soon as it is
/// evaluated. Whether an escape needs GHC's `\&` separator depends on the
/// next character; the escaper remembers that and writes the `\&` when the
/// next character turns out to need it (never at the end of the string).
///
/// ```
/// # use sloth_core::show::StringEscaper;
/// let mut out = String::new();
/// let mut esc = StringEscaper::begin(&mut out);
/// for c in "\u{c8}1".chars() {
///     esc.push(c, &mut out);
/// }
/// esc.end(&mut out);
/// assert_eq!(out, r#""\200\&1""#);
/// ```
#[derive(Debug)]
pub struct StringEscaper {
    protect: Protect,
}

impl StringEscaper {
    /// Writes the opening quote.
    pub fn begin(out: &mut String) -> StringEscaper {
        out.push('"');
        StringEscaper {
            protect: Protect::Nothing,
        }
    }

    /// Writes one character of the string, escaped.
    pub fn push(&mut self, c: char, out: &mut String) {
        let clash = match self.protect {
            Protect::Nothing => false,
            Protect::Digit => c.is_ascii_digit(),
            Protect::H => c == 'H',
        };
        if clash {
            out.push_str("\\&");
        }
        self.protect = if c == '"' {
            out.push_str("\\\"");
            Protect::Nothing
        } else {
            push_lit_char(c, out)
        };
    }

    /// Writes the closing quote.
    pub fn end(self, out: &mut String) {
        out.push('"');
    }
}

/// GHC's `show :: String -> String`: `"a\nb"`, `"it's"`, `"\200\&1"`.
pub fn show_string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let mut esc = StringEscaper::begin(&mut out);
    for c in s.chars() {
        esc.push(c, &mut out);
    }
    esc.end(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pairs of (value, what GHC 9.0.2's `show` prints).
    #[test]
    fn doubles_print_as_ghc_shows_them() {
        let cases: &[(f64, &str)] = &[
            (1.0e-2, "1.0e-2"),
            (0.1, "0.1"),
            (1.0e7, "1.0e7"),
            (1.2345678e7, "1.2345678e7"),
            (5.0e-324, "5.0e-324"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::NAN, "NaN"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1.0e23, "9.999999999999999e22"),
            (9007199254740993.0, "9.007199254740992e15"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0 / 3.0, "0.3333333333333333"),
            (2.0 / 3.0, "0.6666666666666666"),
            (100.0, "100.0"),
            (1.0e21, "1.0e21"),
            (1.0e22, "1.0e22"),
            (123456.789e3, "1.23456789e8"),
            (9999999.0, "9999999.0"),
            (9999999.5, "9999999.5"),
            (0.09999999999999999, "9.999999999999999e-2"),
            (f64::MAX, "1.7976931348623157e308"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"),
            (123.456, "123.456"),
            (5.0e-2, "5.0e-2"),
            (12345.678, "12345.678"),
            (-2.5, "-2.5"),
            (1234567.0, "1234567.0"),
            (2e-3, "2.0e-3"),
            (2.31152459410736e18, "2.3115245941073603e18"),
        ];
        for &(x, want) in cases {
            assert_eq!(show_double(x), want, "show_double({x:e})");
        }
    }

    #[test]
    fn double_digits_read_back_to_the_same_double() {
        // A xorshift walk over bit patterns: every finite double's digits
        // must parse back to it (GHC's digits lie strictly inside the
        // rounding interval). They are not always Rust's shortest: on a
        // boundary GHC takes one more digit (see `show_double`). The same
        // walk was checked against GHC 9.0.2's `show` (90,000 values).
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state);
            if !x.is_finite() {
                continue;
            }
            let s = show_double(x);
            let back: f64 = s.parse().unwrap_or_else(|_| panic!("{s} does not parse"));
            assert_eq!(back.to_bits(), x.to_bits(), "{s}");
        }
    }

    #[test]
    fn negative_numbers_are_parenthesised_in_argument_position() {
        assert_eq!(show_int_prec(-3, ARG_PREC), "(-3)");
        assert_eq!(show_int_prec(-3, 0), "-3");
        assert_eq!(show_int_prec(3, ARG_PREC), "3");
        assert_eq!(show_double_prec(-0.0, ARG_PREC), "(-0.0)");
        assert_eq!(show_double_prec(f64::NAN, ARG_PREC), "NaN");
        assert_eq!(show_double_prec(f64::NEG_INFINITY, ARG_PREC), "(-Infinity)");
        assert_eq!(show_double_prec(-1.5, 0), "-1.5");
    }

    #[test]
    fn unboxed_fields_print_as_ghc_derived_show_prints_them() {
        // GHC: `T -3# -2.5## '\n'#` for `T (negateInt# 3#) ...`.
        assert_eq!(show_int_hash(-3), "-3#");
        assert_eq!(show_double_hash(-2.5), "-2.5##");
        assert_eq!(show_char_hash('\n'), r"'\n'#");
    }

    #[test]
    fn chars_print_as_ghc_shows_them() {
        let cases = [
            ('\'', r"'\''"),
            ('"', "'\"'"),
            ('\x7f', r"'\DEL'"),
            ('\u{c8}', r"'\200'"),
            ('\x0e', r"'\SO'"),
            ('\0', r"'\NUL'"),
            (' ', "' '"),
            ('H', "'H'"),
            ('\n', r"'\n'"),
            ('\\', r"'\\'"),
            ('\x1b', r"'\ESC'"),
            ('\x07', r"'\a'"),
            ('\u{3bb}', r"'\955'"),
            ('\u{10ffff}', r"'\1114111'"),
        ];
        for (c, want) in cases {
            assert_eq!(show_char_literal(c), want, "{c:?}");
        }
    }

    #[test]
    fn strings_print_as_ghc_shows_them() {
        let cases = [
            (
                "\u{c8}1\x0eH\x7f\u{4d2}x'\"\\ \0\x07\x08\x0c\x0b\r\t\n\x1f\x01",
                r#""\200\&1\SO\&H\DEL\1234x'\"\\ \NUL\a\b\f\v\r\t\n\US\SOH""#,
            ),
            ("\x01\x0e\x01", r#""\SOH\SO\SOH""#),
            (
                "\u{80}9\u{4d2}5\x0eHa\x0e",
                r#""\128\&9\1234\&5\SO\&Ha\SO""#,
            ),
            ("", r#""""#),
            ("it's", r#""it's""#),
            ("\u{c8}", r#""\200""#),
        ];
        for (s, want) in cases {
            assert_eq!(show_string_literal(s), want, "{s:?}");
        }
    }
}
