//! Certificates of participation as PDF: one A4 landscape page with the campaign's design (`CertificateTemplate`)
//! filled in for one participant (`CertificateValues`).
//!
//! Names come in every script our partners write in, and certificates of similar projects have shown them as
//! boxes or dropped them. So the text is real text, shaped with rustybuzz and written by krilla with the font
//! embedded (subset) and a ToUnicode map, so that it prints, selects and extracts exactly as typed. The font is
//! DejaVu Sans (`fonts/`, see its README), which covers Latin with the Polish and Croatian letters, Greek,
//! Cyrillic and Georgian; a character it cannot show makes `render` fail rather than draw a box. Text is
//! NFC-normalized first, so a name typed with combining marks (`c` + U+030C) comes out as the composed letter.

use std::collections::BTreeSet;
use std::ops::Range;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use unicode_normalization::UnicodeNormalization;

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// A4 landscape, in PDF points.
const PAGE_WIDTH: f32 = 841.89;
const PAGE_HEIGHT: f32 = 595.28;
/// The width every line of text must fit in, centred on the page.
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * 96.0;
/// The band between the title's top and the footer in which title, name and body are centred vertically.
const MAIN_TOP: f32 = 72.0;
const MAIN_BOTTOM: f32 = 440.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.25;

const INK: [u8; 3] = [0x1f, 0x29, 0x37];
const BODY_INK: [u8; 3] = [0x37, 0x41, 0x51];
const FOOTER_INK: [u8; 3] = [0x4b, 0x55, 0x63];

/// The campaign's certificate design; texts may contain {name}, {students}, {event}, {date}, {campaign},
/// {organization} placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateTemplate {
    pub title: String,
    /// Paragraphs are separated by line breaks; each is wrapped and centred.
    pub body: String,
    /// Printed under the signature line; no signature line when it is empty.
    pub signer: String,
    /// The border's, the title's and the ornament's colour (RGB).
    pub accent: [u8; 3],
}

impl CertificateTemplate {
    /// Teal, #0f766e.
    pub const DEFAULT_ACCENT: [u8; 3] = [0x0f, 0x76, 0x6e];

    /// A design with no signer and the default accent.
    pub fn standard(title: &str, body: &str) -> Self {
        CertificateTemplate {
            title: title.to_owned(),
            body: body.to_owned(),
            signer: String::new(),
            accent: Self::DEFAULT_ACCENT,
        }
    }
}

/// What one certificate is about: the participant and their part in the campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateValues<'a> {
    pub name: &'a str,
    pub students: i64,
    pub event: &'a str,
    pub date: &'a str,
    pub campaign: &'a str,
    pub organization: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    /// The certificate font has no glyph for these characters; drawn, they would be boxes.
    #[error("the certificate font cannot show {characters:?} (in {text:?})")]
    UnsupportedCharacters { text: String, characters: String },
    /// The embedded font did not load (a broken build, not bad input).
    #[error("the embedded certificate font {0} could not be loaded")]
    Font(&'static str),
    #[error("the certificate PDF could not be written: {0}")]
    Pdf(String),
}

