//! RDF terms and quads ([RDF 1.1 Concepts](https://www.w3.org/TR/rdf11-concepts/)).
//!
//! Every type prints itself in canonical N-Quads form (the form that
//! [RDFC-1.0](https://www.w3.org/TR/rdf-canon/#canonical-quads) hashes and outputs).

use std::fmt::{self, Write as _};
use std::sync::{Arc, LazyLock};

use crate::vocab::{rdf, xsd};

/// The reason a term could not be built from the given text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TermError {
    /// The IRI is not absolute or contains characters N-Quads cannot carry in an IRI.
    #[error("invalid IRI <{iri}>: {reason}")]
    InvalidIri {
        /// The rejected IRI.
        iri: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The blank node identifier is not a valid N-Quads blank node label.
    #[error("invalid blank node identifier {id:?}")]
    InvalidBlankNode {
        /// The rejected identifier (without `_:`).
        id: String,
    },
    /// The language tag is not well-formed (BCP 47 shape `a-z+(-[a-z0-9]+)*`).
    #[error("invalid language tag {tag:?}")]
    InvalidLanguageTag {
        /// The rejected tag.
        tag: String,
    },
}

/// An IRI (an RDF "named node"), e.g. `<http://example.com/a>`. Clones are cheap (the text is
/// shared).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NamedNode {
    iri: Arc<str>,
}

impl NamedNode {
    /// Builds a named node after checking that `iri` is absolute (has a scheme) and has no
    /// character N-Quads forbids in an IRI (controls, space, `<>"{}|^\``, backslash).
    ///
    /// # Errors
    /// [`TermError::InvalidIri`] when the check fails.
    pub fn new(iri: impl Into<Arc<str>>) -> Result<Self, TermError> {
        let iri = iri.into();
        match check_iri(&iri) {
            Ok(()) => Ok(Self { iri }),
            Err(reason) => Err(TermError::InvalidIri {
                iri: iri.as_ref().to_owned(),
                reason,
            }),
        }
    }

    /// Builds a named node without any check, for producers that already validated the IRI.
    #[must_use]
    pub fn new_unchecked(iri: impl Into<Arc<str>>) -> Self {
        Self { iri: iri.into() }
    }

    /// The IRI text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.iri
    }

    /// The IRI text, by value.
    #[must_use]
    pub fn into_string(self) -> String {
        self.iri.as_ref().to_owned()
    }
}

impl fmt::Display for NamedNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('<')?;
        f.write_str(&self.iri)?;
        f.write_char('>')
    }
}

/// Shared `xsd:string` and `rdf:langString`, so literals do not allocate their datatype.
static XSD_STRING: LazyLock<NamedNode> = LazyLock::new(|| NamedNode::new_unchecked(xsd::STRING));
static RDF_LANG_STRING: LazyLock<NamedNode> =
    LazyLock::new(|| NamedNode::new_unchecked(rdf::LANG_STRING));

/// The bytes N-Quads forbids in an IRI, as a lookup table: controls, space, `<`, `>`, `"`,
/// `{`, `}`, `|`, `^`, backquote and backslash.
static FORBIDDEN_IRI_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b <= 0x20 {
        table[b] = true;
        b += 1;
    }
    let others = b"<>\"{}|^`\\";
    let mut i = 0;
    while i < others.len() {
        table[others[i] as usize] = true;
        i += 1;
    }
    table
};

/// Checks that an IRI is absolute and carries no character N-Quads forbids in `IRIREF`.
pub(crate) fn check_iri(iri: &str) -> Result<(), &'static str> {
    let bytes = iri.as_bytes();
    match bytes.first() {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => return Err("not absolute (no scheme)"),
    }
    let mut rest = None;
    for (i, &b) in bytes.iter().enumerate().skip(1) {
        if b == b':' {
            rest = bytes.get(i + 1..);
            break;
        }
        if !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) {
            return Err("not absolute (no scheme)");
        }
    }
    let Some(rest) = rest else {
        return Err("not absolute (no scheme)");
    };
    // Every forbidden character is ASCII, and no byte of a multi-byte UTF-8 sequence is.
    if rest.iter().any(|&b| FORBIDDEN_IRI_BYTES[usize::from(b)]) {
        return Err("contains a character not allowed in an IRI");
    }
    Ok(())
}

/// Characters the N-Quads `IRIREF` production excludes.
pub(crate) fn is_forbidden_iri_char(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{20}' | '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\'
    )
}

/// A blank node, e.g. `_:b0`. The identifier is stored without the `_:` prefix. Clones are
/// cheap (the text is shared).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlankNode {
    id: Arc<str>,
}

