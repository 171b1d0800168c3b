//! The campaign map: a world (or one country with its neighbours, or any box) as a self-contained
//! SVG, rendered on the server so it works without JavaScript. Countries are shaded by how many
//! students they have; events are circles sized by theirs, those close together merged into one
//! circle (a cluster) on a grid. Circles and shaded countries can be links, each with an accessible
//! name, so the picture is also a way to find events. The output obeys the site's Content Security
//! Policy: colours are presentation attributes, never `style` attributes or elements, and there is
//! no script. Every text is XML-escaped, since labels come from users.
//!
//! The projection is equirectangular in map units of 1/100 degree: `x = (lon + 180) * 100`,
//! `y = (90 - lat) * 100`, the space the outlines in `data/shapes-*.tsv` are drawn in (by
//! `scripts/gen-geo-data`; the two must agree).

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::fmt::{self, Write};
use std::sync::LazyLock;

use crate::geo::{self, Country, LatLon};

const WORLD_SHAPES_TSV: &str = include_str!("../data/shapes-world.tsv");
const DETAIL_SHAPES_TSV: &str = include_str!("../data/shapes-detail.tsv");

/// Map units per degree; `UNITS` in `scripts/gen-geo-data`.
const UNITS: f64 = 100.0;
const WORLD_WIDTH: f64 = 360.0 * UNITS;
const WORLD_HEIGHT: f64 = 180.0 * UNITS;
/// The world view runs from 84°N (north of Greenland) to 60°S (south of Cape Horn); Antarctica
/// would only take room.
const WORLD_VIEW: View = View { x: 0.0, y: 6.0 * UNITS, w: WORLD_WIDTH, h: 144.0 * UNITS };
/// Sizes (radii, strokes) are set in pixels of a map shown this wide, whatever the view, so circles
/// look the same in the world and in a country.
const NOMINAL_WIDTH_PX: f64 = 1000.0;
/// At most this many circles: beyond it, points merge on a coarser grid.
const MAX_CIRCLES: usize = 3000;
/// Points closer than this (in nominal pixels, on a grid) merge into one circle: circles that would
/// cover each other could not be told apart, nor clicked.
const CLUSTER_PX: f64 = 8.0;
/// The smallest box a box view shows, in degrees (a cluster of events in one town zooms to its
/// surroundings, not to a point).
const MIN_BOX_DEGREES: (f64, f64) = (1.0, 0.8);
/// Views narrower than this draw the detailed outlines (a country, a region).
const DETAIL_BELOW: f64 = 120.0 * UNITS;
/// A merged circle's tooltip lists this many of its events (the largest), then how many more.
const MERGED_LABELS: usize = 3;

const OCEAN: &str = "#e6f0f6";
const LAND: &str = "#d3d8de";
const NEIGHBOUR: &str = "#e1e4e8";
const BORDER: &str = "#ffffff";
const FOCUS_BORDER: &str = "#5f6b76";
/// Shading steps 1 to 5, light to dark teal.
const SHADES: [&str; 5] = ["#cdeee7", "#97d8cb", "#57b9aa", "#23918a", "#0b655e"];
const POINT: &str = "#d9480f";
/// Circles of several events are darker than single ones.
const CLUSTER: &str = "#9a3412";

/// A box on the globe: `(min_lon, min_lat, max_lon, max_lat)` in degrees.
pub type BBox = (f64, f64, f64, f64);

/// An event (or anything else) to mark on the map.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub at: LatLon,
    /// Its students: the circle's area grows with it.
    pub weight: i64,
    /// The tooltip text.
    pub label: String,
    /// Where the circle links to, if anywhere (a path such as `/events/12`, or http(s)).
    pub href: Option<String>,
}

/// What to draw.
pub struct MapSpec<'a> {
    /// `None`: the world; `Some("HR")`: that country with its neighbours around it. An unknown code
    /// draws the world.
    pub country: Option<&'a str>,
    /// Students per country (alpha-2); countries shade in five steps, none for zero.
    pub shading: &'a [(&'a str, i64)],
    pub points: &'a [Point],
    /// The map's accessible name.
    pub title: &'a str,
    /// A country's tooltip, given its code and students (the caller localizes).
    pub country_label: &'a dyn Fn(&str, i64) -> String,
    /// When set, every shaded country links to this (a country view, say).
    pub country_href: Option<&'a dyn Fn(&str) -> String>,
    /// Shows this box (a region, a cluster's events, the surroundings of a town) rather than the
    /// country's: the view holds it with a small margin. The country, if any, is still drawn as the
    /// focus.
    pub bbox: Option<BBox>,
    /// A circle of several points: its accessible name and where it links (its events' list, a
    /// closer view). Unset, it lists the largest members and links where they all link, if anywhere.
    pub cluster: Option<&'a ClusterLink<'a>>,
}

/// What a circle of several points reads as and links to, given the cluster.
pub type ClusterLink<'a> = dyn Fn(&Cluster) -> (String, Option<String>) + 'a;

/// A circle drawn: one point, or several close together.
#[derive(Debug)]
pub struct Cluster<'p> {
    /// Its points, largest first.
    pub members: Vec<&'p Point>,
    /// Their students.
    pub weight: i64,
    /// The box holding its points.
    pub bbox: BBox,
    x: f64,
    y: f64,
}

impl fmt::Debug for MapSpec<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapSpec")
            .field("country", &self.country)
            .field("shading", &self.shading)
            .field("points", &self.points.len())
            .field("title", &self.title)
            .field("bbox", &self.bbox)
            .finish_non_exhaustive()
    }
}

/// The map's projection: a point on the globe in map units (the `viewBox`'s space).
pub fn project(at: LatLon) -> (f64, f64) {
    ((at.lon + 180.0) * UNITS, (90.0 - at.lat) * UNITS)
}

