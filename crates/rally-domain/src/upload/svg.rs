//! SVG: parsed with `quick-xml` and written back event by event, without everything that can run code
//! or fetch from elsewhere. Rewriting rather than merely inspecting means the stored document is
//! exactly what was checked: every name is validated, every attribute value and text is decoded and
//! re-escaped, and nothing a browser might read differently from this parser (entities, comments,
//! CDATA sections, a DOCTYPE) survives.

use quick_xml::events::{BytesDecl, BytesEnd, BytesRef, BytesStart, BytesText, Event};
use quick_xml::name::{NamespaceResolver, QName, ResolveResult};
use quick_xml::{NsReader, Writer, XmlVersion};

use super::removals::{Removals, article, quote};
use super::{CheckedUpload, MediaType, UploadError, css, refused};

/// The deepest element nesting an SVG may have. Real artwork stays far below it; a document nested
/// thousands of levels deep exists only to exhaust the stack of whatever renders it.
pub const MAX_SVG_DEPTH: usize = 256;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
const MATHML_NS: &str = "http://www.w3.org/1998/Math/MathML";

/// Elements dropped with everything inside them, compared case-insensitively by local name so no
/// prefix or namespace trick keeps one. Scripts and their event-handler cousins run code;
/// `foreignObject`, `iframe`, `embed`, `object`, `audio` and `video` pull in HTML or other
/// documents; the animation elements can rewrite an `href` or an `on…` attribute into something
/// this check never saw.
const DROPPED_ELEMENTS: [&str; 14] = [
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "audio",
    "video",
    "handler",
    "listener",
    "set",
    "animate",
    "animatetransform",
    "animatemotion",
    "animatecolor",
];

/// Why the markup was not turned into a stored SVG.
enum Failure {
    /// It is not an SVG at all; the root element's name when one was found.
    NotSvg(Option<String>),
    Refused(UploadError),
}

impl From<UploadError> for Failure {
    fn from(e: UploadError) -> Self {
        Failure::Refused(e)
    }
}

/// Checks markup (bytes starting with `<`, byte order mark removed): an SVG comes back sanitized,
/// anything else as an error that says what it looks like.
pub(super) fn check(body: &[u8]) -> Result<CheckedUpload, UploadError> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(if super::contains(body, b"<svg") {
            UploadError::SvgNotUtf8
        } else {
            UploadError::Unsupported { looks_like: None }
        });
    };
    let first = match sanitize(text) {
        Ok(done) => done,
        Err(Failure::Refused(e)) => return Err(e),
        Err(Failure::NotSvg(root)) => return Err(super::unsupported(describe_markup(root.as_deref(), text))),
    };
    // The output must itself pass, unchanged: proof that it is well-formed, still an SVG, and that
    // removing one thing did not assemble another (CSS fragments joining into a `url(` and such).
    let stored = String::from_utf8_lossy(&first.bytes);
    match sanitize(&stored) {
        Ok(second) if second.removed.is_empty() => Ok(first),
        _ => Err(UploadError::SvgRefused("it could not be cleaned reliably".into())),
    }
}

fn describe_markup(root: Option<&str>, text: &str) -> String {
    match root {
        Some(name) if name.eq_ignore_ascii_case("html") => "an HTML page".into(),
        Some(name) => format!("an XML document whose root element is <{}>", quote(name)),
        None if refused::looks_like_html(text) => "an HTML page".into(),
        None => "an XML or HTML document".into(),
    }
}

/// Where the walk through the document is relative to its one root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    NotYet,
    Open,
    Closed,
}

/// The namespace of an element, owned so the reader can move on.
enum Ns {
    None,
    Svg,
    Html,
    MathMl,
    Other,
}

/// The state of one rewrite.
struct Sanitizer<'t> {
    source: &'t str,
    out: Writer<Vec<u8>>,
    removed: Removals,
    /// Character data read but not yet written, decoded; written escaped in one piece.
    text: String,
    /// Open elements in the input, dropped ones included, so the depth limit cannot be dodged.
    depth: usize,
    /// The depth of the dropped element whose subtree is being skipped.
    skip_from: Option<usize>,
    /// The depth of an open `<style>` whose text is being collected for the CSS check.
    style_at: Option<usize>,
    root: Root,
    doctype: bool,
    /// Only whitespace has been read, so an XML declaration is still in place.
    at_start: bool,
    dimensions: Option<(u32, u32)>,
}

