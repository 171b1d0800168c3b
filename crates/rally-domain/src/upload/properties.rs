//! Properties over generated uploads (proptest): no input makes the check panic, an image is judged by
//! its first bytes and stored as a prefix of the upload, a sanitized SVG passes again unchanged and
//! keeps nothing that runs code, and the work grows linearly with the size of the file.

use crate::growth::assert_linear;
use std::cell::Cell;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestRunner;

use super::*;

const LIMIT: usize = 4 << 20;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// The check, with what must hold of every answer: both entry points agree, an accepted image is
/// what its first bytes say, is stored as the start of the upload and is within the pixel limit.
fn checked(bytes: &[u8]) -> Result<CheckedUpload, UploadError> {
    let result = check_upload(bytes, LIMIT);
    assert_eq!(check_upload_owned(bytes.to_vec(), LIMIT), result, "the two entry points differ");
    if let Ok(upload) = &result {
        let claimed = if bytes.starts_with(b"\x89PNG") {
            MediaType::Png
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            MediaType::Jpeg
        } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
            MediaType::Webp
        } else if bytes.starts_with(b"%PDF-") {
            MediaType::Pdf
        } else {
            MediaType::Svg
        };
        assert_eq!(upload.media_type, claimed);
        assert!(!upload.bytes.is_empty());
        if claimed != MediaType::Svg {
            assert!(bytes.starts_with(&upload.bytes), "stored bytes are not the start of the upload");
            let (width, height) = upload.dimensions.unwrap_or((1, 1));
            assert!(width > 0 && height > 0 && u64::from(width) * u64::from(height) <= MAX_PIXELS);
        }
    }
    result
}

/// Bytes rich in the values markers are made of, so the sniffers' walks meet markers often.
fn marker_bytes(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<u8>> {
    vec(prop_oneof![Just(0xFF), Just(0x00), Just(0xD9), Just(0xDA), Just(0xD0), any::<u8>()], len)
}

fn png_chunk(kind: [u8; 4], data: &[u8], crc_ok: bool) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(&kind);
    out.extend_from_slice(data);
    let crc = raster::crc32(&[&kind, data]);
    out.extend_from_slice(&if crc_ok { crc } else { !crc }.to_be_bytes());
    out
}

/// A PNG signature, a header (a known pixel format, or 13 random bytes), chunks with right or wrong
/// checksums, then anything.
fn png_like() -> impl Strategy<Value = Vec<u8>> {
    let size = prop_oneof![1u32..3000, any::<u32>()];
    let format = (select(vec![1u8, 2, 4, 8, 16]), select(vec![0u8, 2, 3, 4, 6]), 0u8..2);
    let header = (size.clone(), size, format, prop::option::weighted(0.2, any::<[u8; 13]>())).prop_map(
        |(w, h, (depth, colour, interlace), random)| {
            random.map_or_else(
                || [&w.to_be_bytes()[..], &h.to_be_bytes(), &[depth, colour, 0, 0, interlace]].concat(),
                |r| r.to_vec(),
            )
        },
    );
    let kind = prop_oneof![Just(*b"IDAT"), Just(*b"IEND"), Just(*b"tEXt"), any::<[u8; 4]>()];
    let chunk = (kind, vec(any::<u8>(), 0..24), prop::bool::weighted(0.9))
        .prop_map(|(kind, data, crc_ok)| png_chunk(kind, &data, crc_ok));
    (header, vec(chunk, 0..6), vec(any::<u8>(), 0..64)).prop_map(|(header, chunks, tail)| {
        [&b"\x89PNG\r\n\x1a\n"[..], &png_chunk(*b"IHDR", &header, true), &chunks.concat(), &tail].concat()
    })
}

