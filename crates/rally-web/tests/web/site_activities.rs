//! The activity catalogue on the public site as a teacher uses it: filters read from the address and
//! sent to their canonical order, counts beside each value, activities in the visitor's language first,
//! an activity's page with the way to host an event with it, an umbrella's catalogue in its members';
//! and suggestions from the public form (honeypot, allowance, errors beside their fields) and from a
//! partner's link, stored waiting for review.

use std::collections::BTreeMap;

use chrono::Utc;
use rally_domain::activity::{Activity, ActivityDraft, ActivityStatus, ActivityTextDraft, Facet};
use rally_domain::{ActivityId, CampaignId, UserId};
use rally_site::i18n::Lang;
use rally_store::Actor;
use rally_store::activities::CatalogueQuery;
use reqwest::StatusCode;

use crate::site::{campaign, visitor};
use crate::support::{Browser, Page, Site};

both_backends!(
    Site;
    the_catalogue_filters_counts_and_puts_the_visitors_language_first,
    an_activity_page_says_everything_and_leads_to_registration,
    an_umbrella_offers_its_catalogue_to_its_members,
    the_catalogue_is_paged,
    suggestions_are_checked_guarded_and_stored_for_review,
    a_partner_suggests_an_activity_through_its_link,
);

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn hr() -> Lang {
    Lang::parse("hr").unwrap_or(Lang::EN)
}

/// A listed activity of `campaign`: texts `(language, title)`, the languages it is offered in, and
/// facet values.
async fn listed(
    site: &Site,
    owner: UserId,
    campaign: CampaignId,
    texts: &[(&str, &str)],
    languages: &[&str],
    facets: &[(Facet, &[&str])],
) -> Activity {
    let draft = ActivityDraft {
        texts: Some(
            texts
                .iter()
                .map(|(language, title)| ActivityTextDraft {
                    language: Some((*language).into()),
                    title: Some((*title).into()),
                    summary: Some(format!("{title}: sažetak")),
                    description: Some("Prvi odlomak.\n\nDrugi odlomak.".into()),
                })
                .collect(),
        ),
        url: Some("https://activities.example.org/a".into()),
        provider_name: Some("Udruga Bit".into()),
        duration_minutes: Some(45),
        print_per_student: Some("Jedan list s mrežom".into()),
        languages: Some(languages.iter().map(|l| (*l).into()).collect()),
        facets: Some(facets.iter().map(|(f, v)| (*f, v.iter().map(|x| (*x).into()).collect())).collect()),
        ..ActivityDraft::default()
    };
    ok(site.store.create_activity(Actor::User(owner), campaign, ok(draft.validate()), Utc::now()).await)
}

/// The catalogue of a Croatian campaign: one activity in Croatian without computers for 7–10, one in
/// English only with the same facets, one in both for 14–18 on computers, and one still waiting for
/// review.
async fn catalogue_of(site: &Site, owner: UserId, c: CampaignId) -> [Activity; 3] {
    let unplugged = listed(
        site,
        owner,
        c,
        &[("hr", "Kodiranje bez računala")],
        &["hr"],
        &[(Facet::Age, &["7-10"]), (Facet::Equipment, &["no_computers"]), (Facet::Format, &["unplugged"])],
    )
    .await;
    let maze = listed(
        site,
        owner,
        c,
        &[("en", "Robot maze")],
        &["en"],
        &[(Facet::Age, &["7-10"]), (Facet::Equipment, &["no_computers"])],
    )
    .await;
    let python = listed(
        site,
        owner,
        c,
        &[("en", "Python first steps"), ("hr", "Prvi koraci u Pythonu")],
        &["en", "hr"],
        &[(Facet::Age, &["14-18"]), (Facet::Equipment, &["computers"]), (Facet::Programming, &["text"])],
    )
    .await;
    let draft = ok(ActivityDraft {
        texts: Some(vec![ActivityTextDraft {
            language: Some("hr".into()),
            title: Some("Još nepregledana".into()),
            ..ActivityTextDraft::default()
        }]),
        url: Some("https://waiting.example.org".into()),
        ..ActivityDraft::default()
    }
    .validate());
    let submitter = ok(rally_domain::activity::Submitter::parse(None, "Iva", "iva@example.org", "hr"));
    ok(site.store.submit_activity(c, draft, submitter, Utc::now()).await);
    [unplugged, maze, python]
}

/// Where `needle` first is in `body` (panics when it is not there).
fn at(body: &str, needle: &str) -> usize {
    body.find(needle).unwrap_or_else(|| panic!("{needle} not in {body}"))
}