/// One pass over `source`: every event read, checked and written back (or dropped and recorded).
fn sanitize(source: &str) -> Result<CheckedUpload, Failure> {
    let mut reader = NsReader::from_str(source);
    // A comment containing `--` is not XML, and browsers refuse it.
    reader.config_mut().check_comments = true;
    let mut s = Sanitizer::new(source);
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (resolved(ns), event),
            Err(e) => return Err(s.malformed(&e.to_string())),
        };
        let ns = match ns {
            Ok(ns) => ns,
            Err(prefix) => {
                return Err(s.malformed(&format!("the namespace prefix `{}` is not declared", quote(&prefix))));
            }
        };
        let was_at_start = s.at_start;
        s.at_start = false;
        match event {
            Event::Decl(decl) => s.declaration(&decl, was_at_start)?,
            Event::DocType(_) => s.doctype()?,
            Event::PI(pi) => s.processing_instruction(pi.target()),
            // Comments are never shown, and dropping them leaves nothing for a confused parser.
            Event::Comment(_) => {}
            Event::Text(t) => {
                let content = t.xml10_content();
                s.character_data(&content, was_at_start)?;
            }
            Event::CData(c) => {
                let content = c.xml10_content();
                s.character_data(&content, false)?;
            }
            Event::GeneralRef(r) => s.reference(&r)?,
            Event::Start(e) => s.start(&e, ns, reader.resolver(), false)?,
            Event::Empty(e) => s.start(&e, ns, reader.resolver(), true)?,
            Event::End(e) => s.end(e.name())?,
            Event::Eof => break,
        }
    }
    s.finish()
}

/// The namespace an element resolved to, or the undeclared prefix it uses.
fn resolved(ns: ResolveResult<'_>) -> Result<Ns, String> {
    match ns {
        ResolveResult::Unbound => Ok(Ns::None),
        ResolveResult::Bound(ns) => Ok(match ns.into_inner() {
            SVG_NS => Ns::Svg,
            XHTML_NS => Ns::Html,
            MATHML_NS => Ns::MathMl,
            _ => Ns::Other,
        }),
        ResolveResult::Unknown(prefix) => Err(prefix),
    }
}

impl<'t> Sanitizer<'t> {
    fn new(source: &'t str) -> Self {
        Sanitizer {
            source,
            out: Writer::new(Vec::with_capacity(source.len())),
            removed: Removals::default(),
            text: String::new(),
            depth: 0,
            skip_from: None,
            style_at: None,
            root: Root::NotYet,
            doctype: false,
            at_start: true,
            dimensions: None,
        }
    }

