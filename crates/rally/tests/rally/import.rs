//! `rally import` on the demo campaign, as a coordinator meets it: a messy partner list (Windows-1250,
//! semicolons, CRLF, a quoted line break, a duplicate, a formula, an unknown category), a contact list
//! in UTF-16 with tabs and Cyrillic names, a workbook, an update; then every import undone, newest
//! first, leaving the exports byte for byte as they were.

use super::cli::{fails, ok, rally};

const CAMPAIGN: &str = "sat-kodiranja";

fn export(db: &str, kind: &str) -> String {
    ok(&["export", kind, "--database", db, "--campaign", CAMPAIGN], None)
}

fn exports(db: &str) -> Vec<String> {
    ["partners", "contacts", "history", "events"].iter().map(|k| export(db, k)).collect()
}

/// `rally import list` as printed, and the imports still in place (newest first).
fn applied_imports(db: &str) -> (String, Vec<String>) {
    let listed = ok(&["import", "list", "--database", db, "--campaign", CAMPAIGN], None);
    let applied = listed
        .lines()
        .filter(|l| l.contains(" applied "))
        .filter_map(|l| l.split_whitespace().next().map(|id| id.trim_start_matches('#').to_owned()))
        .collect();
    (listed, applied)
}

fn stderr_of(args: &[&str], succeeds: bool) -> String {
    let out = rally(args, None);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.success(), succeeds, "rally {args:?}: {stderr}");
    stderr
}