/// The inverse of [`project`]: the point on the globe at map units `x`, `y` (a click on the map).
pub fn unproject(x: f64, y: f64) -> LatLon {
    LatLon { lat: 90.0 - y / UNITS, lon: x / UNITS - 180.0 }
}

/// The circles the map draws for `spec`, in the order drawn (largest first): what a list beside the
/// map shows, so the two agree.
pub fn clusters<'p>(spec: &MapSpec<'p>) -> Vec<Cluster<'p>> {
    let view = view_of(spec);
    merge_points(spec.points, view, view.w / NOMINAL_WIDTH_PX)
}

/// The box of the globe the map shows for `spec` (the `viewBox` in degrees).
pub fn shown_box(spec: &MapSpec) -> BBox {
    let view = view_of(spec);
    let nw = unproject(view.x, view.y);
    let se = unproject(view.x + view.w, view.y + view.h);
    (nw.lon, se.lat, se.lon, nw.lat)
}

fn view_of(spec: &MapSpec) -> View {
    match (spec.bbox, spec.country.and_then(geo::country)) {
        (Some(b), _) => box_view(b, MIN_BOX_DEGREES),
        (None, Some(c)) => country_view(c),
        (None, None) => WORLD_VIEW,
    }
}

/// A box as a `bbox` query value: four numbers rounded outwards to 1/100 degree (the map's unit),
/// so the same place always has the same address.
pub fn bbox_param(b: BBox) -> String {
    let (min_lon, min_lat, max_lon, max_lat) = rounded_out(b);
    format!("{},{},{},{}", num2(min_lon), num2(min_lat), num2(max_lon), num2(max_lat))
}

/// The box rounded outwards to 1/100 degree (after rounding away the binary fractions that make
/// 16.4 × 100 = 1639.9999…).
fn rounded_out((min_lon, min_lat, max_lon, max_lat): BBox) -> BBox {
    let scaled = |v: f64| (v * 100.0 * 1e6).round() / 1e6;
    let down = |v: f64| scaled(v).floor() / 100.0 + 0.0;
    let up = |v: f64| scaled(v).ceil() / 100.0 + 0.0;
    (down(min_lon), down(min_lat), up(max_lon), up(max_lat))
}

fn num2(v: f64) -> String {
    trim_zeros(format!("{v:.2}"))
}

/// Why a `bbox` value is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BBoxError {
    /// Not four numbers separated by commas.
    Malformed,
    /// A longitude outside -180..180 or a latitude outside -90..90.
    OffTheGlobe,
    /// A minimum larger than its maximum (a box across the antimeridian is not supported).
    Inverted,
}

