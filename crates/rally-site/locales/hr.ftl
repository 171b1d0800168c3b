# Croatian translation of en.ftl: the same message ids and variables (a test checks). Formal address
# ("vi", lowercase as on public websites). Plurals use the CLDR categories one (1, 21), few (2–4, 22–24)
# and other (5–20, 25, …).

## Navigation and layout
nav-home = Početna
nav-register = Prijava događaja
nav-map = Karta
nav-events = Događaji
nav-partners = Partneri
nav-stats = Statistika
language-switch = Jezik
skip-to-content = Prijeđi na sadržaj
powered-by = Stranica kampanje izrađena je alatom Rally

## Home
home-goal = Naš cilj: { $goal ->
    [one] { $goal } učenik
    [few] { $goal } učenika
   *[other] { $goal } učenika
}
counter-students = { $students ->
    [one] { $students } učenik
    [few] { $students } učenika
   *[other] { $students } učenika
}
counter-events = { $events ->
    [one] { $events } događaj
    [few] { $events } događaja
   *[other] { $events } događaja
}
counter-countries = { $countries ->
    [one] { $countries } država
    [few] { $countries } države
   *[other] { $countries } država
}
counter-progress = { $percent } % cilja
counter-label = Broj učenika koji sudjeluju
home-cta = Prijavite svoj događaj
home-cta-lead = Sudjelovati mogu škole, učitelji, klubovi i knjižnice s bilo kojeg mjesta: održite sa svojim učenicima jedan sat informatike i prijavite ga ovdje.
home-dates = Tjedan kampanje: od { $from } do { $to }
home-umbrella = Dio kampanje { $umbrella }
home-members = Kampanje koje sudjeluju

## Registration form
register-title = Prijava događaja
register-lead = Opišite nam svoj događaj. Poslat ćemo vam e-poruku da ga potvrdite; događaj se računa kada ga potvrdite i kada ga moderator odobri.
field-organizer-name = Vaše ime
field-organizer-email = Vaša adresa e-pošte
field-organization = Škola ili organizacija
field-event-type = Vrsta događaja
event-type-in_school = U školi
event-type-after_school = Nakon nastave
event-type-online = Online
event-type-other = Ostalo
field-title = Naziv događaja
field-country = Država
field-country-choose = Odaberite državu
field-city = Grad ili mjesto
field-city-help = Vaš ćemo događaj smjestiti na karti u to mjesto. Ako ga ne pronađemo, navedite koordinate u nastavku; u protivnom će se događaj prikazati u središtu države.
field-latitude = Geografska širina
field-longitude = Geografska dužina
field-coordinates-help = Neobavezno: točno mjesto u decimalnim stupnjevima (na primjer 45.815 i 15.982).
field-url = Poveznica na online događaj
field-starts-on = Prvi dan
field-ends-on = Posljednji dan (ako događaj traje više dana)
field-students = Očekivani broj učenika
field-ages = Dob ili razredi
field-language = Jezik događaja
field-description = Kratak opis
field-description-help = Najviše 2000 znakova. Samo običan tekst.
field-listing = Prikaz
listing-public = Neka moj događaj bude prikazan na javnom popisu i na karti
listing-private = Neka se moj događaj računa, ali ne prikazuje javno
field-consent = Pročitao/la sam obavijest o zaštiti privatnosti i pristajem da se moja prijava pohrani radi provođenja kampanje.
field-news = Šaljite mi novosti o kampanji (najviše nekoliko e-poruka; odjaviti se možete u svakom trenutku).
field-website = Ostavite ovo polje prazno
privacy-notice-title = Obavijest o zaštiti privatnosti
privacy-notice = Pohranjujemo vaše ime, adresu e-pošte i podatke o događaju kako bismo događaj mogli računati i prikazati te vam pisati o njemu. Javno se prikazuju samo mjesto, organizacija, datum i broj učenika, i to samo za javne događaje. U svakom trenutku možete zatražiti brisanje svoje prijave putem poveznice u e-poruci.
register-submit = Prijavite događaj
form-has-errors = Ispravite polja označena u nastavku.

