//! The public campaign site's pure parts: what a registration form and a map need to know about
//! countries and places (`geo`), the server-rendered SVG map (`map`), certificates of participation
//! as PDF (`certificate`) and the site's translations (`i18n`). No SQL, HTTP, async or clock.

pub mod certificate;
pub mod chart;
pub mod geo;
pub mod i18n;
pub mod map;
