//! PNG baking and unbaking.

use std::io::{Cursor, Read};

use obi_bake::{Baker, Format, Limits, Payload, Version};

use crate::support::*;

/// A reader that cannot seek, handing out a few bytes at a time.
struct Trickle<'a>(&'a [u8]);
impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(7).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

fn bake(png: &[u8], payload: &Payload, version: Option<Version>) -> Vec<u8> {
    let mut out = Vec::new();
    obi_bake::bake_png(png, &mut out, payload, version).unwrap();
    out
}

fn badge_chunks(png: &[u8]) -> Vec<Chunk> {
    chunks(png)
        .into_iter()
        .filter(|c| {
            (c.ty == *b"iTXt" || c.ty == *b"tEXt")
                && (c.data.starts_with(b"openbadges\0")
                    || c.data.starts_with(b"openbadgecredential\0"))
        })
        .collect()
}

#[test]
fn round_trip_every_form() {
    let png = small_png();
    let cases = [
        (
            Payload::detect(OB2_JSON),
            None,
            Version::Ob2,
            b"iTXt",
            "openbadges",
        ),
        (
            Payload::detect(OB3_JSON),
            None,
            Version::Ob3,
            b"iTXt",
            "openbadgecredential",
        ),
        (
            Payload::detect(ob2_jws()),
            None,
            Version::Ob2,
            b"iTXt",
            "openbadges",
        ),
        (
            Payload::detect(ob3_jws()),
            None,
            Version::Ob3,
            b"iTXt",
            "openbadgecredential",
        ),
        (
            Payload::detect(HOSTED_URL),
            None,
            Version::Ob2,
            b"iTXt",
            "openbadges",
        ),
        (
            Payload::detect(HOSTED_URL),
            Some(Version::Ob1),
            Version::Ob1,
            b"tEXt",
            "openbadges",
        ),
    ];
    for (payload, asked, version, ty, keyword) in cases {
        let out = bake(&png, &payload, asked);
        let badges = badge_chunks(&out);
        assert_eq!(badges.len(), 1);
        assert_eq!(&badges[0].ty, ty);
        assert!(badges[0].data.starts_with(keyword.as_bytes()));
        for found in [
            obi_bake::unbake(&out).unwrap().unwrap(),
            obi_bake::unbake_png(Trickle(&out)).unwrap().unwrap(),
            obi_bake::unbake_png_seekable(Cursor::new(&out))
                .unwrap()
                .unwrap(),
        ] {
            assert_eq!(found.format, Format::Png);
            assert_eq!(found.version, version);
            assert_eq!(found.payload, payload);
        }
        // Still a valid image with the same pixels.
        assert_eq!(decode(&out), decode(&png));
    }
}

#[test]
fn itxt_layout_matches_the_spec() {
    let out = bake(&small_png(), &Payload::detect(OB2_JSON), None);
    let badge = &badge_chunks(&out)[0];
    let mut expected = b"openbadges\0\0\0\0\0".to_vec();
    expected.extend_from_slice(OB2_JSON.as_bytes());
    assert_eq!(badge.data, expected);
}

#[test]
fn inserted_before_first_idat_other_chunks_byte_for_byte() {
    let before = [
        Chunk::new(b"gAMA", 45455u32.to_be_bytes()),
        Chunk::new(b"tEXt", &b"Title\0A badge"[..]),
    ];
    let after = [Chunk::new(b"zzZz", &b"private after"[..])];
    let png = png_with(20, 20, 50, &before, &after);
    let out = bake(&png, &Payload::detect(OB2_JSON), None);
    let original = chunks(&png);
    let baked = chunks(&out);
    assert_eq!(baked.len(), original.len() + 1);
    let first_idat = original.iter().position(|c| c.ty == *b"IDAT").unwrap();
    assert!(baked[first_idat].data.starts_with(b"openbadges\0"));
    let mut without = baked.clone();
    without.remove(first_idat);
    assert_eq!(without, original);
    // Byte for byte: the output minus the badge chunk is the input.
    let badge_len = 12 + baked[first_idat].data.len();
    let offset: usize = 8 + original[..first_idat]
        .iter()
        .map(|c| 12 + c.data.len())
        .sum::<usize>();
    let mut spliced = out[..offset].to_vec();
    spliced.extend_from_slice(&out[offset + badge_len..]);
    assert_eq!(spliced, png);
}