pub(super) fn a_messy_partner_list_imports_and_undoes(db: &str) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = |name: &str| dir.path().join(name).display().to_string();
    let before = exports(db);

    // The partner list: line 3 continues line 2's quoted note; line 6 repeats line 2's website;
    // line 7 is a formula; line 8 an unknown category; line 9 text an export neutralized.
    let partners = [
        "Naziv;Vrsta;Web stranica;Grad;Država;Doseg;Napomena",
        "Čakovečka IT tvrtka;IT company;www.cak-it.example;Čakovec;Hrvatska;1 200;\"Prvi red\nDrugi red; s točkom-zarezom\"",
        "Županija Šibensko-kninska;authority;https://sibenik-knin.example;Šibenik;HR;5000;",
        "Udruga Mladi programeri;NGO;mladi-programeri.example;Đakovo;Hrvatska;300;",
        "Duplikat tvrtka;IT company;https://www.cak-it.example/o-nama;Čakovec;HR;10;isti web",
        "=HYPERLINK(\"http://evil.example\");media;evil.example;Zagreb;HR;1;",
        "Pekara Horvat;bakery;pekara.example;Zagreb;HR;5;",
        "'=1+1 Media;media;jedan.example;Split;HR;50000;neutralizirano",
    ]
    .join("\r\n")
        + "\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1250.encode(&partners);
    assert!(!unmappable);
    std::fs::write(path("partneri.csv"), &bytes).unwrap_or_else(|e| panic!("{e}"));
    let file = path("partneri.csv");
    let report = path("report.csv");
    let import = ["import", "partners", "--database", db, "--campaign", CAMPAIGN, file.as_str()];

    // A dry run reads the file right and reports every problem with its line and column.
    let said = stderr_of(&[&import[..], &["--dry-run", "--report", &report]].concat(), false);
    assert!(said.contains("windows-1250, semicolon-separated, 7 columns"), "{said}");
    assert!(said.contains("4 would be created") && said.contains("3 with problems"), "{said}");
    let lines: Vec<String> =
        std::fs::read_to_string(&report).unwrap_or_else(|e| panic!("{e}")).lines().map(str::to_owned).collect();
    assert_eq!(lines[0], "row,column,outcome,reason,existing_id");
    assert!(lines[1].starts_with("6,Web stranica,error,the same website domain as row 2"), "{lines:?}");
    assert!(lines[2].starts_with("7,Naziv,error,") && lines[2].contains("spreadsheet formula"), "{lines:?}");
    assert!(
        lines[3].starts_with("8,Vrsta,error,") && lines[3].contains("`bakery` is not a partner category"),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(exports(db), before, "a dry run changes nothing");

    // All or nothing unless partial imports are accepted.
    let said = stderr_of(&import, false);
    assert!(said.contains("nothing was imported: 3 of 7 rows have problems"), "{said}");
    assert_eq!(exports(db), before, "a refused import leaves nothing behind");
    let said = stderr_of(&[&import[..], &["--partial"]].concat(), true);
    assert!(said.contains("4 created, 0 updated, 0 skipped, 3 with problems"), "{said}");
    let csv = export(db, "partners");
    assert!(csv.contains("Čakovečka IT tvrtka,it_company,,1200,"), "{csv}");
    assert!(csv.contains("\"Prvi red\nDrugi red; s točkom-zarezom\""), "the quoted line break survives");
    assert!(csv.contains("\n'=1+1 Media,media,") || csv.contains(",'=1+1 Media,media,"), "exported neutralized again");
    assert!(!csv.contains("HYPERLINK") && !csv.contains("Pekara"));
    // The same file again: every good row is already there.
    let said = stderr_of(&[&import[..], &["--partial"]].concat(), true);
    assert!(said.contains("0 created, 0 updated, 4 skipped, 3 with problems"), "{said}");

    // Contacts in UTF-16 with tabs; a partner not in the campaign is created from its category; a
    // contact of an unknown partner without one is refused; the mapping is corrected and saved.
    let contacts = [
        "Имя\tЭлектронная почта\tОрганизация\tДолжность\tТип организации",
        "Анна Петрова\tAnna@Cak-IT.example\tČakovečka   IT tvrtka\tHR\t",
        "Иван Иванов\tivan@novi.example\tНовая школа программирования\tдиректор\tNGO",
        "Ana Horvat\tana@cak-it.example\tčakovečka it tvrtka\t\t",
        "Bez partnera\tbez@x.example\tNepoznata firma\t\t",
    ]
    .join("\n")
        + "\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(contacts.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(path("kontakti.txt"), utf16).unwrap_or_else(|e| panic!("{e}"));
    let file = path("kontakti.txt");
    let import = ["import", "contacts", "--database", db, "--campaign", CAMPAIGN, file.as_str()];
    let said = stderr_of(
        &[&import[..], &["--partial", "--map", "Тип организации=partner_category", "--save-mapping", "kontakti-ru"]]
            .concat(),
        true,
    );
    assert!(said.contains("UTF-16LE, tab-separated"), "{said}");
    assert!(said.contains("3 created") && said.contains("1 with problems, 1 new partners"), "{said}");
    assert!(said.contains("no partner called `Nepoznata firma`"), "{said}");
    let csv = export(db, "contacts");
    assert!(csv.contains("anna@cak-it.example") && csv.contains("Новая школа программирования"), "{csv}");
    // The saved mapping serves the next file of that shape; all its rows are there already.
    let said = stderr_of(&[&import[..], &["--dry-run", "--partial", "--mapping", "kontakti-ru"]].concat(), true);
    assert!(said.contains("0 would be created, 0 updated, 3 skipped, 1 with problems"), "{said}");
    fails(&[&import[..], &["--mapping", "nope"]].concat(), None, "no saved contacts mapping `nope`");
    fails(&[&import[..], &["--map", "Nope=email"]].concat(), None, "neither a header of the file nor a column letter");
    let no_email = [&import[..], &["--map", "Электронная почта=skip"]].concat();
    fails(&no_email, None, "required columns are missing: E-mail (email)");

    // A workbook, its first sheet.
    let xlsx = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/partners.xlsx");
    let said = stderr_of(&["import", "partners", "--database", db, "--campaign", CAMPAIGN, xlsx], true);
    assert!(said.contains("2 created"), "{said}");
    assert!(export(db, "partners").contains("Радио Вуковар (таблица),media,,18000,"));

    // An update changes the file's columns only, and only when something differs.
    std::fs::write(path("reach.csv"), "Name,Category,Reach\nRadio Osijek,media,999\nCoderDojo Zadar,nonprofit,14000\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let update = path("reach.csv");
    let args = ["import", "partners", "--database", db, "--campaign", CAMPAIGN, update.as_str()];
    let said = stderr_of(&[&args[..], &["--match", "name-city", "--on-duplicate", "update"]].concat(), true);
    assert!(said.contains("0 created, 1 updated, 1 skipped"), "{said}");
    let osijek =
        export(db, "partners").lines().find(|l| l.contains(",Radio Osijek,")).map(str::to_owned).unwrap_or_default();
    assert!(osijek.contains(",media,\"parents;general_public\",999,"), "audiences kept, reach changed: {osijek}");

    // Undo goes newest first, and leaves the campaign exactly as it was.
    let (listed, applied) = applied_imports(db);
    assert_eq!(applied.len(), 5, "{listed}");
    assert!(listed.contains(" rolled_back ") && listed.contains(" dry_run "), "{listed}");
    let oldest = applied.last().cloned().unwrap_or_default();
    fails(&["import", "undo", "--database", db, &oldest], None, "came later and is still in place; undo it first");
    for id in &applied {
        ok(&["import", "undo", "--database", db, id], None);
    }
    assert_eq!(exports(db), before, "every import undone: partners, contacts, history and events as before");
    fails(&["import", "undo", "--database", db, &oldest], None, "is undone; there is nothing to undo");
}

/// A partner list with its contact people, imported twice and then in other shapes: partners are found
/// again by a contact's e-mail, the website's domain, or the name and town (case, accents and legal forms
/// ignored), never added twice; each row's contact comes along with the same checks as a contact list;
/// `--match` forces one key; undo takes everything back.
pub(super) fn partner_lists_match_and_bring_their_contacts(db: &str) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = |name: &str| dir.path().join(name).display().to_string();
    let before = exports(db);
    let list = [
        "Name,Category,City,Website,Contact name,Email,Phone,Role",
        "Udruga Mladi programeri,nonprofit,Split,,Iva Kovač,iva@mladi.example,+385 91 111 2222,voditeljica",
        "Σύλλογος Πληροφορικής Κρήτης,nonprofit,Ηράκλειο,,Νίκος Παπαδόπουλος,nikos@kriti.example,,",
        "საქართველოს კოდის კლუბი,nonprofit,თბილისი,,ნინო ბერიძე,nino@kodi.example,,",
        "Istarski kod d.o.o.,it_company,Vodnjan,https://www.istarski-kod.example,Ana Marić,ana@istarski-kod.example,,HR",
        "ISTARSKI KOD,it_company,Vodnjan,,Marko Horvat,marko@istarski-kod.example,,inženjer",
        "Bez adrese d.o.o.,media,Zagreb,,Pero Perić,,+385 1 222 3333,",
        "Loša adresa,media,Zagreb,,Ivo,ivo@@x,,",
        "Dvaput,media,Zagreb,,Ana opet,ana@istarski-kod.example,,",
    ]
    .join("\n")
        + "\n";
    std::fs::write(path("partneri.csv"), list).unwrap_or_else(|e| panic!("{e}"));
    let file = path("partneri.csv");
    let report = path("report.csv");
    let import = ["import", "partners", "--database", db, "--campaign", CAMPAIGN, file.as_str(), "--partial"];

    let said = stderr_of(&[&import[..], &["--report", &report]].concat(), true);
    assert!(
        said.contains("8 rows: 5 created, 0 updated, 1 skipped, 2 with problems; 5 contacts added, 0 updated"),
        "{said}"
    );
    let lines = std::fs::read_to_string(&report).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        lines.contains("6,,skipped,\"the same partner as row 5 (same name + city); its contact is added to it\","),
        "{lines}"
    );
    assert!(lines.contains("7,Email,note,the contact was not imported: it has no e-mail address"), "{lines}");
    assert!(lines.contains("8,Email,error,"), "a bad address is the row's problem: {lines}");
    assert!(lines.contains("9,Email,error,the same contact e-mail as row 5"), "{lines}");
    let contacts = export(db, "contacts");
    for (email, partner) in [
        ("iva@mladi.example", "Udruga Mladi programeri"),
        ("nino@kodi.example", "საქართველოს კოდის კლუბი"),
        ("ana@istarski-kod.example", "Istarski kod d.o.o."),
        ("marko@istarski-kod.example", "Istarski kod d.o.o."),
    ] {
        let line = contacts.lines().find(|l| l.contains(email)).unwrap_or_else(|| panic!("{email}: {contacts}"));
        assert!(line.contains(&format!(",{partner},")), "{email} belongs to {partner}: {line}");
    }
    assert!(contacts.contains("+385 91 111 2222,") && contacts.contains(",voditeljica,"), "phone and role");

    // The same list again: every partner is found, without a website too; nothing is added.
    let said = stderr_of(&import, true);
    assert!(said.contains("8 rows: 0 created, 0 updated, 6 skipped, 2 with problems"), "{said}");
    let partners = export(db, "partners");
    let lines_with = |name: &str| partners.lines().filter(|l| l.contains(name)).collect::<Vec<_>>();
    assert_eq!(lines_with("Udruga Mladi programeri").len(), 1, "{:?}", lines_with("Udruga Mladi programeri"));
    assert_eq!(lines_with("Σύλλογος Πληροφορικής Κρήτης").len(), 1);
    // Another encoding and shape, another spelling of the name: the same partner.
    let (bytes, _, _) = encoding_rs::WINDOWS_1250.encode("Naziv;Vrsta;Grad\r\nUDRUGA  MLADI PROGRAMERI;NGO;Split\r\n");
    std::fs::write(path("udruga.csv"), &bytes).unwrap_or_else(|e| panic!("{e}"));
    let udruga = path("udruga.csv");
    let said = stderr_of(&["import", "partners", "--database", db, "--campaign", CAMPAIGN, udruga.as_str()], true);
    assert!(said.contains("1 rows: 0 created, 0 updated, 1 skipped"), "{said}");
    // Another name, but the contact's e-mail says which partner it is; an update changes the contact.
    std::fs::write(
        path("ana.csv"),
        "Name,Category,Email,Phone\nKod iz Istre,it_company,ana@istarski-kod.example,+385 52 123 456\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ana = path("ana.csv");
    let args = ["import", "partners", "--database", db, "--campaign", CAMPAIGN, ana.as_str()];
    let said = stderr_of(&args, true);
    assert!(said.contains("1 rows: 0 created, 0 updated, 1 skipped"), "matched on the contact's e-mail: {said}");
    let said = stderr_of(&[&args[..], &["--on-duplicate", "update"]].concat(), true);
    assert!(said.contains("0 created, 1 updated, 0 skipped, 0 with problems; 0 contacts added, 1 updated"), "{said}");
    let contacts = export(db, "contacts");
    let ana = contacts.lines().find(|l| l.contains("ana@istarski-kod.example")).unwrap_or_default();
    assert!(ana.contains("+385 52 123 456") && ana.contains(",Kod iz Istre,"), "the file's values win: {ana}");
    // Forced to match on the website alone, the list's partners without one are new again.
    let said = stderr_of(&[&import[..], &["--match", "domain"]].concat(), true);
    assert!(said.contains("5 created"), "{said}");

    // Undo, newest first: exactly as before.
    let (listed, applied) = applied_imports(db);
    assert!(applied.len() >= 6, "{listed}");
    for id in &applied {
        ok(&["import", "undo", "--database", db, id], None);
    }
    assert_eq!(exports(db), before, "partners, their contacts and the changed contact as before");
}