impl BlankNode {
    /// Builds a blank node after checking that `id` (without `_:`) is a valid N-Quads
    /// `BLANK_NODE_LABEL`.
    ///
    /// # Errors
    /// [`TermError::InvalidBlankNode`] when it is not.
    pub fn new(id: impl Into<Arc<str>>) -> Result<Self, TermError> {
        let id = id.into();
        if is_blank_node_label(&id) {
            Ok(Self { id })
        } else {
            Err(TermError::InvalidBlankNode {
                id: id.as_ref().to_owned(),
            })
        }
    }

    /// Builds a blank node without any check (`id` without `_:`).
    #[must_use]
    pub fn new_unchecked(id: impl Into<Arc<str>>) -> Self {
        Self { id: id.into() }
    }

    /// The identifier, without `_:`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// The identifier (without `_:`), by value.
    #[must_use]
    pub fn into_string(self) -> String {
        self.id.as_ref().to_owned()
    }
}

impl fmt::Display for BlankNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("_:")?;
        f.write_str(&self.id)
    }
}

/// `PN_CHARS_BASE` of the N-Quads grammar.
pub(crate) fn is_pn_chars_base(c: char) -> bool {
    matches!(c,
        'A'..='Z' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// `PN_CHARS_U` (with `:` as N-Quads allows).
pub(crate) fn is_pn_chars_u(c: char) -> bool {
    is_pn_chars_base(c) || c == '_' || c == ':'
}

/// `PN_CHARS`.
pub(crate) fn is_pn_chars(c: char) -> bool {
    is_pn_chars_u(c)
        || c == '-'
        || c.is_ascii_digit()
        || c == '\u{B7}'
        || matches!(c, '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Whether `id` matches `(PN_CHARS_U | [0-9]) ((PN_CHARS | '.')* PN_CHARS)?`.
pub(crate) fn is_blank_node_label(id: &str) -> bool {
    let mut chars = id.chars();
    match chars.next() {
        Some(c) if is_pn_chars_u(c) || c.is_ascii_digit() => {}
        _ => return false,
    }
    if id.ends_with('.') {
        return false;
    }
    chars.all(|c| is_pn_chars(c) || c == '.')
}

/// Whether `tag` has the shape `[a-zA-Z]+ ('-' [a-zA-Z0-9]+)*` (the N-Quads `LANGTAG`).
pub(crate) fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let Some(first) = parts.next() else {
        return false;
    };
    !first.is_empty()
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// A literal: a lexical value with a datatype IRI, and a language tag when the datatype is
/// `rdf:langString`. Simple literals have datatype `xsd:string`.
///
/// Clones are cheap (the text is shared).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Literal {
    value: Arc<str>,
    datatype: NamedNode,
    language: Option<Arc<str>>,
}

impl Literal {
    /// A simple literal (datatype `xsd:string`).
    #[must_use]
    pub fn new_simple(value: impl Into<Arc<str>>) -> Self {
        Self {
            value: value.into(),
            datatype: XSD_STRING.clone(),
            language: None,
        }
    }

    /// A typed literal. A datatype of `rdf:langString` without a tag is kept as given.
    #[must_use]
    pub fn new_typed(value: impl Into<Arc<str>>, datatype: NamedNode) -> Self {
        Self {
            value: value.into(),
            datatype,
            language: None,
        }
    }

    /// A language-tagged string (datatype `rdf:langString`), checking the tag's shape.
    ///
    /// # Errors
    /// [`TermError::InvalidLanguageTag`] when the tag is not well-formed.
    pub fn new_language_tagged(
        value: impl Into<Arc<str>>,
        language: impl Into<String>,
    ) -> Result<Self, TermError> {
        let language = language.into();
        if is_language_tag(&language) {
            Ok(Self::new_language_tagged_unchecked(value, language))
        } else {
            Err(TermError::InvalidLanguageTag { tag: language })
        }
    }

    /// A language-tagged string without checking the tag.
    #[must_use]
    pub fn new_language_tagged_unchecked(
        value: impl Into<Arc<str>>,
        language: impl Into<Arc<str>>,
    ) -> Self {
        Self {
            value: value.into(),
            datatype: RDF_LANG_STRING.clone(),
            language: Some(language.into()),
        }
    }

    /// The lexical form.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The datatype IRI (`rdf:langString` for language-tagged strings).
    #[must_use]
    pub fn datatype(&self) -> &NamedNode {
        &self.datatype
    }

    /// The language tag, if any.
    #[must_use]
    pub fn language(&self) -> Option<&str> {
        self.language.as_deref()
    }

    /// Whether this is a simple literal (`xsd:string`, no language).
    #[must_use]
    pub fn is_simple(&self) -> bool {
        self.language.is_none() && self.has_string_datatype()
    }

    /// Whether the datatype is `xsd:string`: the literals of [`Literal::new_simple`] share one
    /// datatype, compared by address before the text is.
    fn has_string_datatype(&self) -> bool {
        Arc::ptr_eq(&self.datatype.iri, &XSD_STRING.iri) || self.datatype.as_str() == xsd::STRING
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        write_escaped_string(f, &self.value)?;
        f.write_char('"')?;
        if let Some(language) = &self.language {
            f.write_char('@')?;
            f.write_str(language)
        } else if !self.has_string_datatype() {
            f.write_str("^^")?;
            self.datatype.fmt(f)
        } else {
            Ok(())
        }
    }
}

/// Appends the literal in canonical N-Quads form (the same text as its `Display`), without
/// going through the formatting machinery.
pub(crate) fn push_literal(out: &mut String, l: &Literal) {
    out.push('"');
    // Writing to a String cannot fail.
    let _ = write_escaped_string(out, &l.value);
    out.push('"');
    if let Some(language) = &l.language {
        out.push('@');
        out.push_str(language);
    } else if !l.has_string_datatype() {
        out.push_str("^^<");
        out.push_str(l.datatype.as_str());
        out.push('>');
    }
}

/// Writes `value` with canonical N-Quads string escaping: `\b \t \n \f \r \" \\` as ECHAR,
/// other C0 controls and U+007F as `\u00XX` (uppercase hex), everything else as is.
pub(crate) fn write_escaped_string<W: fmt::Write + ?Sized>(
    out: &mut W,
    value: &str,
) -> fmt::Result {
    let bytes = value.as_bytes();
    // Most values need no escape: one branch-free (vectorizable) scan, then one copy.
    let needs_escape = bytes.iter().fold(false, |acc, &b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\') | (b == 0x7F)
    });
    if !needs_escape {
        return out.write_str(value);
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: Option<&str> = match b {
            b'\x08' => Some("\\b"),
            b'\t' => Some("\\t"),
            b'\n' => Some("\\n"),
            b'\x0C' => Some("\\f"),
            b'\r' => Some("\\r"),
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            0x00..=0x1F | 0x7F => None,
            _ => continue,
        };
        out.write_str(&value[start..i])?;
        match escape {
            Some(e) => out.write_str(e)?,
            None => write!(out, "\\u{b:04X}")?,
        }
        start = i + 1;
    }
    out.write_str(&value[start..])
}

/// The subject of a quad: a named node or a blank node.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// An IRI.
    NamedNode(NamedNode),
    /// A blank node.
    BlankNode(BlankNode),
}

/// The object of a quad: a named node, a blank node or a literal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    /// An IRI.
    NamedNode(NamedNode),
    /// A blank node.
    BlankNode(BlankNode),
    /// A literal.
    Literal(Literal),
}

