//! Charts as self-contained SVG, drawn on the server so reports work without JavaScript: horizontal
//! (optionally stacked) bars with an optional goal line, a funnel, and weekly columns. Like the map,
//! colours are presentation attributes (no `style`, no script) and every text is XML-escaped, since
//! labels come from users. Each chart is an image with an accessible name (`<title>`) and description
//! (`<desc>`); callers show the same numbers as a table next to it, and pass every number as the text
//! to show, so charts and tables read alike.

use std::fmt::{self, Write};

use crate::map::{Escaped, num};

/// The drawing's width in user units; the page scales it to fit.
const WIDTH: f64 = 800.0;
/// Room for the labels left of the bars and the numbers right of them.
const LABEL_WIDTH: f64 = 210.0;
const NOTE_WIDTH: f64 = 210.0;
const ROW_HEIGHT: f64 = 30.0;
const BAR_HEIGHT: f64 = 20.0;
/// One line of the legend.
const LEGEND_LINE: f64 = 20.0;
/// Labels longer than this are cut (with "…") in the drawing; the tooltip and the table keep them whole.
const MAX_LABEL_CHARS: usize = 26;

const INK: &str = "#1f2933";
const MUTED: &str = "#52606d";
const RULE: &str = "#9aa5b1";
/// Series colours: dark enough for 3:1 against white, told apart by hue.
pub const PALETTE: [&str; 7] = ["#1f5f99", "#b35c00", "#1b7f5a", "#8e3b8e", "#5a6b7a", "#b3261e", "#2d2d2d"];

/// What every chart has: an id unique on its page, its accessible name and a description of what it
/// shows (the numbers themselves are in the table beside it).
#[derive(Debug, Clone, Copy)]
pub struct Chart<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
}

/// A number in a chart and how it is written (the caller formats it, as in its table).
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub value: f64,
    pub text: String,
}

impl Value {
    pub fn new(value: f64, text: impl Into<String>) -> Value {
        Value { value, text: text.into() }
    }
}

/// A row of a bar chart: its label, one part per series (stacked in order) and the text at its end.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub parts: Vec<Value>,
    pub note: String,
}

/// A vertical line across the bars (a goal).
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub at: f64,
    pub label: String,
}

/// A step of a funnel or a column of a column chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub label: String,
    pub value: Value,
    /// Written next to the step (a funnel's conversion, say); may be empty.
    pub note: String,
}

/// Horizontal bars, stacked when there is more than one series (named in a legend), scaled to the
/// longest bar or the marker, whichever is further.
pub fn bars(chart: &Chart, series: &[&str], rows: &[Bar], marker: Option<&Marker>) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_bars(&mut out, chart, series, rows, marker);
    out
}

fn write_bars(out: &mut String, chart: &Chart, series: &[&str], rows: &[Bar], marker: Option<&Marker>) -> fmt::Result {
    let legend = if series.len() > 1 { legend_layout(series).1 } else { 0.0 };
    let top = legend + if marker.is_some() { 18.0 } else { 4.0 };
    let height = top + ROW_HEIGHT * rows.len().max(1) as f64 + 4.0;
    open(out, chart, height)?;
    if series.len() > 1 {
        write_legend(out, series)?;
    }
    let longest = rows.iter().map(|r| r.parts.iter().map(|p| p.value.max(0.0)).sum::<f64>()).fold(0.0, f64::max);
    let scale = Scale::new(longest.max(marker.map_or(0.0, |m| m.at)), WIDTH - LABEL_WIDTH - NOTE_WIDTH);
    if rows.is_empty() {
        empty(out, top)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let y = top + ROW_HEIGHT * i as f64;
        row_label(out, &row.label, y)?;
        let mut x = LABEL_WIDTH;
        for (j, part) in row.parts.iter().enumerate() {
            let w = scale.length(part.value);
            if w <= 0.0 {
                continue;
            }
            let name = series.get(j).copied().unwrap_or("");
            write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{BAR_HEIGHT}" fill="{}" stroke="white" stroke-width="1"><title>{}{}{}: {}</title></rect>"#,
                num(x),
                num(y + (ROW_HEIGHT - BAR_HEIGHT) / 2.0),
                num(w),
                PALETTE[j % PALETTE.len()],
                Escaped(&row.label),
                if name.is_empty() { "" } else { " — " },
                Escaped(name),
                Escaped(&part.text),
            )?;
            x += w;
        }
        note(out, &row.note, x + 6.0, y)?;
    }
    if let Some(m) = marker {
        let x = LABEL_WIDTH + scale.length(m.at);
        write!(
            out,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{INK}" stroke-width="2" stroke-dasharray="6 4"/><text x="{x}" y="{}" font-size="12" fill="{INK}" text-anchor="middle">{}</text>"#,
            num(top - 4.0),
            num(height - 2.0),
            num(top - 7.0),
            Escaped(&m.label),
            x = num(x),
        )?;
    }
    out.push_str("</svg>");
    Ok(())
}