## Form errors
error-required = Ovo je polje obavezno.
error-too-long = Tekst je predug (najviše { $max ->
    [one] { $max } znak
    [few] { $max } znaka
   *[other] { $max } znakova
}).
error-email = Ovo nije adresa e-pošte.
error-date = Ovo nije datum (odaberite ga u kalendaru ili upišite u obliku GGGG-MM-DD).
error-date-order = Posljednji dan ne može biti prije prvoga.
error-date-range = Datum mora biti između { $from } i { $to }
error-students = Upišite cijeli broj učenika od 1 do { $max }.
error-students-actual = Upišite cijeli broj učenika od 0 do { $max }.
error-country = Odaberite državu s popisa.
error-latitude = Geografska širina je broj od -90 do 90.
error-longitude = Geografska dužina je broj od -180 do 180.
error-coordinates-pair = Navedite i geografsku širinu i geografsku dužinu ili nijednu od njih.
error-url = Navedite poveznicu koja počinje s https:// ili http://.
error-online-url = Za online događaj potrebna je poveznica.
error-place = Za događaj uživo potreban je grad ili koordinate.
error-consent = Događaj možemo prijaviti samo ako pristanete na obavijest o zaštiti privatnosti.
error-language = Odaberite jezik s popisa.
error-event-type = Odaberite vrstu događaja s popisa.
error-too-many = Iz vaše je mreže u kratkom vremenu stiglo previše prijava. Pokušajte ponovno za nekoliko minuta.
error-body-too-large = Obrazac je prevelik.
error-cancelled = Ovaj je događaj otkazan.

## After registering
registered-title = Provjerite e-poštu
registered-body = Poslali smo poveznicu na { $email }. Otvorite je kako biste potvrdili svoj događaj; dotad se on ne računa.
registered-updated = Ovaj ste događaj već prijavili pa smo ga ažurirali umjesto da ga dodamo dvaput.
confirmed-title = Hvala, vaš je događaj potvrđen
confirmed-pending = Moderator će ga uskoro pregledati; računa se i prikazuje nakon odobrenja.
confirmed-approved = Događaj se računa i prikazan je na karti.

## The organizer's page
manage-title = Vaš događaj
manage-lead = Ovu poveznicu imate samo vi. Sačuvajte je kako biste mogli izmijeniti ili otkazati događaj i javiti koliko je učenika sudjelovalo.
manage-status = Status
status-unconfirmed = Čeka vašu potvrdu
status-pending = Čeka odobrenje
status-approved = Odobren
status-rejected = Nije odobren
status-cancelled = Otkazan
manage-rejected-reason = Razlog: { $reason }
manage-edit = Izmijenite događaj
manage-save = Spremite promjene
manage-saved = Vaše su promjene spremljene.
manage-saved-pending = Vaše su promjene spremljene; moderator će ih ponovno pregledati.
manage-cancel = Otkažite događaj
manage-cancel-confirm = Da, otkažite ovaj događaj
manage-cancelled = Vaš je događaj otkazan.
report-title = Nakon događaja
report-lead = Koliko je učenika sudjelovalo? Brojač će umjesto očekivanog broja koristiti ovaj.
report-field = Broj učenika koji su sudjelovali
report-submit = Pošaljite
report-saved = Hvala! { $students ->
    [one] Uračunat je { $students } učenik.
    [few] Uračunata su { $students } učenika.
   *[other] Uračunato je { $students } učenika.
}
report-not-yet = Broj učenika možete javiti nakon prvog dana događaja ({ $date }).
certificate-title = Potvrda o sudjelovanju
certificate-lead = Preuzmite potvrdu sa svojim imenom ili s imenom učenika ili učitelja.
certificate-name = Ime na potvrdi
certificate-download = Preuzmite potvrdu (PDF)
certificate-needs-report = Najprije javite broj učenika; nakon toga možete preuzeti potvrde.

