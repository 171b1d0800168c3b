//! CSS in `style` attributes and `<style>` elements. Styling a logo is fine; fetching from elsewhere
//! is not (it tells a third party who looked at the logo, and `@import` brings in CSS nobody checked),
//! nor are the old ways of running script from CSS. Rather than parse CSS, the text is cut at its
//! top-level `;`, `{` and `}`, and a piece that mentions anything dangerous is dropped whole.

use super::removals::{Removals, quote};

/// The CSS without its dangerous declarations and rules, recording each removal.
pub(super) fn sanitize(css: &str, removed: &mut Removals) -> String {
    let mut out = String::with_capacity(css.len());
    let mut piece_start = 0;
    // While > 0, the block of a refused rule is being skipped, nested blocks included.
    let mut skip_depth = 0usize;
    let mut in_string: Option<char> = None;
    let mut in_comment = false;
    let mut chars = css.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_comment {
            if c == '*' && chars.next_if(|&(_, n)| n == '/').is_some() {
                in_comment = false;
            }
            continue;
        }
        if let Some(quote_char) = in_string {
            if c == '\\' {
                chars.next();
            } else if c == quote_char {
                in_string = None;
            }
            continue;
        }
        match c {
            '\\' => {
                chars.next();
            }
            '"' | '\'' => in_string = Some(c),
            '/' if chars.next_if(|&(_, n)| n == '*').is_some() => in_comment = true,
            ';' | '{' | '}' => {
                let piece = css.get(piece_start..i).unwrap_or_default();
                piece_start = i + c.len_utf8();
                if skip_depth > 0 {
                    match c {
                        '{' => skip_depth += 1,
                        '}' => skip_depth -= 1,
                        _ => {}
                    }
                    continue;
                }
                match threat(piece) {
                    None => {
                        out.push_str(piece);
                        out.push(c);
                    }
                    Some(threat) => {
                        removed.add(threat);
                        match c {
                            '{' => skip_depth = 1,
                            '}' => out.push('}'),
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if skip_depth == 0 {
        let rest = css.get(piece_start..).unwrap_or_default();
        match threat(rest) {
            None => out.push_str(rest),
            Some(threat) => removed.add(threat),
        }
    }
    // Pieces only ever meet at a delimiter, so nothing dangerous can form across a removal; if it
    // somehow did, no CSS is better than unchecked CSS.
    if let Some(threat) = threat(&out) {
        removed.add(threat);
        return String::new();
    }
    out
}

/// What is dangerous in a piece of CSS (or an attribute value read as CSS), described for the
/// user, or `None`. Escapes are decoded and whitespace ignored first, since `u\72l(` and
/// `@im\port` mean the same to a browser.
pub(super) fn threat(text: &str) -> Option<String> {
    let decoded = decode_escapes(text);
    let lower = decoded.to_ascii_lowercase();
    let squeezed: String = lower.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    if squeezed.contains("@import") {
        return Some("an @import rule".into());
    }
    if squeezed.contains("expression(") {
        return Some("a CSS expression()".into());
    }
    if let Some(scheme) = ["javascript:", "vbscript:"].into_iter().find(|s| squeezed.contains(s)) {
        return Some(format!("a style containing {scheme}"));
    }
    if squeezed.contains("-moz-binding") || squeezed.contains("behavior:") {
        return Some("a style that attaches a script binding".into());
    }
    if squeezed.contains("image-set(") || squeezed.contains("src(") {
        return Some("a style that loads an image from elsewhere".into());
    }
    let external_url = squeezed
        .match_indices("url(")
        .any(|(i, _)| !squeezed.get(i + 4..).unwrap_or_default().trim_start_matches(['"', '\'']).starts_with('#'));
    if !external_url {
        return None;
    }
    // Quote the address as written (same byte offsets: only ASCII letters changed case).
    let address = lower.match_indices("url(").find_map(|(i, _)| {
        let target = decoded.get(i + 4..)?.trim_start().trim_start_matches(['"', '\'']);
        let end = target.find(['"', '\'', ')']).unwrap_or(target.len());
        let target = target.get(..end)?.trim();
        (!target.starts_with('#')).then(|| quote(target))
    });
    Some(match address {
        Some(address) if !address.is_empty() => format!("a style loading {address}"),
        _ => "a style loading something from elsewhere".into(),
    })
}

/// CSS text with its backslash escapes replaced by the characters they stand for.
fn decode_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            None => {}
            Some('\n' | '\r' | '\x0C') => {
                chars.next();
            }
            Some(h) if h.is_ascii_hexdigit() => {
                let mut value = 0u32;
                for _ in 0..6 {
                    match chars.next_if(char::is_ascii_hexdigit).and_then(|d| d.to_digit(16)) {
                        Some(digit) => value = value * 16 + digit,
                        None => break,
                    }
                }
                chars.next_if(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C'));
                out.push(char::from_u32(value).filter(|&c| c != '\0').unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            Some(other) => {
                out.push(other);
                chars.next();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::upload::fixtures::*;

    #[test]
    fn external_urls_in_css_are_removed() {
        let (out, removed) = sanitized(&svg(concat!(
            r#"<rect style="fill:red; background:url(http://evil.example/t.png)" width="1"/>"#,
            r#"<rect style="background-image: u\72l('//evil.example/escaped.png')"/>"#,
            r#"<rect fill="url(https://evil.example/paint.svg#p)" stroke="url(#ok)"/>"#,
            "<style><![CDATA[ @import url(https://evil.example/more.css); ",
            ".a { fill: blue; cursor: url(https://evil.example/c.cur), auto } ",
            "@font-face { font-family: x; src: url(https://evil.example/f.woff) } ",
            ".b > .c { fill: url(#ok); behavior: url(x.htc) } .d { width: expression(alert(1)) }]]></style>",
        )));
        assert_eq!(
            removed,
            [
                "a style loading http://evil.example/t.png",
                "a style loading //evil.example/escaped.png",
                "a fill attribute: a style loading https://evil.example/paint.svg#p",
                "an @import rule",
                "a style loading https://evil.example/c.cur",
                "a style loading https://evil.example/f.woff",
                "a style that attaches a script binding",
                "a CSS expression()",
            ]
        );
        assert!(!out.contains("evil.example") && !out.contains("@import") && !out.contains("expression"), "{out}");
        assert!(out.contains(r#"<rect style="fill:red;" width="1"/>"#), "{out}");
        assert!(out.contains(r##"stroke="url(#ok)""##), "{out}");
        assert!(out.contains(".a { fill: blue;}") && out.contains(".b &gt; .c { fill: url(#ok);}"), "{out}");
    }
}