/// Reads `min_lon,min_lat,max_lon,max_lat` (degrees), checked and rounded as [`bbox_param`] writes
/// it. A box of zero size (one point) is allowed: its view is [`MIN_BOX_DEGREES`] around it.
pub fn parse_bbox(text: &str) -> Result<BBox, BBoxError> {
    let numbers: Vec<f64> = text
        .split(',')
        .map(|n| n.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<_>>()
        .ok_or(BBoxError::Malformed)?;
    let [min_lon, min_lat, max_lon, max_lat] = numbers[..] else { return Err(BBoxError::Malformed) };
    if !geo::valid_lat_lon(min_lat, min_lon) || !geo::valid_lat_lon(max_lat, max_lon) {
        return Err(BBoxError::OffTheGlobe);
    }
    if min_lon > max_lon || min_lat > max_lat {
        return Err(BBoxError::Inverted);
    }
    Ok(rounded_out((min_lon, min_lat, max_lon, max_lat)))
}

/// The map as a complete `<svg>` element.
pub fn render(spec: &MapSpec) -> String {
    let mut out = String::with_capacity(128 * 1024);
    // Writing to a String cannot fail.
    let _ = write_map(&mut out, spec);
    out
}

fn write_map(out: &mut String, spec: &MapSpec) -> fmt::Result {
    let focus = spec.country.and_then(geo::country);
    let view = view_of(spec);
    // Map units per nominal pixel.
    let px = view.w / NOMINAL_WIDTH_PX;
    let id = format!("map-{:08x}", fnv1a(&[spec.title, spec.country.unwrap_or("")]));
    let mut body = String::with_capacity(128 * 1024);
    write_countries(&mut body, spec, focus, view, px)?;
    write_points(&mut body, spec, view, px)?;
    // A picture with links in it is a group of controls, not an image (whose content assistive
    // technology skips).
    let role = if body.contains("<a href=") { "group" } else { "img" };

    write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="{} {} {} {}" role="{role}" aria-labelledby="{id}" class="map">"#,
        num(view.x),
        num(view.y),
        num(view.w),
        num(view.h)
    )?;
    write!(out, r#"<title id="{id}">{}</title>"#, Escaped(spec.title))?;
    write!(
        out,
        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{OCEAN}"/>"#,
        num(view.x),
        num(view.y),
        num(view.w),
        num(view.h)
    )?;
    out.push_str(&body);
    out.push_str("</svg>");
    Ok(())
}

fn write_countries(out: &mut String, spec: &MapSpec, focus: Option<&Country>, view: View, px: f64) -> fmt::Result {
    let students = students_by_country(spec.shading);
    let most = students.values().copied().max().unwrap_or(0);
    write!(
        out,
        r#"<g fill="{LAND}" stroke="{BORDER}" stroke-width="{}" stroke-linejoin="round" fill-rule="evenodd">"#,
        num3(0.5 * px)
    )?;
    let mut country = |code: &str, d: &str| -> fmt::Result {
        if code == "-" {
            // Land Natural Earth assigns to no country.
            return write!(out, r#"<path d="{d}"/>"#);
        }
        let count = students.get(code).copied().unwrap_or(0);
        let focused = focus.is_some_and(|c| c.code == code);
        let fill = match shade(count, most) {
            Some(step) => Some(SHADES[step]),
            None if focus.is_some() && !focused => Some(NEIGHBOUR),
            None => None,
        };
        let href = match spec.country_href {
            Some(href) if count > 0 => Some(href(code)).filter(|h| safe_href(h)),
            _ => None,
        };
        let label = (spec.country_label)(code, count);
        if let Some(href) = &href {
            write!(out, r#"<a href="{}" aria-label="{}">"#, Escaped(href), Escaped(&label))?;
        }
        write!(out, r#"<path class="country" data-code="{code}" d="{d}""#)?;
        if let Some(fill) = fill {
            write!(out, r#" fill="{fill}""#)?;
        }
        if focused {
            write!(out, r#" stroke="{FOCUS_BORDER}" stroke-width="{}""#, num3(1.2 * px))?;
        }
        write!(out, "><title>{}</title></path>", Escaped(&label))?;
        if href.is_some() {
            out.push_str("</a>");
        }
        Ok(())
    };
    match focus.map(|c| c.code).or((view.w < DETAIL_BELOW).then_some("")) {
        None => {
            for shape in &SHAPES.world {
                if shape.code != "AQ" {
                    country(shape.code, shape.d)?;
                }
            }
        }
        Some(focused) => {
            let mut d = String::new();
            let mut drawn_focus = None;
            for shape in &SHAPES.detail {
                d.clear();
                for run in shape.runs.iter().filter(|r| view.overlaps(&r.bbox)) {
                    d.push_str(run.d);
                }
                if !d.is_empty() {
                    if shape.code == focused {
                        // Drawn last, so its darker border is not covered by its neighbours'.
                        drawn_focus = Some(d.clone());
                    } else {
                        country(shape.code, &d)?;
                    }
                }
            }
            if let Some(d) = drawn_focus {
                country(focused, &d)?;
            }
        }
    }
    out.push_str("</g>");
    Ok(())
}

/// Students per uppercase country code, summed, negatives ignored.
fn students_by_country(shading: &[(&str, i64)]) -> BTreeMap<String, i64> {
    let mut students = BTreeMap::new();
    for &(code, count) in shading {
        let total = students.entry(code.trim().to_ascii_uppercase()).or_insert(0i64);
        *total = total.saturating_add(count.max(0));
    }
    students
}

/// The shading step (0 to 4, lightest first) for `count` students when the most any country has
/// is `most`; `None` for none. Steps are logarithmic: campaigns have a few large countries and a
/// long tail of small ones.
fn shade(count: i64, most: i64) -> Option<usize> {
    if count <= 0 || most <= 0 {
        return None;
    }
    let share = (count as f64).ln_1p() / (most as f64).ln_1p();
    Some(((share * SHADES.len() as f64).ceil() as usize).clamp(1, SHADES.len()) - 1)
}

fn write_points(out: &mut String, spec: &MapSpec, view: View, px: f64) -> fmt::Result {
    let clusters = merge_points(spec.points, view, px);
    if clusters.is_empty() {
        return Ok(());
    }
    write!(out, r#"<g fill="{POINT}" fill-opacity="0.85" stroke="{BORDER}" stroke-width="{}">"#, num3(px))?;
    for c in &clusters {
        let (label, href) = match (c.members.as_slice(), spec.cluster) {
            ([only], _) => (only.label.clone(), only.href.clone()),
            (_, Some(link)) => link(c),
            (_, None) => (cluster_label(c), common_href(c)),
        };
        let href = href.filter(|h| safe_href(h));
        let fill = if c.members.len() > 1 { format!(r#" fill="{CLUSTER}""#) } else { String::new() };
        let circle =
            format!(r#"<circle cx="{}" cy="{}" r="{}"{fill}"#, num(c.x), num(c.y), num(radius_px(c.weight) * px));
        match href {
            // The link carries the name (and the tooltip); the circle inside is only its shape.
            Some(href) => write!(
                out,
                r#"<a href="{}" aria-label="{}"><title>{}</title>{circle}/></a>"#,
                Escaped(&href),
                Escaped(&label),
                Escaped(&label)
            )?,
            None => write!(out, "{circle}><title>{}</title></circle>", Escaped(&label))?,
        }
    }
    out.push_str("</g>");
    Ok(())
}

/// The points inside the view as circles, those close together merged: first on a grid of
/// [`CLUSTER_PX`], then, while there are more than [`MAX_CIRCLES`], on a grid twice as coarse.
/// Ordered largest first, so small circles stay visible on top of large ones.
fn merge_points(points: &[Point], view: View, px: f64) -> Vec<Cluster<'_>> {
    let inside: Vec<(f64, f64, &Point)> = points
        .iter()
        .filter(|p| geo::valid_lat_lon(p.at.lat, p.at.lon))
        .map(|p| {
            let (x, y) = project(p.at);
            (x, y, p)
        })
        .filter(|&(x, y, _)| view.contains(x, y))
        .collect();
    let mut cell = CLUSTER_PX * px;
    let cells = loop {
        let mut cells: BTreeMap<(i64, i64), Vec<usize>> = BTreeMap::new();
        for (i, &(x, y, _)) in inside.iter().enumerate() {
            let key = ((x / cell).floor() as i64, (y / cell).floor() as i64);
            cells.entry(key).or_default().push(i);
        }
        if cells.len() <= MAX_CIRCLES {
            break cells;
        }
        cell *= 2.0;
    };
    let mut clusters: Vec<Cluster> = cells.into_values().map(|members| cluster_of(&inside, &members)).collect();
    clusters.sort_by(|a, b| b.weight.cmp(&a.weight).then(a.y.total_cmp(&b.y)).then(a.x.total_cmp(&b.x)));
    clusters
}

fn cluster_of<'p>(inside: &[(f64, f64, &'p Point)], members: &[usize]) -> Cluster<'p> {
    let n = members.len() as f64;
    let mut points: Vec<&Point> = members.iter().map(|&i| inside[i].2).collect();
    points.sort_by_key(|p| Reverse(p.weight));
    let bbox = points.iter().fold((180.0, 90.0, -180.0, -90.0), |b: BBox, p| {
        (b.0.min(p.at.lon), b.1.min(p.at.lat), b.2.max(p.at.lon), b.3.max(p.at.lat))
    });
    Cluster {
        x: members.iter().map(|&i| inside[i].0).sum::<f64>() / n,
        y: members.iter().map(|&i| inside[i].1).sum::<f64>() / n,
        weight: members.iter().fold(0i64, |w, &i| w.saturating_add(inside[i].2.weight.max(0))),
        bbox,
        members: points,
    }
}

/// The circle's radius in nominal pixels: its area grows with the students, within bounds.
fn radius_px(weight: i64) -> f64 {
    (2.0 + 0.5 * (weight.max(0) as f64).sqrt()).clamp(2.0, 12.0)
}

/// A merged circle's default name: the largest few labels, one a line, and how many more there are
/// (in no language, since the caller's labels already are in one).
fn cluster_label(c: &Cluster) -> String {
    let mut label = c.members.iter().take(MERGED_LABELS).map(|p| p.label.as_str()).collect::<Vec<_>>().join("\n");
    if c.members.len() > MERGED_LABELS {
        let _ = write!(label, "\n… (+{})", c.members.len() - MERGED_LABELS);
    }
    label
}

/// Where every point of a cluster links, if they all link to the same place.
fn common_href(c: &Cluster) -> Option<String> {
    let first = c.members.first()?.href.as_deref()?;
    c.members.iter().all(|p| p.href.as_deref() == Some(first)).then(|| first.to_owned())
}

/// Links go to the site's own paths or to the web: a `javascript:` (or any other scheme's) URL
/// from a caller's mistake never ends up in the map.
fn safe_href(href: &str) -> bool {
    let href = href.trim();
    match href.find(':') {
        Some(colon) if !href[..colon].contains(['/', '?', '#']) => {
            let scheme = &href[..colon];
            scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
        }
        _ => !href.is_empty(),
    }
}

/// A rectangle of the map, in map units.
#[derive(Clone, Copy, Debug, PartialEq)]
struct View {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl View {
    fn contains(&self, x: f64, y: f64) -> bool {
        (self.x..=self.x + self.w).contains(&x) && (self.y..=self.y + self.h).contains(&y)
    }

    fn overlaps(&self, b: &[i32; 4]) -> bool {
        f64::from(b[0]) <= self.x + self.w
            && f64::from(b[2]) >= self.x
            && f64::from(b[1]) <= self.y + self.h
            && f64::from(b[3]) >= self.y
    }
}

/// The view of a country map: the country's box with a margin, at least 4° × 3° (so a small
/// state shows where it is), between 5:4 and 2:1, within the world.
fn country_view(country: &Country) -> View {
    let b = country.bbox.unwrap_or((
        country.centre.lon - 1.0,
        country.centre.lat - 1.0,
        country.centre.lon + 1.0,
        country.centre.lat + 1.0,
    ));
    box_view(b, (4.0, 3.0))
}

/// The view of a box: the box with a margin, at least `min` degrees wide and high, between 5:4 and
/// 2:1, within the world.
fn box_view((min_lon, min_lat, max_lon, max_lat): BBox, min: (f64, f64)) -> View {
    let (x0, y0) = project(LatLon { lat: max_lat, lon: min_lon });
    let (x1, y1) = project(LatLon { lat: min_lat, lon: max_lon });
    let margin = (0.1 * (x1 - x0).max(y1 - y0)).max(0.125 * min.0 * UNITS);
    let mut w = (x1 - x0 + 2.0 * margin).max(min.0 * UNITS);
    let mut h = (y1 - y0 + 2.0 * margin).max(min.1 * UNITS);
    if w < 1.25 * h {
        w = 1.25 * h;
    }
    if w > 2.0 * h {
        h = w / 2.0;
    }
    let (w, h) = (w.min(WORLD_WIDTH).ceil(), h.min(WORLD_HEIGHT).ceil());
    View {
        x: ((x0 + x1 - w) / 2.0).clamp(0.0, WORLD_WIDTH - w).floor(),
        y: ((y0 + y1 - h) / 2.0).clamp(0.0, WORLD_HEIGHT - h).floor(),
        w,
        h,
    }
}

/// A country's outline for the world view.
struct WorldShape {
    code: &'static str,
    d: &'static str,
}

/// A country's detailed outline, ring by ring, so a country view draws only what it shows.
struct DetailShape {
    code: &'static str,
    runs: Vec<Run>,
}

/// One ring of an outline: its path data (`M…z`) and its box in map units
/// (`min_x, min_y, max_x, max_y`).
struct Run {
    d: &'static str,
    bbox: [i32; 4],
}

struct Shapes {
    world: Vec<WorldShape>,
    detail: Vec<DetailShape>,
}

static SHAPES: LazyLock<Shapes> = LazyLock::new(|| Shapes {
    world: shape_rows(WORLD_SHAPES_TSV).map(|(code, d)| WorldShape { code, d }).collect(),
    detail: shape_rows(DETAIL_SHAPES_TSV).map(|(code, d)| DetailShape { code, runs: runs(d) }).collect(),
});

fn shape_rows(tsv: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    tsv.lines().filter(|line| !line.starts_with('#')).filter_map(|line| line.split_once('\t'))
}

/// Splits path data of the generator's form — per ring `Mx y`, relative `l` pairs, `z` — into
/// rings with their boxes. A ring that does not parse is left out.
fn runs(d: &'static str) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut rest = d;
    while let Some(start) = rest.find('M') {
        let len = 1 + rest[start + 1..].find('M').unwrap_or(rest.len() - start - 1);
        let run = &rest[start..start + len];
        if let Some(bbox) = ring_bbox(run) {
            runs.push(Run { d: run, bbox });
        }
        rest = &rest[start + len..];
    }
    runs
}

fn ring_bbox(run: &str) -> Option<[i32; 4]> {
    // In "l3-4 5" a minus sign also separates numbers.
    let spaced = run.replace('-', " -");
    let mut numbers = spaced
        .split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<i32>().ok());
    let (mut x, mut y) = (numbers.next()??, numbers.next()??);
    let mut bbox = [x, y, x, y];
    while let Some(dx) = numbers.next() {
        x = x.checked_add(dx?)?;
        y = y.checked_add(numbers.next()??)?;
        bbox = [bbox[0].min(x), bbox[1].min(y), bbox[2].max(x), bbox[3].max(y)];
    }
    Some(bbox)
}

/// A coordinate or length with at most one decimal.
pub(crate) fn num(v: f64) -> String {
    trim_zeros(format!("{v:.1}"))
}

/// A small length (a stroke width) with up to three decimals.
fn num3(v: f64) -> String {
    trim_zeros(format!("{v:.3}"))
}

fn trim_zeros(s: String) -> String {
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" { "0".to_string() } else { s }
}

/// Text made safe for XML content and attribute values: markup characters escaped, characters XML
/// does not allow dropped.
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&#39;")?,
                '\t' | '\n' | '\r' => f.write_char(c)?,
                c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => {}
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// FNV-1a, for an element id that is the same for the same map.
fn fnv1a(parts: &[&str]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for part in parts {
        for b in part.bytes().chain([0]) {
            hash ^= u32::from(b);
            hash = hash.wrapping_mul(0x0100_0193);
        }
    }
    hash
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn label(code: &str, students: i64) -> String {
        format!("{code}: {students} students")
    }

    fn point(lat: f64, lon: f64, weight: i64, label: &str, href: Option<&str>) -> Point {
        Point { at: LatLon { lat, lon }, weight, label: label.to_string(), href: href.map(str::to_string) }
    }

    fn spec<'a>(country: Option<&'a str>, shading: &'a [(&'a str, i64)], points: &'a [Point]) -> MapSpec<'a> {
        MapSpec {
            country,
            shading,
            points,
            title: "Students by country",
            country_label: &label,
            country_href: None,
            bbox: None,
            cluster: None,
        }
    }

    fn view_box(svg: &str) -> [f64; 4] {
        let start = svg.find("viewBox=\"").expect("a viewBox") + 9;
        let end = start + svg[start..].find('"').expect("a closing quote");
        let v: Vec<f64> = svg[start..end].split(' ').map(|n| n.parse().expect("a number")).collect();
        [v[0], v[1], v[2], v[3]]
    }

    /// Parses the whole document, so a stray `<` or `&` from a label would fail the test.
    fn assert_well_formed(svg: &str) {
        let mut reader = quick_xml::Reader::from_str(svg);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
            }
        }
    }

    fn assert_csp_safe(svg: &str) {
        for forbidden in ["style=", "<style", "<script", "javascript:", "onload", "onclick"] {
            assert!(!svg.contains(forbidden), "{forbidden} in the map");
        }
    }

    fn zagreb() -> LatLon {
        geo::find_place("HR", "Zagreb").expect("Zagreb").at
    }

    #[test]
    fn the_world_has_countries_shading_and_points() {
        let at = zagreb();
        let points = [point(at.lat, at.lon, 120, "Zagreb: 120 students", Some("/events/1"))];
        let svg = render(&spec(None, &[("HR", 120), ("si", 5), ("FR", 0)], &points));

        assert!(svg.starts_with(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 600 36000 14400" role="group" aria-labelledby="map-"#
        ));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(r#"<title id="map-"#) && svg.contains(">Students by country</title>"));
        assert!(svg.contains(r#"<path class="country" data-code="HR" d="M"#));
        assert!(svg.contains("<title>HR: 120 students</title>"));
        assert!(svg.contains("<title>SI: 5 students</title>"), "codes are case-insensitive");
        assert!(svg.contains("<title>FR: 0 students</title>"));
        assert!(svg.matches(r#"class="country""#).count() > 200);
        assert!(!svg.contains(r#"data-code="AQ""#), "Antarctica is left out of the world");
        // Croatia has the most students: the darkest shade; Slovenia a lighter one; France none.
        assert!(svg.contains(&format!(
            r#"data-code="HR" d="{}"#,
            &SHAPES.world.iter().find(|s| s.code == "HR").expect("HR").d[..10]
        )));
        let hr = &svg[svg.find(r#"data-code="HR""#).expect("HR")..];
        assert!(hr[..hr.find('>').expect("tag end")].contains(&format!(r#"fill="{}""#, SHADES[4])));
        let si = &svg[svg.find(r#"data-code="SI""#).expect("SI")..];
        let si_tag = &si[..si.find('>').expect("tag end")];
        assert!(si_tag.contains(" fill=") && !si_tag.contains(SHADES[4]));
        let fr = &svg[svg.find(r#"data-code="FR""#).expect("FR")..];
        assert!(!fr[..fr.find('>').expect("tag end")].contains(" fill="));

        let (x, y) = project(at);
        assert!(svg.contains(&format!(
            r#"<a href="/events/1" aria-label="Zagreb: 120 students"><title>Zagreb: 120 students</title><circle cx="{}" cy="{}" r="#,
            num(x),
            num(y)
        )));
        assert!(svg.ends_with("/></a></g></svg>"));
        assert_well_formed(&svg);
        assert_csp_safe(&svg);
        assert_eq!(svg, render(&spec(None, &[("HR", 120), ("si", 5), ("FR", 0)], &points)), "deterministic");
    }

    #[test]
    fn shaded_countries_link_when_asked() {
        let href = |code: &str| format!("/map?country={code}&lang=hr");
        let map = MapSpec { country_href: Some(&href), ..spec(None, &[("HR", 3)], &[]) };
        let svg = render(&map);
        assert!(svg.contains(
            r#"<a href="/map?country=HR&amp;lang=hr" aria-label="HR: 3 students"><path class="country" data-code="HR""#
        ));
        assert_eq!(svg.matches("<a href=").count(), 1, "only shaded countries link");
        assert!(!svg.contains("<circle"));
        assert_well_formed(&svg);
    }

    #[test]
    fn user_text_is_escaped() {
        let evil = r#"<script>alert("x")</script> & 'co'"#;
        let points = [
            point(45.0, 15.0, 3, evil, Some(r#"/e?a=1&b="2"><script>"#)),
            point(10.0, 10.0, 3, "bad link", Some("javascript:alert(1)")),
            point(11.0, 11.0, 3, "control\u{1}char", Some(" JavaScript:alert(1)")),
        ];
        let title = "Map </title><script>x</script>";
        let evil_label = |_: &str, _: i64| evil.to_string();
        let map = MapSpec { title, country_label: &evil_label, ..spec(None, &[], &points) };
        let svg = render(&map);
        assert!(svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;"));
        assert!(svg.contains(r#"<a href="/e?a=1&amp;b=&quot;2&quot;&gt;&lt;script&gt;" aria-label="&lt;script&gt;"#));
        assert!(svg.contains("Map &lt;/title&gt;&lt;script&gt;x&lt;/script&gt;"));
        assert!(svg.contains("<title>controlchar</title>"));
        assert_eq!(svg.matches("<a href=").count(), 1, "javascript: links are dropped");
        assert!(!svg.contains("<script"));
        assert_well_formed(&svg);
        assert_csp_safe(&svg);
    }

    #[test]
    fn a_country_view_zooms_to_the_country_with_its_neighbours() {
        let at = zagreb();
        let points = [point(at.lat, at.lon, 40, "Zagreb", None), point(-33.87, 151.21, 40, "Sydney", None)];
        let svg = render(&spec(Some("hr"), &[("HR", 40)], &points));
        let [x, y, w, h] = view_box(&svg);
        let (min_lon, min_lat, max_lon, max_lat) = geo::country("HR").and_then(|c| c.bbox).expect("Croatia's box");
        let (bx0, by0) = project(LatLon { lat: max_lat, lon: min_lon });
        let (bx1, by1) = project(LatLon { lat: min_lat, lon: max_lon });
        assert!(x <= bx0 && y <= by0 && x + w >= bx1 && y + h >= by1, "the view holds Croatia");
        assert!(w <= 3.0 * (bx1 - bx0) && h <= 3.0 * (by1 - by0), "and not much more");
        assert!((1.25..=2.0).contains(&(w / h)));

        for neighbour in ["SI", "BA", "HU", "RS", "ME", "IT"] {
            assert!(svg.contains(&format!(r#"data-code="{neighbour}""#)), "{neighbour}");
        }
        assert!(!svg.contains(r#"data-code="AU""#), "far countries are not drawn");
        // Croatia is drawn last, with a darker border, and in the shade of its students.
        let last = svg.rfind(r#"class="country""#).expect("countries");
        assert!(svg[last..].starts_with(r#"class="country" data-code="HR""#));
        assert!(svg[last..].contains(FOCUS_BORDER));
        assert!(svg.contains("<title>Zagreb</title>"));
        assert!(!svg.contains("Sydney"), "points outside the view are left out");
        assert_well_formed(&svg);
        assert_csp_safe(&svg);

        // Circles have the same size on screen in both views: the radius scales with the view.
        let world = render(&spec(None, &[], &points[..1]));
        let r = |svg: &str| -> f64 {
            let start = svg.find(" r=\"").expect("a circle") + 4;
            svg[start..start + svg[start..].find('"').expect("quote")].parse().expect("a radius")
        };
        let world_w = view_box(&world)[2];
        assert!((r(&svg) / w - r(&world) / world_w).abs() < 1e-4);
    }

    #[test]
    fn small_and_shapeless_countries_and_unknown_codes_still_draw() {
        for code in ["VA", "TV", "GI", "RU", "FJ", "US", "CL"] {
            let svg = render(&spec(Some(code), &[(code, 1)], &[]));
            let [x, y, w, h] = view_box(&svg);
            assert!(w >= 400.0 && h >= 300.0, "{code}");
            assert!(x >= 0.0 && y >= 0.0 && x + w <= WORLD_WIDTH && y + h <= WORLD_HEIGHT, "{code}");
            let centre = geo::country(code).expect("a country").centre;
            let (cx, cy) = project(centre);
            assert!(x <= cx && cx <= x + w && y <= cy && cy <= y + h, "{code}");
            assert_well_formed(&svg);
        }
        let unknown = render(&spec(Some("ZZ"), &[], &[]));
        assert_eq!(view_box(&unknown), [0.0, 600.0, 36000.0, 14400.0]);
    }

    #[test]
    fn projection_round_trips() {
        for (lat, lon) in [(45.81, 15.98), (0.0, 0.0), (-33.87, 151.21), (90.0, -180.0), (-90.0, 180.0)] {
            let (x, y) = project(LatLon { lat, lon });
            let back = unproject(x, y);
            assert!((back.lat - lat).abs() < 1e-9 && (back.lon - lon).abs() < 1e-9);
        }
        assert_eq!(project(LatLon { lat: 90.0, lon: -180.0 }), (0.0, 0.0));
        assert_eq!(project(LatLon { lat: -90.0, lon: 180.0 }), (WORLD_WIDTH, WORLD_HEIGHT));
    }

    #[test]
    fn many_points_merge_into_a_bounded_number_of_circles() {
        // A fixed linear congruential generator: the same "random" points every run.
        let mut seed: u64 = 42;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let points: Vec<Point> = (0..20_000)
            .map(|i| {
                let (lat, lon) = (next() * 140.0 - 58.0, next() * 360.0 - 180.0);
                point(lat, lon, i % 50, &format!("Event {i}"), Some("/events"))
            })
            .collect();
        let svg = render(&spec(None, &[], &points));
        let circles = svg.matches("<circle").count();
        assert!((1000..=MAX_CIRCLES).contains(&circles), "{circles} circles");
        assert!(svg.contains("\n… (+"), "merged circles say how many more they hold");
        assert!(svg.len() < 1_000_000, "{} bytes", svg.len());
        assert_well_formed(&svg);
        assert_csp_safe(&svg);
    }

    #[test]
    fn points_on_the_same_spot_merge() {
        let at = zagreb();
        let points = [
            point(at.lat, at.lon, 10, "Small", Some("/events/1")),
            point(at.lat, at.lon, 30, "Large", Some("/events/2")),
            point(at.lat + 0.001, at.lon, 20, "Middle", Some("/events/3")),
            point(f64::NAN, 0.0, 5, "Nowhere", None),
            point(95.0, 0.0, 5, "Off the globe", None),
        ];
        let svg = render(&spec(None, &[], &points));
        assert_eq!(svg.matches("<circle").count(), 1);
        assert!(svg.contains("<title>Large\nMiddle\nSmall</title>"));
        assert!(!svg.contains("<a href"), "different links: the merged circle links nowhere");
        assert_eq!(radius_px(60), 2.0 + 0.5 * 60f64.sqrt());
        assert_eq!(radius_px(-5), 2.0);
        assert_eq!(radius_px(1_000_000), 12.0);
    }

    /// Towns near one another: Split and Šibenik (50 km apart), Zagreb far from both.
    fn dalmatia() -> Vec<Point> {
        let at = |name: &str| geo::find_place("HR", name).expect(name).at;
        let (split, sibenik, zagreb) = (at("Split"), at("Šibenik"), at("Zagreb"));
        vec![
            point(split.lat, split.lon, 30, "Split <1>", Some("/c/x/events/1")),
            point(split.lat, split.lon, 20, "Split 2", Some("/c/x/events/2")),
            point(sibenik.lat, sibenik.lon, 10, "Šibenik", Some("/c/x/events/3")),
            point(zagreb.lat, zagreb.lon, 40, "Zagreb", Some("/c/x/events/4")),
        ]
    }

    #[test]
    fn clusters_and_points_are_links_with_names() {
        let points = dalmatia();
        let link = |c: &Cluster| {
            (format!("{} events <here>", c.members.len()), Some(format!("/c/x/map?bbox={}", bbox_param(c.bbox))))
        };
        let map = MapSpec { cluster: Some(&link), ..spec(Some("HR"), &[("HR", 100)], &points) };
        let svg = render(&map);
        assert!(svg.contains(r#"role="group""#), "a picture with links is a group of controls");
        // In Croatia's view Split's two events share a circle; Šibenik and Zagreb have their own.
        let clusters = clusters(&map);
        assert_eq!(clusters.len(), 3);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert_eq!(svg.matches("<a href=").count(), 3);
        let split = clusters.iter().find(|c| c.members.len() == 2).expect("Split's cluster");
        assert_eq!(split.members.iter().map(|p| p.label.as_str()).collect::<Vec<_>>(), ["Split <1>", "Split 2"]);
        assert_eq!(split.weight, 50);
        let href = format!("/c/x/map?bbox={}", bbox_param(split.bbox));
        assert_eq!(href, "/c/x/map?bbox=16.43,43.5,16.44,43.51");
        assert!(svg.contains(&format!(
            r#"<a href="{href}" aria-label="2 events &lt;here&gt;"><title>2 events &lt;here&gt;</title><circle "#
        )));
        assert!(svg.contains(&format!(r#" fill="{CLUSTER}"/></a>"#)), "clusters are darker");
        assert!(svg.contains(r#"<a href="/c/x/events/3" aria-label="Šibenik"><title>Šibenik</title><circle "#));
        assert!(svg.contains(r#"<a href="/c/x/events/4" aria-label="Zagreb">"#));
        assert_well_formed(&svg);
        assert_csp_safe(&svg);

        // In the world view, Split and Šibenik merge too; a cluster link that is not safe is dropped.
        let bad = |_: &Cluster| ("bad".to_owned(), Some("javascript:alert(1)".to_owned()));
        let world = render(&MapSpec { cluster: Some(&bad), ..spec(None, &[], &points) });
        assert_eq!(world.matches("<circle").count(), 2);
        assert!(world.contains("><title>bad</title></circle>") && !world.contains("javascript"));
        // Without a cluster link the merged circle names its largest members.
        let plain = render(&spec(None, &[], &points));
        assert!(plain.contains("<title>Split &lt;1&gt;\nSplit 2\nŠibenik</title></circle>"));
        // A map without links is an image.
        let image = render(&spec(None, &[], &[point(45.0, 15.0, 3, "x", None)]));
        assert!(image.contains(r#"role="img""#));
    }

    #[test]
    fn a_box_view_follows_the_box() {
        let points = dalmatia();
        let b = (15.8, 43.4, 16.6, 43.8);
        let map = MapSpec { bbox: Some(b), ..spec(Some("HR"), &[], &points) };
        let svg = render(&map);
        let [x, y, w, h] = view_box(&svg);
        let (bx0, by0) = project(LatLon { lat: b.3, lon: b.0 });
        let (bx1, by1) = project(LatLon { lat: b.1, lon: b.2 });
        assert!(x <= bx0 && y <= by0 && x + w >= bx1 && y + h >= by1, "the view holds the box");
        assert!(w <= 2.0 * (bx1 - bx0) + 100.0, "and not much more: {w}");
        assert!(svg.contains(r#"data-code="HR""#) && svg.contains(r#"data-code="BA""#));
        assert!(!svg.contains(r#"data-code="FR""#), "far countries are not drawn");
        assert!(!svg.contains("Zagreb"), "points outside the box are left out");
        let shown = shown_box(&map);
        assert!(shown.0 <= b.0 && shown.1 <= b.1 && shown.2 >= b.2 && shown.3 >= b.3, "{shown:?}");
        // Split's events apart from Šibenik's in this view; Split's, on one spot, still merged.
        assert_eq!(clusters(&map).iter().map(|c| c.members.len()).collect::<Vec<_>>(), [2, 1]);

        // A box of one point shows a degree around it; without a country, detailed outlines still.
        let one = MapSpec { bbox: Some((16.44, 43.51, 16.44, 43.51)), ..spec(None, &[], &points) };
        let [_, _, w, h] = view_box(&render(&one));
        assert!((100.0..=200.0).contains(&w) && (80.0..=120.0).contains(&h), "{w} × {h}");
        assert!(render(&one).contains(r#"data-code="HR" d="M"#));
        let world_sized = MapSpec { bbox: Some((-180.0, -90.0, 180.0, 90.0)), ..spec(None, &[], &points) };
        let [x, y, w, h] = view_box(&render(&world_sized));
        assert!(x >= 0.0 && y >= 0.0 && x + w <= WORLD_WIDTH && y + h <= WORLD_HEIGHT);
    }

    #[test]
    fn boxes_are_checked_and_written_canonically() {
        let ok = [
            ("16.4,43.5,16.5,43.6", (16.4, 43.5, 16.5, 43.6)),
            (" 16.4 , 43.5,16.5,43.6", (16.4, 43.5, 16.5, 43.6)),
            ("16.4301,43.5099,16.4321,43.5101", (16.43, 43.5, 16.44, 43.52)),
            ("-180,-90,180,90", (-180.0, -90.0, 180.0, 90.0)),
            ("-0.001,0,0,0.001", (-0.01, 0.0, 0.0, 0.01)),
            ("15,45,15,45", (15.0, 45.0, 15.0, 45.0)),
        ];
        for (text, want) in ok {
            assert_eq!(parse_bbox(text), Ok(want), "{text}");
        }
        let bad = [
            ("", BBoxError::Malformed),
            ("1,2,3", BBoxError::Malformed),
            ("1,2,3,4,5", BBoxError::Malformed),
            ("a,2,3,4", BBoxError::Malformed),
            ("NaN,2,3,4", BBoxError::Malformed),
            ("inf,2,3,4", BBoxError::Malformed),
            ("1e400,2,3,4", BBoxError::Malformed),
            ("-181,0,0,0", BBoxError::OffTheGlobe),
            ("0,0,0,90.5", BBoxError::OffTheGlobe),
            ("10,0,5,1", BBoxError::Inverted),
            ("0,10,1,5", BBoxError::Inverted),
        ];
        for (text, want) in bad {
            assert_eq!(parse_bbox(text), Err(want), "{text}");
        }
        assert_eq!(bbox_param((16.4392, 43.5089, 16.4392, 43.5089)), "16.43,43.5,16.44,43.51");
        assert_eq!(bbox_param((-0.004, -0.004, 0.0, 0.0)), "-0.01,-0.01,0,0");
        // What is written reads back as the same box.
        let b = parse_bbox(&bbox_param((13.49, 42.39, 19.45, 46.55))).expect("a box");
        assert_eq!(bbox_param(b), "13.49,42.39,19.45,46.55");
    }

    #[test]
    fn shading_steps_are_logarithmic() {
        assert_eq!(shade(0, 1000), None);
        assert_eq!(shade(-3, 1000), None);
        assert_eq!(shade(1, 1000), Some(0));
        assert_eq!(shade(1000, 1000), Some(4));
        assert_eq!(shade(1, 1), Some(4));
        let steps: Vec<_> = [1, 10, 100, 1000].iter().map(|&c| shade(c, 1000)).collect();
        assert!(steps.windows(2).all(|w| w[0] < w[1]), "{steps:?}");
    }

    #[test]
    fn every_outline_parses() {
        assert!(SHAPES.world.len() > 200);
        assert!(SHAPES.detail.len() > 200);
        for shape in &SHAPES.detail {
            let rings = shape.d_len();
            assert!(!shape.runs.is_empty(), "{}", shape.code);
            assert_eq!(shape.runs.iter().map(|r| r.d.len()).sum::<usize>(), rings, "{}", shape.code);
            for run in &shape.runs {
                let [x0, y0, x1, y1] = run.bbox;
                assert!(0 <= x0 && x0 <= x1 && x1 <= 36_000, "{} {:?}", shape.code, run.bbox);
                assert!(0 <= y0 && y0 <= y1 && y1 <= 18_000, "{} {:?}", shape.code, run.bbox);
            }
        }
        let hr = SHAPES.detail.iter().find(|s| s.code == "HR").expect("Croatia");
        let zagreb = project(zagreb());
        assert!(hr.runs.iter().any(|r| {
            let [x0, y0, x1, y1] = r.bbox;
            (f64::from(x0)..=f64::from(x1)).contains(&zagreb.0) && (f64::from(y0)..=f64::from(y1)).contains(&zagreb.1)
        }));
        assert_eq!(ring_bbox("M10 20l5-3-10 6z"), Some([5, 17, 15, 23]));
        assert_eq!(ring_bbox("Mx"), None);
    }

    impl DetailShape {
        /// The length of the row's path data, to check no ring went missing.
        fn d_len(&self) -> usize {
            shape_rows(DETAIL_SHAPES_TSV).find(|(code, _)| *code == self.code).map_or(0, |(_, d)| d.len())
        }
    }
}