## Events list
events-title = Događaji
events-search = Pretraživanje
events-filter-country = Država
events-filter-city = Grad
events-filter-type = Vrsta
events-filter-language = Jezik
events-filter-from = Od
events-filter-to = Do
events-filter-any = Sve
events-filter-submit = Prikažite događaje
events-none = Nema odgovarajućih događaja.
events-count = { $count ->
    [one] { $count } događaj
    [few] { $count } događaja
   *[other] { $count } događaja
}
events-online = Online
events-students = { $students ->
    [one] { $students } učenik
    [few] { $students } učenika
   *[other] { $students } učenika
}
events-next = Sljedeća stranica
events-previous = Prethodna stranica

## Map
map-title = Karta događaja
map-world = Svijet
map-zoom = Prikažite jednu državu
map-legend = Što je država tamnija, to u njoj sudjeluje više učenika.
map-country-summary = { $country }: { $events ->
    [one] { $events } događaj
    [few] { $events } događaja
   *[other] { $events } događaja
}, { $students ->
    [one] { $students } učenik
    [few] { $students } učenika
   *[other] { $students } učenika
}
map-tiles = Karta ulica

## Partners
partners-title = Naši partneri
partners-lead = Ove organizacije pomažu da informatika dođe do svakog učenika.
partners-none = Partneri će uskoro biti prikazani ovdje.
partners-other = Partneri

## Statistics
stats-title = Statistika
stats-by-country = Po državama
stats-by-type = Po vrsti događaja
stats-over-time = Prijave po tjednima
stats-week-of = Tjedan od { $date }
stats-country = Država
stats-events = Događaji
stats-students = Učenici
stats-type = Vrsta
stats-registrations = Prijave
stats-data = Ovi podaci u strojno čitljivom obliku

## Embeds
embed-counter = { $students ->
    [one] Dosad je sudjelovao { $students } učenik
    [few] Dosad su sudjelovala { $students } učenika
   *[other] Dosad je sudjelovalo { $students } učenika
}
embed-register = Sudjelujte

## The partner's link page
link-lead = Hvala vam što ste naš partner. Ova je stranica samo za vas: molimo, ne dijelite njezinu adresu.
link-contact-title = Vaša osoba za kontakt u kampanji
link-contact-lead = Imate pitanje ili nešto treba promijeniti? Pišite na:
link-contact-none = Imate pitanje? Odgovorite na e-poruku u kojoj ste dobili ovu poveznicu.
link-asks-title = Što vas molimo
link-asks-none = Zasad ništa.
link-status-proposed = Predloženo
link-status-agreed = Dogovoreno
link-status-fulfilled = Ostvareno
link-status-missed = Propušteno
link-status-declined = Odbijeno
link-due = rok { $date }
link-quantity = Koliko ({ $unit })?
link-note = Napomena (nije obavezno)
link-confirm = Potvrdi
link-decline = Odbij
link-confirmed = Hvala! Potvrdili ste: „{ $ask }“. Tim kampanje to sada vidi.
link-declined = Hvala! Odbili ste: „{ $ask }“. Tim kampanje to sada vidi.
link-material-title = Materijali za vas
link-material-none = Zasad vam ništa nije poslano.
link-asset-logo = logotip
link-asset-banner = banner
link-asset-poster = plakat
link-asset-press_kit = materijali za medije
link-asset-tutorial = vodič
link-asset-other = ostalo
link-logo-title = Vaš logotip na stranici kampanje
link-logo-alt = Logotip: { $partner }
link-logo-upload = Učitajte svoj logotip (PNG, JPEG, WebP ili SVG, najviše 20 MB)
link-logo-replace = Zamijenite svoj logotip (PNG, JPEG, WebP ili SVG, najviše 20 MB)
link-logo-submit = Učitaj
link-logo-uploaded = Hvala! Vaš je logotip učitan.
link-listed = Partnerima zahvaljujemo imenom i logotipom na stranici kampanje kada obave svoj dio.
link-opted-out = Zatražili ste da vas ne navodimo među partnerima kampanje.
link-list-us = Navedite nas među partnerima
link-do-not-list = Nemojte nas navoditi
link-error-number = Upišite cijeli broj.
link-error-quantity = Upišite broj od 0 do { $max }.
link-error-quantity-missing = Navedite koliko ({ $unit }) preuzimate.
link-error-answered = Na ovu ste molbu već odgovorili.
link-error-logo = Ovu datoteku ne možemo upotrijebiti kao logotip. Odaberite sliku u formatu PNG, JPEG, WebP ili SVG od najviše 20 MB.
link-error-logo-missing = Najprije odaberite datoteku.
link-contacts-title = Vaši kontakti i e-pošta kampanje
link-contacts-lead = Za svaki svoj kontakt odaberite prima li novosti kampanje e-poštom.
link-contacts-none = Još nemamo nijedan vaš kontakt.
link-consent-yes = Da, šaljite novosti kampanje
link-consent-no = Bez novosti kampanje
link-consent-unknown = Još nije odabrano.
link-consent-save = Spremi
link-consent-saved = Hvala! Izbor e-pošte kampanje za { $name } je spremljen.
link-error-consent = Najprije odaberite jedan od dvaju odgovora.