/// A funnel: one centred bar per step, as wide as its value, with the step's note beside it.
pub fn funnel(chart: &Chart, steps: &[Step]) -> String {
    let mut out = String::new();
    let _ = write_funnel(&mut out, chart, steps);
    out
}

fn write_funnel(out: &mut String, chart: &Chart, steps: &[Step]) -> fmt::Result {
    let top = 4.0;
    let height = top + ROW_HEIGHT * steps.len().max(1) as f64 + 4.0;
    open(out, chart, height)?;
    let area = WIDTH - LABEL_WIDTH - NOTE_WIDTH;
    let scale = Scale::new(steps.iter().map(|s| s.value.value).fold(0.0, f64::max), area);
    if steps.is_empty() {
        empty(out, top)?;
    }
    for (i, step) in steps.iter().enumerate() {
        let y = top + ROW_HEIGHT * i as f64;
        row_label(out, &step.label, y)?;
        let w = scale.length(step.value.value);
        // A step nobody reached still shows a sliver, so the row does not look missing.
        let w = if w <= 0.0 { 1.0 } else { w };
        write!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{BAR_HEIGHT}" fill="{}"><title>{}: {}</title></rect>"#,
            num(LABEL_WIDTH + (area - w) / 2.0),
            num(y + (ROW_HEIGHT - BAR_HEIGHT) / 2.0),
            num(w),
            PALETTE[0],
            Escaped(&step.label),
            Escaped(&step.value.text),
        )?;
        let text = if step.note.is_empty() {
            step.value.text.clone()
        } else {
            format!("{} · {}", step.value.text, step.note)
        };
        note(out, &text, LABEL_WIDTH + area + 6.0, y)?;
    }
    out.push_str("</svg>");
    Ok(())
}

/// Columns over time (weeks, say), oldest left. With many columns only every so many is labelled
/// underneath; each column's tooltip names it.
pub fn columns(chart: &Chart, columns: &[Step]) -> String {
    let mut out = String::new();
    let _ = write_columns(&mut out, chart, columns);
    out
}