    /// The XML declaration, rewritten as UTF-8 (the only encoding accepted) and on a line of its own.
    fn declaration(&mut self, decl: &BytesDecl<'_>, first: bool) -> Result<(), Failure> {
        if !first {
            return Err(self.malformed("the XML declaration must come first"));
        }
        if let Some(encoding) = decl.encoding() {
            let encoding = encoding.map_err(|e| self.malformed(&e.to_string()))?;
            if !encoding.eq_ignore_ascii_case("utf-8") && !encoding.eq_ignore_ascii_case("utf8") {
                return Err(UploadError::SvgNotUtf8.into());
            }
        }
        self.emit(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        self.emit(Event::Text(BytesText::new("\n")))
    }

    fn doctype(&mut self) -> Result<(), Failure> {
        if self.root != Root::NotYet {
            return Err(self.malformed("a DOCTYPE must come before the root element"));
        }
        // Refused once the root turns out to be `svg`; until then this may be a web page.
        self.doctype = true;
        Ok(())
    }

    /// A processing instruction is dropped; it is reported unless it sat inside a dropped element.
    fn processing_instruction(&mut self, target: &str) {
        if self.skip_from.is_none() {
            self.removed.add(format!("a <?{}?> processing instruction", quote(target)));
        }
    }

    /// A character or entity reference, kept as the character it stands for (written back escaped
    /// where needed). Only the five entities XML predefines exist: there is no DOCTYPE to define more.
    fn reference(&mut self, r: &BytesRef<'_>) -> Result<(), Failure> {
        let c = match r.resolve_char_ref() {
            Ok(Some(c)) if is_xml_char(c) => c,
            Ok(Some(_)) | Err(_) => {
                return Err(self.malformed(&format!("`&{};` is not a valid character", quote(r))));
            }
            Ok(None) => match predefined_entity(r) {
                Some(c) => c,
                None => return Err(self.malformed(&format!("the entity `&{};` is not defined", quote(r)))),
            },
        };
        self.character_data(c.encode_utf8(&mut [0; 4]), false)
    }
}

impl Sanitizer<'_> {
    /// A well-formedness error. Before the root element is known, markup that never mentions
    /// `<svg` (or reads like a web page) is reported as "not an SVG" rather than as a broken one.
    fn malformed(&self, what: &str) -> Failure {
        if self.root == Root::NotYet && (!self.source.contains("<svg") || refused::looks_like_html(self.source)) {
            return Failure::NotSvg(None);
        }
        Failure::Refused(UploadError::SvgMalformed(what.to_owned()))
    }

    fn emit(&mut self, event: Event<'_>) -> Result<(), Failure> {
        self.out
            .write_event(event)
            .map_err(|e| Failure::Refused(UploadError::SvgRefused(format!("it could not be rewritten ({e})"))))
    }

    fn character_data(&mut self, content: &str, leading: bool) -> Result<(), Failure> {
        if let Some(bad) = content.chars().find(|&c| !is_xml_char(c)) {
            return Err(
                self.malformed(&format!("it contains the character U+{:04X}, which XML forbids", u32::from(bad)))
            );
        }
        if self.depth == 0 {
            // Between the prolog, the root and the end, only whitespace is allowed.
            if content.chars().all(is_xml_space) {
                self.at_start = leading;
                return Ok(());
            }
            return Err(match self.root {
                Root::NotYet => self.malformed("there is text before the root element"),
                _ => self.malformed("there is text after the closing </svg> tag"),
            });
        }
        if self.skip_from.is_none() {
            self.text.push_str(content);
        }
        Ok(())
    }

    fn flush_text(&mut self) -> Result<(), Failure> {
        if self.text.is_empty() {
            return Ok(());
        }
        let text = std::mem::take(&mut self.text);
        self.emit(Event::Text(BytesText::new(&text)))
    }

