//! Parser: laid-out tokens to the surface AST of spec §3–4.
//!
//! Recursive descent, with Haskell's fixity resolution (Haskell 2010 report,
//! §10.6) for operator chains and sections. Every node gets a span. A syntax
//! error abandons the current top-level declaration only: the parser skips
//! to the next token in column 1 and goes on, so independent errors in
//! different declarations are all reported.
//!
//! Nesting is bounded (see Note [Nesting limits]) so that no later pass can
//! overflow the stack on hostile input. The parser knows the grammar and the
//! operator table, not what names mean (that is `rename`). Read next:
//! `rename`.

use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::token::{Symbol, Tok, Token};
use crate::types::MAX_TUPLE;
use std::rc::Rc;

// Note [Nesting limits]
// ~~~~~~~~~~~~~~~~~~~~~
// Every pass after the parser (renamer, inferencer, lint, the pretty-printer,
// the STG and bytecode compilers) walks the tree recursively. Recursion is
// the clearest way to write those passes, so instead of making each of them
// iterative we bound the depth of what the parser accepts and run the
// compiler on a thread with a large stack (`session::with_compiler_stack`).
//
// Two bounds:
//  * MAX_NESTING bounds the parser's own recursion: brackets, lambdas,
//    `let`s and `case`s inside each other. 20,000 nested parentheses are
//    refused with "expression nested too deeply".
//  * MAX_DEPTH bounds the depth of the tree as the later passes see it,
//    where an operator chain `1 + 2 + ... + n` is n levels deep and a list
//    literal of n elements becomes n nested `(:)` applications. It is
//    checked once per top-level declaration by an iterative walk
//    (`tree_depth`). A 50,000-term sum and a 100,000-element list literal
//    are well inside it.

/// How deeply brackets and block constructs may nest.
pub const MAX_NESTING: usize = 2_000;
/// How deep a declaration's tree may be, counting list elements and
/// operator chains (see Note [Nesting limits]).
pub const MAX_DEPTH: usize = 400_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assoc {
    Left,
    Right,
    None,
}

/// The fixity of an operator: spec §4's table, the primops at the
/// precedence of their boxed counterparts, and Haskell's default (left, 9)
/// for anything else, backquoted names included... except that spec §4 puts
/// backquoted names at left 7.
pub fn fixity(name: &str, backquoted: bool) -> (u8, Assoc) {
    if backquoted {
        return (7, Assoc::Left);
    }
    match name {
        "$" => (0, Assoc::Right),
        "||" => (2, Assoc::Right),
        "&&" => (3, Assoc::Right),
        "==" | "/=" | "<" | "<=" | ">" | ">=" => (4, Assoc::None),
        "==#" | "/=#" | "<#" | "<=#" | ">#" | ">=#" => (4, Assoc::None),
        "==##" | "/=##" | "<##" | "<=##" | ">##" | ">=##" => (4, Assoc::None),
        ":" | "++" => (5, Assoc::Right),
        "+" | "-" | "+#" | "-#" | "+##" | "-##" => (6, Assoc::Left),
        "*" | "/" | "*#" | "*##" | "/##" => (7, Assoc::Left),
        "^" | "**" | "**##" => (8, Assoc::Right),
        "." => (9, Assoc::Right),
        "!!" => (9, Assoc::Left),
        _ => (9, Assoc::Left),
    }
}

/// Parses laid-out tokens. Returns the declarations that parsed and the
/// diagnostics of those that did not.
pub fn parse_module(tokens: &[Token]) -> (Module, Vec<Diagnostic>) {
    let mut p = Parser::new(tokens);
    let mut decls = Vec::new();
    loop {
        while p.eat(&Tok::VSemi) || p.eat(&Tok::Semi) {}
        if p.at(&Tok::Eof) {
            break;
        }
        let start = p.pos;
        match p.top_decl() {
            Ok(d) => {
                if p.at(&Tok::VSemi) || p.at(&Tok::Semi) || p.at(&Tok::Eof) {
                    if let Err(e) = check_decl_depth(&d) {
                        p.diags.push(e);
                    } else {
                        decls.push(d);
                    }
                } else {
                    let e = p.unexpected("the end of the declaration");
                    p.diags.push(e);
                    p.recover();
                }
            }
            Err(e) => {
                p.diags.push(e);
                p.recover();
            }
        }
        if p.pos == start {
            // Never loop without progress.
            p.pos += 1;
        }
    }
    (Module { decls }, p.diags)
}

/// Parses one expression (a REPL line, a test). The tokens must be laid out.
pub fn parse_expr(tokens: &[Token]) -> Result<Expr, Diagnostic> {
    let mut p = Parser::new(tokens);
    while p.eat(&Tok::VSemi) {}
    let e = p.expr()?;
    while p.eat(&Tok::VSemi) || p.eat(&Tok::Semi) {}
    if !p.at(&Tok::Eof) {
        return Err(p.unexpected("the end of the expression"));
    }
    check_expr_depth(&e)?;
    Ok(e)
}

type PResult<T> = Result<T, Diagnostic>;

struct Parser<'t> {
    toks: &'t [Token],
    pos: usize,
    diags: Vec<Diagnostic>,
    nesting: usize,
}

/// One element of an operator chain before fixity resolution.
enum Piece {
    Operand(Expr),
    Operator(Op),
    /// Prefix minus (its span).
    Minus(Span),
}

