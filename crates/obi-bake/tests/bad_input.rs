//! Hostile and broken input: clear errors, never a panic, bounded memory.

use obi_bake::{Baker, Error, Limits, Payload};

use crate::support::*;

fn baked_png() -> Vec<u8> {
    let mut out = Vec::new();
    obi_bake::bake_png(&small_png()[..], &mut out, &Payload::detect(OB2_JSON), None).unwrap();
    out
}

#[test]
fn truncated_png_at_every_length() {
    let png = baked_png();
    for len in 0..png.len() {
        let cut = &png[..len];
        let err = obi_bake::unbake_png(cut).unwrap_err();
        if len < 8 {
            assert!(matches!(err, Error::NotPng), "{len}: {err}");
        } else {
            assert!(matches!(err, Error::Truncated(_)), "{len}: {err}");
        }
        assert!(obi_bake::unbake(cut).is_err(), "{len}");
        assert!(obi_bake::bake_png(cut, Vec::new(), &Payload::detect(OB3_JSON), None).is_err());
    }
}

#[test]
fn wrong_crc_in_badge_chunk() {
    let mut png = baked_png();
    let all = chunks(&png);
    let at = 8 + all
        .iter()
        .take_while(|c| !c.data.starts_with(b"openbadges\0"))
        .map(|c| 12 + c.data.len())
        .sum::<usize>();
    png[at + 8 + 20] ^= 1; // a byte of the text
    let err = obi_bake::unbake(&png).unwrap_err();
    assert!(
        matches!(err, Error::Crc { ref chunk, .. } if chunk == "iTXt"),
        "{err}"
    );
}

#[test]
fn four_gigabyte_chunk_length() {
    let mut png = SIG.to_vec();
    ihdr(1, 1).write(&mut png);
    png.extend_from_slice(&0xFFFF_FFFFu32.to_be_bytes());
    png.extend_from_slice(b"iTXt");
    png.extend_from_slice(b"openbadges\0\0\0\0\0");
    let err = obi_bake::unbake(&png).unwrap_err();
    assert!(matches!(err, Error::InvalidPng(_)), "{err}");
    assert!(err.to_string().contains("2^31-1"), "{err}");
    // Just under the PNG maximum: the text limit stops it before any allocation.
    let mut png = SIG.to_vec();
    ihdr(1, 1).write(&mut png);
    png.extend_from_slice(&0x7FFF_FFFFu32.to_be_bytes());
    png.extend_from_slice(b"iTXt");
    png.extend_from_slice(b"openbadges\0\0\0\0\0");
    png.resize(png.len() + 100, b'a');
    let err = obi_bake::unbake(&png).unwrap_err();
    assert!(err.to_string().contains("max_text_len"), "{err}");
    // For IDAT it is skipped, then the file is too short.
    let mut png = SIG.to_vec();
    ihdr(1, 1).write(&mut png);
    png.extend_from_slice(&0x7FFF_FFFFu32.to_be_bytes());
    png.extend_from_slice(b"IDAT");
    assert!(matches!(
        obi_bake::unbake(&png).unwrap_err(),
        Error::Truncated(_)
    ));
}

#[test]
fn png_bomb() {
    // 64 MiB of zeros compresses to about 64 KiB.
    let bomb = vec![b'0'; 64 * 1024 * 1024];
    let png = png_with(4, 4, 10, &[itxt("openbadges", true, &bomb)], &[]);
    assert!(png.len() < 1024 * 1024);
    let err = obi_bake::unbake(&png).unwrap_err();
    assert!(err.to_string().contains("max_decompressed_len"), "{err}");
    // A small cap stops a small expansion too.
    let png = png_with(
        4,
        4,
        10,
        &[itxt("openbadges", true, OB2_JSON.as_bytes())],
        &[],
    );
    let baker = Baker::new().with_limits(Limits::default().with_max_decompressed_len(64));
    assert!(matches!(
        baker.unbake(&png).unwrap_err(),
        Error::Limit {
            limit: "Limits::max_decompressed_len",
            ..
        }
    ));
    // Corrupt zlib data.
    let mut c = itxt("openbadges", true, OB2_JSON.as_bytes());
    let n = c.data.len();
    c.data[n - 10] ^= 0xFF;
    c.data.truncate(n - 4);
    let png = png_with(4, 4, 10, &[c], &[]);
    assert!(matches!(
        obi_bake::unbake(&png).unwrap_err(),
        Error::Decompress(_) | Error::Limit { .. }
    ));
}

#[test]
fn hundred_megabyte_text_chunk() {
    let mut text = b"openbadges\0\0\0\0\0".to_vec();
    text.resize(100 * 1024 * 1024, b'a');
    let png = png_with(4, 4, 10, &[Chunk::new(b"iTXt", text)], &[]);
    let err = obi_bake::unbake(&png).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit {
                limit: "Limits::max_text_len",
                ..
            }
        ),
        "{err}"
    );
    let err = obi_bake::unbake_png(&png[..]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit {
                limit: "Limits::max_text_len",
                ..
            }
        ),
        "{err}"
    );
    // A 100 MB chunk that is not a badge is skipped, not read into memory.
    let mut other = b"Comment\0".to_vec();
    other.resize(100 * 1024 * 1024, b'a');
    let png = png_with(
        4,
        4,
        10,
        &[
            Chunk::new(b"tEXt", other),
            itxt("openbadges", false, b"https://e.org/a"),
        ],
        &[],
    );
    assert_eq!(
        obi_bake::unbake(&png).unwrap().unwrap().payload.as_str(),
        "https://e.org/a"
    );
}