## E-mails to organizers
mail-confirm-subject = Potvrdite svoj događaj: { $title }
mail-confirm-body =
    Dobar dan, { $name },

    hvala što ste prijavili „{ $title }“ za kampanju { $campaign }.

    Potvrdite svoj događaj otvaranjem ove poveznice:
    { $confirm_url }

    Sačuvajte ovu e-poruku: istom poveznicom možete izmijeniti ili otkazati događaj, javiti koliko je učenika sudjelovalo i preuzeti potvrde.

    Ako niste prijavili ovaj događaj, zanemarite ovu e-poruku i ništa se neće računati.
mail-approved-subject = Vaš je događaj odobren: { $title }
mail-approved-body =
    Dobar dan, { $name },

    vaš je događaj „{ $title }“ odobren i računa se u kampanji { $campaign }. Hvala na sudjelovanju!

    Nakon događaja ovdje javite koliko je učenika sudjelovalo i preuzmite potvrde:
    { $manage_url }
mail-rejected-subject = Vaš događaj nije odobren: { $title }
mail-rejected-body =
    Dobar dan, { $name },

    nažalost, nismo mogli odobriti vaš događaj „{ $title }“ za kampanju { $campaign }.

    Razlog: { $reason }

    Događaj možete izmijeniti i tada će ga moderator ponovno pregledati:
    { $manage_url }
mail-footer = Ovu e-poruku primate jer je s ove adrese prijavljen događaj za kampanju { $campaign }.