/// A JPEG start-of-image marker and segments (lengths right or wrong, frame headers, scans).
fn jpeg_like() -> impl Strategy<Value = Vec<u8>> {
    let marker =
        prop_oneof![select(vec![0xC0u8, 0xC2, 0xC4, 0xDA, 0xD9, 0xDB, 0xE0, 0xE1, 0xD0, 0x01, 0xFF]), any::<u8>()];
    let segment =
        (marker, marker_bytes(0..24), prop::option::weighted(0.2, any::<u16>())).prop_map(|(marker, data, length)| {
            let length = length.unwrap_or(data.len() as u16 + 2);
            [&[0xFF, marker][..], &length.to_be_bytes(), &data].concat()
        });
    // A baseline frame header with a real size, so the walk to the end marker is reached.
    let frame = (1u16..2000, 1u16..2000).prop_map(|(width, height)| {
        [&[0xFF, 0xC0, 0, 11, 8][..], &height.to_be_bytes(), &width.to_be_bytes(), &[1, 1, 0x11, 0]].concat()
    });
    let scan = marker_bytes(0..32).prop_map(|data| [&[0xFF, 0xDA, 0, 2][..], &data].concat());
    (vec(prop_oneof![3 => segment, 1 => frame, 1 => scan], 0..6), marker_bytes(0..64))
        .prop_map(|(segments, tail)| [&[0xFF, 0xD8][..], &segments.concat(), &tail].concat())
}

/// A RIFF container saying WEBP, its size right or wrong, with a VP8, VP8L, VP8X or other chunk.
fn webp_like() -> impl Strategy<Value = Vec<u8>> {
    let kind = prop_oneof![Just(*b"VP8 "), Just(*b"VP8L"), Just(*b"VP8X"), any::<[u8; 4]>()];
    (kind, any::<bool>(), vec(any::<u8>(), 0..40), prop::option::weighted(0.2, any::<u32>())).prop_map(
        |(kind, fixed, data, riff_size)| {
            let start: &[u8] = match (&kind, fixed) {
                (b"VP8 ", true) => &[0x50, 0x02, 0x00, 0x9D, 0x01, 0x2A],
                (b"VP8L", true) => &[0x2F],
                _ => &[],
            };
            let data = [start, &data].concat();
            let body = [&b"WEBP"[..], &kind, &(data.len() as u32).to_le_bytes(), &data].concat();
            let riff_size = riff_size.unwrap_or(body.len() as u32);
            [&b"RIFF"[..], &riff_size.to_le_bytes(), &body].concat()
        },
    )
}

fn pdf_like() -> impl Strategy<Value = Vec<u8>> {
    let version = select(vec!["1.7", "2.0", "1.", "9.9", "", "1.x"]);
    (version, vec(any::<u8>(), 0..128), any::<bool>(), vec(any::<u8>(), 0..1100)).prop_map(
        |(version, body, eof, tail)| {
            let eof: &[u8] = if eof { b"\n%%EOF\n" } else { b"" };
            [&b"%PDF-"[..], version.as_bytes(), &body, eof, &tail[..tail.len() % 64]].concat()
        },
    )
}