impl<'t> Parser<'t> {
    fn new(toks: &'t [Token]) -> Parser<'t> {
        Parser {
            toks,
            pos: 0,
            diags: Vec::new(),
            nesting: 0,
        }
    }

    // ----- token helpers -----

    fn peek(&self) -> &Token {
        let i = self.pos.min(self.toks.len() - 1);
        &self.toks[i]
    }
    fn peek_at(&self, k: usize) -> &Tok {
        let i = (self.pos + k).min(self.toks.len() - 1);
        &self.toks[i].tok
    }
    fn tok(&self) -> &Tok {
        &self.peek().tok
    }
    fn span(&self) -> Span {
        self.peek().span
    }
    fn prev_span(&self) -> Span {
        if self.pos == 0 {
            self.span()
        } else {
            self.toks[(self.pos - 1).min(self.toks.len() - 1)].span
        }
    }
    fn at(&self, t: &Tok) -> bool {
        self.tok() == t
    }
    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }
    fn eat(&mut self, t: &Tok) -> bool {
        if self.at(t) {
            self.bump();
            true
        } else {
            false
        }
    }
    fn is_op(&self, s: &str) -> bool {
        matches!(self.tok(), Tok::Op(o) if o.as_ref() == s)
    }
    fn expect(&mut self, t: &Tok, what: &str) -> PResult<Span> {
        if self.at(t) {
            Ok(self.bump().span)
        } else {
            Err(self.unexpected(what))
        }
    }
    fn unexpected(&self, expected: &str) -> Diagnostic {
        let t = self.peek();
        let found = match &t.tok {
            Tok::VRBrace | Tok::VSemi => {
                if t.span.start as usize >= self.toks.last().map_or(0, |e| e.span.start as usize) {
                    "end of input".to_string()
                } else {
                    "the end of a layout block (check the indentation)".to_string()
                }
            }
            other => other.to_string(),
        };
        let span = match &t.tok {
            // A virtual token has an empty span; point at the real token.
            Tok::VRBrace | Tok::VSemi | Tok::VLBrace => {
                let next = self.toks[self.pos..]
                    .iter()
                    .find(|t| !matches!(t.tok, Tok::VRBrace | Tok::VSemi | Tok::VLBrace));
                next.map_or(t.span, |n| n.span)
            }
            _ => t.span,
        };
        Diagnostic::error(
            span,
            format!("syntax error: expected {expected}, found {found}"),
        )
        .with_label(format!("expected {expected}"))
    }

    /// Skips to the next top-level declaration (a token in column 1).
    fn recover(&mut self) {
        loop {
            let t = self.peek();
            if t.tok == Tok::Eof {
                return;
            }
            if t.tok == Tok::VSemi {
                // Top-level separators precede a column-1 token.
                if let Some(n) = self.toks.get(self.pos + 1) {
                    if n.line_start && n.col == 1 {
                        return;
                    }
                }
            }
            self.bump();
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(
                Diagnostic::error(self.span(), "expression nested too deeply")
                    .with_label("too deep")
                    .with_note(format!(
                        "brackets and blocks may nest at most {MAX_NESTING} deep"
                    )),
            );
        }
        Ok(())
    }
    fn leave(&mut self) {
        self.nesting -= 1;
    }

    fn ident(&mut self) -> Ident {
        let t = self.bump();
        let name = match t.tok {
            Tok::VarId(s) | Tok::ConId(s) | Tok::Op(s) => s,
            _ => Rc::from("?"),
        };
        Ident { name, span: t.span }
    }

    fn var_ident(&mut self, what: &str) -> PResult<Ident> {
        match self.tok() {
            Tok::VarId(_) => Ok(self.ident()),
            _ => Err(self.unexpected(what)),
        }
    }

    // ----- blocks -----

    /// `{ item ; item }` or a laid-out block. Empty items are skipped.
    fn block<T>(&mut self, mut item: impl FnMut(&mut Self) -> PResult<T>) -> PResult<Vec<T>> {
        let (close, explicit) = if self.eat(&Tok::LBrace) {
            (Tok::RBrace, true)
        } else if self.eat(&Tok::VLBrace) {
            (Tok::VRBrace, false)
        } else {
            return Err(self.unexpected("a block"));
        };
        let mut items = Vec::new();
        loop {
            while self.eat(&Tok::Semi) || (!explicit && self.eat(&Tok::VSemi)) {}
            if self.eat(&close) {
                return Ok(items);
            }
            // The layout pass cannot always tell where an implicit block
            // ends (Haskell's parse-error(t) rule); a token that cannot
            // continue the block closes it here.
            if !explicit && self.block_closer() {
                return Ok(items);
            }
            items.push(item(self)?);
            if self.eat(&close) {
                return Ok(items);
            }
            if !(self.at(&Tok::Semi) || (!explicit && self.at(&Tok::VSemi))) {
                if !explicit && self.block_closer() {
                    return Ok(items);
                }
                return Err(self.unexpected(if explicit {
                    "`;` or `}`"
                } else {
                    "a new line or the end of the block"
                }));
            }
        }
    }

    fn block_closer(&self) -> bool {
        matches!(
            self.tok(),
            Tok::RParen
                | Tok::RBracket
                | Tok::Comma
                | Tok::Then
                | Tok::Else
                | Tok::Of
                | Tok::In
                | Tok::RBrace
                | Tok::Eof
        )
    }

    // ----- declarations -----

