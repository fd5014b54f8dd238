//! Payload and version detection, format sniffing, JSON form of the result.

use obi_bake::{Baked, Format, Payload, Version};

use crate::support::*;

#[test]
fn payload_forms() {
    assert!(matches!(Payload::detect(OB2_JSON), Payload::Json(_)));
    assert!(matches!(
        Payload::detect(format!("  \n{OB3_JSON}")),
        Payload::Json(_)
    ));
    assert!(matches!(Payload::detect(ob2_jws()), Payload::Jws(_)));
    assert!(matches!(Payload::detect(HOSTED_URL), Payload::Url(_)));
    assert!(matches!(Payload::detect("a.b"), Payload::Url(_)));
    assert!(matches!(Payload::detect("a.b.c.d"), Payload::Url(_)));
    assert!(matches!(Payload::detect("a..c"), Payload::Jws(_)));
    assert!(matches!(Payload::detect(".b.c"), Payload::Url(_)));
    // Stored text is kept exactly.
    assert_eq!(Payload::detect(" x \n").as_str(), " x \n");
}

#[test]
fn version_detection() {
    assert_eq!(Version::detect(&Payload::detect(OB2_JSON)), Version::Ob2);
    assert_eq!(Version::detect(&Payload::detect(OB3_JSON)), Version::Ob3);
    assert_eq!(Version::detect(&Payload::detect(ob2_jws())), Version::Ob2);
    assert_eq!(Version::detect(&Payload::detect(ob3_jws())), Version::Ob3);
    assert_eq!(Version::detect(&Payload::detect(HOSTED_URL)), Version::Ob2);
    // A credential by type only, VCDM 1.1 context, and a JWS whose claims are the VC itself.
    assert_eq!(
        Version::detect(&Payload::detect(r#"{"type":"VerifiableCredential"}"#)),
        Version::Ob3
    );
    assert_eq!(
        Version::detect(&Payload::detect(
            r#"{"@context":["https://www.w3.org/2018/credentials/v1"]}"#
        )),
        Version::Ob3
    );
    assert_eq!(Version::detect(&Payload::detect("{not json")), Version::Ob2);
}

#[test]
fn sniffing() {
    assert_eq!(obi_bake::sniff(&small_png()).unwrap(), Format::Png);
    assert_eq!(obi_bake::sniff(SMALL_SVG.as_bytes()).unwrap(), Format::Svg);
    assert_eq!(
        obi_bake::sniff(b"\xEF\xBB\xBF <svg/>").unwrap(),
        Format::Svg
    );
    assert!(matches!(
        obi_bake::sniff(b"GIF89a"),
        Err(obi_bake::Error::UnknownFormat)
    ));
    assert!(matches!(
        obi_bake::unbake(b""),
        Err(obi_bake::Error::UnknownFormat)
    ));
}

#[test]
fn baked_serializes_typed() {
    let baked = Baked {
        format: Format::Png,
        version: Version::Ob3,
        payload: Payload::Jws("a.b.c".into()),
    };
    let json = serde_json::to_value(&baked).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"format":"png","version":"3.0","form":"jws","payload":"a.b.c"})
    );
}

#[test]
fn bundled_examples_are_valid_and_unbaked() {
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/badge.png"
    ))
    .unwrap();
    assert!(!decode(&png).is_empty());
    assert_eq!(obi_bake::unbake(&png).unwrap(), None);
    let svg = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/badge.svg"
    ))
    .unwrap();
    assert_eq!(obi_bake::unbake(&svg).unwrap(), None);
    // Both bake.
    let payload = Payload::detect(OB3_JSON);
    for image in [&png, &svg] {
        let mut out = Vec::new();
        assert_eq!(
            obi_bake::bake(image, &mut out, &payload, None).unwrap(),
            Version::Ob3
        );
        assert_eq!(obi_bake::unbake(&out).unwrap().unwrap().payload, payload);
    }
}

/// Writes examples/badge.png (run with `--ignored` to regenerate).
#[test]
#[ignore = "regenerates the bundled example image"]
fn write_example_png() {
    let png = png_with(
        32,
        32,
        8192,
        &[Chunk::new(b"tEXt", &b"Software\0obi"[..])],
        &[],
    );
    std::fs::write(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/badge.png"),
        png,
    )
    .unwrap();
}