fn write_columns(out: &mut String, chart: &Chart, columns: &[Step]) -> fmt::Result {
    const LEFT: f64 = 10.0;
    const TOP: f64 = 22.0;
    const PLOT_HEIGHT: f64 = 200.0;
    const LABEL_SPACE: f64 = 80.0;
    let height = TOP + PLOT_HEIGHT + 30.0;
    open(out, chart, height)?;
    let baseline = TOP + PLOT_HEIGHT;
    let plot_width = WIDTH - LEFT - 10.0;
    let highest = columns.iter().map(|c| c.value.value).fold(0.0, f64::max);
    let scale = Scale::new(highest, PLOT_HEIGHT);
    write!(
        out,
        r#"<line x1="{LEFT}" y1="{baseline}" x2="{}" y2="{baseline}" stroke="{RULE}" stroke-width="1"/>"#,
        num(WIDTH - 10.0)
    )?;
    if columns.is_empty() {
        empty(out, TOP)?;
        out.push_str("</svg>");
        return Ok(());
    }
    // The highest column's value, as a reference line.
    if let Some(top) = columns.iter().max_by(|a, b| a.value.value.total_cmp(&b.value.value)) {
        let y = baseline - scale.length(top.value.value);
        write!(
            out,
            r#"<line x1="{LEFT}" y1="{y}" x2="{}" y2="{y}" stroke="{RULE}" stroke-width="1" stroke-dasharray="2 3"/><text x="{}" y="{}" font-size="12" fill="{MUTED}">{}</text>"#,
            num(WIDTH - 10.0),
            num(LEFT),
            num(y - 5.0),
            Escaped(&top.value.text),
            y = num(y),
        )?;
    }
    let slot = plot_width / columns.len() as f64;
    let every = (LABEL_SPACE / slot).ceil().max(1.0) as usize;
    for (i, c) in columns.iter().enumerate() {
        let h = scale.length(c.value.value);
        let x = LEFT + slot * i as f64;
        // A few weeks do not make fat columns.
        let w = (slot * 0.8).clamp(1.0, 40.0);
        write!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}{}{}</title></rect>"#,
            num(x + (slot - w) / 2.0),
            num(baseline - h),
            num(w),
            num(h),
            PALETTE[0],
            Escaped(&c.label),
            Escaped(&c.value.text),
            if c.note.is_empty() { "" } else { ", " },
            Escaped(&c.note),
        )?;
        if i % every == 0 {
            write!(
                out,
                r#"<text x="{}" y="{}" font-size="12" fill="{MUTED}" text-anchor="middle">{}</text>"#,
                num(x + slot / 2.0),
                num(baseline + 16.0),
                Escaped(&cut(&c.label, 12)),
            )?;
        }
    }
    out.push_str("</svg>");
    Ok(())
}

/// Maps values onto lengths; nothing to scale (all zero, negative or not a number) draws nothing.
struct Scale(f64);

impl Scale {
    fn new(max: f64, length: f64) -> Scale {
        Scale(if max.is_finite() && max > 0.0 { length / max } else { 0.0 })
    }

    fn length(&self, v: f64) -> f64 {
        if v.is_finite() && v > 0.0 { v * self.0 } else { 0.0 }
    }
}

fn open(out: &mut String, chart: &Chart, height: f64) -> fmt::Result {
    let id = element_id(chart.id);
    write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {}" role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc" class="chart" font-family="system-ui, sans-serif">"#,
        num(height)
    )?;
    write!(out, r#"<title id="{id}-title">{}</title>"#, Escaped(chart.title))?;
    write!(out, r#"<desc id="{id}-desc">{}</desc>"#, Escaped(chart.description))
}

/// Where each legend entry goes (x, y of its line) and the legend's height: entries flow left to right
/// and wrap before the drawing's edge.
fn legend_layout(series: &[&str]) -> (Vec<(f64, f64)>, f64) {
    let mut at = Vec::with_capacity(series.len());
    let (mut x, mut y) = (LABEL_WIDTH, 0.0);
    for name in series {
        // About 7 units a character at this size.
        let width = 16.0 + 7.0 * cut(name, 24).chars().count() as f64 + 14.0;
        if x > LABEL_WIDTH && x + width > WIDTH {
            (x, y) = (LABEL_WIDTH, y + LEGEND_LINE);
        }
        at.push((x, y));
        x += width;
    }
    (at, y + LEGEND_LINE + 6.0)
}

fn write_legend(out: &mut String, series: &[&str]) -> fmt::Result {
    let (at, _) = legend_layout(series);
    for (i, (name, (x, y))) in series.iter().zip(at).enumerate() {
        write!(
            out,
            r#"<rect x="{}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}" font-size="12" fill="{INK}">{}</text>"#,
            num(x),
            num(y + 6.0),
            PALETTE[i % PALETTE.len()],
            num(x + 16.0),
            num(y + 16.0),
            Escaped(&cut(name, 24)),
        )?;
    }
    Ok(())
}

fn row_label(out: &mut String, label: &str, y: f64) -> fmt::Result {
    write!(
        out,
        r#"<text x="{}" y="{}" font-size="13" fill="{INK}" text-anchor="end"><title>{}</title>{}</text>"#,
        num(LABEL_WIDTH - 8.0),
        num(y + ROW_HEIGHT / 2.0 + 4.5),
        Escaped(label),
        Escaped(&cut(label, MAX_LABEL_CHARS)),
    )
}

fn note(out: &mut String, text: &str, x: f64, y: f64) -> fmt::Result {
    if text.is_empty() {
        return Ok(());
    }
    write!(
        out,
        r#"<text x="{}" y="{}" font-size="12" fill="{MUTED}">{}</text>"#,
        num(x),
        num(y + ROW_HEIGHT / 2.0 + 4.0),
        Escaped(text)
    )
}

fn empty(out: &mut String, top: f64) -> fmt::Result {
    write!(
        out,
        r#"<text x="{LABEL_WIDTH}" y="{}" font-size="13" fill="{MUTED}">Nothing to show yet</text>"#,
        num(top + 19.0)
    )
}

/// At most `max` characters, the last of them "…" when cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let kept: String = s.chars().take(max.saturating_sub(1)).collect();
    let mut out = kept.trim_end().to_owned();
    out.push('…');
    out
}

