//! [N-Quads](https://www.w3.org/TR/n-quads/) parsing (with limits) and canonical serialization.

use std::fmt;

use crate::term::{
    BlankNode, GraphName, Literal, NamedNode, Quad, Subject, Term, is_forbidden_iri_char,
    is_language_tag, is_pn_chars, is_pn_chars_u,
};
use crate::vocab::rdf;

/// Default cap on the input size in bytes (64 MiB).
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;
/// Default cap on the length of one line in bytes (1 MiB).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;
/// Default cap on the number of quads.
pub const MAX_QUADS: usize = 1_000_000;

/// What went wrong while parsing N-Quads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NQuadsError {
    /// The text is not valid N-Quads.
    #[error("N-Quads syntax error at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line number.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What was expected or found.
        message: String,
    },
    /// A named limit was exceeded.
    #[error("N-Quads input exceeds the {limit} limit of {max} (line {line})")]
    LimitExceeded {
        /// The name of the limit (`max_input_bytes`, `max_line_bytes`, `max_quads`).
        limit: &'static str,
        /// Its configured value.
        max: usize,
        /// 1-based line where it was exceeded (0 for the whole input).
        line: usize,
    },
}

/// An N-Quads parser with limits. `Default` is the same as [`NQuadsParser::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NQuadsParser {
    max_input_bytes: usize,
    max_line_bytes: usize,
    max_quads: usize,
}

impl Default for NQuadsParser {
    fn default() -> Self {
        Self::new()
    }
}

impl NQuadsParser {
    /// A parser with the default limits ([`MAX_INPUT_BYTES`], [`MAX_LINE_BYTES`], [`MAX_QUADS`]).
    #[must_use]
    pub fn new() -> Self {
        Self {
            max_input_bytes: MAX_INPUT_BYTES,
            max_line_bytes: MAX_LINE_BYTES,
            max_quads: MAX_QUADS,
        }
    }

    /// Caps the whole input size in bytes.
    #[must_use]
    pub fn with_max_input_bytes(mut self, max: usize) -> Self {
        self.max_input_bytes = max;
        self
    }

    /// Caps the length of one line (and so of any literal or IRI) in bytes.
    #[must_use]
    pub fn with_max_line_bytes(mut self, max: usize) -> Self {
        self.max_line_bytes = max;
        self
    }

    /// Caps the number of quads.
    #[must_use]
    pub fn with_max_quads(mut self, max: usize) -> Self {
        self.max_quads = max;
        self
    }

    /// Parses a whole N-Quads document.
    ///
    /// # Errors
    /// [`NQuadsError::Syntax`] with line and column, or [`NQuadsError::LimitExceeded`].
    pub fn parse(&self, input: &str) -> Result<Vec<Quad>, NQuadsError> {
        if input.len() > self.max_input_bytes {
            return Err(NQuadsError::LimitExceeded {
                limit: "max_input_bytes",
                max: self.max_input_bytes,
                line: 0,
            });
        }
        let mut quads = Vec::new();
        // Lines end at LF or CR (EOL ::= [#xD#xA]+).
        for (index, line) in input.split(['\n', '\r']).enumerate() {
            let line_no = index + 1;
            if line.len() > self.max_line_bytes {
                return Err(NQuadsError::LimitExceeded {
                    limit: "max_line_bytes",
                    max: self.max_line_bytes,
                    line: line_no,
                });
            }
            let mut cursor = Cursor {
                text: line,
                pos: 0,
                line: line_no,
            };
            if let Some(quad) = cursor.statement()? {
                if quads.len() >= self.max_quads {
                    return Err(NQuadsError::LimitExceeded {
                        limit: "max_quads",
                        max: self.max_quads,
                        line: line_no,
                    });
                }
                quads.push(quad);
            }
        }
        Ok(quads)
    }
}

