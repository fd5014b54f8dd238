//! Property tests: bake -> unbake round trips for arbitrary payloads and chunk layouts, and no
//! panic on arbitrary or mutated input.

use obi_bake::{Payload, Version};
use proptest::prelude::*;

use crate::support::*;

fn ancillary() -> impl Strategy<Value = Chunk> {
    prop_oneof![
        (
            any::<[u8; 4]>(),
            proptest::collection::vec(any::<u8>(), 0..40)
        )
            .prop_map(|(t, d)| {
                // A private ancillary chunk type: lowercase first and second letters.
                let ty = [
                    b'a' + t[0] % 26,
                    b'a' + t[1] % 26,
                    b'A' + t[2] % 26,
                    b'a' + t[3] % 26,
                ];
                Chunk::new(&ty, d)
            }),
        "[A-Za-z]{1,20}".prop_map(|k| Chunk::new(b"tEXt", format!("{k}\0text"))),
        Just(itxt("openbadges", false, b"https://old.example/a")),
        Just(itxt("openbadgecredential", true, b"{\"old\":true}")),
    ]
}

fn payload() -> impl Strategy<Value = (Payload, Option<Version>)> {
    prop_oneof![
        "\\PC{1,300}"
            .prop_filter("not blank", |s: &String| !s.trim().is_empty())
            .prop_map(|s| (Payload::detect(s), None)),
        "[a-z0-9]{1,20}".prop_map(|s| (
            Payload::detect(format!("{{\"id\":\"{s}\",\"x\":\"]]>\"}}")),
            None
        )),
        "[a-z0-9]{1,20}".prop_map(|s| (
            Payload::detect(format!(
                "{{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"id\":\"{s}\"}}"
            )),
            None
        )),
        "[A-Za-z0-9_-]{1,30}".prop_map(|s| (Payload::detect(format!("eyJ.{s}.sig")), None)),
        "[a-z]{1,20}".prop_map(|s| (
            Payload::detect(format!("https://example.org/{s}")),
            Some(Version::Ob1)
        )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn png_round_trip(
        (payload, asked) in payload(),
        before in proptest::collection::vec(ancillary(), 0..4),
        after in proptest::collection::vec(ancillary(), 0..3),
        split in 1usize..200,
    ) {
        let png = png_with(6, 5, split, &before, &after);
        let mut out = Vec::new();
        let version = obi_bake::bake_png(&png[..], &mut out, &payload, asked).unwrap();
        let found = obi_bake::unbake(&out).unwrap().unwrap();
        prop_assert_eq!(found.version, version);
        prop_assert_eq!(&found.payload, &payload);
        let found = obi_bake::unbake_png(&out[..]).unwrap().unwrap();
        prop_assert_eq!(&found.payload, &payload);
        // Every non-badge chunk kept, in order, and exactly one badge.
        let is_badge = |c: &Chunk| (c.ty == *b"iTXt" || c.ty == *b"tEXt") && (c.data.starts_with(b"openbadges\0") || c.data.starts_with(b"openbadgecredential\0"));
        let kept: Vec<Chunk> = chunks(&png).into_iter().filter(|c| !is_badge(c)).collect();
        let now: Vec<Chunk> = chunks(&out).into_iter().filter(|c| !is_badge(c)).collect();
        prop_assert_eq!(kept, now);
        prop_assert_eq!(chunks(&out).iter().filter(|c| is_badge(c)).count(), 1);
        prop_assert_eq!(decode(&out), decode(&png));
    }

    #[test]
    fn svg_round_trip((payload, asked) in payload(), existing in any::<bool>()) {
        let svg = if existing {
            "<svg xmlns:openbadges=\"http://openbadges.org\"><openbadges:credential verify=\"a.b.c\"/><g/></svg>"
        } else {
            SMALL_SVG
        };
        let mut out = Vec::new();
        let Ok(version) = obi_bake::bake_svg(svg.as_bytes(), &mut out, &payload, asked) else {
            // Only payloads XML cannot carry are refused.
            let unfit = payload.as_str().chars().any(|c| (c as u32) < 0x20 && !"\t\n\r".contains(c) || c == '\u{FFFE}' || c == '\u{FFFF}');
            prop_assert!(unfit);
            return Ok(());
        };
        let found = obi_bake::unbake(&out).unwrap().unwrap();
        // In SVG a 1.0 hosted badge and a 2.0 hosted badge are the same element.
        prop_assert_eq!(found.version, version.max(Version::Ob2));
        // XML normalizes line ends and, for verify attributes, whitespace.
        let stored = found.payload.as_str().to_owned();
        let expected = payload.as_str().replace("\r\n", "\n").replace('\r', "\n");
        if matches!(payload, Payload::Json(_)) {
            prop_assert_eq!(stored, expected);
        } else {
            prop_assert_eq!(stored.split_whitespace().collect::<Vec<_>>(), expected.split_whitespace().collect::<Vec<_>>());
        }
    }

    #[test]
    fn unbake_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = obi_bake::unbake(&bytes);
        let _ = obi_bake::unbake_png(&bytes[..]);
        let _ = obi_bake::unbake_svg(&bytes);
    }

    #[test]
    fn mutated_png_never_panics(at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        let mut png = Vec::new();
        obi_bake::bake_png(&small_png()[..], &mut png, &Payload::detect(OB2_JSON), None).unwrap();
        let i = at.index(png.len());
        png[i] = byte;
        let png = &png[..cut.index(png.len() + 1).max(i)];
        let _ = obi_bake::unbake(png);
        let _ = obi_bake::unbake_png(png);
        let _ = obi_bake::bake_png(png, Vec::new(), &Payload::detect(OB3_JSON), None);
    }

    #[test]
    fn mutated_svg_never_panics(at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut svg = Vec::new();
        obi_bake::bake_svg(SMALL_SVG.as_bytes(), &mut svg, &Payload::detect(OB2_JSON), None).unwrap();
        let i = at.index(svg.len());
        svg[i] = byte;
        let _ = obi_bake::unbake(&svg);
        let _ = obi_bake::bake_svg(&svg, Vec::new(), &Payload::detect(OB3_JSON), None);
    }
}
