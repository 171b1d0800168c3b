//! Imports in the web app: upload, the preview (encoding, delimiter, first rows, guessed and editable
//! mapping), a dry run with its report, the import itself, a saved mapping, undo; and bad files,
//! oversized uploads and viewers refused with clear answers.

use std::time::Duration;

use rally_domain::Role;
use rally_store::{Actor, PartnerFilter};
use reqwest::StatusCode;

use crate::support::{Browser, Page, Site, hidden, tempfile_dir};

both_backends!(
    Site;
    a_file_is_previewed_checked_imported_and_undone,
    bad_files_and_roles_get_clear_answers,
    duplicates_in_different_chunks_are_caught,
);

async fn upload(b: &Browser, kind: &str, name: &str, bytes: Vec<u8>) -> Page {
    b.upload("/campaigns/hr/imports", &[("kind", kind)], Some((name, bytes))).await
}

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

fn windows_1250(text: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1250.encode(text).0.into_owned()
}

async fn a_file_is_previewed_checked_imported_and_undone(site: Site) {
    let ana = site.user("ana").await;
    let c = site.campaign(ana, &[]).await;
    let b = site.signed_in("ana").await;
    assert!(b.get("/campaigns/hr/partners").await.body.contains("/campaigns/hr/imports"), "linked from Partners");
    let file = "Naziv;Vrsta;Web;Grad;Doseg\r\nČakovečka IT;IT company;cak-it.example;Čakovec;1 200\r\nPekara;bakery;pekara.example;Zagreb;5\r\nMediji d.o.o.;media;mediji.example;Split;900\r\n";
    let sent = upload(&b, "partners", "partneri.csv", windows_1250(file)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert!(sent.location.starts_with("/campaigns/hr/imports/new?upload="), "{}", sent.location);

    let preview = b.get(&sent.location).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("Read as <strong>windows-1250</strong>, <strong>semicolon</strong>-separated, 5 columns"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("<td>Čakovečka IT</td>"), "the first rows in the right letters");
    assert!(preview.body.contains("<option value=\"category\" selected>"), "the mapping is guessed from the headers");
    let upload_id = hidden(&preview.body, "upload");
    let columns =
        [("col_0", "name"), ("col_1", "category"), ("col_2", "website"), ("col_3", "region"), ("col_4", "reach")];
    let mut form = vec![
        ("upload", upload_id.as_str()),
        ("kind", "partners"),
        ("name", "partneri.csv"),
        ("columns", "5"),
        ("dedupe", "domain"),
        ("on_duplicate", "skip"),
        ("save_as", "ministry list"),
        ("action", "check"),
    ];
    form.extend_from_slice(&columns);

    // The dry run: its report names the line, the column and the reason; nothing changes.
    let checked = b.submit("/campaigns/hr/imports/run", &form).await;
    assert_eq!(checked.status, StatusCode::SEE_OTHER, "{}", checked.body);
    let dry = finished(&b, &checked.location).await;
    assert!(
        dry.body.contains("checked (dry run)")
            && dry.body.contains("3 rows: 2 would be created, 0 updated, 0 skipped, 1 with problems"),
        "{}",
        dry.body
    );
    assert!(
        dry.body.contains("<td>3</td><td>Vrsta</td><td>error</td><td>`bakery` is not a partner category"),
        "{}",
        dry.body
    );
    let report = b.get(&format!("{}/report.csv", checked.location)).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(
        report.body.starts_with("\u{feff}row,column,outcome,reason,existing_id\r\n3,Vrsta,error,"),
        "{}",
        report.body
    );
    let count = || async {
        site.store
            .partners(Actor::System, c, &PartnerFilter { limit: 50, ..Default::default() })
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .items
            .len()
    };
    assert_eq!(count().await, 0, "a dry run changes nothing");
    // All or nothing: "Import these rows" from the dry run imports nothing while a row is wrong.
    assert!(dry.body.contains("Import these rows"));
    let apply: Vec<(String, String)> =
        ["upload", "kind", "name", "encoding", "delimiter", "columns", "dedupe", "on_duplicate"]
            .iter()
            .map(|k| ((*k).to_owned(), hidden(&dry.body, k)))
            .chain((0..5).map(|i| (format!("col_{i}"), hidden(&dry.body, &format!("col_{i}")))))
            .chain([("action".to_owned(), "import".to_owned())])
            .collect();
    let apply: Vec<(&str, &str)> = apply.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = b.submit("/campaigns/hr/imports/run", &apply).await;
    let refused = finished(&b, &refused.location).await;
    assert!(refused.body.contains("not imported (rows had problems)"), "{}", refused.body);
    assert_eq!(count().await, 0);

    // With partial imports accepted, the good rows go in.
    let mut partial = form.clone();
    partial.retain(|(k, _)| *k != "action" && *k != "save_as");
    partial.extend_from_slice(&[("partial", "on"), ("action", "import")]);
    let imported = b.submit("/campaigns/hr/imports/run", &partial).await;
    let done = finished(&b, &imported.location).await;
    assert!(
        done.body.contains("imported")
            && done.body.contains("3 rows: 2 created, 0 updated, 0 skipped, 1 with problems"),
        "{}",
        done.body
    );
    assert_eq!(count().await, 2);
    let list = b.get("/campaigns/hr/imports").await;
    assert!(list.body.contains("partneri.csv") && list.body.contains("checked (dry run)"), "{}", list.body);

    // The saved mapping is offered for the next file.
    let again = upload(&b, "partners", "again.csv", windows_1250(file)).await;
    let preview = b.get(&again.location).await;
    assert!(preview.body.contains("<option value=\"ministry list\">ministry list</option>"), "{}", preview.body);

    // Undo.
    let id = imported.location.rsplit('/').next().unwrap_or_default().to_owned();
    let undone = b.submit(&format!("/campaigns/hr/imports/{id}/undo"), &[]).await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER, "{}", undone.body);
    let page = b.get(&undone.location).await;
    assert!(page.body.contains("Undone:") && page.body.contains("<strong>undone</strong>"), "{}", page.body);
    assert_eq!(count().await, 0);
    let twice = b.submit(&format!("/campaigns/hr/imports/{id}/undo"), &[]).await;
    assert!(twice.body.contains("nothing to undo"), "{}", twice.body);
}