/// Parses N-Quads with the default limits; see [`NQuadsParser::parse`].
///
/// # Errors
/// As [`NQuadsParser::parse`].
pub fn parse(input: &str) -> Result<Vec<Quad>, NQuadsError> {
    NQuadsParser::new().parse(input)
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl Cursor<'_> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, NQuadsError> {
        let column = self.text.get(..self.pos).map_or(0, |s| s.chars().count()) + 1;
        Err(NQuadsError::Syntax {
            line: self.line,
            column,
            message: message.into(),
        })
    }

    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_ws(&mut self) {
        while let Some(' ' | '\t') = self.peek() {
            self.pos += 1;
        }
    }

    fn at_end_or_comment(&self) -> bool {
        matches!(self.peek(), None | Some('#'))
    }

    /// statement ::= subject predicate object graphLabel? '.' (or an empty / comment line).
    fn statement(&mut self) -> Result<Option<Quad>, NQuadsError> {
        self.skip_ws();
        if self.at_end_or_comment() {
            return Ok(None);
        }
        let subject = match self.peek() {
            Some('<') => Subject::NamedNode(self.iri()?),
            Some('_') => Subject::BlankNode(self.blank_node()?),
            _ => return self.err("expected an IRI or a blank node as subject"),
        };
        self.skip_ws();
        let predicate = match self.peek() {
            Some('<') => self.iri()?,
            _ => return self.err("expected an IRI as predicate"),
        };
        self.skip_ws();
        let object = match self.peek() {
            Some('<') => Term::NamedNode(self.iri()?),
            Some('_') => Term::BlankNode(self.blank_node()?),
            Some('"') => Term::Literal(self.literal()?),
            _ => return self.err("expected an IRI, a blank node or a literal as object"),
        };
        self.skip_ws();
        let graph_name = match self.peek() {
            Some('<') => GraphName::NamedNode(self.iri()?),
            Some('_') => GraphName::BlankNode(self.blank_node()?),
            _ => GraphName::DefaultGraph,
        };
        self.skip_ws();
        if self.bump() != Some('.') {
            return self.err("expected '.' at the end of the statement");
        }
        self.skip_ws();
        if !self.at_end_or_comment() {
            return self.err("unexpected text after '.'");
        }
        Ok(Some(Quad {
            subject,
            predicate,
            object,
            graph_name,
        }))
    }

    /// IRIREF ::= '<' ([^#x00-#x20<>"{}|^`\] | UCHAR)* '>', and it must be absolute.
    fn iri(&mut self) -> Result<NamedNode, NQuadsError> {
        let start = self.pos;
        self.pos += 1; // '<'
        let mut iri = String::new();
        loop {
            match self.bump() {
                None => return self.err("unterminated IRI"),
                Some('>') => break,
                Some('\\') => {
                    let c = self.uchar()?;
                    if is_forbidden_iri_char(c) {
                        return self.err(format!(
                            "escaped character U+{:04X} not allowed in an IRI",
                            c as u32
                        ));
                    }
                    iri.push(c);
                }
                Some(c) if is_forbidden_iri_char(c) => {
                    self.pos -= c.len_utf8();
                    return self.err(format!(
                        "character U+{:04X} not allowed in an IRI",
                        c as u32
                    ));
                }
                Some(c) => iri.push(c),
            }
        }
        if let Err(reason) = crate::term::check_iri(&iri) {
            self.pos = start;
            return self.err(format!("invalid IRI <{iri}>: {reason}"));
        }
        Ok(NamedNode::new_unchecked(iri))
    }

    /// UCHAR after the backslash: `u` HEX{4} | `U` HEX{8}.
    fn uchar(&mut self) -> Result<char, NQuadsError> {
        let len = match self.bump() {
            Some('u') => 4,
            Some('U') => 8,
            _ => return self.err("invalid escape (expected \\u or \\U)"),
        };
        let Some(hex) = self.text.get(self.pos..self.pos + len) else {
            return self.err("truncated \\u escape");
        };
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return self.err("invalid hex digits in \\u escape");
        }
        let Some(c) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) else {
            return self.err("\\u escape is not a Unicode scalar value");
        };
        self.pos += len;
        Ok(c)
    }

    /// BLANK_NODE_LABEL ::= '_:' (PN_CHARS_U | [0-9]) ((PN_CHARS | '.')* PN_CHARS)?
    fn blank_node(&mut self) -> Result<BlankNode, NQuadsError> {
        if self.text.get(self.pos..self.pos + 2) != Some("_:") {
            return self.err("expected '_:'");
        }
        self.pos += 2;
        let start = self.pos;
        match self.peek() {
            Some(c) if is_pn_chars_u(c) || c.is_ascii_digit() => self.pos += c.len_utf8(),
            _ => return self.err("invalid blank node label"),
        }
        while let Some(c) = self.peek() {
            if is_pn_chars(c) || c == '.' {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
        // A trailing '.' ends the statement, not the label.
        while self
            .text
            .get(start..self.pos)
            .is_some_and(|s| s.ends_with('.'))
        {
            self.pos -= 1;
        }
        let label = self.text.get(start..self.pos).unwrap_or_default();
        Ok(BlankNode::new_unchecked(label))
    }

    /// literal ::= STRING_LITERAL_QUOTE ('^^' IRIREF | LANGTAG)?
    fn literal(&mut self) -> Result<Literal, NQuadsError> {
        self.pos += 1; // '"'
        let mut value = String::new();
        loop {
            match self.bump() {
                None => return self.err("unterminated string literal"),
                Some('"') => break,
                Some('\\') => match self.peek() {
                    Some('u' | 'U') => value.push(self.uchar()?),
                    Some(e) => {
                        let c = match e {
                            't' => '\t',
                            'b' => '\u{8}',
                            'n' => '\n',
                            'r' => '\r',
                            'f' => '\u{C}',
                            '"' => '"',
                            '\'' => '\'',
                            '\\' => '\\',
                            _ => return self.err("invalid escape sequence in string literal"),
                        };
                        self.pos += 1;
                        value.push(c);
                    }
                    None => return self.err("unterminated string literal"),
                },
                Some(c) => value.push(c),
            }
        }
        match self.peek() {
            Some('@') => {
                self.pos += 1;
                let start = self.pos;
                while let Some(c) = self.peek() {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                let tag = self.text.get(start..self.pos).unwrap_or_default();
                if !is_language_tag(tag) {
                    self.pos = start;
                    return self.err("invalid language tag");
                }
                Ok(Literal::new_language_tagged_unchecked(value, tag))
            }
            Some('^') => {
                if self.text.get(self.pos..self.pos + 3) != Some("^^<") {
                    return self.err("expected '^^<' before a datatype IRI");
                }
                self.pos += 2;
                let datatype = self.iri()?;
                if datatype.as_str() == rdf::LANG_STRING {
                    return self.err("rdf:langString literal without a language tag");
                }
                Ok(Literal::new_typed(value, datatype))
            }
            _ => Ok(Literal::new_simple(value)),
        }
    }
}

/// Writes quads as N-Quads in canonical form, one statement per line, each ending in `\n`,
/// in the given order.
pub fn write_nquads<W: fmt::Write + ?Sized>(out: &mut W, quads: &[Quad]) -> fmt::Result {
    for quad in quads {
        writeln!(out, "{quad}")?;
    }
    Ok(())
}

/// The quads as an N-Quads document in canonical form, in the given order.
#[must_use]
pub fn to_nquads(quads: &[Quad]) -> String {
    let mut out = String::with_capacity(quads.len() * 96);
    // Writing to a String cannot fail.
    let _ = write_nquads(&mut out, quads);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_forms() {
        let doc = "# comment\n<http://s> <http://p> \"a\\n\\u0041\"@en-GB <http://g> .\r\n\
                   _:b0 <http://p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> . # c\n\
                   _:b.1 <http://p> _:c.\n\n";
        let quads = parse(doc).unwrap();
        assert_eq!(quads.len(), 3);
        assert_eq!(
            quads[0].to_string(),
            "<http://s> <http://p> \"a\\nA\"@en-GB <http://g> ."
        );
        assert_eq!(
            quads[1].to_string(),
            "_:b0 <http://p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> ."
        );
        assert_eq!(quads[2].to_string(), "_:b.1 <http://p> _:c .");
    }

    #[test]
    fn errors_have_positions() {
        let err =
            parse("<http://s> <http://p> <http://o> .\n<http://s> \"x\" <http://o> .").unwrap_err();
        assert_eq!(
            err,
            NQuadsError::Syntax {
                line: 2,
                column: 12,
                message: "expected an IRI as predicate".into()
            }
        );
        assert!(parse("<rel> <http://p> <http://o> .").is_err());
        assert!(parse("<http://s> <http://p> <http://o>").is_err());
        assert!(parse("<http://s> <http://p> \"x\"@ .").is_err());
        assert!(parse("<http://s> <http://p> \"\\q\" .").is_err());
        assert!(parse("<http://s> <http://p> <http://o> . x").is_err());
        assert!(parse("<http://s> <http://p> \"\\uD800\" .").is_err());
    }

    #[test]
    fn limits_are_named() {
        let doc = "<http://s> <http://p> <http://o> .\n<http://s> <http://p> <http://o2> .\n";
        let err = NQuadsParser::new()
            .with_max_quads(1)
            .parse(doc)
            .unwrap_err();
        assert!(err.to_string().contains("max_quads"));
        let err = NQuadsParser::new()
            .with_max_line_bytes(10)
            .parse(doc)
            .unwrap_err();
        assert!(err.to_string().contains("max_line_bytes"));
        let err = NQuadsParser::new()
            .with_max_input_bytes(10)
            .parse(doc)
            .unwrap_err();
        assert!(err.to_string().contains("max_input_bytes"));
    }
}