async fn the_catalogue_filters_counts_and_puts_the_visitors_language_first(site: Site) {
    let owner = site.user("ana").await;
    let c = campaign(&site, owner, "sk", None).await;
    let _ = catalogue_of(&site, owner, c).await;
    let b = visitor(&site);
    let hr = hr();

    // The whole catalogue in Croatian: the Croatian texts first, then the English-only one under its
    // heading; nothing waiting for review.
    let all = b.get("/c/sk/activities").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert!(all.body.contains(&hr.t("activities-title")) && all.body.contains("<html lang=\"hr\">"));
    let croatian = at(&all.body, "Kodiranje bez računala");
    let python = at(&all.body, "Prvi koraci u Pythonu");
    let heading = at(&all.body, &hr.t("activities-other-languages"));
    let maze = at(&all.body, "Robot maze");
    assert!(croatian < heading && python < heading && heading < maze, "in the visitor's language first");
    assert!(all.body.contains("lang=\"en\">Robot maze"), "another language's title says which it is");
    assert!(!all.body.contains("Još nepregledana"), "a suggestion is not listed before review");
    assert!(all.body.contains(&hr.t_with("activities-count", &[("count", 3.into())])));
    // Counts beside each value: two for 7–10, one for 14–18; languages from the catalogue.
    for (id, words, n) in [
        ("f-age-7-10", hr.t("facet-age-7-10"), 2),
        ("f-age-14-18", hr.t("facet-age-14-18"), 1),
        ("f-equipment-no_computers", hr.t("facet-equipment-no_computers"), 2),
        ("f-language-hr", "Hrvatski".to_owned(), 2),
        ("f-language-en", "English".to_owned(), 2),
    ] {
        let label = format!("for=\"{id}\"");
        let after = &all.body[at(&all.body, &label)..];
        let shown = after.split("</span>").next().unwrap_or_default();
        assert!(shown.contains(&words) && shown.contains(&format!("({n})")), "{id}: {shown}");
    }
    assert!(!all.body.contains("f-age-adults"), "a value no activity has is not offered");

    // The teacher's filters: no computers, 7–10, in Croatian — one activity, its choices as links
    // that take each away, and the language switcher keeps them.
    let filtered = b.get("/c/sk/activities?age=7-10&equipment=no_computers&language=hr").await;
    assert_eq!(filtered.status, StatusCode::OK, "{}", filtered.body);
    assert!(filtered.body.contains("Kodiranje bez računala"));
    assert!(!filtered.body.contains("Robot maze") && !filtered.body.contains("Prvi koraci"), "{}", filtered.body);
    assert!(filtered.body.contains(&hr.t_with("activities-count", &[("count", 1.into())])));
    assert!(filtered.body.contains("id=\"f-age-7-10\" name=\"age\" value=\"7-10\" checked"));
    assert!(filtered.body.contains("href=\"/c/sk/activities?equipment=no_computers&#38;language=hr\""), "remove 7–10");
    assert!(filtered.body.contains("age=7-10&#38;equipment=no_computers&#38;language=hr&#38;lang=fr\""));
    // Within a facet any value matches: 7–10 or 14–18 is all three.
    let either = b.get("/c/sk/activities?age=7-10&age=14-18").await;
    assert!(either.body.contains(&hr.t_with("activities-count", &[("count", 3.into())])), "{}", either.body);
    let words = b.get("/c/sk/activities?q=python").await;
    assert!(words.body.contains("Prvi koraci u Pythonu") && !words.body.contains("Robot maze"));

    // One address per choice: out of order, repeated or unknown parameters go to the canonical one.
    for (sent, canonical) in [
        (
            "?language=hr&equipment=no_computers&age=7-10",
            "/c/sk/activities?age=7-10&equipment=no_computers&language=hr",
        ),
        ("?age=7-10&age=7-10", "/c/sk/activities?age=7-10"),
        ("?age=99&colour=red&equipment=", "/c/sk/activities"),
        ("?q=&age=7-10", "/c/sk/activities?age=7-10"),
        ("?page=1", "/c/sk/activities"),
        ("?%ZZ=%%&age=%E0%A4", "/c/sk/activities"),
    ] {
        let moved = b.get(&format!("/c/sk/activities{sent}")).await;
        assert_eq!((moved.status, moved.location.as_str()), (StatusCode::MOVED_PERMANENTLY, canonical), "{sent}");
    }
    // Bounded: a hundred values at most, a search of 200 characters.
    let many: Vec<String> = (0..150).map(|i| format!("language={}", tag(i))).collect();
    let moved = b.get(&format!("/c/sk/activities?{}", many.join("&"))).await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(moved.location.matches("language=").count(), 100, "{}", moved.location);
    assert_eq!(b.get(&moved.location).await.status, StatusCode::OK);
    let long = b.get(&format!("/c/sk/activities?q={}", "a".repeat(300))).await;
    assert_eq!(long.location, format!("/c/sk/activities?q={}", "a".repeat(200)));
    assert_eq!(b.get("/c/nope/activities").await.status, StatusCode::NOT_FOUND);
}