#[test]
fn rebaking_replaces_in_place_never_two_badges() {
    let png = small_png();
    let ob2 = bake(&png, &Payload::detect(OB2_JSON), None);
    let ob3 = bake(&ob2, &Payload::detect(OB3_JSON), None);
    let badges = badge_chunks(&ob3);
    assert_eq!(badges.len(), 1);
    assert!(badges[0].data.starts_with(b"openbadgecredential\0"));
    assert_eq!(
        obi_bake::unbake(&ob3).unwrap().unwrap().payload,
        Payload::detect(OB3_JSON)
    );
    // Back to a hosted 1.0 URL: a tEXt replaces the iTXt.
    let ob1 = bake(&ob3, &Payload::detect(HOSTED_URL), Some(Version::Ob1));
    assert_eq!(badge_chunks(&ob1).len(), 1);
    let found = obi_bake::unbake(&ob1).unwrap().unwrap();
    assert_eq!(
        (found.version, found.payload.as_str()),
        (Version::Ob1, HOSTED_URL)
    );
    // An existing badge after IDAT (another tool) is removed, the new one goes before IDAT.
    let late = png_with(
        8,
        8,
        30,
        &[],
        &[itxt("openbadges", false, b"https://old.example")],
    );
    let out = bake(&late, &Payload::detect(OB2_JSON), None);
    assert_eq!(badge_chunks(&out).len(), 1);
    assert_eq!(
        obi_bake::unbake(&out).unwrap().unwrap().payload.as_str(),
        OB2_JSON
    );
    // Position: the new badge replaces the old one where it was (before IDAT).
    let early = png_with(
        8,
        8,
        30,
        &[
            Chunk::new(b"gAMA", 1u32.to_be_bytes()),
            itxt("openbadges", false, b"x"),
            Chunk::new(b"sRGB", [0u8]),
        ],
        &[],
    );
    let out = chunks(&bake(&early, &Payload::detect(OB2_JSON), None));
    assert_eq!(out[1].ty, *b"gAMA");
    assert!(out[2].data.starts_with(b"openbadges\0") && out[2].data.ends_with(OB2_JSON.as_bytes()));
    assert_eq!(out[3].ty, *b"sRGB");
}

#[test]
fn credential_under_the_2_0_keyword_is_3_0() {
    let png = png_with(
        4,
        4,
        10,
        &[itxt("openbadges", false, OB3_JSON.as_bytes())],
        &[],
    );
    assert_eq!(
        obi_bake::unbake(&png).unwrap().unwrap().version,
        Version::Ob3
    );
    let png = png_with(
        4,
        4,
        10,
        &[itxt("openbadges", false, ob3_jws().as_bytes())],
        &[],
    );
    assert_eq!(
        obi_bake::unbake(&png).unwrap().unwrap().version,
        Version::Ob3
    );
}

#[test]
fn no_badge_is_none() {
    assert_eq!(obi_bake::unbake(&small_png()).unwrap(), None);
    // Other text chunks, even with similar keywords, are not badges.
    let png = png_with(
        4,
        4,
        10,
        &[
            Chunk::new(b"tEXt", &b"openbadgesX\0no"[..]),
            itxt("openbadge", false, b"no"),
        ],
        &[],
    );
    assert_eq!(obi_bake::unbake(&png).unwrap(), None);
}

#[test]
fn compressed_itxt_and_ztxt() {
    let png = png_with(
        4,
        4,
        10,
        &[itxt("openbadges", true, OB2_JSON.as_bytes())],
        &[],
    );
    let found = obi_bake::unbake(&png).unwrap().unwrap();
    assert_eq!(
        (found.version, found.payload.as_str()),
        (Version::Ob2, OB2_JSON)
    );
    let png = png_with(
        4,
        4,
        10,
        &[itxt("openbadgecredential", true, OB3_JSON.as_bytes())],
        &[],
    );
    assert_eq!(
        obi_bake::unbake(&png).unwrap().unwrap().version,
        Version::Ob3
    );
    let mut z = b"openbadges\0\0".to_vec();
    z.extend(miniz_oxide::deflate::compress_to_vec_zlib(
        HOSTED_URL.as_bytes(),
        6,
    ));
    let png = png_with(4, 4, 10, &[Chunk::new(b"zTXt", z)], &[]);
    let found = obi_bake::unbake(&png).unwrap().unwrap();
    assert_eq!(
        (found.version, found.payload.as_str()),
        (Version::Ob1, HOSTED_URL)
    );
}