## Additions: statistics, the map, the organizer's page, certificates
stats-week-of-label = Tjedan
embed-title = Prikažite brojač ili partnere na svojoj stranici
map-countries = Zemlje koje sudjeluju
partners-main = Glavni partneri
manage-confirm = Potvrdite moj događaj
manage-confirm-lead = Potvrdite da ste vi prijavili ovaj događaj. Dotad se ne računa.
manage-location-country = Nismo pronašli mjesto pa je događaj prikazan u središtu zemlje. Unesite koordinate u nastavku da ga točno smjestite.
certificate-default-body = za sudjelovanje u događaju { $event } ({ $organization }) u sklopu kampanje { $campaign }, { $date }, zajedno s { $students ->
    [one] { $students } učenikom
   *[other] { $students } učenika
}.
certificate-unsupported = Potvrda ne može prikazati ove znakove: { $characters }. Napišite ime drugim pismom.
attribution = Mjesta: GeoNames (CC BY 4.0). Karta: Natural Earth.
attribution-licence = Licenca podataka o mjestima
legend-organizer = O vama
legend-event = Događaj
legend-place = Gdje
manage-delete = Izbrišite moju prijavu
manage-delete-lead = Time se trajno brišu događaj, vaše ime i adresa e-pošte; događaj se više ne računa, a ova poveznica prestaje raditi.
manage-delete-confirm = Da, izbrišite moju prijavu
manage-deleted = Vaša je prijava izbrisana. Hvala na zanimanju za kampanju.
manage-data = Moji podaci
manage-data-lead = Preuzmite sve što ova kampanja čuva o vama (vaše događaje, poslanu e-poštu, vaše privole) kao JSON datoteku ili ih izbrišite. Brisanjem vaši događaji ostaju u brojanju kampanje, bez vašeg imena, škole, adrese e-pošte i opisa, i više nećete primati e-poštu.
manage-data-download = Preuzmi moje podatke
manage-erase = Izbriši moje podatke
manage-erase-confirm = Da, izbrišite moje podatke iz ove kampanje; to se ne može poništiti
manage-erased = Vaši su podaci izbrisani iz kampanje. Vaši se događaji i dalje broje, bez vašeg imena i škole, i više nećete primati e-poštu od nje.
mail-report-subject = Koliko je učenika sudjelovalo u događaju „{ $title }“?
mail-report-body =
    Dobar dan, { $name },

    hvala što ste održali „{ $title }“ u sklopu kampanje { $campaign }!

    Javite nam koliko je učenika sudjelovalo: brojač kampanje tada računa vaš broj umjesto očekivanoga. Na istoj stranici možete preuzeti potvrde za svoje učenike:
    { $manage_url }
manage-map = Vaš događaj na karti. Ako je točka na pogrešnom mjestu, unesite koordinate pod „Izmijenite događaj“.

## Stranice s pogreškama javne stranice
error-page-not-found-title = Nije pronađeno
error-page-not-found = Ovdje nema ničega. Poveznica je možda zastarjela ili pogrešno upisana.
error-page-forbidden-title = Nije dopušteno
error-page-forbidden = Ovo se ne može promijeniti odavde.
error-page-expired-title = Obrazac je istekao
error-page-expired = Ovaj je obrazac istekao. Vratite se, ponovno učitajte stranicu i pokušajte opet.
error-page-too-large-title = Preveliko
error-page-too-large = To je više nego što odjednom primamo.
error-page-bad-request-title = To nije moguće
error-page-bad-request = To nije moguće učiniti. Vratite se i provjerite što ste poslali.
error-page-too-many-title = Previše pokušaja
error-page-too-many = Previše pokušaja u kratkom vremenu. Pričekajte nekoliko minuta i pokušajte ponovno.
error-page-unavailable-title = Zauzeto
error-page-unavailable = Trenutačno ne možemo odgovoriti. Pokušajte ponovno za trenutak.
error-page-storage-full-title = Spremanje trenutačno nije moguće
error-page-storage-full = Trenutačno ne možemo ništa spremiti jer je naša pohrana puna. Ništa nije promijenjeno. Pokušajte ponovno za nekoliko minuta.
error-page-internal-title = Nešto je pošlo po zlu
error-page-internal = Nešto je pošlo po zlu kod nas. Zabilježili smo to; pokušajte ponovno kasnije.
error-page-back = Natrag na kampanju
error-storage-full = Prijave trenutačno ne možemo spremiti jer je naša pohrana puna. Ništa nije spremljeno; vaši su odgovori i dalje u obrascu. Pokušajte ponovno za nekoliko minuta.
error-unavailable = Prijave trenutačno ne možemo spremiti. Ništa nije spremljeno; vaši su odgovori i dalje u obrascu. Pokušajte ponovno za trenutak.

# Shown to the team on a site that is not published yet.
site-draft = Nacrt: ovu stranicu vidi samo vaš tim. Vlasnik je objavljuje s nadzorne ploče kampanje.

