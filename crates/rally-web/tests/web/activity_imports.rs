//! The activity catalogue imported from code.org's tutorial list through the import pages: the layout
//! recognized, a dry run that writes nothing and reports the tags it does not know, the import (the
//! provider matched with a partner, a repeated link kept once), and undo taking the activities away.

use std::time::Duration;

use rally_domain::activity::Facet;
use rally_store::Actor;
use rally_store::activities::CatalogueQuery;
use reqwest::StatusCode;

use crate::support::{Browser, Page, Site, hidden};

both_backends!(
    Site;
    a_code_org_list_is_checked_imported_and_undone,
);

/// The batch page once the background import has finished.
async fn finished(b: &Browser, location: &str) -> Page {
    for _ in 0..200 {
        let page = b.get(location).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        if !page.body.contains("http-equiv=\"refresh\"") {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the import at {location} did not finish")
}

const CODE_ORG: &str = "name,orgname,url,languages_supported,tags_grade,tags_platform,tags_length,\
tags_activity_type,tags_programming_language,tags_subject,popularityrank\n\
Sorting without screens,Mladi programeri,https://example.org/sorting,\"en,hr-HR\",\"pre,2-5\",\"no-computers,no-internet\",1hour-follow,lesson-plan,,math,1\n\
Dance with blocks,Example Studio,https://example.org/dance,\"en,fr-FR,klingon!\",\"6-8,9+\",\"computers,hovercraft\",1hour,online-tutorial,blocks,\"art,music\",2\n\
Build a robot,Example Studio,https://example.org/robot,en,9+,computers,few-hours,robotics,typing,cs,3\n\
Dance again,Example Studio,https://example.org/dance,en,6-8,computers,1hour,online-tutorial,blocks,art,4\n";

async fn a_code_org_list_is_checked_imported_and_undone(site: Site) {
    let ana = site.user("ana").await;
    let c = site.campaign(ana, &[]).await;
    let maker = site.partner(ana, c, "Mladi programeri").await;
    let b = site.signed_in("ana").await;
    let catalogue = || async {
        let query = CatalogueQuery { page: 1, per_page: 50, ..CatalogueQuery::default() };
        let found = site.store.activities(Actor::System, c, &query).await.unwrap_or_else(|e| panic!("{e}"));
        found.in_language.into_iter().chain(found.other_languages).collect::<Vec<_>>()
    };

    let imports = b.get("/campaigns/hr/imports").await;
    assert!(imports.body.contains("<option value=\"activities\">"), "the kind is offered: {}", imports.body);
    let sent =
        b.upload("/campaigns/hr/imports", &[("kind", "activities")], Some(("tutorials.csv", CODE_ORG.into()))).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let preview = b.get(&sent.location).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("<option value=\"tags_grade\" selected>"), "code.org's columns are recognized");
    assert!(preview.body.contains("<option value=\"provider\" selected>"), "orgname is the provider");

    let columns = [
        ("col_0", "title"),
        ("col_1", "provider"),
        ("col_2", "url"),
        ("col_3", "languages"),
        ("col_4", "tags_grade"),
        ("col_5", "tags_platform"),
        ("col_6", "tags_length"),
        ("col_7", "tags_activity_type"),
        ("col_8", "tags_programming_language"),
        ("col_9", "tags_subject"),
        ("col_10", ""),
    ];
    let upload = hidden(&preview.body, "upload");
    let mut form = vec![
        ("upload", upload.as_str()),
        ("kind", "activities"),
        ("name", "tutorials.csv"),
        ("columns", "11"),
        ("dedupe", "link-title"),
        ("on_duplicate", "skip"),
    ];
    form.extend_from_slice(&columns);

    // The dry run: unknown tags are notes naming their column, the repeated link an error of its row;
    // nothing is written.
    let mut check = form.clone();
    check.push(("action", "check"));
    let checked = b.submit("/campaigns/hr/imports/run", &check).await;
    assert_eq!(checked.status, StatusCode::SEE_OTHER, "{}", checked.body);
    let dry = finished(&b, &checked.location).await;
    assert!(dry.body.contains("4 rows: 3 would be created, 0 updated, 0 skipped, 1 with problems"), "{}", dry.body);
    let report = b.get(&format!("{}/report.csv", checked.location)).await.body;
    assert!(report.contains("3,languages_supported,note,\"`klingon!` is not a language tag"), "{report}");
    assert!(report.contains("3,tags_platform,note,\"`hovercraft` is not a value of equipment"), "{report}");
    assert!(report.contains("5,url,error,\"the same link, or title in the same language as row 3"), "{report}");
    assert!(catalogue().await.is_empty(), "a dry run writes nothing");

    // The import itself, the good rows accepted.
    let mut import = form.clone();
    import.extend_from_slice(&[("partial", "on"), ("action", "import")]);
    let imported = b.submit("/campaigns/hr/imports/run", &import).await;
    let done = finished(&b, &imported.location).await;
    assert!(done.body.contains("4 rows: 3 created, 0 updated, 0 skipped, 1 with problems"), "{}", done.body);
    let listed = catalogue().await;
    assert_eq!(listed.len(), 3);
    let sorting = listed
        .iter()
        .find(|a| a.fields.texts[0].title == "Sorting without screens")
        .unwrap_or_else(|| panic!("{listed:?}"));
    let f = &sorting.fields;
    assert_eq!(sorting.status, rally_domain::activity::ActivityStatus::Listed);
    assert_eq!(f.provider, Some(maker), "the provider is the campaign's partner of that name");
    assert_eq!((f.duration_minutes, f.has_follow_on), (60, true));
    assert_eq!(f.languages.iter().map(|l| l.as_str()).collect::<Vec<_>>(), vec!["en", "hr"]);
    let values = |facet: Facet| f.facets.get(&facet).map(|v| v.iter().cloned().collect::<Vec<_>>()).unwrap_or_default();
    assert_eq!(values(Facet::Equipment), vec!["no_computers", "offline"]);
    assert_eq!(values(Facet::Age), vec!["4-6", "7-10"]);

    // The same file again adds nothing: the catalogue has every link already.
    let sent = b.upload("/campaigns/hr/imports", &[("kind", "activities")], Some(("again.csv", CODE_ORG.into()))).await;
    let upload = hidden(&b.get(&sent.location).await.body, "upload");
    let mut again: Vec<(&str, &str)> = import.iter().filter(|(k, _)| *k != "upload").copied().collect();
    again.push(("upload", upload.as_str()));
    let again_sent = b.submit("/campaigns/hr/imports/run", &again).await;
    let again = finished(&b, &again_sent.location).await;
    assert!(again.body.contains("4 rows: 0 created, 0 updated, 3 skipped, 1 with problems"), "{}", again.body);
    assert_eq!(catalogue().await.len(), 3);
    let again_id = again_sent.location.rsplit('/').next().unwrap_or_default().to_owned();
    let undone = b.submit(&format!("/campaigns/hr/imports/{again_id}/undo"), &[]).await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER, "{}", undone.body);

    // Undo takes the activities away, with their texts and facets.
    let id = imported.location.rsplit('/').next().unwrap_or_default().to_owned();
    let undone = b.submit(&format!("/campaigns/hr/imports/{id}/undo"), &[]).await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER, "{}", undone.body);
    assert!(catalogue().await.is_empty());
}