/// Each accepted type's first bytes (and a UTF-16 SVG's), followed by anything.
fn magic_then_anything() -> impl Strategy<Value = Vec<u8>> {
    let magic = select(vec![
        &b"\x89PNG\r\n\x1a\n"[..],
        b"\x89PNG",
        b"\xFF\xD8\xFF",
        b"RIFF\0\0\0\0WEBP",
        b"RIFF",
        b"%PDF-",
        b"%PDF-1.4",
        b"<svg",
        b"<svg xmlns='http://www.w3.org/2000/svg'",
        b"<?xml",
        b"\xEF\xBB\xBF<svg",
        b"\xFF\xFE<\0s\0v\0g\0",
        b"MZ",
    ]);
    (magic, prop_oneof![vec(any::<u8>(), 0..2048), any::<String>().prop_map(String::into_bytes)])
        .prop_map(|(magic, tail)| [magic, &tail].concat())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_bytes_are_judged_without_panicking(bytes in vec(any::<u8>(), 0..4096)) {
        let _ = checked(&bytes);
    }

    #[test]
    fn magic_numbers_followed_by_anything_do_not_panic(
        bytes in prop_oneof![magic_then_anything(), png_like(), jpeg_like(), webp_like(), pdf_like()]
    ) {
        let _ = checked(&bytes);
    }

    /// A complete PNG followed by anything is stored up to its end marker, the rest reported.
    #[test]
    fn a_png_is_stored_up_to_its_end(width in 1u32..5000, height in 1u32..5000, tail in vec(any::<u8>(), 0..300)) {
        let header = [&width.to_be_bytes()[..], &height.to_be_bytes(), &[8, 6, 0, 0, 0]].concat();
        let image = [
            &b"\x89PNG\r\n\x1a\n"[..],
            &png_chunk(*b"IHDR", &header, true),
            &png_chunk(*b"IDAT", &[0x78, 0xDA, 0x63, 0, 0], true),
            &png_chunk(*b"IEND", &[], true),
        ]
        .concat();
        let upload = checked(&[&image[..], &tail].concat()).unwrap();
        prop_assert_eq!(&upload.bytes, &image);
        prop_assert_eq!(upload.dimensions, Some((width, height)));
        prop_assert_eq!(upload.removed.is_empty(), tail.is_empty());
    }
}

// ---- SVG: generated documents from a small vocabulary, dangerous words included ----

#[derive(Debug, Clone)]
enum Node {
    Element(&'static str, Vec<(&'static str, String)>, Vec<Node>),
    Text(String),
}

const SVG_ROOT: &str = concat!(
    r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink""#,
    r#" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:s="http://www.w3.org/2000/svg""#,
);

/// Words of `list`, for the strategies below (repeats make a word likelier).
fn words(list: &'static str) -> impl Strategy<Value = &'static str> {
    select(list.split_whitespace().collect::<Vec<_>>())
}

fn element_name() -> impl Strategy<Value = &'static str> {
    words(
        "g g rect path circle text tspan a use image defs title style style script SCRIPT foreignObject set \
         animate iframe h:div s:rect s:script stop",
    )
}

fn attribute_value() -> impl Strategy<Value = String> {
    let known = select(vec![
        "red",
        "url(#g)",
        "url(https://evil.example/x.png)",
        "url( 'https://evil.example/q' )",
        "javascript:alert(1)",
        " jav&#x61;script:alert(1)",
        "JAVA&#9;SCRIPT:x",
        "vbscript:x",
        "#frag",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:text/html;base64,PHNjcmlwdD4=",
        "https://evil.example/",
        "fill:red; background:url(http://evil.example/t.png)",
        "fill:blue;stroke:url(#g)",
        "a;b{c}d",
        "u\\72l(//evil.example/e.png)",
        "expression(alert(1))",
        "@import 'x.css'",
        "@im\\port 'x.css'",
        "-moz-binding:url(x.xml#b)",
        "behavior: url(x.htc)",
        "image-set('x.png' 1x)",
        "10",
        "100px",
        "2in",
        "0 0 30 20",
        "",
        "&amp;&lt;&gt;&quot;",
        "&#x263A;",
        "&#0;",
        "&bogus;",
        "a & b",
        "<",
        "M0 0 L10 10 Z",
    ]);
    prop_oneof![3 => known.prop_map(str::to_owned), 1 => "[a-zA-Z0-9 #:;(){}/.,'\\\\@-]{0,16}"]
}

fn attributes() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    let name = words(
        "id fill stroke style style onload onclick ONmouseover href href xlink:href width height transform \
         class xml:base viewBox d x offset",
    );
    btree_map(name, attribute_value(), 0..4).prop_map(|map| map.into_iter().collect())
}