/// The graph of a quad: the default graph, or a graph named by an IRI or a blank node.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum GraphName {
    /// The default graph.
    #[default]
    DefaultGraph,
    /// A graph named by an IRI.
    NamedNode(NamedNode),
    /// A graph named by a blank node.
    BlankNode(BlankNode),
}

impl Subject {
    /// The blank node, if this is one.
    #[must_use]
    pub fn as_blank_node(&self) -> Option<&BlankNode> {
        match self {
            Self::BlankNode(b) => Some(b),
            Self::NamedNode(_) => None,
        }
    }
}

impl Term {
    /// The blank node, if this is one.
    #[must_use]
    pub fn as_blank_node(&self) -> Option<&BlankNode> {
        match self {
            Self::BlankNode(b) => Some(b),
            _ => None,
        }
    }
}

impl GraphName {
    /// The blank node, if the graph is named by one.
    #[must_use]
    pub fn as_blank_node(&self) -> Option<&BlankNode> {
        match self {
            Self::BlankNode(b) => Some(b),
            _ => None,
        }
    }

    /// Whether this is the default graph.
    #[must_use]
    pub fn is_default_graph(&self) -> bool {
        matches!(self, Self::DefaultGraph)
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NamedNode(n) => n.fmt(f),
            Self::BlankNode(b) => b.fmt(f),
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NamedNode(n) => n.fmt(f),
            Self::BlankNode(b) => b.fmt(f),
            Self::Literal(l) => l.fmt(f),
        }
    }
}

/// Prints nothing for the default graph.
impl fmt::Display for GraphName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DefaultGraph => Ok(()),
            Self::NamedNode(n) => n.fmt(f),
            Self::BlankNode(b) => b.fmt(f),
        }
    }
}

