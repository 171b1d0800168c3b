//! Properties over generated input (proptest) for imported tables ([`Table::open`] and the row checks
//! after it): no file makes them panic or loop, what they return keeps their promises, and the work
//! grows linearly with the size of the input.

#![allow(clippy::unwrap_used)]
#![allow(clippy::too_many_lines, reason = "strategies read as one table of generated input")]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use rally_domain::event::DateWindow;
use rally_domain::growth::assert_linear;
use rally_store::imports::ImportKind;

use crate::import::fields::Mapping;
use crate::import::rows::RowChecker;
use crate::import::source::{self, BadRow, Format, Row, Sniffed, SourceError, SourceOptions, Table};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// `unit` repeated after `start` until there are `size` bytes.
fn repeated(start: &str, unit: &str, size: usize) -> Vec<u8> {
    let mut out = start.as_bytes().to_vec();
    while out.len() < size {
        out.extend_from_slice(unit.as_bytes());
    }
    out
}

// ---- Form bodies ----

/// Where the tables of this test process are written (the reader takes a path, as the upload is
/// stored on disk first); each file is removed when its [`Upload`] is dropped.
struct Upload(PathBuf);

impl Upload {
    fn new(bytes: &[u8]) -> Upload {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!("rally-properties-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // `.upload`, as the web app stores them: the workbook reader then goes by content alone.
        let path = dir.join(format!("{}.upload", N.fetch_add(1, Ordering::Relaxed)));
        std::fs::write(&path, bytes).unwrap();
        Upload(path)
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

type Read = (Sniffed, Vec<Result<Row, BadRow>>);

/// Opens the table and reads every row, checking what [`Table`] promises: named headers, a delimiter
/// for CSV only, rows numbered in order, CSV cells without a carriage return at their end, and an end
/// (no more rows than the file has bytes).
fn read_table(bytes: &[u8], options: &SourceOptions) -> Result<Read, SourceError> {
    read_upload(&Upload::new(bytes), bytes.len(), options)
}

fn read_upload(upload: &Upload, size: usize, options: &SourceOptions) -> Result<Read, SourceError> {
    let mut table = Table::open(&upload.0, options)?;
    let sniffed = table.sniffed().clone();
    assert!(!sniffed.headers.is_empty());
    for header in &sniffed.headers {
        assert!(!header.is_empty() && header.trim() == header, "header {header:?}");
    }
    let csv = sniffed.format == Format::Csv;
    assert_eq!(sniffed.delimiter.is_some(), csv);
    let mut rows = Vec::new();
    let mut last = 0;
    while let Some(row) = table.next_row() {
        let number = match &row {
            Ok(row) => {
                assert!(!csv || row.cells.iter().all(|c| !c.ends_with('\r')), "{:?}", row.cells);
                row.number
            }
            Err(bad) => bad.number,
        };
        assert!(number > last, "row {number} after row {last}");
        last = number;
        rows.push(row);
        assert!(rows.len() <= size + 1, "more rows than bytes");
    }
    Ok((sniffed, rows))
}

/// The rows as an import checks them, for every kind of import, with the mapping guessed from the
/// headers.
fn check_rows((sniffed, rows): &Read) {
    let window = DateWindow { from: "2026-10-01".parse().unwrap(), to: "2027-01-31".parse().unwrap() };
    for kind in ImportKind::ALL {
        let mapping = Mapping::guess(kind, &sniffed.headers);
        assert_eq!(mapping.columns.len(), sniffed.headers.len());
        let checker = RowChecker::new(&mapping, &sniffed.headers, Some(window));
        for row in rows.iter().flatten() {
            let _ = checker.check(row);
        }
    }
}

fn options() -> impl Strategy<Value = SourceOptions> {
    let encoding = select(vec![
        "utf-8",
        "utf-16",
        "utf-16be",
        "windows-1251",
        "cp1250",
        "latin1",
        "shift_jis",
        "gb18030",
        "iso-2022-jp",
        "replacement",
        "x-user-defined",
        "klingon",
    ]);
    let delimiter = select(vec![b',', b';', b'\t', b'|']);
    (prop::option::weighted(0.3, encoding), prop::option::weighted(0.3, delimiter))
        .prop_map(|(encoding, delimiter)| SourceOptions { encoding: encoding.map(str::to_owned), delimiter })
}

/// Text as a file holds it: UTF-8 with or without a byte order mark, UTF-16 either way, Windows-1250.
fn encoded(text: &str, encoding: u8) -> Vec<u8> {
    match encoding {
        0 => text.as_bytes().to_vec(),
        1 => [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat(),
        2 => [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect(),
        3 => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        _ => encoding_rs::WINDOWS_1250.encode(text).0.into_owned(),
    }
}

/// A header row of known and unknown column names, then rows of cells that are often valid, often
/// not, and sometimes break the quoting; in some encoding, with some delimiter and line end.
fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let header = select(vec![
        "name",
        "Name",
        "email",
        "E-mail",
        "city",
        "website",
        "category",
        "country",
        "notes",
        "phone",
        "first name",
        "title",
        "starts_on",
        "ends_on",
        "organizer_email",
        "organizer_name",
        "students",
        "ages",
        "language",
        "listing",
        "latitude",
        "longitude",
        "url",
        "partner",
        "",
        " ",
        "naziv",
        "Название",
        "\"quoted, header\"",
    ]);
    let cell = select(vec![
        "",
        "Škola",
        "Acme, Inc.",
        "\"quoted\"",
        "\"a\"\"b\"",
        "\"multi\nline\"",
        "\"unclosed",
        "x@example.org",
        "not an email",
        "https://example.org/x",
        "example",
        "2025-12-08",
        "2026-11-15",
        "31.12.2026",
        "120",
        "-5",
        "1e9",
        "=HYPERLINK(\"x\")",
        "'=1+1",
        "+1 (555) 0100",
        "@SUM(A1)",
        "school",
        "company",
        "public",
        "HR",
        "Croatia",
        "45.8",
        "16.0",
        "a\tb",
        ";",
        "\0",
        "\u{FEFF}x",
        "\r",
        "Москва",
        "\u{202E}evil",
        "\\",
    ]);
    let delimiter = select(vec![",", ";", "\t", "|"]);
    let line_end = select(vec!["\n", "\r\n", "\r"]);
    (delimiter, line_end, vec(header, 1..7), vec(vec(cell, 0..8), 0..8), 0u8..5).prop_map(
        |(delimiter, line_end, headers, rows, encoding)| {
            let mut text = headers.join(delimiter);
            for row in rows {
                text.push_str(line_end);
                text.push_str(&row.join(delimiter));
            }
            encoded(&text, encoding)
        },
    )
}

/// CSV's special characters in any order, and the first bytes of workbooks followed by anything.
fn table_soup() -> impl Strategy<Value = Vec<u8>> {
    let piece = select(vec!["a", "\"", "\"\"", ",", ";", "\t", "|", "\n", "\r\n", "\r", " ", "\u{FEFF}", "é", "\0"]);
    let magic = select(vec![
        &b"PK\x03\x04"[..],
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        b"\xD0\xCF\x11\xE0",
        b"\xEF\xBB\xBF",
        b"\xFF\xFE",
        b"\xFE\xFF",
    ]);
    prop_oneof![
        vec(piece, 0..120).prop_map(|pieces| pieces.concat().into_bytes()),
        (magic, vec(any::<u8>(), 0..1024)).prop_map(|(magic, rest)| [magic, &rest].concat()),
    ]
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn any_file_is_read_or_refused(
        bytes in prop_oneof![vec(any::<u8>(), 0..4096), csv_like(), table_soup()],
        options in options(),
    ) {
        if let Ok(read) = read_table(&bytes, &options) {
            check_rows(&read);
        }
    }

    /// A well-formed table (no quotes, no stray delimiters) reads back cell for cell, whatever its
    /// encoding, delimiter and line ends.
    #[test]
    fn plain_tables_read_back(
        headers in vec("[A-Za-z\u{10d}\u{161}\u{436}][A-Za-z0-9 \u{10d}\u{161}\u{436}]{0,8}[A-Za-z]", 1..6),
        rows in vec(vec("[A-Za-z0-9 @.\u{10d}\u{161}\u{436}]{0,10}", 6), 0..12),
        delimiter in select(vec![',', ';', '\t', '|']),
        line_end in select(vec!["\n", "\r\n"]),
        encoding in 0u8..4,
        sniff in any::<bool>(),
    ) {
        let width = headers.len();
        let rows: Vec<Vec<String>> = rows.into_iter().map(|row| row[..width].to_vec()).collect();
        let line = |cells: &[String]| cells.join(&delimiter.to_string()) + line_end;
        let text: String = std::iter::once(line(&headers)).chain(rows.iter().map(|r| line(r))).collect();
        // UTF-16 without a byte order mark is a guess from its zero bytes; the encoding is named for it.
        let options = SourceOptions {
            encoding: (encoding == 3).then(|| "utf-16be".to_owned()),
            delimiter: (!sniff).then_some(delimiter as u8),
        };
        let (sniffed, read) = read_table(&encoded(&text, encoding), &options).unwrap();
        prop_assert_eq!(&sniffed.headers, &headers);
        prop_assert_eq!(sniffed.delimiter, Some(delimiter as u8).filter(|_| width > 1).or(sniffed.delimiter));
        let expected: Vec<&Vec<String>> = rows.iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).collect();
        let cells: Vec<Vec<String>> = read.into_iter().map(|r| r.unwrap().cells).collect();
        prop_assert_eq!(cells.iter().collect::<Vec<_>>(), expected);
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn sniffing_takes_any_sample(bytes in vec(any::<u8>(), 0..2048), text in ".{0,300}") {
        if let Ok(encoding) = source::guess_encoding(&bytes) {
            let (decoded, _, _) = encoding.decode(&bytes);
            prop_assert!([b',', b';', b'\t', b'|'].contains(&source::sniff_delimiter(&decoded)));
        }
        prop_assert!([b',', b';', b'\t', b'|'].contains(&source::sniff_delimiter(&text)));
    }
}

#[test]
fn reading_a_table_grows_linearly() {
    let run = |(upload, size): &(Upload, usize)| {
        let _ = read_upload(upload, *size, &SourceOptions::default());
    };
    for (what, start, unit) in [
        ("an unclosed quote", "name,email\n\"", "Acme,x@example.org\n"),
        ("quotes", "", "\""),
        ("quoted cells", "name,notes,email\n", "\"a \"\"b\"\"\",\"c\nd\",x@example.org\n"),
        ("one long header row", "", "name,;\t|"),
        ("carriage returns", "name\n", "a\r\r\r\n"),
        ("blank lines", "name\n", "\n\r\n ,\n"),
        ("semicolons and quotes", "", "\";\";'\t"),
    ] {
        assert_linear(what, 16 << 10, |size| (Upload::new(&repeated(start, unit, size)), size), run);
    }
}

/// Checking rows (the mapping guessed from the headers, every row checked for every kind of import)
/// on smaller files: it does much more per byte than reading them.
#[test]
fn checking_rows_grows_linearly() {
    let read = |bytes: Vec<u8>| read_table(&bytes, &SourceOptions::default()).unwrap();
    let huge_cells = |size: usize| {
        let cell = "ab@c.d-1 ".repeat(size / 9 / 8);
        let header = "name,email,website,phone,city,country,starts_on,students";
        read(format!("{header}\n{}\n", [cell.as_str(); 8].join(",")).into_bytes())
    };
    assert_linear(
        "many rows",
        4 << 10,
        |size| read(repeated("name,email,city\n", "Acme,x@example.org,Split\n", size)),
        check_rows,
    );
    assert_linear("many columns", 4 << 10, |size| read(repeated("", "name,email,website,city,", size)), check_rows);
    assert_linear("huge cells", 4 << 10, huge_cells, check_rows);
}