    fn top_decl(&mut self) -> PResult<Decl> {
        let t = self.peek();
        if t.line_start && t.col != 1 {
            return Err(Diagnostic::error(
                t.span,
                "a top-level declaration must start in column 1",
            )
            .with_label("indented")
            .with_note(
                "continuation lines are indented; a new declaration starts at the left margin",
            ));
        }
        match self.tok() {
            Tok::Data => self.data_decl().map(Decl::Data),
            _ => match self.binding()? {
                LetItem::Sig(s) => Ok(Decl::Sig(s)),
                LetItem::Def(d) => Ok(Decl::Def(d)),
            },
        }
    }

    fn data_decl(&mut self) -> PResult<DataDecl> {
        let start = self.bump().span;
        let name = match self.tok() {
            Tok::ConId(_) => self.ident(),
            Tok::VarId(s) => {
                return Err(Diagnostic::error(
                    self.span(),
                    format!("a data type name must start with an upper-case letter: `{s}`"),
                ))
            }
            _ => return Err(self.unexpected("a type name")),
        };
        let mut params = Vec::new();
        while let Tok::VarId(_) = self.tok() {
            params.push(self.ident());
        }
        let mut cons = Vec::new();
        if self.eat(&Tok::Equals) {
            loop {
                cons.push(self.con_decl()?);
                if !self.eat(&Tok::Bar) {
                    break;
                }
            }
        }
        let span = start.to(self.prev_span());
        Ok(DataDecl {
            name,
            params,
            cons,
            span,
            id: None,
        })
    }

    fn con_decl(&mut self) -> PResult<ConDecl> {
        let name = match self.tok() {
            Tok::ConId(_) => self.ident(),
            Tok::VarId(s) => {
                return Err(Diagnostic::error(
                    self.span(),
                    format!("a constructor name must start with an upper-case letter: `{s}`"),
                )
                .with_label("not a constructor name"))
            }
            _ => return Err(self.unexpected("a constructor")),
        };
        let mut fields = Vec::new();
        while self.starts_atype() {
            fields.push(self.atype()?);
        }
        let span = name.span.to(self.prev_span());
        Ok(ConDecl { name, fields, span })
    }

    /// `name :: type` or `name binders = expr`; `name` may be `(op)`.
    fn binding(&mut self) -> PResult<LetItem> {
        let start = self.span();
        let name = if self.at(&Tok::LParen)
            && matches!(self.peek_at(1), Tok::Op(_))
            && self.peek_at(2) == &Tok::RParen
        {
            self.bump();
            let mut id = self.ident();
            let close = self.bump().span;
            id.span = start.to(close);
            id
        } else {
            self.var_ident("a definition (a name, then `=` or `::`)")?
        };
        if self.eat(&Tok::DColon) {
            let ty = self.ty()?;
            let span = start.to(self.prev_span());
            return Ok(LetItem::Sig(Sig { name, ty, span }));
        }
        let mut binders = Vec::new();
        while !self.at(&Tok::Equals) {
            if !self.starts_binder() {
                return Err(self.unexpected("`=`, `::` or a parameter"));
            }
            binders.push(self.binder()?);
        }
        self.bump();
        let body = self.expr()?;
        let span = start.to(self.prev_span());
        Ok(LetItem::Def(Def {
            name,
            binders,
            body,
            span,
            unique: 0,
        }))
    }

    fn starts_binder(&self) -> bool {
        match self.tok() {
            Tok::VarId(_) | Tok::Underscore | Tok::At => true,
            Tok::LParen => {
                matches!(self.peek_at(1), Tok::VarId(_)) && self.peek_at(2) == &Tok::DColon
            }
            _ => false,
        }
    }

    fn binder(&mut self) -> PResult<Binder> {
        match self.tok() {
            Tok::VarId(_) => Ok(Binder::Var(self.ident(), 0)),
            Tok::Underscore => Ok(Binder::Wild(self.bump().span)),
            Tok::At => {
                self.bump();
                Ok(Binder::Type(self.var_ident("a type variable after `@`")?))
            }
            Tok::LParen => {
                self.bump();
                let x = self.var_ident("a variable")?;
                self.expect(&Tok::DColon, "`::`")?;
                let t = self.ty()?;
                self.expect(&Tok::RParen, "`)`")?;
                Ok(Binder::Annot(x, 0, t))
            }
            _ => Err(self.unexpected("a parameter")),
        }
    }

    // ----- types -----

    fn ty(&mut self) -> PResult<Type> {
        self.enter()?;
        let r = self.ty_inner();
        self.leave();
        r
    }

    fn ty_inner(&mut self) -> PResult<Type> {
        let start = self.span();
        if self.eat(&Tok::Forall) {
            let mut vs = Vec::new();
            while let Tok::VarId(_) = self.tok() {
                vs.push(self.ident());
            }
            if vs.is_empty() {
                return Err(self.unexpected("a type variable after `forall`"));
            }
            if !self.is_op(".") {
                return Err(self.unexpected("`.` after the variables of `forall`"));
            }
            self.bump();
            let body = self.ty()?;
            let span = start.to(body.span);
            return Ok(Type {
                kind: TypeKind::Forall(vs, Box::new(body)),
                span,
            });
        }
        let b = self.btype()?;
        if self.eat(&Tok::Arrow) {
            let r = self.ty()?;
            let span = b.span.to(r.span);
            return Ok(Type {
                kind: TypeKind::Fun(Box::new(b), Box::new(r)),
                span,
            });
        }
        Ok(b)
    }