# The campaign's privacy notice page and agreeing again to a new version.
privacy-version = Verzija { $version }, objavljena { $date }
privacy-builtin = Kampanja nije objavila vlastitu obavijest o zaštiti privatnosti. Ovo je ono na što pristajete kad prijavljujete događanje:
privacy-read = Pročitajte cijelu obavijest o zaštiti privatnosti
reconsent-title = Izmijenili smo obavijest o zaštiti privatnosti
reconsent-lead = Pristali ste na raniju verziju. Molimo pročitajte novu: novosti o kampanji ponovno vam šaljemo kad na nju pristanete. Poruke o vašem događanju primate u svakom slučaju.
reconsent-agree = Pristajem na novu obavijest o zaštiti privatnosti
reconsent-done = Hvala: vaš pristanak na novu obavijest o zaštiti privatnosti je zabilježen.

## Activity review (the team's decision on a proposed activity, e-mailed to whoever proposed it)
activity-rejected-subject = Vaša aktivnost nije uvrštena: { $title }
activity-rejected-body =
    Dobar dan, { $name },

    hvala vam što ste predložili „{ $title }” za katalog aktivnosti kampanje { $campaign }. Pregledali smo prijedlog i nažalost ga nismo mogli uvrstiti.

    Razlog: { $reason }

    Ako možete ispraviti ono što razlog navodi, slobodno je predložite ponovno.
activity-mail-footer = Ovu e-poruku primate jer je s ove adrese predložena aktivnost za kampanju { $campaign }.

