//! Reading an uploaded table: CSV in whatever encoding and with whatever delimiter the spreadsheet
//! program of its author chose, or a workbook (XLSX, XLS, ODS), as rows of text cells.
//!
//! CSV is read as a stream (the file is decoded and split while it is read, so a million rows take the
//! memory of one); a workbook is read sheet at a time, as the format requires, which spreadsheet
//! programs already bound to about a million rows.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use encoding_rs::Encoding;

/// The most lines one row may span (quoted line breaks); more is taken for broken quoting.
const MAX_ROW_LINES: u64 = 200;

/// How much of a file is looked at to guess its encoding and delimiter.
const SAMPLE: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Workbook,
}

/// What the reader settled on, shown to the user on the preview so a wrong guess can be corrected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    pub format: Format,
    /// The encoding's WHATWG name (`UTF-8`, `UTF-16LE`, `windows-1251`, …); `XLSX` for workbooks.
    pub encoding: String,
    /// The CSV delimiter; `None` for workbooks.
    pub delimiter: Option<u8>,
    pub headers: Vec<String>,
}

impl Sniffed {
    /// The delimiter as a person names it.
    pub fn delimiter_name(&self) -> &'static str {
        match self.delimiter {
            Some(b',') => "comma",
            Some(b';') => "semicolon",
            Some(b'\t') => "tab",
            Some(b'|') => "vertical bar",
            Some(_) => "other",
            None => "none (workbook)",
        }
    }
}

/// The user's corrections of the guesses; `None` keeps the guess.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    /// An encoding label (`utf-8`, `utf-16`, `windows-1251`, `cp1250`, `latin1`, …).
    pub encoding: Option<String>,
    pub delimiter: Option<u8>,
}

/// One data row: its number as a spreadsheet shows it (the header is row 1) and its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: u64,
    pub cells: Vec<String>,
}

/// A row that could not be read at all (the rest of the file still can be).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub number: u64,
    pub reason: String,
}

/// Why a file cannot be read as a table.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("the file cannot be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("the file is empty")]
    Empty,
    #[error("this is not a table: {0}")]
    NotTabular(String),
    #[error("unknown encoding `{0}`; try utf-8, utf-16, windows-1250, windows-1251 or latin1")]
    UnknownEncoding(String),
    #[error("the workbook cannot be read: {0}")]
    Workbook(String),
}

/// About how many data rows a file holds (its line feeds, less the header; quoted line breaks make it
/// a little high), read in blocks: for progress bars.
pub fn estimate_rows(path: &Path) -> std::io::Result<u64> {
    use std::io::BufRead;
    let mut file = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut lines = 0u64;
    loop {
        let buf = file.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        lines += buf.iter().filter(|&&b| b == b'\n').count() as u64;
        let n = buf.len();
        file.consume(n);
    }
    Ok(lines.saturating_sub(1))
}

/// Parses a delimiter as the user writes it: `,`, `;`, `tab`, `\t`, `|`.
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s.trim() {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        "|" | "bar" | "pipe" | "vertical bar" => Ok(b'|'),
        other => Err(format!("unknown delimiter `{other}`; use comma, semicolon, tab or |")),
    }
}

enum Rows {
    Csv(Box<csv::Reader<Box<dyn Read + Send>>>, csv::StringRecord),
    Sheet(std::vec::IntoIter<Row>),
}

/// An open table: what was sniffed and its data rows, read on demand.
pub struct Table {
    sniffed: Sniffed,
    rows: Rows,
    /// The number of the next CSV row (the header was row 1).
    next: u64,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table").field("sniffed", &self.sniffed).field("next", &self.next).finish_non_exhaustive()
    }
}

