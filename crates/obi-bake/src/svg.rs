//! SVG: finds and replaces the `openbadges` element with quick-xml, editing the document text
//! in place so every byte outside the badge element and the root start tag stays as it was.
//!
//! Spec: [Open Badges 2.0 baking, SVG](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/baking/index.html#svg),
//! [Open Badges 3.0 baking, SVG](https://www.imsglobal.org/spec/ob/v3p0/#svg).
//! DTDs are refused and only predefined entities and character references are accepted, so
//! entity expansion attacks and external entities cannot happen.

use std::ops::Range;

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

use crate::{Baked, Error, Format, Limits, Payload, Result, Version};

/// The Open Badges XML namespace.
pub const OPENBADGES_NS: &str = "http://openbadges.org";
/// Local name of the 1.0/2.0 element.
const ASSERTION: &str = "assertion";
/// Local name of the 3.0 element.
const CREDENTIAL: &str = "credential";

/// Whether the bytes look like an XML document (after a BOM and whitespace, a `<`).
pub(crate) fn looks_like_xml(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<')
}

/// A badge element being read.
struct Open {
    start: usize,
    depth: usize,
    version: Version,
    verify: Option<String>,
    cdata: String,
    all: String,
    text_non_ws: bool,
}

impl Open {
    fn finish(self) -> Result<Baked> {
        let content = if !self.cdata.is_empty() && !self.text_non_ws {
            self.cdata
        } else {
            self.all.trim().to_owned()
        };
        let verify = self.verify.filter(|v| !v.trim().is_empty());
        let payload = match verify {
            Some(v) if crate::payload::is_compact_jws(v.trim()) => Payload::Jws(v),
            _ if !content.trim().is_empty() => Payload::detect(content),
            Some(v) => Payload::detect(v),
            None => {
                return Err(Error::InvalidSvg(
                    "the openbadges element has neither content nor a verify attribute".into(),
                ));
            }
        };
        Ok(Baked {
            format: Format::Svg,
            version: crate::payload::found_version(self.version, &payload),
            payload,
        })
    }
}

/// What one pass over the document finds.
struct Scan {
    /// Byte range of the root start tag (`<svg ...>` or `<svg .../>`).
    root: Range<usize>,
    root_empty: bool,
    root_qname: String,
    /// A prefix the root binds to [`OPENBADGES_NS`].
    prefix: Option<String>,
    /// The prefixes the root binds (to any namespace).
    root_prefixes: Vec<String>,
    /// Byte ranges of every badge element (outermost only).
    badges: Vec<Range<usize>>,
    best: Option<Baked>,
}