/// Substitutes the placeholders (unknown {x} kept literally); used by render and by the preview.
pub fn fill(text: &str, values: &CertificateValues) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let key = after.find('}').map(|close| &after[..close]);
        let value = match key {
            Some("name") => Some(values.name.to_owned()),
            Some("students") => Some(values.students.to_string()),
            Some("event") => Some(values.event.to_owned()),
            Some("date") => Some(values.date.to_owned()),
            Some("campaign") => Some(values.campaign.to_owned()),
            Some("organization") => Some(values.organization.to_owned()),
            _ => None,
        };
        match (key, value) {
            (Some(key), Some(value)) => {
                out.push_str(&value);
                rest = &after[key.len() + 1..];
            }
            // Not a placeholder: keep the brace and look for one right after it ("{{name}" still fills).
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// An A4 landscape, one-page PDF: a border in the accent colour, the title, the name large and centred (shrunk
/// to fit when long), the body text wrapped and centred, the campaign and date, the signer line.
pub fn render(template: &CertificateTemplate, values: &CertificateValues) -> Result<Vec<u8>, CertificateError> {
    let regular = Face::load(REGULAR, "DejaVuSans.ttf")?;
    let bold = Face::load(BOLD, "DejaVuSans-Bold.ttf")?;

    let title_text = one_line(&fill(&template.title, values));
    let name_text = one_line(values.name);
    let body_text = fill(&template.body, values);
    let signer_text = one_line(&fill(&template.signer, values));

    // The name is the point of the certificate: it gets the most room, and shrinks before it wraps.
    let title = Block::fit(&bold, &title_text, Sizes { max: 30.0, wrap_below: 22.0, min: 12.0 }, 80.0)?;
    let name = Block::fit(&bold, &name_text, Sizes { max: 44.0, wrap_below: 26.0, min: 10.0 }, 150.0)?;
    let body = Block::fit(&regular, &body_text, Sizes { max: 15.0, wrap_below: 15.0, min: 8.0 }, 110.0)?;
    let campaign = Block::fit(&bold, &one_line(values.campaign), Sizes { max: 13.0, wrap_below: 9.0, min: 7.0 }, 33.0)?;
    let date = Block::fit(&regular, &one_line(values.date), Sizes { max: 12.0, wrap_below: 8.0, min: 7.0 }, 15.0)?;
    let signer = Block::fit(&regular, &signer_text, Sizes { max: 12.0, wrap_below: 8.0, min: 7.0 }, 30.0)?;

    let mut document = Document::new();
    document.set_metadata(Metadata::new().title(title_text).creator("Rally".to_owned()));
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or(CertificateError::Pdf("page size".into()))?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();

    draw_border(&mut surface, template.accent);

    // Title, name, ornament and body, as one stack centred in the main band.
    let (gap_after_title, ornament_gap) = (26.0, 18.0);
    let stack = title.height() + gap_after_title + name.height() + 2.0 * ornament_gap + body.height();
    let mut y = MAIN_TOP + ((MAIN_BOTTOM - MAIN_TOP - stack) / 2.0).max(0.0);
    y = title.draw(&mut surface, &bold, PAGE_WIDTH / 2.0, y, template.accent) + gap_after_title;
    y = name.draw(&mut surface, &bold, PAGE_WIDTH / 2.0, y, INK) + ornament_gap;
    draw_line(&mut surface, PAGE_WIDTH / 2.0 - 60.0, PAGE_WIDTH / 2.0 + 60.0, y, 1.5, template.accent);
    body.draw(&mut surface, &regular, PAGE_WIDTH / 2.0, y + ornament_gap, BODY_INK);

    // Footer: the campaign and the date on the left, the signature line on the right.
    let footer_top = PAGE_HEIGHT - 130.0;
    let left = PAGE_WIDTH * 0.28;
    let after_campaign = campaign.draw(&mut surface, &bold, left, footer_top, FOOTER_INK);
    date.draw(&mut surface, &regular, left, after_campaign + 4.0, FOOTER_INK);
    if !signer.lines.is_empty() {
        let right = PAGE_WIDTH * 0.72;
        draw_line(&mut surface, right - 110.0, right + 110.0, footer_top + 6.0, 0.8, FOOTER_INK);
        signer.draw(&mut surface, &regular, right, footer_top + 12.0, FOOTER_INK);
    }

    surface.finish();
    page.finish();
    document.finish().map_err(|error| CertificateError::Pdf(error.to_string()))
}

/// A single-line text (a name, a title): NFC, every run of whitespace or control characters one space.
fn one_line(text: &str) -> String {
    collapse(text).join(" ")
}

/// A text's paragraphs (split at line breaks), each NFC-normalized with its whitespace collapsed; empty ones
/// dropped.
fn paragraphs(text: &str) -> Vec<String> {
    text.lines().map(one_line).filter(|paragraph| !paragraph.is_empty()).collect()
}

fn collapse(text: &str) -> Vec<String> {
    let normalized: String = text.nfc().collect();
    normalized
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One of the embedded fonts, for krilla (to embed) and for rustybuzz (to shape and measure).
struct Face {
    pdf: Font,
    shaper: rustybuzz::Face<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8], file: &'static str) -> Result<Face, CertificateError> {
        let pdf = Font::new(data.into(), 0).ok_or(CertificateError::Font(file))?;
        let shaper = rustybuzz::Face::from_slice(data, 0).ok_or(CertificateError::Font(file))?;
        let units_per_em = shaper.units_per_em() as f32;
        Ok(Face { pdf, shaper, units_per_em })
    }

    /// Shapes one line. Advances are in ems (krilla scales them by the font size).
    fn shape(&self, text: &str) -> Result<Line, CertificateError> {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(&self.shaper, &[], buffer);

        // A glyph's text is its cluster: from its cluster's start to the next cluster's start (in text order,
        // whatever the direction), which is what ToUnicode / ActualText need.
        let mut starts: Vec<usize> = output.glyph_infos().iter().map(|info| info.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        let cluster = |start: usize| -> Range<usize> {
            let end = starts.iter().copied().find(|&next| next > start).unwrap_or(text.len());
            start..end
        };

        let mut missing = BTreeSet::new(); // (byte offset, character): reported in text order
        let mut glyphs = Vec::with_capacity(output.len());
        for (info, position) in output.glyph_infos().iter().zip(output.glyph_positions()) {
            let range = cluster(info.cluster as usize);
            if info.glyph_id == 0 {
                let cluster_text = text.get(range.clone()).unwrap_or_default();
                missing.extend(cluster_text.char_indices().map(|(i, c)| (range.start + i, c)));
            }
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                position.x_advance as f32 / self.units_per_em,
                position.x_offset as f32 / self.units_per_em,
                position.y_offset as f32 / self.units_per_em,
                position.y_advance as f32 / self.units_per_em,
                range,
                None,
            ));
        }
        if !missing.is_empty() {
            return Err(CertificateError::UnsupportedCharacters {
                text: text.to_owned(),
                characters: missing.into_iter().map(|(_, c)| c).filter(|c| !c.is_whitespace()).fold(
                    String::new(),
                    |mut characters, c| {
                        if !characters.contains(c) {
                            characters.push(c);
                        }
                        characters
                    },
                ),
            });
        }
        let width = glyphs.iter().map(|glyph| glyph.x_advance).sum();
        Ok(Line { text: text.to_owned(), glyphs, width })
    }

    /// Breaks one paragraph into lines of at most `width` ems: at spaces, or between clusters inside a word
    /// longer than a line (never between a letter and its combining marks: they share a cluster).
    fn wrap(&self, paragraph: &str, width: f32) -> Result<Vec<Line>, CertificateError> {
        let shaped = self.shape(paragraph)?;
        // Each cluster's byte range and advance, in text order (a cluster's glyphs are adjacent in either
        // direction).
        let mut clusters: Vec<(Range<usize>, f32)> = Vec::new();
        for glyph in &shaped.glyphs {
            match clusters.last_mut() {
                Some((range, advance)) if *range == glyph.text_range => *advance += glyph.x_advance,
                _ => clusters.push((glyph.text_range.clone(), glyph.x_advance)),
            }
        }
        clusters.sort_by_key(|(range, _)| range.start);

        let mut breaks: Vec<Range<usize>> = Vec::new();
        let (mut line_start, mut line_width) = (0, 0.0);
        // The last space on the current line: where it starts and the line's width after it.
        let mut last_space: Option<(usize, usize, f32)> = None;
        for (range, advance) in clusters {
            let is_space = &paragraph[range.clone()] == " ";
            if !is_space && line_width + advance > width && range.start > line_start {
                match last_space.take() {
                    Some((space_start, space_end, width_after)) => {
                        breaks.push(line_start..space_start);
                        line_start = space_end;
                        line_width -= width_after;
                    }
                    None => {
                        breaks.push(line_start..range.start);
                        line_start = range.start;
                        line_width = 0.0;
                    }
                }
            }
            line_width += advance;
            if is_space {
                last_space = Some((range.start, range.end, line_width));
            }
        }
        breaks.push(line_start..paragraph.len());

        breaks
            .into_iter()
            .map(|range| paragraph[range].trim())
            .filter(|line| !line.is_empty())
            .map(|line| self.shape(line))
            .collect()
    }
}