/// A distinct three-letter language tag for each `i`.
fn tag(i: usize) -> String {
    let letter = |n: usize| char::from(b'a' + u8::try_from(n % 26).unwrap_or(0));
    format!("{}{}{}", letter(i / 676), letter(i / 26), letter(i))
}

async fn an_activity_page_says_everything_and_leads_to_registration(site: Site) {
    let owner = site.user("ana").await;
    let c = campaign(&site, owner, "sk", None).await;
    let [unplugged, maze, _] = catalogue_of(&site, owner, c).await;
    let other = campaign(&site, owner, "drugi", None).await;
    let elsewhere = listed(&site, owner, other, &[("hr", "Tuđa aktivnost")], &["hr"], &[]).await;
    let b = visitor(&site);
    let hr = hr();
    let id = unplugged.id.0;
    let page = b.get(&format!("/c/sk/activities/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for seen in [
        "<h1>Kodiranje bez računala</h1>".to_owned(),
        "Drugi odlomak.".to_owned(),
        "Udruga Bit".to_owned(),
        "Jedan list s mrežom".to_owned(),
        hr.t_with("activity-minutes", &[("minutes", 45.into())]),
        hr.t("facet-age-7-10"),
        hr.t("facet-equipment-no_computers"),
        hr.t("facet-format-unplugged"),
        hr.t_with("activity-usage", &[("events", 0.into()), ("students", 0.into())]),
        format!("href=\"/c/sk/register?activity={id}\">{}", hr.t("activity-host")),
        "href=\"/c/sk/activities?equipment=no_computers\"".to_owned(),
        "href=\"https://activities.example.org/a\"".to_owned(),
    ] {
        assert!(page.body.contains(&seen), "{seen}");
    }
    let english = b.get(&format!("/c/sk/activities/{}", maze.id.0)).await;
    assert!(english.body.contains("<h1 lang=\"en\">Robot maze</h1>"), "{}", english.body);
    // Not found: a suggestion not yet reviewed, another campaign's activity, an id that is not one.
    let waiting = ok(site
        .store
        .activities(
            Actor::User(owner),
            c,
            &CatalogueQuery { status: Some(ActivityStatus::Submitted), page: 1, per_page: 10, ..Default::default() },
        )
        .await);
    let waiting =
        waiting.in_language.iter().chain(&waiting.other_languages).next().map(|a| a.id).unwrap_or(ActivityId(0));
    for path in [
        format!("/c/sk/activities/{}", waiting.0),
        format!("/c/sk/activities/{}", elsewhere.id.0),
        "/c/sk/activities/x1".to_owned(),
        "/c/sk/activities/99999999999999999999".to_owned(),
        format!("/c/sk/activities/{id}/material"),
    ] {
        assert_eq!(b.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}

async fn an_umbrella_offers_its_catalogue_to_its_members(site: Site) {
    let owner = site.user("ana").await;
    let umbrella = campaign(&site, owner, "eu", None).await;
    let member = campaign(&site, owner, "eu-hr", Some(umbrella)).await;
    let offered = listed(&site, owner, umbrella, &[("hr", "Krovna aktivnost")], &["hr"], &[]).await;
    let _own = listed(&site, owner, member, &[("hr", "Vlastita aktivnost")], &["hr"], &[]).await;
    let b = visitor(&site);
    let members = b.get("/c/eu-hr/activities").await;
    assert!(members.body.contains("Krovna aktivnost") && members.body.contains("Vlastita aktivnost"));
    assert_eq!(b.get(&format!("/c/eu-hr/activities/{}", offered.id.0)).await.status, StatusCode::OK);
    let umbrellas = b.get("/c/eu/activities").await;
    assert!(umbrellas.body.contains("Krovna aktivnost") && !umbrellas.body.contains("Vlastita aktivnost"));
    ok(site.store.hide_umbrella_activity(Actor::User(owner), member, offered.id, true).await);
    let hidden = b.get("/c/eu-hr/activities").await;
    assert!(!hidden.body.contains("Krovna aktivnost") && hidden.body.contains("Vlastita aktivnost"));
    assert_eq!(b.get(&format!("/c/eu-hr/activities/{}", offered.id.0)).await.status, StatusCode::NOT_FOUND);
}

async fn the_catalogue_is_paged(site: Site) {
    let owner = site.user("ana").await;
    let c = campaign(&site, owner, "sk", None).await;
    for i in 0..23 {
        listed(&site, owner, c, &[("hr", &format!("Aktivnost {i:02}"))], &["hr"], &[(Facet::Age, &["7-10"])]).await;
    }
    let b = visitor(&site);
    let first = b.get("/c/sk/activities?age=7-10").await;
    assert_eq!(first.body.matches("class=\"activity-card\"").count(), 20);
    assert!(first.body.contains("href=\"/c/sk/activities?age=7-10&#38;page=2\" rel=\"next\""), "{}", first.body);
    assert!(!first.body.contains("rel=\"prev\""));
    let second = b.get("/c/sk/activities?age=7-10&page=2").await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.body.matches("class=\"activity-card\"").count(), 3);
    assert!(second.body.contains("href=\"/c/sk/activities?age=7-10\" rel=\"prev\""));
    assert!(!second.body.contains("rel=\"next\""));
    assert!(second.body.contains(&hr().t_with("activities-count", &[("count", 23.into())])), "the total, every page");
}

/// A complete suggestion as the public form sends it.
fn suggestion(title: &str, email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("language", "hr".into()),
        ("title", title.into()),
        ("summary", "Učenici vode robota kroz labirint.".into()),
        ("description", "Bez računala, s papirom i olovkom.".into()),
        ("url", "activities.example.org/labirint".into()),
        ("provider_name", "Udruga Bit".into()),
        ("duration_minutes", "40".into()),
        ("has_follow_on", "on".into()),
        ("print_per_student", "Jedan list".into()),
        ("languages", "hr".into()),
        ("languages", "en".into()),
        ("age", "7-10".into()),
        ("equipment", "no_computers".into()),
        ("submitter_name", "Iva Horvat".into()),
        ("submitter_email", email.into()),
        ("website", String::new()),
    ]
}

async fn post(b: &Browser, path: &str, form: &[(&'static str, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(path, &pairs).await
}

/// The suggestions waiting for review in `c`.
async fn waiting(site: &Site, owner: UserId, c: CampaignId) -> Vec<Activity> {
    let query =
        CatalogueQuery { status: Some(ActivityStatus::Submitted), page: 1, per_page: 50, ..CatalogueQuery::default() };
    let found = ok(site.store.activities(Actor::User(owner), c, &query).await);
    found.in_language.into_iter().chain(found.other_languages).collect()
}

/// The text of the field error shown for `field`.
fn error_of<'a>(body: &'a str, field: &str) -> &'a str {
    let marker = format!("id=\"e-{field}\">");
    body.split(&marker).nth(1).and_then(|r| r.split('<').next()).unwrap_or_default()
}

async fn suggestions_are_checked_guarded_and_stored_for_review(site: Site) {
    let owner = site.user("ana").await;
    let c = campaign(&site, owner, "sk", None).await;
    let b = visitor(&site);
    let hr = hr();
    let form = b.get("/c/sk/activities/submit").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&hr.t("activity-submit-title")) && form.body.contains("name=\"website\""));

    // Every mistake at once, in Croatian beside its field; what was typed stays.
    let mut bad = suggestion("", "iva@nowhere");
    for (k, v) in &mut bad {
        match *k {
            "url" => *v = "ftp://example.org/x".into(),
            "duration_minutes" => *v = "pola sata".into(),
            "age" => *v = "99".into(),
            _ => {}
        }
    }
    let page = post(&b, "/c/sk/activities/submit", &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    for (field, want) in [
        ("title", hr.t("error-required")),
        ("url", hr.t("error-url")),
        ("duration_minutes", hr.t_with("activity-error-duration", &[("max", 600.into())])),
        ("age", hr.t("activity-error-choice")),
        ("submitter_email", hr.t("error-email")),
    ] {
        assert_eq!(error_of(&page.body, field), want, "{field}");
    }
    assert!(page.body.contains("value=\"Udruga Bit\"") && page.body.contains("value=\"pola sata\""), "input kept");
    assert!(page.body.contains("value=\"en\" checked"), "the languages chosen stay chosen");
    assert!(waiting(&site, owner, c).await.is_empty());

    // The honeypot: a robot is thanked and forgotten.
    let mut robot = suggestion("Spam", "bot@spam.example.org");
    robot.retain(|(k, _)| *k != "website");
    robot.push(("website", "http://spam.example.org".into()));
    let thanked = post(&b, "/c/sk/activities/submit", &robot).await;
    assert_eq!(thanked.status, StatusCode::OK);
    assert!(thanked.body.contains(&hr.t("activity-submitted-title")));
    assert!(waiting(&site, owner, c).await.is_empty(), "nothing stored");

    // A good one waits for review, with who sent it and in which language.
    let sent = post(&b, "/c/sk/activities/submit", &suggestion("Robot u labirintu", "iva@skola.example.org")).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains(&hr.t_with("activity-submitted", &[("email", "iva@skola.example.org".into())])));
    let stored = waiting(&site, owner, c).await;
    assert_eq!(stored.len(), 1);
    let a = &stored[0];
    assert_eq!(a.status, ActivityStatus::Submitted);
    assert_eq!(a.fields.texts[0].title, "Robot u labirintu");
    assert_eq!(a.fields.url.as_deref(), Some("https://activities.example.org/labirint"));
    assert_eq!((a.fields.duration_minutes, a.fields.has_follow_on), (40, true));
    let mut languages: Vec<&str> = a.fields.languages.iter().map(|l| l.as_str()).collect();
    languages.sort_unstable();
    assert_eq!(languages, ["en", "hr"]);
    assert_eq!(
        a.fields.facets,
        BTreeMap::from([
            (Facet::Age, ["7-10".to_owned()].into()),
            (Facet::Equipment, ["no_computers".to_owned()].into())
        ])
    );
    let submitter = a.submitter.clone().unwrap_or_else(|| panic!("a submitter"));
    assert_eq!(
        (submitter.partner, submitter.name.as_str(), submitter.email.as_str(), submitter.locale.as_str()),
        (None, "Iva Horvat", "iva@skola.example.org", "hr")
    );
    assert!(!b.get("/c/sk/activities").await.body.contains("Robot u labirintu"), "not listed before review");

    // The registration form's allowance covers suggestions too (7 at once from one address).
    let mut last = StatusCode::OK;
    let mut body = String::new();
    for i in 0..8 {
        let p =
            post(&b, "/c/sk/activities/submit", &suggestion(&format!("Prijedlog {i}"), "iva@skola.example.org")).await;
        last = p.status;
        body = p.body;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains(&hr.t("activity-error-too-many")) && body.contains("value=\"Prijedlog 7\""));
}