impl Table {
    /// Opens the file, recognises a workbook by its first bytes, otherwise guesses the text encoding
    /// and delimiter (or takes the user's), and reads the header row.
    pub fn open(path: &Path, options: &SourceOptions) -> Result<Table, SourceError> {
        let mut file = File::open(path)?;
        let mut sample = Vec::with_capacity(SAMPLE);
        (&mut file).take(SAMPLE as u64).read_to_end(&mut sample)?;
        if sample.is_empty() {
            return Err(SourceError::Empty);
        }
        if sample.starts_with(b"PK\x03\x04") || sample.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return open_workbook(path);
        }
        let encoding = match &options.encoding {
            Some(label) => Encoding::for_label(label.trim().as_bytes())
                .ok_or_else(|| SourceError::UnknownEncoding(label.clone()))?,
            None => guess_encoding(&sample)?,
        };
        let (text, _, _) = encoding.decode(&sample);
        let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&text));
        file.seek(SeekFrom::Start(0))?;
        let decoded: Box<dyn Read + Send> = Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .bom_override(true)
                .strip_bom(true)
                .build(BufReader::with_capacity(256 * 1024, file)),
        );
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            // Rows end at a line feed; the carriage return of CRLF files is trimmed with the cell. (With
            // CRLF as the terminator the reader would count each row as starting on the line before.)
            .terminator(csv::Terminator::Any(b'\n'))
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(256 * 1024)
            .from_reader(decoded);
        let mut header = csv::StringRecord::new();
        match reader.read_record(&mut header) {
            Ok(true) => {}
            Ok(false) => return Err(SourceError::Empty),
            Err(e) => return Err(SourceError::NotTabular(csv_reason(&e))),
        }
        let headers = header_names(header.iter().map(|h| h.trim_end_matches('\r')));
        let sniffed =
            Sniffed { format: Format::Csv, encoding: encoding.name().to_owned(), delimiter: Some(delimiter), headers };
        Ok(Table { sniffed, rows: Rows::Csv(Box::new(reader), csv::StringRecord::new()), next: 2 })
    }

    pub fn sniffed(&self) -> &Sniffed {
        &self.sniffed
    }

    /// The next data row; blank rows are passed over. A row that cannot be decoded (broken quoting
    /// runs to the end of the file, for one) is a [`BadRow`] and reading goes on after it.
    pub fn next_row(&mut self) -> Option<Result<Row, BadRow>> {
        match &mut self.rows {
            Rows::Sheet(rows) => rows.next().map(Ok),
            Rows::Csv(reader, record) => loop {
                match reader.read_record(record) {
                    Ok(false) => return None,
                    Ok(true) => {
                        // The line the row starts on (blank lines count, as they do in a spreadsheet).
                        let number = record.position().map_or(self.next, |p| p.line());
                        let spans = reader.position().line().saturating_sub(number);
                        self.next = number + 1;
                        if record.iter().all(|c| c.trim().is_empty()) {
                            continue;
                        }
                        if spans > MAX_ROW_LINES {
                            // Most likely a quote that is never closed: it swallowed the lines after it.
                            let reason = format!(
                                "a quoted cell starting here runs over {spans} lines; is a closing quote (\") missing?"
                            );
                            return Some(Err(BadRow { number, reason }));
                        }
                        return Some(Ok(Row { number, cells: record.iter().map(cell).collect() }));
                    }
                    Err(e) => {
                        let number = e.position().map_or(self.next, |p| p.line());
                        self.next = number + 1;
                        let reason = csv_reason(&e);
                        if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                            // The stream itself failed: nothing after this can be trusted.
                            self.rows = Rows::Sheet(Vec::new().into_iter());
                        }
                        return Some(Err(BadRow { number, reason }));
                    }
                }
            },
        }
    }
}

/// A CSV cell with Windows line ends made plain: `\r\n` inside quotes, `\r` before the row's end.
fn cell(c: &str) -> String {
    if c.contains('\r') { c.replace("\r\n", "\n").trim_end_matches('\r').to_owned() } else { c.to_owned() }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the text is not valid in the file's encoding".to_owned(),
        csv::ErrorKind::Io(io) => format!("the file could not be read: {io}"),
        _ => e.to_string(),
    }
}