    fn start(&mut self, e: &BytesStart<'_>, ns: Ns, resolver: &NamespaceResolver, empty: bool) -> Result<(), Failure> {
        let name = e.name().into_inner();
        if !is_qname(name) {
            return Err(self.malformed(&format!("`<{}` is not a valid element name", quote(name))));
        }
        let local = e.local_name().into_inner();
        let is_root = self.root == Root::NotYet;
        if is_root {
            if local != "svg" {
                return Err(Failure::NotSvg(Some(name.to_owned())));
            }
            if self.doctype {
                return Err(UploadError::SvgDoctype.into());
            }
        } else if self.root == Root::Closed {
            return Err(self.malformed("there is a second root element after </svg>"));
        }
        if !empty {
            self.depth += 1;
            if self.depth > MAX_SVG_DEPTH {
                return Err(UploadError::SvgTooDeep { limit: MAX_SVG_DEPTH }.into());
            }
        }
        if self.skip_from.is_some() {
            return Ok(());
        }
        let shown = quote(name);
        let drop_as = if self.style_at.is_some() {
            Some(format!("{} <{shown}> element inside <style>", article(name)))
        } else if DROPPED_ELEMENTS.iter().any(|d| local.eq_ignore_ascii_case(d)) {
            Some(format!("{} <{shown}> element", article(name)))
        } else {
            match ns {
                Ns::Html => Some(format!("an HTML <{shown}> element")),
                Ns::MathMl => Some(format!("a MathML <{shown}> element")),
                Ns::None | Ns::Svg | Ns::Other => None,
            }
        };
        if let Some(what) = drop_as {
            if is_root {
                return Err(UploadError::SvgRefused("its root element is not an SVG element".into()).into());
            }
            self.removed.add(what);
            if !empty {
                self.skip_from = Some(self.depth);
            }
            return Ok(());
        }
        let mut attributes = self.clean_attributes(e, resolver)?;
        if is_root {
            match ns {
                Ns::Svg => {}
                // Without the SVG namespace a browser shows nothing; adding it is what the author
                // meant, and every check above is by local name, so it changes no verdict.
                Ns::None => {
                    attributes.retain(|(key, _)| key != "xmlns");
                    attributes.insert(0, ("xmlns".to_owned(), SVG_NS.to_owned()));
                }
                Ns::Html | Ns::MathMl | Ns::Other => {
                    return Err(
                        UploadError::SvgRefused("its root <svg> element is not in the SVG namespace".into()).into()
                    );
                }
            }
            self.dimensions = dimensions(&attributes);
            self.root = if empty { Root::Closed } else { Root::Open };
        }
        self.flush_text()?;
        let mut start = BytesStart::new(name);
        for (key, value) in &attributes {
            start.push_attribute((key.as_str(), value.as_str()));
        }
        if empty {
            self.emit(Event::Empty(start))
        } else {
            if local.eq_ignore_ascii_case("style") {
                self.style_at = Some(self.depth);
            }
            self.emit(Event::Start(start))
        }
    }

    fn end(&mut self, name: QName<'_>) -> Result<(), Failure> {
        let depth = self.depth;
        self.depth = depth.saturating_sub(1);
        if self.depth == 0 && self.root == Root::Open {
            self.root = Root::Closed;
        }
        if let Some(from) = self.skip_from {
            if from == depth {
                self.skip_from = None;
            }
            return Ok(());
        }
        if self.style_at == Some(depth) {
            self.style_at = None;
            self.text = css::sanitize(&self.text, &mut self.removed);
        }
        self.flush_text()?;
        self.emit(Event::End(BytesEnd::new(name.into_inner())))
    }

    fn finish(mut self) -> Result<CheckedUpload, Failure> {
        if self.root == Root::NotYet {
            return Err(self.malformed("there is no root element"));
        }
        if self.depth > 0 || self.root != Root::Closed {
            return Err(self.malformed("it ends before all its elements are closed"));
        }
        self.flush_text()?;
        Ok(CheckedUpload {
            media_type: MediaType::Svg,
            bytes: self.out.into_inner(),
            dimensions: self.dimensions,
            removed: self.removed.into_vec(),
        })
    }

