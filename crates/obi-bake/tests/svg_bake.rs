//! SVG baking and unbaking.

use obi_bake::{Format, Payload, Version};

use crate::support::*;

fn bake(svg: &str, payload: &Payload, version: Option<Version>) -> String {
    let mut out = Vec::new();
    obi_bake::bake_svg(svg.as_bytes(), &mut out, payload, version).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn round_trip_every_form() {
    let cases = [
        (
            Payload::detect(OB2_JSON),
            Version::Ob2,
            "<openbadges:assertion verify=\"https://example.org/assertions/1\"><![CDATA[",
        ),
        (
            Payload::detect(OB2_JSON_URN),
            Version::Ob2,
            "<openbadges:assertion><![CDATA[",
        ),
        (
            Payload::detect(OB3_JSON),
            Version::Ob3,
            "<openbadges:credential><![CDATA[",
        ),
        (
            Payload::detect(ob2_jws()),
            Version::Ob2,
            "<openbadges:assertion verify=\"ey",
        ),
        (
            Payload::detect(ob3_jws()),
            Version::Ob3,
            "<openbadges:credential verify=\"ey",
        ),
        (
            Payload::detect(HOSTED_URL),
            Version::Ob2,
            "<openbadges:assertion verify=\"https://example.org/assertions/1\"></openbadges:assertion>",
        ),
    ];
    for (payload, version, snippet) in cases {
        let out = bake(SMALL_SVG, &payload, None);
        assert!(out.contains(snippet), "{out}");
        assert!(out.contains("xmlns:openbadges=\"http://openbadges.org\""));
        let found = obi_bake::unbake(out.as_bytes()).unwrap().unwrap();
        assert_eq!(found.format, Format::Svg);
        assert_eq!(found.version, version);
        assert_eq!(found.payload, payload);
    }
}

#[test]
fn cdata_end_is_split() {
    // OB3_JSON contains "]]>".
    let out = bake(SMALL_SVG, &Payload::detect(OB3_JSON), None);
    assert!(out.contains("]]]]><![CDATA[>"));
    assert_eq!(
        obi_bake::unbake_svg(out.as_bytes())
            .unwrap()
            .unwrap()
            .payload
            .as_str(),
        OB3_JSON
    );
}

#[test]
fn rest_of_document_kept_byte_for_byte() {
    let out = bake(SMALL_SVG, &Payload::detect(OB2_JSON), None);
    let start = out.find("<openbadges:assertion").unwrap();
    let end = out.find("</openbadges:assertion>").unwrap() + "</openbadges:assertion>".len();
    let mut rest = format!("{}{}", &out[..start], &out[end..]);
    rest = rest.replacen(" xmlns:openbadges=\"http://openbadges.org\"", "", 1);
    assert_eq!(rest, SMALL_SVG);
    // Immediately after the <svg> start tag.
    assert!(out.contains(
        "height=\"10\" xmlns:openbadges=\"http://openbadges.org\"><openbadges:assertion"
    ));
}

#[test]
fn rebaking_replaces() {
    let ob2 = bake(SMALL_SVG, &Payload::detect(OB2_JSON), None);
    let ob3 = bake(&ob2, &Payload::detect(OB3_JSON), None);
    assert_eq!(ob3.matches("openbadges:assertion").count(), 0);
    assert_eq!(ob3.matches("<openbadges:credential").count(), 1);
    assert_eq!(ob3.matches("xmlns:openbadges").count(), 1);
    let again = bake(&ob3, &Payload::detect(OB3_JSON), None);
    assert_eq!(again, ob3);
    // Rebaking the original payload gives back the first result.
    assert_eq!(bake(&ob3, &Payload::detect(OB2_JSON), None), ob2);
}

#[test]
fn other_prefix_and_nested_element() {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:ob=\"http://openbadges.org\"><g><ob:assertion verify=\"https://example.org/a\"/></g></svg>";
    let found = obi_bake::unbake(svg.as_bytes()).unwrap().unwrap();
    assert_eq!(found.payload, Payload::Url("https://example.org/a".into()));
    let out = bake(svg, &Payload::detect(OB3_JSON), None);
    assert_eq!(
        out,
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:ob=\"http://openbadges.org\"><ob:credential><![CDATA[{}]]></ob:credential><g></g></svg>",
            OB3_JSON.replace("]]>", "]]]]><![CDATA[>")
        )
    );
    // An element with the right local name in another namespace is not a badge.
    let other = "<svg xmlns:openbadges=\"http://example.org/not\"><openbadges:assertion verify=\"x\"/></svg>";
    assert_eq!(obi_bake::unbake(other.as_bytes()).unwrap(), None);
    // Baking there declares a free prefix and keeps the foreign element.
    let out = bake(other, &Payload::detect(HOSTED_URL), None);
    assert!(out.starts_with("<svg xmlns:openbadges=\"http://example.org/not\" xmlns:openbadges1=\"http://openbadges.org\"><openbadges1:assertion verify="), "{out}");
    assert!(out.ends_with("<openbadges:assertion verify=\"x\"/></svg>"));
    assert_eq!(
        obi_bake::unbake(out.as_bytes())
            .unwrap()
            .unwrap()
            .payload
            .as_str(),
        HOSTED_URL
    );
}