async fn a_partner_suggests_an_activity_through_its_link(site: Site) {
    let owner = site.user("ana").await;
    let c = campaign(&site, owner, "sk", None).await;
    let p = site.partner(owner, c, "Udruga Bit").await;
    let token = rally_web::auth::random_token();
    ok(site.store.create_partner_link(Actor::System, p, &rally_web::auth::hash_token(&token)).await);
    let partner = site.browser();
    let hr = hr();
    let page = partner.get(&format!("/p/{token}?lang=hr")).await;
    assert_eq!(page.status, StatusCode::OK);
    let section = page.body.split("id=\"activity\"").nth(1).unwrap_or_default();
    assert!(section.contains(&hr.t("link-activity-title")), "{section}");
    assert!(section.contains("value=\"Udruga Bit\""), "the partner is named as the maker");
    let action = format!("/p/{token}/activities?lang=hr");
    let mut form = suggestion("Robot u labirintu", "iva@bit.example.org");
    form.retain(|(k, _)| *k != "website");
    let mut bad = form.clone();
    bad.retain(|(k, _)| *k != "title");
    let refused = post(&partner, &action, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(error_of(&refused.body, "title"), hr.t("error-required"));
    assert!(refused.body.contains("value=\"iva@bit.example.org\""), "input kept");
    assert!(waiting(&site, owner, c).await.is_empty());
    let sent = post(&partner, &action, &form).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains(&hr.t("link-activity-submitted")));
    let stored = waiting(&site, owner, c).await;
    assert_eq!(stored.len(), 1);
    let submitter = stored[0].submitter.clone().unwrap_or_else(|| panic!("a submitter"));
    assert_eq!((submitter.partner, submitter.email.as_str()), (Some(p), "iva@bit.example.org"));
    assert_eq!(stored[0].fields.provider_name, "Udruga Bit", "the partner named as the maker");
    // A dead link suggests nothing.
    assert_eq!(post(&partner, "/p/nope/activities", &form).await.status, StatusCode::NOT_FOUND);
}