/// A shaped line of text.
struct Line {
    text: String,
    glyphs: Vec<KrillaGlyph>,
    /// In ems.
    width: f32,
}

/// How a text may be sized: it shrinks from `max` to fit on one line, and once that would take it below
/// `wrap_below` it wraps instead, shrinking further (down to `min`) only if the lines exceed its height.
struct Sizes {
    max: f32,
    wrap_below: f32,
    min: f32,
}

/// Lines of text at one size, to be centred.
struct Block {
    size: f32,
    lines: Vec<Line>,
}

impl Block {
    fn fit(face: &Face, text: &str, sizes: Sizes, max_height: f32) -> Result<Block, CertificateError> {
        let paragraphs = paragraphs(text);
        if let [paragraph] = paragraphs.as_slice() {
            let line = face.shape(paragraph)?;
            let size = (TEXT_WIDTH / line.width.max(f32::EPSILON)).min(sizes.max);
            if size >= sizes.wrap_below {
                return Ok(Block { size, lines: vec![line] });
            }
        }
        let mut size = sizes.wrap_below.min(sizes.max);
        loop {
            let mut lines = Vec::new();
            for paragraph in &paragraphs {
                lines.extend(face.wrap(paragraph, TEXT_WIDTH / size)?);
            }
            let block = Block { size, lines };
            if block.height() <= max_height || size <= sizes.min {
                return Ok(block);
            }
            size = (size - 1.0).max(sizes.min);
        }
    }