## Activity catalogue: the public list, an activity's page, suggesting an activity (site and partner link).
nav-activities = Aktivnosti
activities-title = Aktivnosti
activities-lead = Što raditi na satu: aktivnosti za svaku dob, mnoge na vašem jeziku, neke i bez računala.
activities-submit-link = Predložite aktivnost
activities-filters = Filtri
activities-search = Pretraživanje
activities-filter-submit = Prikaži aktivnosti
activities-chosen = Vaš odabir
activities-remove = Ukloni „{ $value }“
activities-clear = Ukloni sve filtre
activities-count = { $count ->
    [one] { $count } aktivnost
    [few] { $count } aktivnosti
   *[other] { $count } aktivnosti
}
activities-none = Nijedna aktivnost ne odgovara. Uklonite neki filtar da biste vidjeli više.
activities-in-your-language = Na vašem jeziku
activities-other-languages = Dostupno i na drugim jezicima
activities-pages = Stranice
activity-minutes = { $minutes ->
    [one] { $minutes } minuta
    [few] { $minutes } minute
   *[other] { $minutes } minuta
}
activity-follow-on = s nastavkom
activity-by = Autor: { $provider }
activity-open = Otvori aktivnost
activity-download = Preuzmi materijale
activity-host = Organizirajte događanje s ovom aktivnošću
activity-usage = Dosad ju je odabralo { $events ->
    [one] { $events } događanje
    [few] { $events } događanja
   *[other] { $events } događanja
} s { $students ->
    [one] { $students } učenikom
   *[other] { $students } učenika
}.
activity-back = Sve aktivnosti
activity-facts = O aktivnosti
activity-provider = Autor
activity-duration = Trajanje
activity-languages = Dostupno na
activity-print = Za ispis po učeniku
facet-age = Dob
facet-grade = Razred
facet-student_experience = Iskustvo učenika
facet-teacher_experience = Iskustvo učitelja
facet-format = Oblik
facet-length = Trajanje
facet-language = Jezik
facet-programming = Programiranje
facet-equipment = Oprema
facet-accessibility = Pristupačnost
facet-subject = Predmet
facet-age-4-6 = 4–6 godina
facet-age-7-10 = 7–10 godina
facet-age-11-13 = 11–13 godina
facet-age-14-18 = 14–18 godina
facet-age-adults = Odrasli
facet-grade-pre = Predškola
facet-grade-k = Vrtić
facet-grade-n = { $grade }. razred
facet-student_experience-beginner = Početnici
facet-student_experience-comfortable = S nešto iskustva
facet-teacher_experience-none = Nije potrebno
facet-teacher_experience-some = Potrebno nešto iskustva
facet-format-tutorial = Samostalni tutorijal
facet-format-lesson_plan = Plan sata
facet-format-unplugged = Aktivnost bez računala
facet-format-robotics = Robotika i uređaji
facet-length-up_to_30 = Do 30 minuta
facet-length-up_to_60 = 30 do 60 minuta
facet-length-over_60 = Više od sat vremena
facet-length-follow_on = Ima nastavak
facet-programming-blocks = Blokovi
facet-programming-text = Pisani kôd
facet-programming-none = Bez programiranja
facet-equipment-computers = Računala
facet-equipment-tablets = Tableti ili mobiteli
facet-equipment-offline = Radi bez interneta
facet-equipment-no_computers = Bez računala
facet-accessibility-screen_reader = Radi s čitačem zaslona
facet-accessibility-keyboard_only = Samo tipkovnica
facet-accessibility-no_reading = Nije potrebno čitanje
facet-accessibility-low_motor = Mali motorički zahtjevi
facet-subject-computer_science = Informatika
facet-subject-maths = Matematika
facet-subject-science = Prirodne znanosti
facet-subject-language_arts = Jezik i književnost
facet-subject-art = Likovna umjetnost
facet-subject-music = Glazba
facet-subject-social_studies = Društvene znanosti
activity-submit-title = Predložite aktivnost
activity-submit-lead = Znate dobru aktivnost za sat kodiranja? Javite nam. Naš tim provjerava svaki prijedlog prije objave: mora raditi bez registracije i plaćanja, odgovarati navedenoj dobi, biti pristupačan kako je opisano i dostupan na navedenim jezicima.
activity-legend-text = Aktivnost
activity-field-language = Jezik ovog opisa
activity-field-title = Naslov
activity-field-summary = Sažetak (jedna ili dvije rečenice)
activity-field-description = Opis
activity-field-url = Web adresa aktivnosti
activity-field-provider = Tko ju je izradio
activity-legend-running = Izvođenje
activity-field-duration = Trajanje u minutama
activity-field-follow-on = Ima nastavak u sljedećim satima
activity-field-print = Što ispisati po učeniku (za aktivnosti bez računala)
activity-field-languages = Jezici na kojima je dostupna
activity-legend-submitter = O vama
activity-submitter-help = Javit ćemo vam se kad je naš tim pregleda. Vaša adresa nikad se ne prikazuje na stranici.
activity-field-submitter-name = Vaše ime
activity-field-submitter-email = Vaša adresa e-pošte
activity-submit-button = Pošalji na pregled
activity-submitted-title = Hvala
activity-submitted = Hvala: vaš prijedlog čeka pregled našeg tima. Pisat ćemo na { $email } kad ga pregledamo.
activity-error-url-missing = Navedite web adresu aktivnosti.
activity-error-duration = Navedite trajanje u cijelim minutama, od 1 do { $max }.
activity-error-languages = Odaberite najviše { $max } jezika s popisa.
activity-error-choice = Odaberite s popisa.
activity-error-too-many = Previše prijedloga iz vaše mreže u kratkom vremenu. Pokušajte ponovno za nekoliko minuta.
activity-error-unavailable = Trenutačno ne možemo spremiti prijedloge. Ništa nije spremljeno; vaši su odgovori još u obrascu. Pokušajte ponovno za trenutak.
link-activity-title = Predložite aktivnost
link-activity-lead = Nudi li vaša organizacija aktivnost za sat kodiranja? Predložite je za katalog kampanje: tim je pregledava prije objave.
link-activity-submitted = Hvala: vaša aktivnost čeka pregled tima.