#[test]
fn malformed_prefix_binding_is_not_reused() {
    // Found by fuzzing: a root binding the namespace to a name with a colon.
    let svg = "<svg xmlns:a:b=\"http://openbadges.org\"/>";
    let out = bake(svg, &Payload::detect(OB2_JSON_URN), None);
    assert!(out.contains("<openbadges:assertion>"), "{out}");
    assert_eq!(
        obi_bake::unbake(out.as_bytes())
            .unwrap()
            .unwrap()
            .payload
            .as_str(),
        OB2_JSON_URN
    );
}

#[test]
fn empty_root() {
    let out = bake(
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        &Payload::detect(HOSTED_URL),
        None,
    );
    assert_eq!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"http://openbadges.org\"><openbadges:assertion verify=\"https://example.org/assertions/1\"></openbadges:assertion></svg>"
    );
}

#[test]
fn escaped_text_content_and_attributes() {
    let svg = "<svg xmlns:openbadges=\"http://openbadges.org\"><openbadges:assertion>\n  {&quot;a&quot;:&#x31;}\n</openbadges:assertion></svg>";
    assert_eq!(
        obi_bake::unbake(svg.as_bytes()).unwrap().unwrap().payload,
        Payload::Json("{\"a\":1}".into())
    );
    let svg = "<svg xmlns:openbadges=\"http://openbadges.org\"><openbadges:assertion verify=\"https://e.org/?a=1&amp;b=2\"/></svg>";
    assert_eq!(
        obi_bake::unbake(svg.as_bytes()).unwrap().unwrap().payload,
        Payload::Url("https://e.org/?a=1&b=2".into())
    );
    let out = bake(
        "<svg/>",
        &Payload::detect("https://e.org/?a=1&b=\"2\""),
        None,
    );
    assert!(
        out.contains("verify=\"https://e.org/?a=1&amp;b=&quot;2&quot;\""),
        "{out}"
    );
    assert_eq!(
        obi_bake::unbake(out.as_bytes())
            .unwrap()
            .unwrap()
            .payload
            .as_str(),
        "https://e.org/?a=1&b=\"2\""
    );
}

#[test]
fn no_badge_is_none() {
    assert_eq!(obi_bake::unbake(SMALL_SVG.as_bytes()).unwrap(), None);
}

#[test]
fn payload_xml_cannot_carry() {
    let err = obi_bake::bake_svg(
        SMALL_SVG.as_bytes(),
        Vec::new(),
        &Payload::Json("{\"a\":\"\u{1}\"}".into()),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, obi_bake::Error::Payload(_)), "{err}");
}