    /// The attributes of a kept element, decoded, minus everything that runs code or fetches from
    /// elsewhere.
    fn clean_attributes(
        &mut self,
        e: &BytesStart<'_>,
        resolver: &NamespaceResolver,
    ) -> Result<Vec<(String, String)>, Failure> {
        let mut kept = Vec::new();
        for attribute in e.attributes() {
            let attribute = attribute.map_err(|err| self.malformed(&err.to_string()))?;
            let key = attribute.key.into_inner();
            if !is_qname(key) {
                return Err(self.malformed(&format!("`{}` is not a valid attribute name", quote(key))));
            }
            if let ResolveResult::Unknown(prefix) = resolver.resolve_attribute(attribute.key).0 {
                return Err(self.malformed(&format!("the namespace prefix `{}` is not declared", quote(&prefix))));
            }
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| self.malformed(&format!("the value of `{}` is invalid: {err}", quote(key))))?;
            if let Some(bad) = value.chars().find(|&c| !is_xml_char(c)) {
                return Err(self.malformed(&format!(
                    "an attribute contains the character U+{:04X}, which XML forbids",
                    u32::from(bad)
                )));
            }
            if attribute.key.as_namespace_binding().is_some() {
                // A namespace is compared as written, but a browser decodes character references
                // first: `…/1999/&#x78;html` would be HTML to the browser and unknown to this
                // check. Nobody writes namespaces that way except to hide something.
                if attribute.value.contains('&') {
                    return Err(UploadError::SvgRefused(
                        "a namespace declaration is written with character references".into(),
                    )
                    .into());
                }
                kept.push((key.to_owned(), value.into_owned()));
                continue;
            }
            if let Some(value) = self.clean_attribute(key, attribute.key.local_name().into_inner(), &value) {
                kept.push((key.to_owned(), value));
            }
        }
        Ok(kept)
    }

    /// The value to keep for one ordinary attribute, or `None` (recorded) when it goes.
    fn clean_attribute(&mut self, key: &str, local: &str, value: &str) -> Option<String> {
        if local.get(..2).is_some_and(|on| on.eq_ignore_ascii_case("on")) {
            self.removed.add(format!("{} {} attribute", article(key), quote(key)));
            return None;
        }
        // Could turn the fragment links below into links elsewhere; browsers dropped it anyway.
        if key == "xml:base" {
            self.removed.add("an xml:base attribute");
            return None;
        }
        let squeezed: String =
            value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase();
        if let Some(scheme) = ["javascript:", "vbscript:"].into_iter().find(|s| squeezed.contains(s)) {
            self.removed.add(if local == "href" {
                format!("{} {scheme} link", article(scheme))
            } else {
                format!("{} {} attribute containing {scheme}", article(key), quote(key))
            });
            return None;
        }
        if local == "href" {
            let target = value.trim();
            let image_data = ["data:image/png;base64,", "data:image/jpeg;base64,", "data:image/webp;base64,"]
                .iter()
                .any(|prefix| target.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix)));
            if target.starts_with('#') || image_data {
                return Some(value.to_owned());
            }
            self.removed.add(if target.is_empty() {
                "an empty link".to_owned()
            } else {
                format!("a link to {}", quote(target))
            });
            return None;
        }
        if local == "style" {
            let cleaned = css::sanitize(value, &mut self.removed);
            return (!cleaned.trim().is_empty()).then_some(cleaned);
        }
        // Presentation attributes take `url(…)` too (`fill="url(https://…)"`), and load it.
        if let Some(threat) = css::threat(value) {
            self.removed.add(format!("{} {} attribute: {threat}", article(key), quote(key)));
            return None;
        }
        Some(value.to_owned())
    }
}

/// The pixel size of the root `<svg>`: `width` and `height` in absolute units, with `viewBox`
/// supplying whatever they leave out.
fn dimensions(attributes: &[(String, String)]) -> Option<(u32, u32)> {
    let get = |name: &str| attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    let width = get("width").and_then(length_in_px);
    let height = get("height").and_then(length_in_px);
    let view_box = get("viewBox").and_then(|v| {
        let numbers: Vec<f64> =
            v.split(|c: char| c.is_whitespace() || c == ',').filter(|n| !n.is_empty()).map_while(number).collect();
        match numbers[..] {
            [_, _, w, h] if w > 0.0 && h > 0.0 => Some((w, h)),
            _ => None,
        }
    });
    let (w, h) = match (width, height, view_box) {
        (Some(w), Some(h), _) => (w, h),
        (Some(w), None, Some((vw, vh))) => (w, w * vh / vw),
        (None, Some(h), Some((vw, vh))) => (h * vw / vh, h),
        (None, None, Some(view_box)) => view_box,
        _ => return None,
    };
    let px = |v: f64| {
        let v = v.round();
        (1.0..=f64::from(u32::MAX)).contains(&v).then_some(v as u32)
    };
    Some((px(w)?, px(h)?))
}

/// A length in CSS pixels, for the absolute units; `None` for percentages and font-relative units.
fn length_in_px(value: &str) -> Option<f64> {
    let value = value.trim();
    let units = [("px", 1.0), ("pt", 4.0 / 3.0), ("pc", 16.0), ("mm", 96.0 / 25.4), ("cm", 96.0 / 2.54), ("in", 96.0)];
    let (digits, scale) = units
        .iter()
        .find_map(|&(unit, scale)| value.strip_suffix(unit).map(|digits| (digits, scale)))
        .unwrap_or((value, 1.0));
    let px = number(digits.trim_end())? * scale;
    (px > 0.0).then_some(px)
}