#[test]
fn non_utf8_itxt() {
    let png = png_with(
        4,
        4,
        10,
        &[itxt("openbadges", false, b"{\"a\":\"\xFF\xFE\"}")],
        &[],
    );
    assert!(matches!(
        obi_bake::unbake(&png).unwrap_err(),
        Error::NotUtf8(_)
    ));
    let png = png_with(4, 4, 10, &[itxt("openbadges", true, b"\xC3\x28")], &[]);
    assert!(matches!(
        obi_bake::unbake(&png).unwrap_err(),
        Error::NotUtf8(_)
    ));
    // tEXt is Latin-1: every byte is a character.
    let png = png_with(
        4,
        4,
        10,
        &[Chunk::new(b"tEXt", &b"openbadges\0https://e.org/\xE9"[..])],
        &[],
    );
    assert_eq!(
        obi_bake::unbake(&png).unwrap().unwrap().payload.as_str(),
        "https://e.org/\u{e9}"
    );
}

#[test]
fn malformed_itxt() {
    for data in [
        &b"openbadges\0"[..],
        b"openbadges\0\0",
        b"openbadges\0\0\0",
        b"openbadges\0\0\0en",
        b"openbadges\0\x02\0\0\0x",
        b"openbadges\0\x01\x05\0\0x",
    ] {
        let png = png_with(4, 4, 10, &[Chunk::new(b"iTXt", data)], &[]);
        assert!(
            matches!(obi_bake::unbake(&png).unwrap_err(), Error::InvalidPng(_)),
            "{:?}",
            String::from_utf8_lossy(data)
        );
    }
}

#[test]
fn bad_structure() {
    assert!(matches!(
        obi_bake::unbake_png(&b"\x89PNG\r\n\x1a\x0b"[..]).unwrap_err(),
        Error::NotPng
    ));
    // First chunk not IHDR.
    let png = assemble(&[Chunk::new(b"IDAT", vec![1, 2]), Chunk::new(b"IEND", vec![])]);
    assert!(matches!(
        obi_bake::unbake(&png).unwrap_err(),
        Error::InvalidPng(_)
    ));
    // Chunk type not letters.
    let png = assemble(&[
        ihdr(1, 1),
        Chunk::new(b"ID\0T", vec![1, 2]),
        Chunk::new(b"IEND", vec![]),
    ]);
    assert!(matches!(
        obi_bake::unbake(&png).unwrap_err(),
        Error::InvalidPng(_)
    ));
    // Garbage after IEND is ignored by unbake and not copied by bake.
    let mut png = baked_png();
    png.extend_from_slice(b"trailing");
    assert!(obi_bake::unbake(&png).unwrap().is_some());
}

#[test]
fn svg_billion_laughs() {
    let svg = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="&lol9;"/></svg>"#;
    assert!(matches!(
        obi_bake::unbake(svg.as_bytes()).unwrap_err(),
        Error::Dtd
    ));
    assert!(matches!(
        obi_bake::bake_svg(
            svg.as_bytes(),
            Vec::new(),
            &Payload::detect(HOSTED_URL),
            None
        )
        .unwrap_err(),
        Error::Dtd
    ));
}

#[test]
fn svg_external_entity_and_dtd() {
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg>&xxe;</svg>"#;
    assert!(matches!(
        obi_bake::unbake(xxe.as_bytes()).unwrap_err(),
        Error::Dtd
    ));
    let dtd = r#"<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>"#;
    assert!(matches!(
        obi_bake::unbake(dtd.as_bytes()).unwrap_err(),
        Error::Dtd
    ));
    // An entity used without a declaration.
    let undefined = r#"<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion>&xxe;</openbadges:assertion></svg>"#;
    assert!(
        matches!(obi_bake::unbake(undefined.as_bytes()).unwrap_err(), Error::Entity(ref e) if e == "xxe")
    );
    let in_attr = r#"<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="&xxe;"/></svg>"#;
    assert!(matches!(
        obi_bake::unbake(in_attr.as_bytes()).unwrap_err(),
        Error::Entity(_) | Error::InvalidSvg(_)
    ));
}

#[test]
fn svg_limits_and_malformed() {
    let deep = format!("<svg>{}{}</svg>", "<g>".repeat(300), "</g>".repeat(300));
    let err = obi_bake::unbake(deep.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("max_svg_depth"), "{err}");
    let baker = Baker::new().with_limits(Limits::default().with_max_svg_len(10));
    let err = baker.unbake(SMALL_SVG.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("max_svg_len"), "{err}");
    for bad in [
        "<svg><g></svg>",
        "<svg>",
        "<html/>",
        "<svg/><svg/>",
        "<svg a='1' a='2'/>",
        "<svg><openbadges:assertion/></svg>",
        "<",
        "<svg xmlns:openbadges=\"http://openbadges.org\"><openbadges:assertion/></svg>",
    ] {
        assert!(
            matches!(obi_bake::unbake(bad.as_bytes()), Err(Error::InvalidSvg(_))),
            "{bad}: {:?}",
            obi_bake::unbake(bad.as_bytes())
        );
    }
    assert!(matches!(
        obi_bake::unbake(b"<svg>\xFF</svg>").unwrap_err(),
        Error::NotUtf8(_)
    ));
}