    fn height(&self) -> f32 {
        self.lines.len() as f32 * self.size * LEADING
    }

    /// Draws the lines centred on `center`, the first line's box starting at `top`; returns the bottom.
    fn draw(&self, surface: &mut Surface, face: &Face, center: f32, top: f32, colour: [u8; 3]) -> f32 {
        surface.set_stroke(None);
        surface.set_fill(Some(fill_of(colour)));
        let mut y = top;
        for line in &self.lines {
            // The baseline sits a font size below the line box's top, leaving room for accents above capitals.
            let baseline = y + self.size;
            let start = Point::from_xy(center - line.width * self.size / 2.0, baseline);
            surface.draw_glyphs(start, &line.glyphs, face.pdf.clone(), &line.text, self.size, false);
            y += self.size * LEADING;
        }
        y
    }
}

fn fill_of([r, g, b]: [u8; 3]) -> Fill {
    Fill { paint: rgb::Color::new(r, g, b).into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

fn stroke_of([r, g, b]: [u8; 3], width: f32) -> Stroke {
    Stroke { paint: rgb::Color::new(r, g, b).into(), width, ..Stroke::default() }
}

/// A thick outer frame and a thin inner one.
fn draw_border(surface: &mut Surface, accent: [u8; 3]) {
    surface.set_fill(None);
    for (inset, width) in [(22.0, 5.0), (33.0, 1.0)] {
        let mut path = PathBuilder::new();
        if let Some(rect) = Rect::from_ltrb(inset, inset, PAGE_WIDTH - inset, PAGE_HEIGHT - inset) {
            path.push_rect(rect);
        }
        if let Some(path) = path.finish() {
            surface.set_stroke(Some(stroke_of(accent, width)));
            surface.draw_path(&path);
        }
    }
}

fn draw_line(surface: &mut Surface, from: f32, to: f32, y: f32, width: f32, colour: [u8; 3]) {
    let mut path = PathBuilder::new();
    path.move_to(from, y);
    path.line_to(to, y);
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(stroke_of(colour, width)));
        surface.draw_path(&path);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    use std::path::PathBuf;
    use std::process::Command;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const NAMES: [&str; 5] =
        ["Анна Петрова", "Γιώργος Παπαδόπουλος", "ნინო ბერიძე", "Łukasz Żółć", "Đurđa Šimić Čačić"];

    fn values(name: &str) -> CertificateValues<'_> {
        CertificateValues {
            name,
            students: 28,
            event: "Global Action Week",
            date: "12 May 2026",
            campaign: "Clean Rivers 2026",
            organization: "Rijeka Primary School",
        }
    }

    fn template() -> CertificateTemplate {
        CertificateTemplate {
            title: "Certificate of participation".into(),
            body: "awarded to {name} of {organization} for taking part in {event} with {students} students.".into(),
            signer: "Ana Horvat, campaign coordinator".into(),
            accent: CertificateTemplate::DEFAULT_ACCENT,
        }
    }

    /// A rendered certificate on disk, for the poppler tools; removed when dropped.
    struct PdfFile(PathBuf);

    impl PdfFile {
        fn new(pdf: &[u8]) -> PdfFile {
            static COUNT: AtomicUsize = AtomicUsize::new(0);
            let n = COUNT.fetch_add(1, Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!("rally-certificate-{}-{n}.pdf", std::process::id()));
            std::fs::write(&path, pdf).unwrap();
            PdfFile(path)
        }

        /// Runs a poppler tool on the file; fails the test, saying what to install, when the tool is missing.
        fn poppler(&self, tool: &str, options: &[&str], after: &[&str]) -> String {
            let output = match Command::new(tool).args(options).arg(&self.0).args(after).output() {
                Ok(output) => output,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => panic!(
                    "`{tool}` is missing: the certificate tests read the PDFs with poppler; \
                     install poppler-utils (apt-get install poppler-utils)"
                ),
                Err(error) => panic!("could not run {tool}: {error}"),
            };
            assert!(output.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&output.stderr));
            String::from_utf8(output.stdout).unwrap()
        }

        fn text(&self) -> String {
            self.poppler("pdftotext", &["-enc", "UTF-8"], &["-"])
        }

        /// `pdffonts`' rows: (name, emb, uni).
        fn fonts(&self) -> Vec<(String, String, String)> {
            let listing = self.poppler("pdffonts", &[], &[]);
            listing
                .lines()
                .skip_while(|line| !line.starts_with("---"))
                .skip(1)
                .map(|row| {
                    let columns: Vec<&str> = row.split_whitespace().collect();
                    let n = columns.len();
                    assert!(n >= 6, "unexpected pdffonts row {row:?}");
                    (columns[0].to_owned(), columns[n - 5].to_owned(), columns[n - 3].to_owned())
                })
                .collect()
        }

        fn info(&self) -> String {
            self.poppler("pdfinfo", &[], &[])
        }
    }

    impl Drop for PdfFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn words(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// One page, A4 landscape, every font embedded with a Unicode map.
    fn assert_well_formed(pdf: &PdfFile) {
        let info = pdf.info();
        assert!(info.lines().any(|line| words(line) == "Pages: 1"), "{info}");
        let size = info.lines().find_map(|line| line.strip_prefix("Page size:")).expect("a page size");
        let numbers: Vec<f32> = size.split_whitespace().filter_map(|word| word.parse().ok()).collect();
        assert!(
            matches!(numbers.as_slice(), [w, h] if (w - 842.0).abs() < 0.5 && (h - 595.0).abs() < 0.5),
            "not A4 landscape: {size}"
        );
        assert!(size.contains("(A4)"), "{size}");

        let fonts = pdf.fonts();
        assert!(!fonts.is_empty(), "no fonts in the PDF");
        for (name, embedded, unicode) in fonts {
            assert!(name.contains("DejaVuSans"), "unexpected font {name}");
            assert_eq!(embedded, "yes", "{name} is not embedded");
            assert_eq!(unicode, "yes", "{name} has no ToUnicode map");
        }
    }

    #[test]
    fn certificate_names_in_every_script_extract_exactly() {
        for name in NAMES {
            let pdf = PdfFile::new(&render(&template(), &values(name)).unwrap());
            assert_well_formed(&pdf);
            let text = pdf.text();
            assert!(text.lines().any(|line| line.trim() == name), "{name:?} not on a line of its own in:\n{text}");
        }
    }

    #[test]
    fn certificate_substitutes_the_templates_texts() {
        let template = CertificateTemplate {
            title: "{campaign}: certificate".into(),
            body: "awarded to {name} of {organization}\nfor {event} with {students} students on {date} {unknown}"
                .into(),
            signer: "For {organization}".into(),
            accent: [0x9d, 0x17, 0x4d],
        };
        let pdf = PdfFile::new(&render(&template, &values("Đurđa Šimić Čačić")).unwrap());
        assert_well_formed(&pdf);
        let text = words(&pdf.text());
        for expected in [
            "Clean Rivers 2026: certificate",
            "awarded to Đurđa Šimić Čačić of Rijeka Primary School",
            "for Global Action Week with 28 students on 12 May 2026 {unknown}",
            "For Rijeka Primary School",
            "Clean Rivers 2026",
        ] {
            assert!(text.contains(expected), "{expected:?} missing from {text:?}");
        }
        assert!(!text.contains("{name}") && !text.contains("{students}"), "{text}");
    }

    #[test]
    fn certificate_composes_combining_marks() {
        // "Čačić Żółć" typed with combining marks (as some keyboards and macOS file names do).
        let decomposed = "C\u{30c}ac\u{30c}ic\u{301} Z\u{307}o\u{301}łc\u{301}";
        assert_ne!(decomposed, "Čačić Żółć");
        let pdf = PdfFile::new(&render(&template(), &values(decomposed)).unwrap());
        assert!(pdf.text().lines().any(|line| line.trim() == "Čačić Żółć"), "{}", pdf.text());
        for letters in ["čćžšđłęąóź", "ČĆŽŠĐŁĘĄÓŹ"] {
            let pdf = PdfFile::new(&render(&template(), &values(letters)).unwrap());
            assert!(pdf.text().lines().any(|line| line.trim() == letters), "{}", pdf.text());
        }
    }

    #[test]
    fn certificate_long_names_shrink_then_wrap() {
        let bold = Face::load(BOLD, "bold").unwrap();
        let fit =
            |name: &str| Block::fit(&bold, name, Sizes { max: 44.0, wrap_below: 26.0, min: 10.0 }, 150.0).unwrap();
        assert_eq!(fit("Анна Петрова").size, 44.0);
        let longer = fit("Aleksandra Wiśniewska-Kowalczyk");
        assert!(longer.size < 44.0 && longer.size >= 26.0 && longer.lines.len() == 1, "{}", longer.size);

        let name = "Γιώργος Παπαδόπουλος Đurđa Šimić Čačić ნინო ბერიძე Анна Петрова Łukasz Żółć ".repeat(4);
        let name = name.chars().take(300).collect::<String>();
        assert_eq!(name.chars().count(), 300);
        let wrapped = fit(&name);
        assert!(wrapped.lines.len() > 1 && wrapped.height() <= 150.0, "{} lines", wrapped.lines.len());
        assert!(wrapped.lines.iter().all(|line| line.width * wrapped.size <= TEXT_WIDTH + 0.01));

        let pdf = PdfFile::new(&render(&template(), &values(&name)).unwrap());
        assert_well_formed(&pdf);
        assert!(words(&pdf.text()).contains(&words(&name)), "the long name does not extract:\n{}", pdf.text());

        // One 300-letter word breaks between letters.
        let word = "ž".repeat(300);
        let without_name_in_body = CertificateTemplate::standard("Certificate of participation", "for {event}");
        let pdf = PdfFile::new(&render(&without_name_in_body, &values(&word)).unwrap());
        assert_well_formed(&pdf);
        let extracted: String = pdf.text().chars().filter(|c| *c == 'ž').collect();
        assert_eq!(extracted, word);
    }

    #[test]
    fn certificate_refuses_characters_the_font_cannot_show() {
        let error = render(&template(), &values("山田 花子 Yamada 山")).unwrap_err();
        assert!(
            matches!(&error, CertificateError::UnsupportedCharacters { characters, .. } if characters == "山田花子"),
            "{error:?}"
        );
    }

    #[test]
    fn certificate_standard_template_has_no_signer_and_the_teal_accent() {
        let template = CertificateTemplate::standard("Certificate", "for {name}");
        assert_eq!(template.signer, "");
        assert_eq!(template.accent, [0x0f, 0x76, 0x6e]);
        let pdf = PdfFile::new(&render(&template, &values("Анна Петрова")).unwrap());
        assert_well_formed(&pdf);
        assert!(words(&pdf.text()).contains("for Анна Петрова"));
    }

    #[test]
    fn certificate_fill_substitutes_known_placeholders_only() {
        let values = values("Анна Петрова");
        for (text, expected) in [
            ("{name}", "Анна Петрова"),
            ("{students} students at {event}", "28 students at Global Action Week"),
            ("{campaign} / {organization} / {date}", "Clean Rivers 2026 / Rijeka Primary School / 12 May 2026"),
            ("{name}{name}", "Анна ПетроваАнна Петрова"),
            ("{unknown} {Name} { name }", "{unknown} {Name} { name }"),
            ("{{name}}", "{Анна Петрова}"),
            ("{name", "{name"),
            ("no placeholders", "no placeholders"),
            ("ends with {", "ends with {"),
            ("", ""),
        ] {
            assert_eq!(fill(text, &values), expected, "fill({text:?})");
        }
        // A value is inserted as is, not filled again.
        assert_eq!(fill("{name}", &CertificateValues { name: "{event}", ..values }), "{event}");
    }
}