/// A plain decimal number; `f64::from_str` alone would also take `inf` and `NaN`.
fn number(s: &str) -> Option<f64> {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    plain.then(|| s.parse::<f64>().ok()).flatten().filter(|n| n.is_finite())
}

fn predefined_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The characters XML 1.0 allows in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// A name with at most one colon, both sides valid XML names: anything else is a document no
/// browser parses, and written back it could be read as a name plus attributes.
fn is_qname(name: &str) -> bool {
    let mut parts = name.split(':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), None, None) => is_ncname(local),
        (Some(prefix), Some(local), None) => is_ncname(prefix) && is_ncname(local),
        _ => false,
    }
}

fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start_char)
        && chars.all(|c| {
            is_name_start_char(c)
                || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
        })
}

fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::upload::fixtures::*;
    use crate::upload::{UploadError, check_upload};

    #[test]
    fn clean_svg_passes_unchanged_in_meaning() {
        let doc = format!(
            r##"<?xml version="1.0" encoding="UTF-8"?>
<!-- Generator: a drawing program -->
{SVG_OPEN}
  <defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient></defs>
  <style>.brand {{ fill: url(#g); }} @media print {{ .brand {{ fill: black }} }}</style>
  <g class="brand" transform="translate(10 10)"><path d="M0 0 L100 0 L50 40 Z"/></g>
  <use xlink:href="#g" href="#g"/>
  <text x="5" y="55" style="font-family: sans-serif; fill: url('#g')">Rally &amp; friends &lt;3 &#x263A;</text>
</svg>
"##
        );
        let (out, removed) = sanitized(doc.as_bytes());
        assert!(removed.is_empty(), "{removed:?}");
        for kept in [
            r#"<path d="M0 0 L100 0 L50 40 Z"/>"#,
            r##"<stop offset="0" stop-color="#f00"/>"##,
            "fill: url(#g);",
            "@media print",
            r##"xlink:href="#g""##,
            "Rally &amp; friends &lt;3 \u{263A}",
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        ] {
            assert!(out.contains(kept), "{kept} missing from {out}");
        }
        assert_eq!(check_upload(doc.as_bytes(), LIMIT).unwrap().dimensions, Some((120, 60)));
    }

    #[test]
    fn scripts_are_removed() {
        let (out, removed) = sanitized(&svg(
            r#"<script>alert(document.cookie)</script><script type="text/javascript"><![CDATA[ steal() ]]></script><path d="M1 1"/>"#,
        ));
        assert_eq!(removed, ["a <script> element (2 times)"]);
        assert!(!out.contains("script") && !out.contains("alert") && !out.contains("steal"), "{out}");
        assert!(out.contains(r#"<path d="M1 1"/>"#));
    }

    #[test]
    fn event_handlers_are_removed() {
        let doc = r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)" ONclick="x()"><rect onmouseover="y()" width="5"/></svg>"#;
        let (out, removed) = sanitized(doc.as_bytes());
        assert_eq!(removed, ["an onload attribute", "an ONclick attribute", "an onmouseover attribute"]);
        for gone in ["onload", "onclick", "onmouseover", "alert", "x()", "y()"] {
            assert!(!out.to_lowercase().contains(gone), "{gone} left in {out}");
        }
        assert!(out.contains(r#"<rect width="5"/>"#), "{out}");
    }

    #[test]
    fn external_and_script_links_are_removed() {
        let (out, removed) = sanitized(&svg(concat!(
            r#"<image href="https://evil.example/x.png" width="10" height="10"/>"#,
            r#"<a xlink:href=" jav&#x61;script:alert(1)"><text>click</text></a>"#,
            r#"<a href="JAVA&#9;SCRIPT:alert(2)"><text>me</text></a>"#,
            r#"<use xlink:href="other.svg#icon"/>"#,
            r#"<image href="data:text/html;base64,PHNjcmlwdD4="/>"#,
            r#"<image href="data:image/png;base64,iVBORw0KGgo="/>"#,
            r##"<use href="#local"/>"##,
        )));
        assert_eq!(
            removed,
            [
                "a link to https://evil.example/x.png",
                "a javascript: link (2 times)",
                "a link to other.svg#icon",
                "a link to data:text/html;base64,PHNjcmlwdD4=",
            ]
        );
        assert!(!out.contains("evil.example") && !out.to_lowercase().contains("script") && !out.contains("other.svg"));
        assert!(out.contains(r#"href="data:image/png;base64,iVBORw0KGgo=""#));
        assert!(out.contains(r##"<use href="#local"/>"##));
        assert!(out.contains("<text>click</text>"), "{out}");
    }

    #[test]
    fn embedded_documents_and_animations_are_removed() {
        let (out, removed) = sanitized(&svg(concat!(
            r#"<foreignObject width="100" height="100"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example"/></body></foreignObject>"#,
            r#"<a><set attributeName="href" to="javascript:alert(1)"/><animate attributeName="onclick" values="x"/><text>t</text></a>"#,
            r#"<h:div xmlns:h="http://www.w3.org/1999/xhtml"><h:img src="x" /></h:div>"#,
            r#"<iframe/><embed src="x.swf"/><object data="x"/><audio/><video/><handler/><listener/>"#,
        )));
        assert_eq!(
            removed,
            [
                "a <foreignObject> element",
                "a <set> element",
                "an <animate> element",
                "an HTML <h:div> element",
                "an <iframe> element",
                "an <embed> element",
                "an <object> element",
                "an <audio> element",
                "a <video> element",
                "a <handler> element",
                "a <listener> element",
            ]
        );
        for gone in ["foreignObject", "xhtml", "iframe", "javascript", "set", "animate", "embed", "x.swf"] {
            assert!(!out.contains(gone), "{gone} left in {out}");
        }
        assert!(out.contains("<a><text>t</text></a>"), "{out}");
    }

    #[test]
    fn processing_instructions_are_removed() {
        let doc = b"<?xml version='1.0'?><?xml-stylesheet href='https://evil.example/s.xsl' type='text/xsl'?><svg xmlns='http://www.w3.org/2000/svg'><?php echo 1 ?></svg>";
        let (out, removed) = sanitized(doc);
        assert_eq!(removed, ["a <?xml-stylesheet?> processing instruction", "a <?php?> processing instruction"]);
        assert!(!out.contains("evil") && !out.contains("php"), "{out}");
    }

    #[test]
    fn doctype_and_entities_are_refused() {
        let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>"#;
        assert_eq!(check_upload(laughs, LIMIT), Err(UploadError::SvgDoctype));
        let xxe = br#"<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>"#;
        assert_eq!(check_upload(xxe, LIMIT), Err(UploadError::SvgDoctype));
        let public = br#"<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>"#;
        assert!(refusal(public).contains("DOCTYPE"));
        // Without a DOCTYPE an entity is simply undefined.
        assert!(matches!(check_upload(&svg("<text>&lol;</text>"), LIMIT), Err(UploadError::SvgMalformed(_))));
    }

    #[test]
    fn deeply_nested_svg_is_refused() {
        let deep = svg(&format!("{}{}", "<g>".repeat(MAX_SVG_DEPTH), "</g>".repeat(MAX_SVG_DEPTH)));
        assert_eq!(check_upload(&deep, LIMIT), Err(UploadError::SvgTooDeep { limit: MAX_SVG_DEPTH }));
        // Dropped elements count too.
        let hidden = svg(&format!("<script>{}{}</script>", "<g>".repeat(300), "</g>".repeat(300)));
        assert!(matches!(check_upload(&hidden, LIMIT), Err(UploadError::SvgTooDeep { .. })));
        let fine = svg(&format!("{}{}", "<g>".repeat(200), "</g>".repeat(200)));
        assert!(check_upload(&fine, LIMIT).is_ok());
    }

    #[test]
    fn malformed_or_wrongly_encoded_svg_is_refused() {
        for doc in [
            &b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>"[..],
            b"<svg xmlns='http://www.w3.org/2000/svg'><g>",
            b"<svg/onload=alert(1)>",
            b"<svg xmlns='http://www.w3.org/2000/svg' a=1/>",
            b"<svg xmlns='http://www.w3.org/2000/svg' a='1' a='2'/>",
            b"<svg xmlns='http://www.w3.org/2000/svg'>a & b</svg>",
            b"<svg xmlns='http://www.w3.org/2000/svg'><x:y/></svg>",
            b"<svg xmlns='http://www.w3.org/2000/svg'/><svg xmlns='http://www.w3.org/2000/svg'/>",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>trailing",
            b"<svg xmlns='http://www.w3.org/2000/svg'><!-- a -- b --></svg>",
            b"<svg xmlns='http://www.w3.org/2000/svg'>&#0;</svg>",
            b"<svg xmlns='http://www.w3.org/2000/svg'>\x01</svg>",
        ] {
            let err = check_upload(doc, LIMIT).unwrap_err();
            assert!(matches!(err, UploadError::SvgMalformed(_)), "{}: {err}", String::from_utf8_lossy(doc));
            assert!(err.to_string().starts_with("the SVG is not well-formed XML: "));
        }
        assert_eq!(check_upload(b"<svg>\xFF\xFE</svg>", LIMIT), Err(UploadError::SvgNotUtf8));
        let latin1 = b"<?xml version='1.0' encoding='ISO-8859-1'?><svg xmlns='http://www.w3.org/2000/svg'/>";
        assert_eq!(check_upload(latin1, LIMIT), Err(UploadError::SvgNotUtf8));
        let utf16: Vec<u8> =
            "\u{FEFF}<svg xmlns='http://www.w3.org/2000/svg'/>".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(check_upload(&utf16, LIMIT), Err(UploadError::SvgNotUtf8));
    }

    #[test]
    fn namespace_tricks_are_handled() {
        // Without a namespace a browser would not draw it; the SVG namespace is added.
        let (out, removed) = sanitized(b"\xEF\xBB\xBF  <svg viewBox='0 0 30 20'><circle r='4'/></svg>");
        assert!(removed.is_empty());
        assert!(out.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 30 20">"#), "{out}");
        // A prefixed root and prefixed scripts.
        let (out, removed) =
            sanitized(b"<s:svg xmlns:s='http://www.w3.org/2000/svg'><s:script>alert(1)</s:script><s:rect/></s:svg>");
        assert_eq!(removed, ["a <s:script> element"]);
        assert!(out.contains("<s:rect/>") && !out.contains("alert"), "{out}");
        // An HTML root dressed as svg, and a namespace hidden behind a character reference.
        assert!(matches!(
            check_upload(b"<svg xmlns='http://www.w3.org/1999/xhtml'><p/></svg>", LIMIT),
            Err(UploadError::SvgRefused(_))
        ));
        let hidden = svg(r#"<a xmlns="http://www.w3.org/1999/&#x78;html"><b/></a>"#);
        assert!(matches!(check_upload(&hidden, LIMIT), Err(UploadError::SvgRefused(_))));
        // xml:base could redirect fragment links.
        let (_, removed) = sanitized(&svg(r##"<a xml:base="javascript:alert(1)//" href="#x"/>"##));
        assert_eq!(removed, ["an xml:base attribute"]);
    }

    #[test]
    fn dimensions_come_from_width_height_or_viewbox() {
        let size = |root: &str| {
            check_upload(format!("<svg xmlns='http://www.w3.org/2000/svg' {root}/>").as_bytes(), LIMIT)
                .unwrap()
                .dimensions
        };
        assert_eq!(size("width='100' height='50.4'"), Some((100, 50)));
        assert_eq!(size("width='100px' height='1in'"), Some((100, 96)));
        assert_eq!(size("viewBox='0 0 300 150'"), Some((300, 150)));
        assert_eq!(size("width='600' viewBox='0,0,300,150'"), Some((600, 300)));
        assert_eq!(size("width='100%' height='100%' viewBox='-10 -10 40 20'"), Some((40, 20)));
        assert_eq!(size("width='inf' height='NaN'"), None);
        assert_eq!(size("width='2em' height='3em'"), None);
        assert_eq!(size(""), None);
    }
}