fn xml_err(err: impl std::fmt::Display, at: u64) -> Error {
    Error::InvalidSvg(format!("{err} (near byte {at})"))
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

fn position(reader: &NsReader<&[u8]>) -> Result<usize> {
    usize::try_from(reader.buffer_position())
        .map_err(|_| Error::InvalidSvg("document too large".into()))
}

fn scan(text: &str, limits: &Limits) -> Result<Scan> {
    let mut reader = NsReader::from_str(text);
    let mut depth = 0usize;
    let mut root: Option<(Range<usize>, bool, String, Option<String>)> = None;
    let mut root_prefixes = Vec::new();
    let mut badges = Vec::new();
    let mut best: Option<Baked> = None;
    let mut open: Option<Open> = None;
    let mut root_closed = false;
    loop {
        let start = position(&reader)?;
        let (in_ob_ns, event) = match reader.read_resolved_event() {
            Ok((ResolveResult::Unknown(prefix), Event::Start(_) | Event::Empty(_))) => {
                return Err(Error::InvalidSvg(format!(
                    "undeclared namespace prefix {prefix:?} (near byte {start})"
                )));
            }
            Ok((ns, event)) => (
                matches!(ns, ResolveResult::Bound(Namespace(n)) if n == OPENBADGES_NS),
                event,
            ),
            Err(e) => return Err(xml_err(e, reader.error_position())),
        };
        let end = position(&reader)?;
        match event {
            Event::DocType(_) => return Err(Error::Dtd),
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                depth += 1;
                if depth > limits.max_svg_depth {
                    return Err(Error::Limit {
                        limit: "Limits::max_svg_depth",
                        max: limits.max_svg_depth as u64,
                    });
                }
                let local = e.local_name();
                let local = local.as_ref();
                if depth == 1 {
                    if root.is_some() || root_closed {
                        return Err(Error::InvalidSvg("more than one root element".into()));
                    }
                    if local != "svg" {
                        return Err(Error::InvalidSvg(format!(
                            "the root element is <{}>, not <svg>",
                            e.name().as_ref()
                        )));
                    }
                    let mut prefix = None;
                    for attr in e.attributes() {
                        let attr = attr.map_err(|err| xml_err(err, start as u64))?;
                        if let Some(p) = attr.key.as_ref().strip_prefix("xmlns:") {
                            root_prefixes.push(p.to_owned());
                            let value = attr
                                .normalized_value(XmlVersion::Implicit1_0)
                                .map_err(|err| xml_err(err, start as u64))?;
                            if value == OPENBADGES_NS && is_ncname(p) {
                                prefix = Some(p.to_owned());
                            }
                        }
                    }
                    root = Some((start..end, empty, e.name().as_ref().to_owned(), prefix));
                } else if open.is_none() && in_ob_ns && (local == ASSERTION || local == CREDENTIAL)
                {
                    let mut verify = None;
                    for attr in e.attributes() {
                        let attr = attr.map_err(|err| xml_err(err, start as u64))?;
                        if attr.key.as_ref() == "verify" {
                            let value =
                                attr.normalized_value(XmlVersion::Implicit1_0)
                                    .map_err(|err| match err {
                                        quick_xml::Error::Escape(
                                            quick_xml::escape::EscapeError::UnrecognizedEntity(
                                                _,
                                                name,
                                            ),
                                        ) => Error::Entity(name),
                                        other => xml_err(other, start as u64),
                                    })?;
                            verify = Some(value.into_owned());
                        }
                    }
                    open = Some(Open {
                        start,
                        depth,
                        version: if local == CREDENTIAL {
                            Version::Ob3
                        } else {
                            Version::Ob2
                        },
                        verify,
                        cdata: String::new(),
                        all: String::new(),
                        text_non_ws: false,
                    });
                }
                if empty {
                    close(&mut open, depth, end, &mut badges, &mut best)?;
                    depth -= 1;
                    root_closed |= depth == 0;
                }
            }
            Event::End(_) => {
                close(&mut open, depth, end, &mut badges, &mut best)?;
                depth = depth.saturating_sub(1);
                root_closed |= depth == 0;
            }
            Event::Text(t) => {
                if let Some(o) = open.as_mut() {
                    let s = t.xml_content(XmlVersion::Implicit1_0);
                    o.text_non_ws |= !s.trim().is_empty();
                    o.all.push_str(&s);
                }
            }
            Event::CData(c) => {
                if let Some(o) = open.as_mut() {
                    let s = c.xml_content(XmlVersion::Implicit1_0);
                    o.cdata.push_str(&s);
                    o.all.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| xml_err(e, start as u64))?
                        .ok_or_else(|| xml_err("bad character reference", start as u64))?
                } else {
                    let name = r.into_inner();
                    predefined(&name).ok_or_else(|| Error::Entity(name.into_owned()))?
                };
                if let Some(o) = open.as_mut() {
                    o.text_non_ws |= !c.is_whitespace();
                    o.all.push(c);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if depth != 0 {
        return Err(Error::InvalidSvg(
            "unclosed element at end of document".into(),
        ));
    }
    let Some((root, root_empty, root_qname, prefix)) = root else {
        return Err(Error::InvalidSvg("no root <svg> element".into()));
    };
    Ok(Scan {
        root,
        root_empty,
        root_qname,
        prefix,
        root_prefixes,
        badges,
        best,
    })
}

/// Closes the open badge element if this end tag is its own.
fn close(
    open: &mut Option<Open>,
    depth: usize,
    end: usize,
    badges: &mut Vec<Range<usize>>,
    best: &mut Option<Baked>,
) -> Result<()> {
    if open.as_ref().is_some_and(|o| o.depth == depth)
        && let Some(o) = open.take()
    {
        badges.push(o.start..end);
        let baked = o.finish()?;
        if best.as_ref().is_none_or(|b| b.version < baked.version) {
            *best = Some(baked);
        }
    }
    Ok(())
}

fn as_text<'a>(bytes: &'a [u8], limits: &Limits) -> Result<&'a str> {
    if bytes.len() > limits.max_svg_len {
        return Err(Error::Limit {
            limit: "Limits::max_svg_len",
            max: limits.max_svg_len as u64,
        });
    }
    std::str::from_utf8(bytes).map_err(|_| Error::NotUtf8("the SVG document".into()))
}

pub(crate) fn unbake_svg(bytes: &[u8], limits: &Limits) -> Result<Option<Baked>> {
    Ok(scan(as_text(bytes, limits)?, limits)?.best)
}

/// A usable namespace prefix: a name without colons (XML Namespaces `NCName`, conservatively).
fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn hosted_id(json: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    let id = value.get("id")?.as_str()?;
    (id.starts_with("https://") || id.starts_with("http://")).then(|| id.to_owned())
}

/// Builds the badge element.
fn element(prefix: &str, payload: &Payload, version: Version) -> Result<String> {
    let text = payload.as_str();
    if let Some(c) = text.chars().find(|&c| !is_xml_char(c)) {
        return Err(Error::Payload(format!(
            "U+{:04X} cannot appear in an XML document",
            u32::from(c)
        )));
    }
    let local = if version == Version::Ob3 {
        CREDENTIAL
    } else {
        ASSERTION
    };
    let (verify, content) = match payload {
        Payload::Url(u) => (Some(u.clone()), None),
        Payload::Jws(j) => (Some(j.clone()), None),
        Payload::Json(j) if version == Version::Ob3 => (None, Some(j)),
        Payload::Json(j) => (hosted_id(j), Some(j)),
    };
    let mut out = format!("<{prefix}:{local}");
    if let Some(v) = verify {
        out.push_str(" verify=\"");
        out.push_str(&quick_xml::escape::escape(v.as_str()));
        out.push('"');
    }
    out.push('>');
    if let Some(content) = content {
        out.push_str("<![CDATA[");
        out.push_str(&content.replace("]]>", "]]]]><![CDATA[>"));
        out.push_str("]]>");
    }
    out.push_str(&format!("</{prefix}:{local}>"));
    Ok(out)
}

pub(crate) fn bake_svg(
    bytes: &[u8],
    payload: &Payload,
    version: Version,
    limits: &Limits,
) -> Result<Vec<u8>> {
    let text = as_text(bytes, limits)?;
    let scan = scan(text, limits)?;
    // Declare `openbadges`, or if the root already binds that prefix elsewhere, a free variant.
    let prefix = match &scan.prefix {
        Some(p) => p.clone(),
        None => (0..)
            .map(|i| match i {
                0 => "openbadges".to_owned(),
                i => format!("openbadges{i}"),
            })
            .find(|p| !scan.root_prefixes.contains(p))
            .unwrap_or_default(),
    };
    let element = element(&prefix, payload, version)?;
    let tag_close = if scan.root_empty { 2 } else { 1 };
    let insert = scan.root.end.saturating_sub(tag_close);
    let piece = |r: Range<usize>| {
        text.get(r)
            .ok_or_else(|| Error::InvalidSvg("element positions out of range".into()))
    };
    let mut out = String::with_capacity(text.len() + element.len() + 64);
    out.push_str(piece(0..insert)?);
    if scan.prefix.is_none() {
        out.push_str(" xmlns:");
        out.push_str(&prefix);
        out.push_str("=\"");
        out.push_str(OPENBADGES_NS);
        out.push('"');
    }
    out.push('>');
    out.push_str(&element);
    if scan.root_empty {
        out.push_str("</");
        out.push_str(&scan.root_qname);
        out.push('>');
    }
    let mut at = scan.root.end;
    for badge in &scan.badges {
        out.push_str(piece(at..badge.start)?);
        at = badge.end;
    }
    out.push_str(piece(at..text.len())?);
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_sniffing_and_chars() {
        assert!(looks_like_xml(b"  \n<svg/>"));
        assert!(looks_like_xml(b"\xEF\xBB\xBF<?xml?>"));
        assert!(!looks_like_xml(b"{}"));
        assert!(!looks_like_xml(b""));
        assert!(is_xml_char('\n') && is_xml_char('\u{10FFFF}'));
        assert!(!is_xml_char('\u{0}') && !is_xml_char('\u{FFFE}') && !is_xml_char('\u{1B}'));
    }

    #[test]
    fn element_forms() {
        let url = Payload::Url("https://e.org/a?b&c".into());
        assert_eq!(
            element("ob", &url, Version::Ob2).unwrap(),
            "<ob:assertion verify=\"https://e.org/a?b&amp;c\"></ob:assertion>"
        );
        let json = Payload::Json("{\"a\":\"]]>\"}".into());
        assert_eq!(
            element("ob", &json, Version::Ob3).unwrap(),
            "<ob:credential><![CDATA[{\"a\":\"]]]]><![CDATA[>\"}]]></ob:credential>"
        );
    }
}