## Map that finds events (clusters and points as links, zoom, events near a town) and an event's page
map-area = odabrano područje
map-summary = Karta prikazuje { $events ->
    [one] { $events } događaj
    [few] { $events } događaja
   *[other] { $events } događaja
} na { $places ->
    [one] { $places } mjestu
   *[other] { $places } mjesta
}. Svako mjesto na karti je poveznica; popis ispod karte ima iste poveznice.
map-cluster = { $places }: { $events ->
    [one] { $events } događaj
    [few] { $events } događaja
   *[other] { $events } događaja
}, { $students ->
    [one] { $students } učenik
    [few] { $students } učenika
   *[other] { $students } učenika
}
map-list-events = Događaji na karti
map-list-places = Mjesta na karti
map-list-more = I još { $count ->
    [one] { $count } mjesto: približite kartu da ga vidite.
    [few] { $count } mjesta: približite kartu da ih vidite.
   *[other] { $count } mjesta: približite kartu da ih vidite.
}
map-empty = Na ovom dijelu karte nema događaja.
map-zoom-out = Udalji
map-near-label = Događaji blizu mjesta
map-near-radius = Unutar
map-near-km = { $km } km
map-near-submit = Pronađi događaje
map-near-heading = Događaji do { $km } km od mjesta { $town }
map-near-unknown = Ne poznajemo mjesto „{ $name }”. Provjerite kako je napisano ili pokušajte s većim mjestom u blizini.
map-near-choose = Koje mjesto „{ $name }” mislite?
map-near-others = Druga mjesta s imenom „{ $name }”:
map-near-candidate = { $town } ({ $population } stanovnika)
map-near-distance = udaljeno { $km } km
map-near-here = udaljeno manje od 1 km
map-near-more = I još { $count ->
    [one] { $count } udaljeniji događaj: odaberite manju udaljenost da ga vidite.
    [few] { $count } udaljenija događaja: odaberite manju udaljenost da ih vidite.
   *[other] { $count } udaljenijih događaja: odaberite manju udaljenost da ih vidite.
}
map-near-clear = Poništi pretragu
map-activity = Samo događaji s aktivnošću „{ $activity }”.
map-activity-unknown = Samo događaji s jednom aktivnošću.
map-activity-all = Prikaži sve događaje
event-page-organization = Organizacija
event-page-type = Vrsta događaja
event-page-place = Gdje
event-page-dates = Kada
event-page-ages = Dob
event-page-language = Jezik
event-page-students = Učenici
event-page-link = Poveznica
event-page-about = O događaju
event-page-on-map = Prikaži na karti
event-page-all = Svi događaji

## Events' activities and partner attribution (registration form, events filter, recognition wall, partner link page)
picker-legend = Što ćete provesti?
picker-help = Odaberite do pet aktivnosti iz kataloga kampanje ili opišite svoju.
picker-search = Pretražite katalog po naslovu
picker-search-button = Traži
picker-none = Nijedna aktivnost iz kataloga ne odgovara. Opišite svoju ispod.
picker-own = Naša vlastita aktivnost (neobavezno)
picker-heard-from = Kako ste čuli za nas?
picker-heard-none = Odaberite (neobavezno)
picker-heard-other = Drugo
error-activities = Odaberite aktivnosti s popisa.
error-activities-too-many = Odaberite najviše { $max } aktivnosti.
error-heard-from = Odaberite jedan od odgovora s popisa.
events-filter-activity = Aktivnost
partner-brought = Doveli: { $events ->
    [one] { $events } događaj
    [few] { $events } događaja
   *[other] { $events } događaja
}, { $students ->
    [one] { $students } učenik
    [few] { $students } učenika
   *[other] { $students } učenika
}
link-share-title = Vaša poveznica za dijeljenje
link-share-lead = Podijelite ovu adresu sa školama i nastavnicima: događaji prijavljeni nakon što je otvore računaju se kao vaši.
link-share-label = Poveznica za dijeljenje
link-brought-none = Preko vas još nije stigao nijedan odobreni događaj.