#[test]
fn highest_version_wins_when_several() {
    let png = png_with(
        4,
        4,
        10,
        &[
            Chunk::new(b"tEXt", format!("openbadges\0{HOSTED_URL}").into_bytes()),
            itxt("openbadgecredential", false, OB3_JSON.as_bytes()),
            itxt("openbadges", false, OB2_JSON.as_bytes()),
        ],
        &[],
    );
    assert_eq!(
        obi_bake::unbake(&png).unwrap().unwrap().version,
        Version::Ob3
    );
    // Baking leaves exactly one.
    let out = bake(&png, &Payload::detect(OB2_JSON), None);
    assert_eq!(badge_chunks(&out).len(), 1);
}

#[test]
fn unbake_skips_idat_without_reading_it() {
    // IDAT data is garbage with wrong CRCs: unbake never looks at it.
    let mut all = vec![ihdr(4, 4), itxt("openbadges", false, OB2_JSON.as_bytes())];
    all.push(Chunk::new(b"IDAT", vec![0xAB; 5000]));
    all.push(Chunk::new(b"IEND", Vec::new()));
    let mut png = assemble(&all);
    let idat_crc = png.len() - 12 - 4;
    png[idat_crc] ^= 0xFF;
    assert_eq!(
        obi_bake::unbake(&png).unwrap().unwrap().payload.as_str(),
        OB2_JSON
    );
    // Baking copies chunks and checks their CRC.
    let err =
        obi_bake::bake_png(&png[..], Vec::new(), &Payload::detect(OB2_JSON), None).unwrap_err();
    assert!(
        matches!(err, obi_bake::Error::Crc { ref chunk, .. } if chunk == "IDAT"),
        "{err}"
    );
}

#[test]
fn big_image_streams() {
    let png = big_png(2 * 1024 * 1024);
    let mut out = Vec::new();
    obi_bake::bake_png(
        Trickle(&png[..]),
        &mut out,
        &Payload::detect(OB3_JSON),
        None,
    )
    .unwrap();
    assert_eq!(
        out.len(),
        png.len() + 12 + "openbadgecredential".len() + 5 + OB3_JSON.len()
    );
    assert_eq!(
        obi_bake::unbake_png(Trickle(&out))
            .unwrap()
            .unwrap()
            .version,
        Version::Ob3
    );
}

#[test]
fn limits_are_named() {
    let png = bake(&small_png(), &Payload::detect(OB2_JSON), None);
    let baker = Baker::new().with_limits(Limits::default().with_max_text_len(16));
    let err = baker.unbake(&png).unwrap_err();
    assert!(err.to_string().contains("max_text_len"), "{err}");
    let baker = Baker::new().with_limits(Limits::default().with_max_chunks(2));
    let err = baker.unbake(&png).unwrap_err();
    assert!(err.to_string().contains("max_chunks"), "{err}");
    let baker = Baker::new().with_limits(Limits::default().with_max_chunk_len(10));
    let err = baker.unbake(&png).unwrap_err();
    assert!(err.to_string().contains("max_chunk_len"), "{err}");
}

#[test]
fn payloads_a_version_cannot_hold() {
    let png = small_png();
    for (payload, version) in [
        (Payload::detect(OB2_JSON), Version::Ob1),
        (Payload::detect(HOSTED_URL), Version::Ob3),
        (
            Payload::detect("https://example.org/\u{263A}"),
            Version::Ob1,
        ),
        (Payload::detect("   "), Version::Ob2),
    ] {
        let err = obi_bake::bake_png(&png[..], Vec::new(), &payload, Some(version)).unwrap_err();
        assert!(matches!(err, obi_bake::Error::Payload(_)), "{err}");
    }
}