/// Header cells, trimmed; empty ones are named after their column letter so they can still be mapped.
fn header_names<'a>(cells: impl Iterator<Item = &'a str>) -> Vec<String> {
    cells
        .enumerate()
        .map(|(i, h)| {
            let h = h.trim().trim_start_matches('\u{feff}').trim();
            if h.is_empty() { format!("column {}", column_letter(i)) } else { h.to_owned() }
        })
        .collect()
}

/// `A`, `B`, … `Z`, `AA`, … as spreadsheets name columns.
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// The encoding of a text file: its byte-order mark, else UTF-16 recognised by its zero bytes, else
/// UTF-8 if the sample is valid UTF-8, else the best guess among the legacy single-byte encodings.
/// Binary data (zero bytes that are not UTF-16) is refused.
pub fn guess_encoding(sample: &[u8]) -> Result<&'static Encoding, SourceError> {
    if let Some((encoding, _)) = Encoding::for_bom(sample) {
        return Ok(encoding);
    }
    let pairs = sample.len() / 2;
    if pairs >= 2 {
        let zero_even = sample.chunks_exact(2).filter(|p| p[0] == 0).count();
        let zero_odd = sample.chunks_exact(2).filter(|p| p[1] == 0).count();
        if zero_odd * 10 >= pairs * 3 && zero_even * 20 < pairs {
            return Ok(encoding_rs::UTF_16LE);
        }
        if zero_even * 10 >= pairs * 3 && zero_odd * 20 < pairs {
            return Ok(encoding_rs::UTF_16BE);
        }
    }
    if let Some(at) = sample.iter().position(|&b| b == 0) {
        return Err(SourceError::NotTabular(format!(
            "binary data at byte {at}; expected a CSV text file or a spreadsheet (XLSX, XLS, ODS)"
        )));
    }
    match std::str::from_utf8(sample) {
        Ok(_) => return Ok(encoding_rs::UTF_8),
        // Only the last character was cut by the sample's end.
        Err(e) if e.error_len().is_none() => return Ok(encoding_rs::UTF_8),
        Err(_) => {}
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, true);
    Ok(detector.guess(None, chardetng::Utf8Detection::Deny))
}

/// The delimiter that splits the sample's lines into the most consistent number of cells: comma,
/// semicolon, tab or vertical bar (quotes respected). Comma when nothing is conclusive.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines = logical_lines(text, 50);
    let mut best = (b',', 0usize, 0usize);
    for candidate in [b',', b';', b'\t', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, candidate)).collect();
        let Some(&first) = counts.first() else { continue };
        if first == 0 {
            continue;
        }
        // Lines agreeing with the header's count, then the count itself, decide.
        let agreeing = counts.iter().filter(|&&c| c == first).count();
        if (agreeing, first) > (best.1, best.2) {
            best = (candidate, agreeing, first);
        }
    }
    best.0
}

/// Up to `max` lines, quoted newlines kept inside their line; a cut-off last line is dropped.
fn logical_lines(text: &str, max: usize) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\n' if !in_quotes => {
                let line = text[start..i].trim_end_matches('\r');
                if !line.trim().is_empty() {
                    lines.push(line);
                }
                start = i + 1;
                if lines.len() == max {
                    break;
                }
            }
            _ => {}
        }
    }
    if lines.is_empty() && !text[start..].trim().is_empty() {
        lines.push(&text[start..]);
    }
    lines
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut in_quotes = false;
    line.bytes()
        .filter(|&b| {
            if b == b'"' {
                in_quotes = !in_quotes;
            }
            b == delimiter && !in_quotes
        })
        .count()
}