fn text() -> impl Strategy<Value = String> {
    let known = select(vec![
        "hello",
        "a &amp; b",
        "<![CDATA[ x < y ]]>",
        "<!-- note -->",
        "<!-- a -- b -->",
        "&#x263A;",
        "&#1;",
        "<?php echo 1 ?>",
        ".a { fill: url(https://evil.example/x) } .b { fill: red }",
        "@import url(x.css); .c { fill: url(#g) }",
        "x { behavior: url(x.htc) } y { width: expression(1) }",
        "/* a */ .d { fill: blue; cursor: url(https://evil.example/c.cur), auto }",
        "u\\72l(https://evil.example/z)",
        "  \n  ",
        "javascript:alert(1)",
        "]]>",
        "{",
        "}",
        ";",
        "\"",
        "'",
        "&",
    ]);
    prop_oneof![3 => known.prop_map(str::to_owned), 1 => "[a-zA-Z0-9 .;:{}()#'/*\\\\-]{0,20}"]
}

fn render(node: &Node, out: &mut String) {
    match node {
        Node::Text(text) => out.push_str(text),
        Node::Element(name, attributes, children) => {
            out.push('<');
            out.push_str(name);
            for (key, value) in attributes {
                out.push_str(&format!(" {key}=\"{value}\""));
            }
            if children.is_empty() {
                out.push_str("/>");
            } else {
                out.push('>');
                children.iter().for_each(|child| render(child, out));
                out.push_str(&format!("</{name}>"));
            }
        }
    }
}

fn svg_document() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        text().prop_map(Node::Text),
        (element_name(), attributes()).prop_map(|(name, attributes)| Node::Element(name, attributes, Vec::new())),
    ];
    let tree = leaf.prop_recursive(4, 48, 5, |inner| {
        (element_name(), attributes(), vec(inner, 1..5))
            .prop_map(|(name, attributes, children)| Node::Element(name, attributes, children))
    });
    let prolog = select(vec![
        "",
        "\u{FEFF}",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<!-- made -->",
        "<?xml-stylesheet href=\"x.xsl\"?>",
    ]);
    (prolog, attributes(), vec(tree, 0..6)).prop_map(|(prolog, root_attributes, children)| {
        let mut out = format!("{prolog}{SVG_ROOT}");
        for (key, value) in &root_attributes {
            out.push_str(&format!(" {key}=\"{value}\""));
        }
        out.push('>');
        children.iter().for_each(|child| render(child, &mut out));
        out.push_str("</svg>\n");
        out
    })
}