async fn bad_files_and_roles_get_clear_answers(site: Site) {
    let ana = site.user("ana").await;
    let vera = site.user("vera").await;
    site.campaign(ana, &[(vera, Role::Viewer)]).await;
    let b = site.signed_in("ana").await;

    // Binary garbage: the preview says what is wrong instead of guessing.
    let garbage: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect();
    let sent = upload(&b, "contacts", "contacts.csv", garbage).await;
    let preview = b.get(&sent.location).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(
        preview.body.contains("The file cannot be read this way: this is not a table: binary data"),
        "{}",
        preview.body
    );

    // Missing required columns are named.
    let sent = upload(&b, "contacts", "c.csv", b"Who,Phone\nAna,+385 1 234 567\n".to_vec()).await;
    let preview = b.get(&sent.location).await;
    assert!(
        preview.body.contains("required columns are missing: E-mail (email), Name (name), Partner (partner)"),
        "{}",
        preview.body
    );

    // Over the upload limit: a clear refusal, nothing stored.
    let huge = vec![b'a'; 21 * 1024 * 1024];
    let too_big = upload(&b, "partners", "big.csv", huge).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);

    // Without a kind or a file.
    let no_file = upload(&b, "partners", "empty.csv", Vec::new()).await;
    assert!(no_file.body.contains("Choose a file to import"), "{}", no_file.body);

    // A forged upload name is not a path.
    let forged = b.get("/campaigns/hr/imports/new?upload=..%2F..%2Fetc%2Fpasswd&kind=partners&name=x").await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
    // Opened without an upload (a bookmark, a typed address): the Imports page, which asks for one.
    for path in
        ["/campaigns/hr/imports/new", "/campaigns/hr/imports/new?kind=partners", "/campaigns/hr/imports/new?kind=x"]
    {
        let page = b.get(path).await;
        assert_eq!((page.status, page.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/hr/imports"), "{path}");
    }

    // Viewers see the imports but may not import.
    let v = site.signed_in("vera").await;
    assert_eq!(v.get("/campaigns/hr/imports").await.status, StatusCode::OK);
    let refused = upload(&v, "partners", "p.csv", b"Name,Category\nX,media\n".to_vec()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Strangers are told nothing.
    site.user("eve").await;
    let e = site.signed_in("eve").await;
    assert_eq!(e.get("/campaigns/hr/imports").await.status, StatusCode::NOT_FOUND);
}

/// A file longer than a chunk whose last rows repeat its first: a dry run remembers the keys it did not
/// write, a real import finds the rows it wrote in the database; both report the repeats, and an
/// all-or-nothing import then leaves nothing.
async fn duplicates_in_different_chunks_are_caught(site: Site) {
    use rally_files::import::{ImportSpec, OnDuplicate, Prepared, SourceOptions, run::CHUNK};
    let ana = site.user("ana").await;
    let c = site.campaign(ana, &[]).await;
    let campaign = site.store.campaign(Actor::System, c).await.unwrap_or_else(|e| panic!("{e}")).campaign;
    let dir = tempfile_dir();
    let path = dir.join("contacts.csv");
    let mut csv = String::from("Email,Name,Organization,Category\n");
    let rows = CHUNK + 5;
    for i in 0..rows {
        csv.push_str(&format!("person{i}@school.example,Person {i},School {},nonprofit\n", i % 7));
    }
    csv.push_str("PERSON3@school.example,Again,School 1,nonprofit\n");
    std::fs::write(&path, csv).unwrap_or_else(|e| panic!("{e}"));
    let last_line = rows as u64 + 2;
    for (dry_run, partial) in [(true, false), (false, false), (false, true)] {
        let spec = ImportSpec {
            kind: rally_store::imports::ImportKind::Contacts,
            path: path.clone(),
            file_name: "contacts.csv".into(),
            source: SourceOptions::default(),
            saved_mapping: None,
            overrides: vec!["Category=partner_category".into()],
            dedupe: None,
            on_duplicate: OnDuplicate::Skip,
            dry_run,
            partial,
            upload: None,
            estimated_rows: None,
        };
        let prepared = Prepared::open(&spec).unwrap_or_else(|e| panic!("{e}"));
        let mut report = Vec::new();
        let done =
            rally_files::import::run(&*site.store, Actor::System, &campaign, &spec, prepared, &mut report, &|_| {})
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        let report = String::from_utf8_lossy(&report).into_owned();
        let expected = if dry_run {
            format!("{last_line},Email,error,the same contact e-mail as row 5,\r\n")
        } else {
            format!("{last_line},Email,error,the same contact e-mail as an earlier row of this file,\r\n")
        };
        assert!(report.ends_with(&expected), "dry run {dry_run}: {report}");
        assert_eq!((done.batch.counts.rows_read, done.batch.counts.failed), (rows as i64 + 1, 1));
        let stored = site
            .store
            .existing_contacts(
                Actor::System,
                c,
                &[&rally_domain::Email::parse("person3@school.example").unwrap_or_else(|e| panic!("{e}"))],
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored.len(), usize::from(partial), "dry run {dry_run}, partial {partial}");
        if partial {
            assert_eq!((done.batch.counts.created, done.new_partners), (rows as i64, 7));
        }
    }
}