/// An id usable in an attribute and as an IDREF: ASCII letters, digits and hyphens.
fn element_id(id: &str) -> String {
    let clean: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("chart-{clean}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const CHART: Chart = Chart { id: "t1", title: "Partners <by> stage", description: "What & why" };

    /// Parses the whole document, so a stray `<` or `&` from a label would fail the test; returns the
    /// elements' names.
    fn parse(svg: &str) -> Vec<String> {
        let mut reader = quick_xml::Reader::from_str(svg);
        let mut names = Vec::new();
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                    let name = e.name();
                    let name: &str = name.as_ref();
                    names.push(name.to_owned());
                }
                Ok(_) => {}
                Err(e) => panic!("not well-formed: {e}\n{svg}"),
            }
        }
        names
    }

    fn bar(label: &str, values: &[f64]) -> Bar {
        Bar {
            label: label.into(),
            parts: values.iter().map(|v| Value::new(*v, format!("{v}"))).collect(),
            note: format!("total {}", values.iter().sum::<f64>()),
        }
    }

    fn step(label: &str, v: f64) -> Step {
        Step { label: label.into(), value: Value::new(v, format!("{v}")), note: String::new() }
    }

    fn widths(svg: &str) -> Vec<f64> {
        svg.match_indices("<rect ")
            .filter_map(|(i, _)| {
                let rest = &svg[i..];
                let start = rest.find("width=\"")? + 7;
                let end = start + rest[start..].find('"')?;
                rest[start..end].parse().ok()
            })
            .collect()
    }

    #[test]
    fn every_chart_is_an_accessible_image_with_escaped_text() {
        let hostile = "<script>alert('x')</script> & \"Ltd\"\u{1}";
        let charts = [
            bars(
                &CHART,
                &["a<b", "c"],
                &[bar(hostile, &[1.0, 2.0])],
                Some(&Marker { at: 5.0, label: "goal <5>".into() }),
            ),
            funnel(&CHART, &[step(hostile, 3.0)]),
            columns(&CHART, &[step(hostile, 3.0)]),
        ];
        for svg in charts {
            let names = parse(&svg);
            assert!(!names.iter().any(|n| n == "script" || n == "style" || n == "foreignObject"), "{names:?}");
            assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg""#));
            assert!(svg.contains(r#"role="img" aria-labelledby="chart-t1-title" aria-describedby="chart-t1-desc""#));
            assert!(svg.contains(r#"<title id="chart-t1-title">Partners &lt;by&gt; stage</title>"#), "{svg}");
            assert!(svg.contains(r#"<desc id="chart-t1-desc">What &amp; why</desc>"#));
            assert!(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Ltd&quot;"), "{svg}");
            assert!(!svg.contains('\u{1}') && !svg.contains("style="));
        }
    }

    #[test]
    fn bars_scale_to_the_longest_bar_or_the_marker() {
        let area = WIDTH - LABEL_WIDTH - NOTE_WIDTH;
        let svg = bars(&CHART, &["x"], &[bar("a", &[10.0]), bar("b", &[5.0])], None);
        assert_eq!(widths(&svg), vec![area, area / 2.0]);
        let goal = Marker { at: 20.0, label: "goal".into() };
        let svg = bars(&CHART, &["x"], &[bar("a", &[10.0])], Some(&goal));
        assert_eq!(widths(&svg), vec![area / 2.0]);
        assert!(svg.contains("stroke-dasharray=\"6 4\"") && svg.contains(">goal</text>"));
        // Stacked: the parts follow each other and the legend names the series.
        let svg = bars(&CHART, &["won", "open"], &[bar("total", &[3.0, 1.0])], None);
        assert_eq!(widths(&svg), vec![12.0, 12.0, area * 0.75, area * 0.25]);
        assert!(svg.contains(">won</text>") && svg.contains(">open</text>"));
        assert!(svg.contains("<title>total — open: 1</title>"));
    }

    #[test]
    fn long_legends_wrap() {
        let series =
            ["Closed Won", "Finalize Fulfillment", "Finalize Details", "Negotiate Ask", "Contacted", "Lead", "Goal"];
        let (at, height) = legend_layout(&series);
        assert!(at.iter().all(|(x, _)| *x < WIDTH), "{at:?}");
        assert!(at.last().map(|(_, y)| *y).unwrap_or_default() > 0.0, "wrapped: {at:?}");
        assert!(height > LEGEND_LINE * 2.0);
        assert_eq!(legend_layout(&["a", "b"]).1, LEGEND_LINE + 6.0);
    }

    #[test]
    fn nothing_to_draw_is_not_an_error() {
        for svg in [
            bars(&CHART, &["x"], &[], None),
            bars(&CHART, &["x"], &[bar("zero", &[0.0]), bar("odd", &[f64::NAN, -3.0])], None),
            funnel(&CHART, &[]),
            columns(&CHART, &[]),
            columns(&CHART, &[step("w1", 0.0)]),
        ] {
            parse(&svg);
            // No coordinate is NaN or infinite (the notes are the caller's text).
            assert!(!svg.contains("=\"NaN") && !svg.contains("inf\""), "{svg}");
        }
        assert!(bars(&CHART, &["x"], &[], None).contains("Nothing to show yet"));
    }

    #[test]
    fn funnels_centre_their_steps() {
        let svg = funnel(&CHART, &[step("Lead", 10.0), step("Won", 0.0)]);
        let area = WIDTH - LABEL_WIDTH - NOTE_WIDTH;
        assert_eq!(widths(&svg), vec![area, 1.0]);
        assert!(svg.contains(&format!(r#"x="{}""#, num(LABEL_WIDTH + (area - 1.0) / 2.0))));
    }

    #[test]
    fn many_columns_label_only_some() {
        let weeks: Vec<Step> = (0..52).map(|i| step(&format!("w{i}"), f64::from(i))).collect();
        let svg = columns(&CHART, &weeks);
        let labels = svg.matches("text-anchor=\"middle\">w").count();
        assert!(labels > 3 && labels < 20, "{labels}");
        assert_eq!(svg.matches("<rect ").count(), 52);
        assert!(svg.contains("<title>w51: 51</title>"));
    }

    #[test]
    fn long_labels_are_cut_in_the_drawing_only() {
        let long = "A very long partner name that goes on and on";
        let svg = bars(&CHART, &["x"], &[bar(long, &[1.0])], None);
        assert!(svg.contains(&format!("<title>{long}</title>")));
        assert!(svg.contains(">A very long partner name…</text>"), "{svg}");
        assert_eq!(cut("kratko", 30), "kratko");
        assert_eq!(element_id("Funnel 1/2"), "chart-funnel-1-2");
    }
}