impl From<NamedNode> for Subject {
    fn from(n: NamedNode) -> Self {
        Self::NamedNode(n)
    }
}
impl From<BlankNode> for Subject {
    fn from(b: BlankNode) -> Self {
        Self::BlankNode(b)
    }
}
impl From<NamedNode> for Term {
    fn from(n: NamedNode) -> Self {
        Self::NamedNode(n)
    }
}
impl From<BlankNode> for Term {
    fn from(b: BlankNode) -> Self {
        Self::BlankNode(b)
    }
}
impl From<Literal> for Term {
    fn from(l: Literal) -> Self {
        Self::Literal(l)
    }
}
impl From<Subject> for Term {
    fn from(s: Subject) -> Self {
        match s {
            Subject::NamedNode(n) => Self::NamedNode(n),
            Subject::BlankNode(b) => Self::BlankNode(b),
        }
    }
}
impl From<NamedNode> for GraphName {
    fn from(n: NamedNode) -> Self {
        Self::NamedNode(n)
    }
}
impl From<BlankNode> for GraphName {
    fn from(b: BlankNode) -> Self {
        Self::BlankNode(b)
    }
}
impl From<Subject> for GraphName {
    fn from(s: Subject) -> Self {
        match s {
            Subject::NamedNode(n) => Self::NamedNode(n),
            Subject::BlankNode(b) => Self::BlankNode(b),
        }
    }
}

/// An RDF quad: a triple plus the graph it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quad {
    /// The subject.
    pub subject: Subject,
    /// The predicate.
    pub predicate: NamedNode,
    /// The object.
    pub object: Term,
    /// The graph.
    pub graph_name: GraphName,
}

impl Quad {
    /// Builds a quad.
    #[must_use]
    pub fn new(
        subject: impl Into<Subject>,
        predicate: NamedNode,
        object: impl Into<Term>,
        graph_name: impl Into<GraphName>,
    ) -> Self {
        Self {
            subject: subject.into(),
            predicate,
            object: object.into(),
            graph_name: graph_name.into(),
        }
    }
}

/// Prints the quad as one canonical N-Quads statement, `s p o [g] .`, without the newline.
impl fmt::Display for Quad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.subject.fmt(f)?;
        f.write_char(' ')?;
        self.predicate.fmt(f)?;
        f.write_char(' ')?;
        self.object.fmt(f)?;
        if !self.graph_name.is_default_graph() {
            f.write_char(' ')?;
            self.graph_name.fmt(f)?;
        }
        f.write_str(" .")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_escaping_is_canonical() {
        let l =
            Literal::new_simple("\u{0}\u{7}\u{8}\t\n\u{B}\u{C}\r\u{E}\u{1F} \"\\'\u{7F}\u{80}∞");
        assert_eq!(
            l.to_string(),
            "\"\\u0000\\u0007\\b\\t\\n\\u000B\\f\\r\\u000E\\u001F \\\"\\\\'\\u007F\u{80}∞\""
        );
    }

    #[test]
    fn literal_forms() {
        assert_eq!(Literal::new_simple("a").to_string(), "\"a\"");
        assert_eq!(
            Literal::new_typed("1", NamedNode::new_unchecked(xsd::INTEGER)).to_string(),
            "\"1\"^^<http://www.w3.org/2001/XMLSchema#integer>"
        );
        assert_eq!(
            Literal::new_language_tagged("a", "en-GB")
                .unwrap()
                .to_string(),
            "\"a\"@en-GB"
        );
        assert!(Literal::new_language_tagged("a", "en-").is_err());
        assert!(Literal::new_language_tagged("a", "").is_err());
    }

    #[test]
    fn iri_checks() {
        assert!(NamedNode::new("http://a/b").is_ok());
        assert!(NamedNode::new("urn:x").is_ok());
        assert!(NamedNode::new("a/b").is_err());
        assert!(NamedNode::new("1a:b").is_err());
        assert!(NamedNode::new("http://a b").is_err());
        assert!(NamedNode::new("http://a<b").is_err());
        for c in [
            "`", "\\", "^", "|", "{", "}", "\"", ">", "\u{0}", "\n", "\u{1f}",
        ] {
            assert!(NamedNode::new(format!("http://a/{c}")).is_err(), "{c:?}");
        }
        assert!(NamedNode::new("http://a/\u{7f}é~").is_ok());
    }

    #[test]
    fn blank_node_checks() {
        assert!(BlankNode::new("b0").is_ok());
        assert!(BlankNode::new("0a.b").is_ok());
        assert!(BlankNode::new("a.").is_err());
        assert!(BlankNode::new("").is_err());
        assert!(BlankNode::new("-a").is_err());
    }

    #[test]
    fn quad_display() {
        let q = Quad::new(
            BlankNode::new_unchecked("b0"),
            NamedNode::new_unchecked("http://p"),
            Literal::new_simple("x"),
            NamedNode::new_unchecked("http://g"),
        );
        assert_eq!(q.to_string(), "_:b0 <http://p> \"x\" <http://g> .");
        let q = Quad::new(
            NamedNode::new_unchecked("http://s"),
            NamedNode::new_unchecked("http://p"),
            BlankNode::new_unchecked("c"),
            GraphName::DefaultGraph,
        );
        assert_eq!(q.to_string(), "<http://s> <http://p> _:c .");
    }
}