fn open_workbook(path: &Path) -> Result<Table, SourceError> {
    use calamine::Reader as _;
    let bad = |e: calamine::Error| SourceError::Workbook(e.to_string());
    let mut workbook = calamine::open_workbook_auto(path).map_err(bad)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| SourceError::Workbook("the workbook has no sheets".into()))?
        .map_err(bad)?;
    let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let mut rows = range.rows().enumerate().map(|(i, cells)| Row {
        number: first_row + i as u64 + 1,
        // Columns left of the range are empty; keep them so column letters stay true.
        cells: std::iter::repeat_n(String::new(), first_col).chain(cells.iter().map(cell_text)).collect(),
    });
    let header = rows.next().ok_or(SourceError::Empty)?;
    let headers = header_names(header.cells.iter().map(String::as_str));
    let data: Vec<Row> = rows.filter(|r| r.cells.iter().any(|c| !c.trim().is_empty())).collect();
    let sniffed = Sniffed { format: Format::Workbook, encoding: "XLSX".into(), delimiter: None, headers };
    Ok(Table { sniffed, rows: Rows::Sheet(data.into_iter()), next: 0 })
}

/// A cell as the text a person typed: whole numbers without `.0`, dates as `YYYY-MM-DD`.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Excel's serial date (days since 1899-12-30, the 1900 leap-year bug included) as `YYYY-MM-DD`,
/// with the time when there is one.
fn excel_date(serial: f64) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    let days = serial.floor() as i64;
    let seconds = ((serial - serial.floor()) * 86_400.0).round() as u32;
    let date = epoch + chrono::Duration::days(days);
    if seconds == 0 {
        date.format("%Y-%m-%d").to_string()
    } else {
        let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(seconds.min(86_399), 0).unwrap_or_default();
        format!("{} {}", date.format("%Y-%m-%d"), time.format("%H:%M"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;

    fn table(bytes: &[u8], options: &SourceOptions) -> (Sniffed, Vec<Result<Row, BadRow>>) {
        let mut f = tempfile_in();
        f.1.write_all(bytes).unwrap();
        let mut t = Table::open(&f.0, options).unwrap();
        let mut rows = Vec::new();
        while let Some(r) = t.next_row() {
            rows.push(r);
        }
        (t.sniffed().clone(), rows)
    }

    fn tempfile_in() -> (std::path::PathBuf, File) {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!("rally-source-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("t{}.csv", N.fetch_add(1, Ordering::Relaxed)));
        let f = File::create(&path).unwrap();
        (path, f)
    }

    fn cells(rows: &[Result<Row, BadRow>]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.as_ref().unwrap().cells.clone()).collect()
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let (s, rows) = table("name,city\nŠkola,Zagreb\n".as_bytes(), &SourceOptions::default());
        assert_eq!(
            (s.encoding.as_str(), s.delimiter, s.headers.clone()),
            ("UTF-8", Some(b','), vec!["name".into(), "city".into()])
        );
        assert_eq!(cells(&rows), vec![vec!["Škola".to_owned(), "Zagreb".into()]]);
        let (s, _) = table("\u{feff}name;city\nŠkola;Zagreb\n".as_bytes(), &SourceOptions::default());
        assert_eq!((s.encoding.as_str(), s.delimiter, s.headers[0].as_str()), ("UTF-8", Some(b';'), "name"));
    }

    #[test]
    fn utf16_with_bom_and_without() {
        let text = "name\tcity\nШкола №5\tМосква\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let (s, rows) = table(&le, &SourceOptions::default());
        assert_eq!((s.encoding.as_str(), s.delimiter), ("UTF-16LE", Some(b'\t')));
        assert_eq!(cells(&rows), vec![vec!["Школа №5".to_owned(), "Москва".into()]]);
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let (s, rows) = table(&be, &SourceOptions::default());
        assert_eq!(s.encoding, "UTF-16BE");
        assert_eq!(cells(&rows)[0][1], "Москва");
    }

    #[test]
    fn legacy_cyrillic_and_central_european() {
        let ru = "Название;Город;Почта\nГимназия имени Пушкина;Москва;info@example.ru\nШкола программирования;Санкт-Петербург;a@b.ru\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(ru);
        let (s, rows) = table(&bytes, &SourceOptions::default());
        assert_eq!((s.encoding.as_str(), s.delimiter), ("windows-1251", Some(b';')));
        assert_eq!(s.headers[1], "Город");
        assert_eq!(cells(&rows)[1][1], "Санкт-Петербург");
        let hr = "Naziv;Grad\nOsnovna škola Čakovec;Čakovec\nŽupanija Šibensko-kninska;Šibenik\nUdruga Mladi programeri;Đakovo\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1250.encode(hr);
        let (s, rows) = table(&bytes, &SourceOptions::default());
        assert_eq!(s.encoding, "windows-1250");
        assert_eq!(cells(&rows)[2][1], "Đakovo");
        // The user's correction wins over the guess.
        let (s, rows) = table(&bytes, &SourceOptions { encoding: Some("cp1250".into()), delimiter: Some(b';') });
        assert_eq!(s.encoding, "windows-1250");
        assert_eq!(cells(&rows)[0][0], "Osnovna škola Čakovec");
    }

    #[test]
    fn quoted_newlines_delimiters_inside_quotes_and_blank_rows() {
        let csv = "name,notes,city\n\"Acme, Inc.\",\"line one\nline two\",Split\n\n,,\nBeta,x,Rijeka\n";
        let (s, rows) = table(csv.as_bytes(), &SourceOptions::default());
        assert_eq!(s.delimiter, Some(b','));
        let (_, crlf) = table(csv.replace('\n', "\r\n").as_bytes(), &SourceOptions::default());
        assert_eq!(crlf, rows, "CRLF files read the same, line numbers included");
        let rows: Vec<Row> = rows.into_iter().map(Result::unwrap).collect();
        assert_eq!(rows[0].cells, vec!["Acme, Inc.", "line one\nline two", "Split"]);
        assert_eq!(rows[0].number, 2);
        assert_eq!((rows[1].number, rows[1].cells[0].as_str()), (6, "Beta"), "the line it starts on");
    }

    #[test]
    fn a_quote_that_is_never_closed_is_named() {
        let mut csv = String::from("name,city\nGood,Split\n\"Broken,Zagreb\n");
        for i in 0..300 {
            csv.push_str(&format!("Row {i},Rijeka\n"));
        }
        let (_, rows) = table(csv.as_bytes(), &SourceOptions::default());
        assert_eq!(rows[0].as_ref().map(|r| r.cells[0].as_str()), Ok("Good"));
        let bad = rows[1].as_ref().unwrap_err();
        assert_eq!(bad.number, 3);
        assert!(bad.reason.contains("closing quote"), "{}", bad.reason);
    }

    #[test]
    fn garbage_and_empty_files_are_refused_clearly() {
        let mut f = tempfile_in();
        let garbage: Vec<u8> = (0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        f.1.write_all(&garbage).unwrap();
        let e = Table::open(&f.0, &SourceOptions::default()).unwrap_err();
        assert!(e.to_string().contains("binary data"), "{e}");
        let f = tempfile_in();
        assert!(matches!(Table::open(&f.0, &SourceOptions::default()), Err(SourceError::Empty)));
        let (_, rows) = table(b"a,b\n", &SourceOptions::default());
        assert!(rows.is_empty());
        let mut f = tempfile_in();
        f.1.write_all(b"a,b\n1,2\n").unwrap();
        let e = Table::open(&f.0, &SourceOptions { encoding: Some("klingon".into()), delimiter: None }).unwrap_err();
        assert!(e.to_string().contains("unknown encoding"), "{e}");
    }

    #[test]
    fn header_gaps_get_column_letters() {
        let (s, _) = table(b"name,,email\nx,y,z\n", &SourceOptions::default());
        assert_eq!(s.headers, vec!["name", "column B", "email"]);
        assert_eq!(column_letter(27), "AB");
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert!(parse_delimiter("#").is_err());
    }

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_date(44_927.0), "2023-01-01");
        assert_eq!(excel_date(44_927.5), "2023-01-01 12:00");
    }
}