/// The stored SVG holds no element or attribute that runs code, no link elsewhere, and no style
/// that loads or runs something.
fn assert_inert(svg: &[u8]) {
    use quick_xml::events::Event;
    let squeeze =
        |s: &str| s.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase();
    let loads =
        |css: &str| ["url(http", "url('http", "url(\"http", "url(//", "url('//"].iter().any(|u| css.contains(u));
    let mut reader = quick_xml::Reader::from_str(std::str::from_utf8(svg).unwrap());
    let mut in_style = false;
    loop {
        let event = reader.read_event().unwrap();
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().into_inner().to_ascii_lowercase();
                let local = name.rsplit(':').next().unwrap_or_default();
                assert!(!["script", "foreignobject", "iframe", "set", "animate"].contains(&local), "<{name}> kept");
                assert!(!name.starts_with("h:"), "<{name}> kept");
                // Only the text right inside a `<style>` is CSS; after `<style/>` it is plain text.
                in_style = local == "style" && matches!(event, Event::Start(_));
                for attribute in e.attributes() {
                    let attribute = attribute.unwrap();
                    let key = attribute.key.into_inner().to_ascii_lowercase();
                    let key_local = key.rsplit(':').next().unwrap_or_default();
                    let value = squeeze(&attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap());
                    assert!(!key_local.starts_with("on") && key != "xml:base", "{key} kept");
                    assert!(!value.contains("javascript:") && !value.contains("vbscript:"), "{key}={value} kept");
                    assert!(!loads(&value) && !value.contains("@import"), "{key}={value} kept");
                    if key_local == "href" {
                        assert!(value.starts_with('#') || value.starts_with("data:image/png"), "{key}={value} kept");
                    }
                }
            }
            Event::End(_) => in_style = false,
            Event::Text(t) if in_style => {
                let css = squeeze(&t.xml10_content());
                assert!(!loads(&css), "style loading something kept: {css}");
                for word in ["@import", "expression(", "behavior:", "javascript:"] {
                    assert!(!css.contains(word), "{word} kept in a style: {css}");
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
}

/// Accepted documents pass again byte for byte (with nothing left to remove) and keep nothing that
/// runs code; a fair share of the generated documents must be accepted for this to mean anything.
#[test]
fn sanitized_svg_is_stable_and_inert() {
    let accepted = Cell::new(0u32);
    let mut runner = TestRunner::new(config(256));
    let result = runner.run(&svg_document(), |doc| {
        let Ok(first) = checked(doc.as_bytes()) else { return Ok(()) };
        accepted.set(accepted.get() + 1);
        let again = checked(&first.bytes);
        prop_assert!(
            again.is_ok(),
            "the sanitized document is refused: {:?}\n{}",
            again,
            String::from_utf8_lossy(&first.bytes)
        );
        let again = again.unwrap();
        prop_assert_eq!(String::from_utf8_lossy(&again.bytes), String::from_utf8_lossy(&first.bytes));
        prop_assert!(again.removed.is_empty(), "{:?}", again.removed);
        prop_assert_eq!(again.dimensions, first.dimensions);
        assert_inert(&first.bytes);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(accepted.get() >= 40, "only {} generated documents were accepted", accepted.get());
}

// ---- Linear time ----

/// `unit(i)` repeated until the text has `size` bytes, between `start` and `end`.
fn repeated(start: &str, unit: impl Fn(usize) -> String, end: &str, size: usize) -> Vec<u8> {
    let mut out = start.to_owned();
    let mut i = 0;
    while out.len() < size {
        out.push_str(&unit(i));
        i += 1;
    }
    out.push_str(end);
    out.into_bytes()
}

#[test]
fn the_work_grows_linearly() {
    let run = |bytes: &Vec<u8>| {
        let _ = check_upload(bytes, LIMIT);
    };
    let root = r#"<svg xmlns="http://www.w3.org/2000/svg">"#;
    let svg = |start: &str, unit: fn(usize) -> String, end: &'static str| {
        let start = format!("{root}{start}");
        move |size| repeated(&start, unit, end, size)
    };
    assert_linear("many attributes", 16 << 10, svg("<g", |i| format!(" a{i}=\"1\""), "/></svg>"), run);
    assert_linear(
        "handlers and links",
        16 << 10,
        svg("", |i| format!("<a onclick='x' href='https://e/{i}'/>"), "</svg>"),
        run,
    );
    assert_linear("nesting", 16 << 10, svg("", |_| "<a><a><a><a></a></a></a></a>".into(), "</svg>"), run);
    assert_linear(
        "style",
        16 << 10,
        svg("<style>", |i| format!(".c{i}{{fill:url(http://e/{i});b:c}}"), "</style></svg>"),
        run,
    );
    assert_linear("references", 16 << 10, svg("<text>", |_| "&amp;&#x263A;".into(), "</text></svg>"), run);
    assert_linear("comments", 16 << 10, svg("", |_| "<!-- c --><![CDATA[x]]>".into(), "</svg>"), run);
    assert_linear(
        "jpeg scan",
        16 << 10,
        |size| {
            let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 0x11, 8, 0, 1, 0, 1, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
            jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02]);
            jpeg.extend((0..size).map(|i| if i % 2 == 0 { 0xFF } else { 0x00 }));
            jpeg
        },
        run,
    );
    assert_linear(
        "png chunks",
        16 << 10,
        |size| {
            let header = png_chunk(*b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0], true);
            let text = png_chunk(*b"tEXt", b"a", true);
            [&b"\x89PNG\r\n\x1a\n"[..], &header, &text.repeat(size / text.len())].concat()
        },
        run,
    );
}