    fn btype(&mut self) -> PResult<Type> {
        let head = self.atype()?;
        let mut args = Vec::new();
        while self.starts_atype() {
            args.push(self.atype()?);
        }
        if args.is_empty() {
            return Ok(head);
        }
        let span = head.span.to(args.last().map_or(head.span, |a| a.span));
        Ok(Type {
            kind: TypeKind::App(Box::new(head), args),
            span,
        })
    }

    fn starts_atype(&self) -> bool {
        matches!(
            self.tok(),
            Tok::VarId(_) | Tok::ConId(_) | Tok::LParen | Tok::LBracket
        )
    }

    fn atype(&mut self) -> PResult<Type> {
        let start = self.span();
        match self.tok() {
            Tok::VarId(_) => {
                let id = self.ident();
                Ok(Type {
                    span: id.span,
                    kind: TypeKind::Var(id),
                })
            }
            Tok::ConId(_) => {
                let id = self.ident();
                Ok(Type {
                    span: id.span,
                    kind: TypeKind::Con(id),
                })
            }
            Tok::LBracket => {
                self.bump();
                self.enter()?;
                let t = self.ty();
                self.leave();
                let t = t?;
                let end = self.expect(&Tok::RBracket, "`]`")?;
                Ok(Type {
                    kind: TypeKind::List(Box::new(t)),
                    span: start.to(end),
                })
            }
            Tok::LParen => {
                self.bump();
                if self.at(&Tok::RParen) {
                    let end = self.bump().span;
                    return Ok(Type {
                        kind: TypeKind::Unit,
                        span: start.to(end),
                    });
                }
                // `(->)`-style type operators are not part of the language.
                let first = self.ty()?;
                let mut items = vec![first];
                while self.eat(&Tok::Comma) {
                    items.push(self.ty()?);
                }
                let end = self.expect(
                    &Tok::RParen,
                    if items.len() == 1 {
                        "`)`"
                    } else {
                        "`,` or `)`"
                    },
                )?;
                let span = start.to(end);
                if items.len() == 1 {
                    let mut t = items.pop().unwrap_or_else(|| unreachable_type(span));
                    t.span = span;
                    return Ok(t);
                }
                if items.len() > MAX_TUPLE {
                    return Err(Diagnostic::error(
                        span,
                        format!(
                            "a tuple type has at most {MAX_TUPLE} components, this one has {}",
                            items.len()
                        ),
                    )
                    .with_label("too many components"));
                }
                Ok(Type {
                    kind: TypeKind::Tuple(items),
                    span,
                })
            }
            _ => Err(self.unexpected("a type")),
        }
    }

    // ----- expressions -----

    pub(crate) fn expr(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = crate::session::deep(|| self.expr_inner());
        self.leave();
        r
    }

    fn expr_inner(&mut self) -> PResult<Expr> {
        let (e, trailing) = self.op_expr(false)?;
        debug_assert!(trailing.is_none());
        if self.eat(&Tok::DColon) {
            let t = self.ty()?;
            let span = e.span.to(t.span);
            return Ok(Expr {
                kind: ExprKind::Annot(Box::new(e), t),
                span,
            });
        }
        Ok(e)
    }

    /// An operator chain. With `allow_trailing`, a chain may end in an
    /// operator directly before `)`: the left section `(e op)`.
    fn op_expr(&mut self, allow_trailing: bool) -> PResult<(Expr, Option<Op>)> {
        let mut pieces = Vec::new();
        let mut trailing = None;
        loop {
            // Operand position: prefix minus, then an operand.
            if self.is_op("-") {
                let s = self.bump().span;
                pieces.push(Piece::Minus(s));
                continue;
            }
            let operand = self.lexp()?;
            let is_block = matches!(
                operand.kind,
                ExprKind::Lam(..) | ExprKind::Let(..) | ExprKind::If(..) | ExprKind::Case(..)
            );
            pieces.push(Piece::Operand(operand));
            if is_block {
                // A lambda, let, if or case extends as far right as possible.
                break;
            }
            match self.operator() {
                Some(op) => {
                    if allow_trailing && self.at(&Tok::RParen) {
                        trailing = Some(op);
                        break;
                    }
                    pieces.push(Piece::Operator(op));
                }
                None => break,
            }
        }
        let e = resolve_fixity(pieces)?;
        Ok((e, trailing))
    }

    /// An infix operator at the current position: a symbol or a backquoted
    /// name.
    fn operator(&mut self) -> Option<Op> {
        match self.tok().clone() {
            Tok::Op(name) => {
                let span = self.bump().span;
                Some(Op {
                    name,
                    span,
                    backquoted: false,
                    res: Res::Unresolved,
                })
            }
            Tok::Backquote => {
                if let (Tok::VarId(name) | Tok::ConId(name), Tok::Backquote) =
                    (self.peek_at(1).clone(), self.peek_at(2))
                {
                    let start = self.bump().span;
                    self.bump();
                    let end = self.bump().span;
                    Some(Op {
                        name,
                        span: start.to(end),
                        backquoted: true,
                        res: Res::Unresolved,
                    })
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn lexp(&mut self) -> PResult<Expr> {
        let start = self.span();
        match self.tok() {
            Tok::Backslash => {
                self.bump();
                let mut binders = Vec::new();
                while !self.at(&Tok::Arrow) {
                    if !self.starts_binder() {
                        return Err(self.unexpected("a parameter or `->`"));
                    }
                    binders.push(self.binder()?);
                }
                if binders.is_empty() {
                    return Err(self.unexpected("a parameter after `\\`"));
                }
                self.bump();
                let body = self.expr()?;
                let span = start.to(body.span);
                Ok(Expr {
                    kind: ExprKind::Lam(binders, Box::new(body)),
                    span,
                })
            }
            Tok::Let => {
                self.bump();
                let items = self.block(|p| p.binding())?;
                self.expect(&Tok::In, "`in` after the bindings of `let`")?;
                let body = self.expr()?;
                let span = start.to(body.span);
                Ok(Expr {
                    kind: ExprKind::Let(items, Box::new(body), Vec::new()),
                    span,
                })
            }
            Tok::If => {
                self.bump();
                let c = self.expr()?;
                self.eat(&Tok::VSemi);
                self.expect(&Tok::Then, "`then`")?;
                let t = self.expr()?;
                self.eat(&Tok::VSemi);
                self.expect(&Tok::Else, "`else` (every `if` has one)")?;
                let e = self.expr()?;
                let span = start.to(e.span);
                Ok(Expr {
                    kind: ExprKind::If(Box::new(c), Box::new(t), Box::new(e)),
                    span,
                })
            }
            Tok::Case => {
                self.bump();
                let scrut = self.expr()?;
                self.expect(&Tok::Of, "`of`")?;
                let alts = self.block(|p| p.alt())?;
                if alts.is_empty() {
                    return Err(Diagnostic::error(
                        start.to(self.prev_span()),
                        "a `case` needs at least one alternative",
                    )
                    .with_label("no alternatives"));
                }
                let span = start.to(self.prev_span());
                Ok(Expr {
                    kind: ExprKind::Case(Box::new(scrut), alts),
                    span,
                })
            }
            _ => self.fexp(),
        }
    }

    fn starts_aexp(&self) -> bool {
        matches!(
            self.tok(),
            Tok::VarId(_)
                | Tok::ConId(_)
                | Tok::Int(_)
                | Tok::Double(_)
                | Tok::Char(_)
                | Tok::String(_)
                | Tok::IntHash(_)
                | Tok::DoubleHash(_)
                | Tok::CharHash(_)
                | Tok::LParen
                | Tok::LBracket
        )
    }

    fn fexp(&mut self) -> PResult<Expr> {
        if !self.starts_aexp() {
            return Err(self.unexpected("an expression"));
        }
        let mut e = self.aexp()?;
        loop {
            if self.starts_aexp() {
                let a = self.aexp()?;
                let span = e.span.to(a.span);
                e = Expr {
                    kind: ExprKind::App(Box::new(e), Box::new(a)),
                    span,
                };
            } else if self.at(&Tok::At) {
                self.bump();
                if !self.starts_atype() {
                    return Err(self.unexpected("a type after `@`"));
                }
                let t = self.atype()?;
                let span = e.span.to(t.span);
                e = Expr {
                    kind: ExprKind::TyApp(Box::new(e), t),
                    span,
                };
            } else {
                return Ok(e);
            }
        }
    }

    fn literal(&mut self) -> Option<Lit> {
        let l = match self.tok() {
            Tok::Int(n) => Lit::Int(*n),
            Tok::Double(d) => Lit::Double(*d),
            Tok::Char(c) => Lit::Char(*c),
            Tok::String(s) => Lit::String(s.clone()),
            Tok::IntHash(n) => Lit::IntPrim(*n),
            Tok::DoubleHash(d) => Lit::DoublePrim(*d),
            Tok::CharHash(c) => Lit::CharPrim(*c),
            _ => return None,
        };
        self.bump();
        Some(l)
    }

    fn aexp(&mut self) -> PResult<Expr> {
        let start = self.span();
        if let Some(l) = self.literal() {
            return Ok(Expr {
                kind: ExprKind::Lit(l),
                span: start,
            });
        }
        match self.tok() {
            Tok::VarId(_) => {
                let id = self.ident();
                Ok(Expr {
                    span: id.span,
                    kind: ExprKind::Var(id, Res::Unresolved),
                })
            }
            Tok::ConId(_) => {
                let id = self.ident();
                Ok(Expr {
                    span: id.span,
                    kind: ExprKind::Con(id, Res::Unresolved),
                })
            }
            Tok::LParen => {
                self.bump();
                self.enter()?;
                let r = self.paren_expr(start);
                self.leave();
                r
            }
            Tok::LBracket => {
                self.bump();
                self.enter()?;
                let r = self.bracket_expr(start);
                self.leave();
                r
            }
            _ => Err(self.unexpected("an expression")),
        }
    }

    /// After `(`: unit, `(op)`, `(,)`, sections, parentheses, tuples.
    fn paren_expr(&mut self, start: Span) -> PResult<Expr> {
        if self.at(&Tok::RParen) {
            let end = self.bump().span;
            return Ok(Expr {
                kind: ExprKind::Unit,
                span: start.to(end),
            });
        }
        // `(,)`, `(,,)`: tuple constructors.
        if self.at(&Tok::Comma) {
            let mut n = 1;
            while self.eat(&Tok::Comma) {
                n += 1;
            }
            let end = self.expect(&Tok::RParen, "`,` or `)` of a tuple constructor")?;
            let span = start.to(end);
            if n > MAX_TUPLE {
                return Err(Diagnostic::error(
                    span,
                    format!("tuples have at most {MAX_TUPLE} components"),
                ));
            }
            let name: Symbol = Rc::from(format!("({})", ",".repeat(n - 1)).as_str());
            return Ok(Expr {
                kind: ExprKind::Con(Ident { name, span }, Res::Unresolved),
                span,
            });
        }
        // `(op)` or a right section `(op e)`; `(- e)` is negation.
        let is_minus = self.is_op("-");
        let starts_op = matches!(self.tok(), Tok::Op(_))
            || (self.at(&Tok::Backquote)
                && matches!(self.peek_at(1), Tok::VarId(_) | Tok::ConId(_)));
        if starts_op && !(is_minus && self.peek_at(1) != &Tok::RParen) {
            let op = self
                .operator()
                .ok_or_else(|| self.unexpected("an operator"))?;
            if self.at(&Tok::RParen) {
                let end = self.bump().span;
                return Ok(Expr {
                    kind: ExprKind::OpVar(op),
                    span: start.to(end),
                });
            }
            let (e, trailing) = self.op_expr(false)?;
            debug_assert!(trailing.is_none());
            let end = self.expect(&Tok::RParen, "`)` closing the section")?;
            check_section(&op, &e, false)?;
            return Ok(Expr {
                kind: ExprKind::SectionR(op, Box::new(e)),
                span: start.to(end),
            });
        }
        let (e, trailing) = self.op_expr(true)?;
        if let Some(op) = trailing {
            let end = self.bump().span;
            check_section(&op, &e, true)?;
            return Ok(Expr {
                kind: ExprKind::SectionL(Box::new(e), op),
                span: start.to(end),
            });
        }
        let e = if self.eat(&Tok::DColon) {
            let t = self.ty()?;
            let span = e.span.to(t.span);
            Expr {
                kind: ExprKind::Annot(Box::new(e), t),
                span,
            }
        } else {
            e
        };
        if self.at(&Tok::Comma) {
            let mut items = vec![e];
            while self.eat(&Tok::Comma) {
                items.push(self.expr()?);
            }
            let end = self.expect(&Tok::RParen, "`,` or `)` in a tuple")?;
            let span = start.to(end);
            if items.len() > MAX_TUPLE {
                return Err(Diagnostic::error(
                    span,
                    format!(
                        "a tuple has at most {MAX_TUPLE} components, this one has {}",
                        items.len()
                    ),
                )
                .with_label("too many components"));
            }
            return Ok(Expr {
                kind: ExprKind::Tuple(items),
                span,
            });
        }
        let end = self.expect(&Tok::RParen, "`)`")?;
        Ok(Expr {
            kind: ExprKind::Paren(Box::new(e)),
            span: start.to(end),
        })
    }

    /// After `[`: lists and ranges.
    fn bracket_expr(&mut self, start: Span) -> PResult<Expr> {
        if self.at(&Tok::RBracket) {
            let end = self.bump().span;
            return Ok(Expr {
                kind: ExprKind::List(Vec::new()),
                span: start.to(end),
            });
        }
        let first = self.expr()?;
        if self.eat(&Tok::DotDot) {
            let to = if self.at(&Tok::RBracket) {
                None
            } else {
                Some(Box::new(self.expr()?))
            };
            let end = self.expect(&Tok::RBracket, "`]` closing the range")?;
            return Ok(Expr {
                kind: ExprKind::Range(Box::new(first), None, to),
                span: start.to(end),
            });
        }
        let mut items = vec![first];
        if self.eat(&Tok::Comma) {
            let second = self.expr()?;
            if self.eat(&Tok::DotDot) {
                let to = if self.at(&Tok::RBracket) {
                    None
                } else {
                    Some(Box::new(self.expr()?))
                };
                let end = self.expect(&Tok::RBracket, "`]` closing the range")?;
                let first = items.pop().unwrap_or_else(|| unreachable_expr(start));
                return Ok(Expr {
                    kind: ExprKind::Range(Box::new(first), Some(Box::new(second)), to),
                    span: start.to(end),
                });
            }
            items.push(second);
            while self.eat(&Tok::Comma) {
                items.push(self.expr()?);
            }
        }
        let end = self.expect(&Tok::RBracket, "`,` or `]` in a list")?;
        Ok(Expr {
            kind: ExprKind::List(items),
            span: start.to(end),
        })
    }

    // ----- case alternatives -----

    fn pvar(&mut self) -> PResult<PVar> {
        match self.tok() {
            Tok::VarId(_) => Ok(PVar::Var(self.ident(), 0)),
            Tok::Underscore => Ok(PVar::Wild(self.bump().span)),
            Tok::LParen | Tok::ConId(_) | Tok::LBracket => Err(self.nested_pattern()),
            _ if self.literal_ahead() => Err(self.nested_pattern()),
            _ => Err(self.unexpected("a variable or `_`")),
        }
    }

    fn literal_ahead(&self) -> bool {
        matches!(
            self.tok(),
            Tok::Int(_)
                | Tok::Double(_)
                | Tok::Char(_)
                | Tok::String(_)
                | Tok::IntHash(_)
                | Tok::DoubleHash(_)
                | Tok::CharHash(_)
        )
    }

    fn nested_pattern(&self) -> Diagnostic {
        Diagnostic::error(self.span(), "nested patterns are not supported")
            .with_label("a constructor pattern's fields must be variables or `_`")
            .with_note("patterns are flat, as in GHC Core: match the outer constructor, then `case` on the field")
    }

    fn alt(&mut self) -> PResult<Alt> {
        let start = self.span();
        let pat = self.pattern()?;
        self.expect(&Tok::Arrow, "`->` after the pattern")?;
        let body = self.expr()?;
        let span = start.to(body.span);
        Ok(Alt { pat, body, span })
    }

    fn pattern(&mut self) -> PResult<Pat> {
        let start = self.span();
        // Negative literal patterns: `-1 ->`.
        if self.is_op("-") {
            self.bump();
            let lspan = self.span();
            return match self.literal() {
                Some(Lit::Int(n)) => Ok(Pat::Lit(Lit::Int(n.wrapping_neg()), start.to(lspan))),
                Some(Lit::Double(d)) => Ok(Pat::Lit(Lit::Double(-d), start.to(lspan))),
                Some(Lit::IntPrim(n)) => {
                    Ok(Pat::Lit(Lit::IntPrim(n.wrapping_neg()), start.to(lspan)))
                }
                Some(Lit::DoublePrim(d)) => Ok(Pat::Lit(Lit::DoublePrim(-d), start.to(lspan))),
                _ => Err(Diagnostic::error(
                    start,
                    "expected a number after `-` in a pattern",
                )),
            };
        }
        if let Some(l) = self.literal() {
            return Ok(Pat::Lit(l, start));
        }
        match self.tok() {
            Tok::ConId(_) => {
                let c = self.ident();
                let mut vars = Vec::new();
                while !self.at(&Tok::Arrow) {
                    if self.is_op(":") {
                        return Err(Diagnostic::error(
                            self.span(),
                            "nested patterns are not supported",
                        )
                        .with_label("the head of `x : xs` must be a variable or `_`"));
                    }
                    vars.push(self.pvar()?);
                }
                Ok(Pat::Con(c, Res::Unresolved, vars))
            }
            Tok::LBracket => {
                self.bump();
                if !self.at(&Tok::RBracket) {
                    return Err(Diagnostic::error(
                        self.span(),
                        "list patterns other than `[]` are not supported",
                    )
                    .with_label("write `x : xs` and match the tail with another `case`"));
                }
                let end = self.bump().span;
                Ok(Pat::Nil(start.to(end)))
            }
            Tok::LParen => {
                self.bump();
                if self.at(&Tok::RParen) {
                    let end = self.bump().span;
                    let span = start.to(end);
                    return Ok(Pat::Con(
                        Ident {
                            name: Rc::from("()"),
                            span,
                        },
                        Res::Unresolved,
                        Vec::new(),
                    ));
                }
                let first = self.pvar()?;
                if !self.at(&Tok::Comma) {
                    if self.is_op(":") {
                        return Err(Diagnostic::error(
                            self.span(),
                            "parenthesised patterns are not supported",
                        )
                        .with_label("write `x : xs ->` without parentheses"));
                    }
                    return Err(self.unexpected("`,` in a tuple pattern"));
                }
                let mut vars = vec![first];
                while self.eat(&Tok::Comma) {
                    vars.push(self.pvar()?);
                }
                let end = self.expect(&Tok::RParen, "`,` or `)` in a tuple pattern")?;
                let span = start.to(end);
                if vars.len() > MAX_TUPLE {
                    return Err(Diagnostic::error(
                        span,
                        format!("a tuple pattern has at most {MAX_TUPLE} components"),
                    ));
                }
                Ok(Pat::Tuple(vars, span))
            }
            Tok::VarId(_) | Tok::Underscore => {
                let v = self.pvar()?;
                if self.is_op(":") {
                    self.bump();
                    let tail = self.pvar()?;
                    return Ok(Pat::Cons(v, tail));
                }
                Ok(match v {
                    PVar::Var(x, u) => Pat::Var(x, u),
                    PVar::Wild(s) => Pat::Wild(s),
                })
            }
            _ => Err(self.unexpected("a pattern")),
        }
    }
}

fn unreachable_type(span: Span) -> Type {
    Type {
        kind: TypeKind::Unit,
        span,
    }
}
fn unreachable_expr(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Unit,
        span,
    }
}

// ----- fixity resolution (Haskell 2010 report §10.6) -----

fn op_fixity(op: &Op) -> (u8, Assoc) {
    fixity(&op.name, op.backquoted)
}

/// Resolves a flat chain of operands, operators and prefix minuses.
fn resolve_fixity(pieces: Vec<Piece>) -> PResult<Expr> {
    let mut it = pieces.into_iter().peekable();
    let e = parse_neg(None, &mut it)?;
    debug_assert!(it.peek().is_none());
    Ok(e)
}

type Pieces = std::iter::Peekable<std::vec::IntoIter<Piece>>;

/// `op1` is the operator to the left (`None` at the start of the chain).
fn parse_neg(op1: Option<(u8, Assoc, Span)>, it: &mut Pieces) -> PResult<Expr> {
    crate::session::deep(|| parse_neg_inner(op1, it))
}

fn parse_neg_inner(op1: Option<(u8, Assoc, Span)>, it: &mut Pieces) -> PResult<Expr> {
    match it.next() {
        Some(Piece::Operand(e)) => parse1(op1, e, it),
        Some(Piece::Minus(span)) => {
            if let Some((p1, _, s1)) = op1 {
                if p1 >= 6 {
                    return Err(Diagnostic::error(
                        span,
                        "prefix `-` cannot follow this operator without parentheses",
                    )
                    .with_label("write `(-x)`")
                    .with_secondary(s1, "this operator binds at least as tightly as negation"));
                }
            }
            let r = parse_neg(Some((6, Assoc::Left, span)), it)?;
            let rspan = r.span;
            let neg = Expr {
                kind: ExprKind::Neg(Box::new(r)),
                span: span.to(rspan),
            };
            parse1(op1, neg, it)
        }
        _ => Err(Diagnostic::error(
            Span::default(),
            "internal error: empty operator chain",
        )),
    }
}

fn parse1(op1: Option<(u8, Assoc, Span)>, mut e1: Expr, it: &mut Pieces) -> PResult<Expr> {
    loop {
        let (p2, a2, s2) = match it.peek() {
            Some(Piece::Operator(op)) => {
                let (p, a) = op_fixity(op);
                (p, a, op.span)
            }
            None => return Ok(e1),
            Some(_) => {
                return Err(Diagnostic::error(
                    e1.span,
                    "internal error: malformed operator chain",
                ))
            }
        };
        if let Some((p1, a1, s1)) = op1 {
            if p1 == p2 && (a1 != a2 || a1 == Assoc::None) {
                return Err(Diagnostic::error(
                    s2,
                    "operators of the same precedence cannot be mixed without parentheses",
                )
                .with_label("this operator")
                .with_secondary(
                    s1,
                    "and this one have the same precedence but do not associate",
                )
                .with_note("add parentheses to say which comes first"));
            }
            if p1 > p2 || (p1 == p2 && a1 == Assoc::Left) {
                return Ok(e1);
            }
        }
        let Some(Piece::Operator(op)) = it.next() else {
            return Ok(e1);
        };
        let r = parse_neg(Some((p2, a2, s2)), it)?;
        let span = e1.span.to(r.span);
        e1 = Expr {
            kind: ExprKind::BinOp(op, Box::new(e1), Box::new(r)),
            span,
        };
    }
}

/// The operator at the top of an expression (for section checks).
fn top_operator(e: &Expr) -> Option<(u8, Assoc)> {
    match &e.kind {
        ExprKind::BinOp(op, _, _) => Some(op_fixity(op)),
        ExprKind::Neg(_) => Some((6, Assoc::Left)),
        _ => None,
    }
}

/// `(e op)` is legal when `e op x` would parse as `(e) op x`; `(op e)` when
/// `x op e` would parse as `x op (e)` (Haskell 2010 §3.5).
fn check_section(op: &Op, e: &Expr, left: bool) -> PResult<()> {
    let (p, a) = op_fixity(op);
    if let Some((pe, ae)) = top_operator(e) {
        let ok =
            pe > p || (pe == p && ae == a && a == if left { Assoc::Left } else { Assoc::Right });
        if !ok {
            return Err(Diagnostic::error(
                e.span,
                format!(
                    "this expression must be parenthesised in a section of `{}`",
                    op.name
                ),
            )
            .with_label("its operator does not bind more tightly than the section's")
            .with_secondary(op.span, "the section's operator"));
        }
    }
    Ok(())
}

// ----- depth check (Note [Nesting limits]) -----

fn check_decl_depth(d: &Decl) -> PResult<()> {
    match d {
        Decl::Def(def) => check_expr_depth(&def.body),
        _ => Ok(()),
    }
}

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(span, "expression nested too deeply")
        .with_label("this expression")
        .with_note(format!("an expression may be at most {MAX_DEPTH} levels deep, counting operator chains and list elements"))
}

/// The depth of the tree the later passes will walk, computed without
/// recursion.
pub fn check_expr_depth(root: &Expr) -> PResult<()> {
    let mut stack: Vec<(&Expr, usize)> = vec![(root, 1)];
    while let Some((e, d)) = stack.pop() {
        if d > MAX_DEPTH {
            return Err(too_deep(root.span));
        }
        match &e.kind {
            ExprKind::Var(..)
            | ExprKind::Con(..)
            | ExprKind::Lit(_)
            | ExprKind::OpVar(_)
            | ExprKind::Unit => {}
            ExprKind::App(f, a) => {
                stack.push((f, d + 1));
                stack.push((a, d + 1));
            }
            ExprKind::TyApp(f, _)
            | ExprKind::Annot(f, _)
            | ExprKind::Neg(f)
            | ExprKind::Paren(f) => stack.push((f, d + 1)),
            ExprKind::Lam(bs, b) => stack.push((b, d + bs.len())),
            ExprKind::Let(items, b, _) => {
                stack.push((b, d + 1));
                for it in items {
                    if let LetItem::Def(def) = it {
                        stack.push((&def.body, d + 1 + def.binders.len()));
                    }
                }
            }
            ExprKind::Case(s, alts) => {
                stack.push((s, d + 2));
                for a in alts {
                    stack.push((&a.body, d + 3));
                }
            }
            ExprKind::If(c, t, f) => {
                stack.push((c, d + 2));
                stack.push((t, d + 2));
                stack.push((f, d + 2));
            }
            ExprKind::BinOp(_, l, r) => {
                stack.push((l, d + 2));
                stack.push((r, d + 2));
            }
            ExprKind::SectionL(x, _) | ExprKind::SectionR(_, x) => stack.push((x, d + 3)),
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                let n = if matches!(e.kind, ExprKind::List(_)) {
                    1
                } else {
                    0
                };
                for (i, x) in items.iter().enumerate() {
                    stack.push((x, d + 2 + i * n));
                }
                if n == 1 && d + items.len() > MAX_DEPTH {
                    return Err(too_deep(root.span));
                }
            }
            ExprKind::Range(a, b, c) => {
                for x in [Some(a), b.as_ref(), c.as_ref()].into_iter().flatten() {
                    stack.push((x, d + 3));
                }
            }
        }
    }
    Ok(())
}
