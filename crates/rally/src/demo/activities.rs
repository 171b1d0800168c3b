//! The demo's activity catalogue: about forty activities a host could run in the hour — unplugged
//! ones to print, block and text tutorials, robotics, lesson plans — in several languages and scripts,
//! some made by the demo's partners; three proposals waiting for review, one hidden because it broke,
//! and the Zagreb member campaign hiding one of the national offer and adding one of its own.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::Utc;
use rally_domain::activity::{ActivityDraft, ActivityTextDraft, Facet, Submitter};
use rally_domain::{Campaign, PartnerId};
use rally_store::{Actor, PartnerFilter, Store};

/// One activity as the demo writes it.
struct Entry {
    /// Language, title, summary; the first is the activity's own language.
    texts: &'static [(&'static str, &'static str, &'static str)],
    /// The longer text of the activity page, in the first text's language.
    description: &'static str,
    url: &'static str,
    /// A demo partner's exact name (then it is the provider), or only a maker's name.
    provider: &'static str,
    minutes: i64,
    follow_on: bool,
    print: &'static str,
    /// Language tags it is available in, space-separated.
    languages: &'static str,
    /// `facet=value,value;facet=value`.
    facets: &'static str,
}

const UNPLUGGED: &str = "format=unplugged;programming=none;equipment=no_computers,offline;teacher_experience=none";

/// The national campaign's catalogue. The last one is hidden (its page started asking for payment).
const CATALOGUE: &[Entry] = &[
    Entry {
        texts: &[
            (
                "hr",
                "Binarne narukvice",
                "Učenici zapisuju svoje inicijale u binarnom kodu nizanjem tamnih i svijetlih perli.",
            ),
            ("en", "Binary bracelets", "Students spell their initials in binary by threading dark and light beads."),
        ],
        description: "Svako slovo postaje niz od osam nula i jedinica. Učenici prvo dekodiraju tajnu riječ na ploči, a zatim nižu vlastitu narukvicu.\n\nPrikladno za razrednu nastavu; perle se mogu zamijeniti bojicama.",
        url: "https://unplugged.example.org/binary-bracelets",
        provider: "Hrvatska udruga nastavnika informatike",
        minutes: 45,
        follow_on: false,
        print: "One binary alphabet sheet",
        languages: "hr en",
        facets: "age=7-10,11-13;grade=2,3,4,5,6;student_experience=beginner;subject=computer_science,maths,art;format=unplugged;programming=none;equipment=no_computers,offline;teacher_experience=none",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Programiraj prijatelja",
                "U parovima jedan učenik piše strelice, a drugi ih kao robot izvršava na mreži na podu.",
            ),
            (
                "en",
                "Program your classmate",
                "In pairs, one student writes arrow instructions and the other follows them like a robot on a floor grid.",
            ),
            (
                "sr-Cyrl",
                "Програмирај друга",
                "У паровима један ученик пише стрелице, а други их као робот извршава на мрежи на поду.",
            ),
        ],
        description: "Na podu se ljepljivom trakom označi mreža 5 × 5. Kartice sa strelicama čine program; kad robot pogriješi, par traži grešku zajedno.",
        url: "https://unplugged.example.org/program-your-classmate",
        provider: "Mreža učitelja STEM-a",
        minutes: 40,
        follow_on: true,
        print: "One sheet of arrow cards per pair",
        languages: "hr en sr-Cyrl",
        facets: "age=4-6,7-10;grade=k,1,2,3;student_experience=beginner;accessibility=no_reading;subject=computer_science;format=unplugged;programming=none;equipment=no_computers,offline;teacher_experience=none",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Slikanje pikselima",
                "Iz brojčanog koda učenici boje mrežu i otkrivaju skrivenu sliku — tako računalo sprema slike.",
            ),
            (
                "en",
                "Pixel painting",
                "Students colour a grid from a number code and uncover a hidden picture: how computers store images.",
            ),
            (
                "fr",
                "Peindre avec des pixels",
                "Les élèves colorient une grille à partir d’un code chiffré et découvrent une image cachée.",
            ),
        ],
        description: "Svaki redak mreže opisan je brojevima: koliko je polja bijelo, a koliko crno. Na kraju učenici sami šifriraju sliku za prijatelja.",
        url: "https://unplugged.example.org/pixel-painting",
        provider: "Udruga Suradnici u učenju",
        minutes: 30,
        follow_on: false,
        print: "One grid sheet and one code card",
        languages: "hr en fr",
        facets: "age=7-10,11-13;grade=2,3,4,5;student_experience=beginner;subject=computer_science,art,maths;format=unplugged;programming=none;equipment=no_computers,offline;teacher_experience=none",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Sortiranje kartama",
                "Učenici otkrivaju kako računalo slaže podatke igrajući se s numeriranim kartama.",
            ),
            (
                "en",
                "Sorting with cards",
                "Students find out how computers put data in order by playing with numbered cards.",
            ),
            (
                "it",
                "Ordinare con le carte",
                "Gli studenti scoprono come un computer mette in ordine i dati giocando con carte numerate.",
            ),
        ],
        description: "Skupine uspoređuju samo dvije karte odjednom i bilježe broj usporedbi. Koji je način najbrži?",
        url: "https://unplugged.example.org/sorting-cards",
        provider: "Hrvatsko društvo učitelja matematike",
        minutes: 45,
        follow_on: true,
        print: "One set of 8 number cards per group",
        languages: "hr en it",
        facets: "age=11-13,14-18;grade=6,7,8,9;student_experience=beginner;subject=computer_science,maths;format=unplugged;programming=none;equipment=no_computers,offline;teacher_experience=none",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Tajne poruke: Cezarova šifra",
                "Učenici izrađuju kotačić za šifriranje i razmjenjuju poruke koje drugi ne mogu pročitati.",
            ),
            (
                "en",
                "Secret messages: the Caesar cipher",
                "Students make a cipher wheel and swap messages nobody else can read.",
            ),
            (
                "ru",
                "Тайные послания: шифр Цезаря",
                "Ученики делают шифровальный круг и обмениваются посланиями, которые никто другой не прочитает.",
            ),
        ],
        description: "Nakon šifriranja učenici pokušavaju razbiti tuđu šifru brojanjem slova — prvi korak prema kriptografiji.",
        url: "https://unplugged.example.org/caesar",
        provider: "Fakultet elektrotehnike i računarstva, Sveučilište u Zagrebu",
        minutes: 45,
        follow_on: false,
        print: "One cipher wheel to cut out",
        languages: "hr en ru",
        facets: "age=11-13,14-18;grade=5,6,7,8;student_experience=beginner;subject=computer_science,maths,language_arts;format=unplugged;programming=none;equipment=no_computers,offline;teacher_experience=none",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Mreža od konopca",
                "Omotnice putuju razredom po pravilima usmjerivača: tako podaci putuju internetom.",
            ),
            (
                "en",
                "The string network",
                "Envelopes travel across the classroom by routers' rules, the way data travels across the internet.",
            ),
        ],
        description: "Učenici su usmjerivači povezani konopcem. Poruka je podijeljena u pakete koji stižu različitim putovima i na kraju se slažu.",
        url: "https://unplugged.example.org/string-network",
        provider: "CARNET radionice",
        minutes: 50,
        follow_on: true,
        print: "One packet card",
        languages: "hr en",
        facets: "age=11-13,14-18;grade=6,7,8;student_experience=beginner;subject=computer_science,social_studies;format=unplugged;programming=none;equipment=no_computers,offline;teacher_experience=some",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Ples petlji",
                "Koreografija zapisana karticama s ponavljanjem: tko prvi pronađe kraću verziju plesa?",
            ),
            (
                "en",
                "Loop dance",
                "A choreography written with repeat cards: who finds the shortest way to write the dance?",
            ),
            (
                "uk",
                "Танець циклів",
                "Хореографія, записана картками з повторенням: хто знайде найкоротший запис танцю?",
            ),
        ],
        description: "Plesni koraci su naredbe, a kartica „ponovi 4 puta” je petlja. Glazba po izboru učitelja.",
        url: "https://unplugged.example.org/loop-dance",
        provider: "Mreža učitelja STEM-a",
        minutes: 30,
        follow_on: false,
        print: "",
        languages: "hr en uk",
        facets: "age=4-6,7-10;grade=pre,k,1,2;student_experience=beginner;accessibility=no_reading;subject=computer_science,music;format=unplugged;programming=none;equipment=no_computers,offline;teacher_experience=none",
    },
    Entry {
        texts: &[
            (
                "en",
                "If-then freeze game",
                "A playground game of conditions: if the teacher claps, freeze; if she whistles, jump.",
            ),
            ("hr", "Igra „ako – onda”", "Igra uvjeta u dvorištu: ako učiteljica pljesne, stani; ako zazviždi, skoči."),
            ("ar", "لعبة إذا – عندها", "لعبة شروط في الساحة: إذا صفّقت المعلمة تتوقف، وإذا صفّرت تقفز."),
        ],
        description: "Children follow more and more rules at once and then invent their own. A first feel for conditions, with no screen and no reading.",
        url: "https://unplugged.example.org/if-then",
        provider: "Kodiraj i ti",
        minutes: 20,
        follow_on: false,
        print: "",
        languages: "en hr ar",
        facets: "age=4-6,7-10;grade=pre,k,1;student_experience=beginner;accessibility=no_reading,low_motor;subject=computer_science;format=unplugged;programming=none;equipment=no_computers,offline;teacher_experience=none",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Stablo odlučivanja za životinje",
                "Pitanjima s odgovorom da ili ne učenici razvrstavaju životinje i grade svoje prvo stablo odlučivanja.",
            ),
            (
                "en",
                "Animal decision trees",
                "With yes-or-no questions, students sort animals and build their first decision tree.",
            ),
            (
                "sr-Latn",
                "Drvo odlučivanja za životinje",
                "Pitanjima sa odgovorom da ili ne učenici razvrstavaju životinje i prave svoje prvo drvo odlučivanja.",
            ),
        ],
        description: "Povezuje prirodu i informatiku: isto načelo koriste programi koji prepoznaju slike.",
        url: "https://unplugged.example.org/decision-trees",
        provider: "Udruga Suradnici u učenju",
        minutes: 45,
        follow_on: false,
        print: "One sheet of animal cards",
        languages: "hr en sr-Latn",
        facets: "age=7-10,11-13;grade=3,4,5,6;student_experience=beginner;subject=computer_science,science;format=unplugged;programming=none;equipment=no_computers,offline;teacher_experience=none",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Bilježnica malog programera",
                "Šest stranica zagonetki s uzorcima, redoslijedom i ponavljanjem, za razred bez računala.",
            ),
            (
                "en",
                "Little coder's puzzle booklet",
                "Six pages of puzzles about patterns, order and repetition, for a class without computers.",
            ),
            (
                "hu",
                "Kis programozó feladatfüzete",
                "Hat oldal feladvány mintázatokról, sorrendről és ismétlésről, számítógép nélküli osztálynak.",
            ),
        ],
        description: "Bilježnica se ispisuje dvostrano. Rješenja za učitelja nalaze se na posljednjoj stranici.",
        url: "https://unplugged.example.org/puzzle-booklet",
        provider: "Hrvatska udruga nastavnika informatike",
        minutes: 60,
        follow_on: false,
        print: "A six-page booklet (three sheets, both sides)",
        languages: "hr en hu",
        facets: "age=7-10;grade=1,2,3,4;student_experience=beginner;subject=computer_science,maths;format=unplugged;programming=none;equipment=no_computers,offline;teacher_experience=none",
    },
    Entry {
        texts: &[
            ("hr", "Labirint s blokovima", "Dvadeset razina u kojima lik vodiš kroz labirint slažući blokove naredbi."),
            (
                "en",
                "Block maze",
                "Twenty levels of guiding a character through a maze by snapping command blocks together.",
            ),
            ("ru", "Лабиринт из блоков", "Двадцать уровней: проведи героя через лабиринт, соединяя блоки команд."),
            (
                "fr",
                "Labyrinthe en blocs",
                "Vingt niveaux pour guider un personnage dans un labyrinthe en assemblant des blocs.",
            ),
            (
                "sr-Cyrl",
                "Лавиринт са блоковима",
                "Двадесет нивоа у којима лика водиш кроз лавиринт слажући блокове наредби.",
            ),
            ("uk", "Лабіринт із блоків", "Двадцять рівнів: проведи героя лабіринтом, складаючи блоки команд."),
            ("ar", "متاهة الكتل", "عشرون مستوى ترشد فيها شخصية عبر متاهة بتركيب كتل الأوامر."),
            (
                "it",
                "Labirinto a blocchi",
                "Venti livelli per guidare un personaggio in un labirinto unendo blocchi di comandi.",
            ),
        ],
        description: "Samostalni vodič: učenici napreduju svojim tempom, a petlje i uvjeti uvode se postupno. Radi i na tabletima.",
        url: "https://learn.example.org/block-maze",
        provider: "Nordic Games Studio Zagreb",
        minutes: 60,
        follow_on: true,
        print: "",
        languages: "hr en ru fr sr-Cyrl uk ar it",
        facets: "age=7-10,11-13;grade=2,3,4,5,6,7;student_experience=beginner;teacher_experience=none;format=tutorial;programming=blocks;equipment=computers,tablets;accessibility=keyboard_only;subject=computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Napravi svoju igru skakanja",
                "Učenici blokovima programiraju lik koji skače preko prepreka i broji bodove.",
            ),
            (
                "en",
                "Make a jumping game",
                "Students use blocks to program a character that jumps over obstacles and keeps score.",
            ),
            (
                "sr-Latn",
                "Napravi igru sa skakanjem",
                "Učenici blokovima programiraju lik koji skače preko prepreka i broji poene.",
            ),
        ],
        description: "Na kraju sata svaka igra dobiva poveznicu koju učenici mogu poslati kući.",
        url: "https://learn.example.org/jumping-game",
        provider: "Nordic Games Studio Zagreb",
        minutes: 60,
        follow_on: true,
        print: "",
        languages: "hr en sr-Latn",
        facets: "age=7-10,11-13;grade=3,4,5,6,7;student_experience=beginner;teacher_experience=none;format=tutorial;programming=blocks;equipment=computers,tablets;subject=computer_science,art",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Animirana čestitka",
                "Blokovima učenici oživljavaju crteže i izrađuju čestitku koja se miče i svira.",
            ),
            (
                "en",
                "Animated greeting card",
                "With blocks, students bring drawings to life and make a card that moves and plays a tune.",
            ),
            (
                "it",
                "Biglietto animato",
                "Con i blocchi gli studenti animano i disegni e creano un biglietto che si muove e suona.",
            ),
        ],
        description: "Spoj likovne kulture i programiranja: svaki učenik crta svoje likove.",
        url: "https://learn.example.org/greeting-card",
        provider: "Udruga Mladi informatičari Rijeka",
        minutes: 45,
        follow_on: false,
        print: "",
        languages: "hr en it",
        facets: "age=7-10,11-13;grade=2,3,4,5,6;student_experience=beginner;teacher_experience=none;format=tutorial;programming=blocks;equipment=computers,tablets;subject=art,computer_science",
    },
    Entry {
        texts: &[
            (
                "en",
                "Block beats: compose a loop",
                "Students build a drum pattern and a melody from blocks and learn what a loop is by hearing it.",
            ),
            ("hr", "Ritam u blokovima", "Učenici od blokova slažu ritam i melodiju i čuju što je petlja."),
            (
                "fr",
                "Rythmes en blocs",
                "Les élèves composent un rythme et une mélodie avec des blocs et entendent ce qu’est une boucle.",
            ),
        ],
        description: "Headphones help in a full classroom. The last ten minutes are a concert of the class's loops.",
        url: "https://learn.example.org/block-beats",
        provider: "Glazbeni laboratorij",
        minutes: 45,
        follow_on: false,
        print: "",
        languages: "en hr fr",
        facets: "age=7-10,11-13;grade=3,4,5,6,7;student_experience=beginner;teacher_experience=none;format=tutorial;programming=blocks;equipment=computers,tablets;subject=music,computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Crtanje kornjačom",
                "Kornjača na zaslonu crta mnogokute, zvijezde i spirale prema naredbama iz blokova.",
            ),
            (
                "en",
                "Turtle drawing with blocks",
                "A turtle on the screen draws polygons, stars and spirals from block commands.",
            ),
            (
                "ru",
                "Рисуем черепашкой",
                "Черепашка на экране рисует многоугольники, звёзды и спирали по командам из блоков.",
            ),
        ],
        description: "Učenici otkrivaju vezu između kutova i broja ponavljanja. Nastavak: kornjača s varijablama.",
        url: "https://learn.example.org/turtle",
        provider: "Hrvatsko društvo učitelja matematike",
        minutes: 60,
        follow_on: true,
        print: "",
        languages: "hr en ru",
        facets: "age=11-13;grade=5,6,7;student_experience=beginner;teacher_experience=none;format=tutorial;programming=blocks;equipment=computers;subject=maths,computer_science,art",
    },
    Entry {
        texts: &[
            ("hr", "Priča koja se grana", "Učenici pišu interaktivnu priču u kojoj čitatelj bira kako se nastavlja."),
            (
                "en",
                "A story that branches",
                "Students write an interactive story in which the reader chooses what happens next.",
            ),
            (
                "uk",
                "Історія, що розгалужується",
                "Учні пишуть інтерактивну історію, у якій читач обирає, що буде далі.",
            ),
        ],
        description: "Sat hrvatskog jezika i informatike zajedno: grananje u priči je naredba „ako”.",
        url: "https://learn.example.org/branching-story",
        provider: "Mreža školskih knjižnica",
        minutes: 60,
        follow_on: false,
        print: "",
        languages: "hr en uk",
        facets: "age=11-13;grade=5,6,7,8;student_experience=beginner;teacher_experience=none;format=tutorial;programming=blocks;equipment=computers,tablets;subject=language_arts,computer_science",
    },
    Entry {
        texts: &[
            ("en", "Dance party with blocks", "Students program dancers to move to the music and react to the beat."),
            (
                "hr",
                "Plesni party s blokovima",
                "Učenici programiraju plesače koji se miču uz glazbu i reagiraju na ritam.",
            ),
            ("ar", "حفلة رقص بالكتل", "يبرمج الطلاب راقصين يتحركون مع الموسيقى ويتفاعلون مع الإيقاع."),
        ],
        description: "A favourite for a first hour: every student ends with a dance to show.",
        url: "https://learn.example.org/dance-party",
        provider: "Kodiraj i ti",
        minutes: 45,
        follow_on: false,
        print: "",
        languages: "en hr ar",
        facets: "age=7-10,11-13;grade=2,3,4,5,6;student_experience=beginner;teacher_experience=none;format=tutorial;programming=blocks;equipment=computers,tablets;subject=music,computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Prvi koraci za najmlađe",
                "Zagonetke sa slikama u kojima djeca slažu korake bez ijedne riječi teksta.",
            ),
            (
                "en",
                "First steps for the youngest",
                "Picture puzzles in which children put steps in order without a single word to read.",
            ),
            (
                "sr-Cyrl",
                "Први кораци за најмлађе",
                "Загонетке са сликама у којима деца слажу кораке без иједне речи текста.",
            ),
        ],
        description: "Veliki gumbi i povlačenje prstom: prikladno za tablete i djecu koja još ne čitaju.",
        url: "https://learn.example.org/first-steps",
        provider: "Nordic Games Studio Zagreb",
        minutes: 30,
        follow_on: true,
        print: "",
        languages: "hr en sr-Cyrl",
        facets: "age=4-6;grade=pre,k,1;student_experience=beginner;teacher_experience=none;format=tutorial;programming=blocks;equipment=tablets;accessibility=no_reading,low_motor;subject=computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Simulacija ekosustava",
                "Zečevi, lisice i trava: učenici programiraju pravila i gledaju kako se populacije mijenjaju.",
            ),
            (
                "en",
                "Ecosystem simulation",
                "Rabbits, foxes and grass: students program the rules and watch the populations change.",
            ),
        ],
        description: "Pokazuje kako znanstvenici koriste modele. Nastavak: grafički prikaz rezultata.",
        url: "https://learn.example.org/ecosystem",
        provider: "Institut Ruđer Bošković",
        minutes: 90,
        follow_on: true,
        print: "",
        languages: "hr en",
        facets: "age=11-13,14-18;grade=6,7,8,9;student_experience=comfortable;teacher_experience=some;format=tutorial;programming=blocks;equipment=computers;subject=science,computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Kviz o tvojem gradu",
                "Učenici izrađuju kviz s pitanjima o povijesti i znamenitostima svojeg mjesta.",
            ),
            (
                "en",
                "A quiz about your town",
                "Students build a quiz about the history and landmarks of their own town.",
            ),
            (
                "it",
                "Un quiz sulla tua città",
                "Gli studenti creano un quiz sulla storia e sui luoghi della propria città.",
            ),
        ],
        description: "Varijable broje bodove, a uvjeti provjeravaju odgovore. Kvizove razredi mogu razmijeniti.",
        url: "https://learn.example.org/town-quiz",
        provider: "Mreža školskih knjižnica",
        minutes: 60,
        follow_on: false,
        print: "",
        languages: "hr en it",
        facets: "age=11-13;grade=5,6,7,8;student_experience=beginner;teacher_experience=none;format=tutorial;programming=blocks;equipment=computers,tablets;subject=social_studies,computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Python u pregledniku: prvi sat",
                "Prvi program u Pythonu bez instalacije: ispis, varijable i mala igra pogađanja.",
            ),
            (
                "en",
                "Python in the browser: your first hour",
                "A first Python program with nothing to install: printing, variables and a small guessing game.",
            ),
            (
                "ru",
                "Python в браузере: первый час",
                "Первая программа на Python без установки: вывод, переменные и маленькая игра-угадайка.",
            ),
            (
                "uk",
                "Python у браузері: перша година",
                "Перша програма на Python без встановлення: виведення, змінні й маленька гра-вгадайка.",
            ),
            (
                "fr",
                "Python dans le navigateur : la première heure",
                "Un premier programme en Python sans rien installer : affichage, variables et petit jeu.",
            ),
        ],
        description: "Radi s čitačem zaslona i samo tipkovnicom. Nastavak je niz od pet lekcija.",
        url: "https://learn.example.org/python-first-hour",
        provider: "Fakultet elektrotehnike i računarstva, Sveučilište u Zagrebu",
        minutes: 60,
        follow_on: true,
        print: "",
        languages: "hr en ru uk fr",
        facets: "age=14-18,adults;grade=8,9,10,11,12;student_experience=beginner;teacher_experience=none;format=tutorial;programming=text;equipment=computers;accessibility=screen_reader,keyboard_only;subject=computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Web stranica od nule",
                "HTML i CSS korak po korak: učenici izrađuju stranicu o sebi ili svojem hobiju.",
            ),
            (
                "en",
                "A web page from scratch",
                "HTML and CSS step by step: students make a page about themselves or a hobby.",
            ),
            (
                "sr-Latn",
                "Veb stranica od nule",
                "HTML i CSS korak po korak: učenici prave stranicu o sebi ili svom hobiju.",
            ),
        ],
        description: "Uz svaki korak je pregled uživo. Na kraju stranica se može preuzeti kao datoteka.",
        url: "https://learn.example.org/web-page",
        provider: "Adriatic Code d.o.o.",
        minutes: 90,
        follow_on: true,
        print: "",
        languages: "hr en sr-Latn",
        facets: "age=14-18;grade=8,9,10,11;student_experience=beginner;teacher_experience=none;format=tutorial;programming=text;equipment=computers;accessibility=keyboard_only;subject=computer_science,art",
    },
    Entry {
        texts: &[
            (
                "en",
                "JavaScript guessing game",
                "Students write a number-guessing game in JavaScript and make it give hints.",
            ),
            (
                "hr",
                "Igra pogađanja u JavaScriptu",
                "Učenici pišu igru pogađanja brojeva u JavaScriptu koja daje savjete.",
            ),
        ],
        description: "For students who have written some code before: loops, conditions and random numbers.",
        url: "https://learn.example.org/js-guessing",
        provider: "Velebit Soft d.o.o.",
        minutes: 60,
        follow_on: false,
        print: "",
        languages: "en hr",
        facets: "age=14-18;grade=9,10,11,12;student_experience=comfortable;teacher_experience=some;format=tutorial;programming=text;equipment=computers;subject=computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Podaci o vremenu u Pythonu",
                "Učenici crtaju grafove temperature i oborina iz stvarnih mjerenja i traže pravilnosti.",
            ),
            (
                "en",
                "Weather data with Python",
                "Students chart real temperature and rainfall measurements and look for patterns.",
            ),
        ],
        description: "Skup podataka obuhvaća deset hrvatskih gradova kroz trideset godina.",
        url: "https://learn.example.org/weather-data",
        provider: "Institut Ruđer Bošković",
        minutes: 90,
        follow_on: true,
        print: "",
        languages: "hr en",
        facets: "age=14-18;grade=10,11,12;student_experience=comfortable;teacher_experience=some;format=lesson_plan;programming=text;equipment=computers;subject=science,maths,computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Nauči računalo razlikovati",
                "Učenici slikama treniraju model koji razlikuje voće od povrća i vide gdje griješi.",
            ),
            (
                "en",
                "Teach a computer to tell apart",
                "Students train a model on pictures to tell fruit from vegetables, and see where it goes wrong.",
            ),
            (
                "fr",
                "Apprendre à l’ordinateur à distinguer",
                "Les élèves entraînent un modèle avec des images et voient où il se trompe.",
            ),
            (
                "ru",
                "Научи компьютер различать",
                "Ученики обучают модель на картинках отличать фрукты от овощей и видят, где она ошибается.",
            ),
            ("ar", "علّم الحاسوب أن يميّز", "يدرّب الطلاب نموذجًا بالصور ليميّز الفواكه من الخضروات ويرون أين يخطئ."),
        ],
        description: "Uvod u umjetnu inteligenciju i pristranost podataka, bez programiranja.",
        url: "https://learn.example.org/teach-a-computer",
        provider: "Zaklada za razvoj digitalnih vještina",
        minutes: 45,
        follow_on: false,
        print: "",
        languages: "hr en fr ru ar",
        facets: "age=11-13,14-18;grade=6,7,8,9,10;student_experience=beginner;teacher_experience=none;format=tutorial;programming=none;equipment=computers,tablets;subject=computer_science,science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Generativna umjetnost u Pythonu",
                "Nekoliko redaka koda i slučajni brojevi stvaraju slike koje nitko prije nije vidio.",
            ),
            (
                "en",
                "Generative art in Python",
                "A few lines of code and random numbers make pictures nobody has seen before.",
            ),
        ],
        description: "Učenici mijenjaju boje, oblike i ponavljanja te izlažu radove na kraju sata.",
        url: "https://learn.example.org/generative-art",
        provider: "Kvarner Digital d.o.o.",
        minutes: 60,
        follow_on: false,
        print: "",
        languages: "hr en",
        facets: "age=14-18;grade=9,10,11,12;student_experience=beginner;teacher_experience=some;format=tutorial;programming=text;equipment=computers;subject=art,computer_science",
    },
    Entry {
        texts: &[
            (
                "en",
                "The command line for beginners",
                "Folders, files and a first script: the text interface every programmer uses.",
            ),
            (
                "hr",
                "Naredbeni redak za početnike",
                "Mape, datoteke i prva skripta: tekstno sučelje kojim se služi svaki programer.",
            ),
            (
                "ru",
                "Командная строка для начинающих",
                "Папки, файлы и первый скрипт: текстовый интерфейс, которым пользуется каждый программист.",
            ),
        ],
        description: "Runs in the browser in a safe sandbox; fully usable with a keyboard and a screen reader.",
        url: "https://learn.example.org/command-line",
        provider: "Sava Cloud d.o.o.",
        minutes: 45,
        follow_on: false,
        print: "",
        languages: "en hr ru",
        facets: "age=14-18,adults;grade=10,11,12;student_experience=beginner;teacher_experience=some;format=tutorial;programming=text;equipment=computers;accessibility=screen_reader,keyboard_only;subject=computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Chatbot u 60 minuta",
                "Učenici pišu jednostavnog sugovornika koji prepoznaje ključne riječi i odgovara.",
            ),
            ("en", "A chatbot in 60 minutes", "Students write a simple chatbot that spots key words and answers."),
            (
                "sr-Cyrl",
                "Четбот за 60 минута",
                "Ученици пишу једноставног саговорника који препознаје кључне речи и одговара.",
            ),
        ],
        description: "Razgovor o tome što programi razumiju, a što samo oponašaju.",
        url: "https://learn.example.org/chatbot",
        provider: "Panonija Data d.o.o.",
        minutes: 60,
        follow_on: false,
        print: "",
        languages: "hr en sr-Cyrl",
        facets: "age=14-18;grade=9,10,11,12;student_experience=beginner;teacher_experience=none;format=tutorial;programming=text;equipment=computers;subject=language_arts,computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Robot koji prati liniju",
                "Učenici programiraju mali robot da senzorom prati crnu liniju na podlozi.",
            ),
            ("en", "A line-following robot", "Students program a small robot to follow a black line with its sensor."),
        ],
        description: "Jedan robot na tri učenika. Tvrtka posuđuje komplete školama tijekom tjedna kampanje.",
        url: "https://robotics.example.org/line-follower",
        provider: "Tesla Robotics Hrvatska",
        minutes: 90,
        follow_on: true,
        print: "",
        languages: "hr en",
        facets: "age=11-13,14-18;grade=6,7,8,9;student_experience=beginner;teacher_experience=some;format=robotics;programming=blocks;equipment=computers;subject=computer_science,science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Mikrokontroler: semafor",
                "Tri svjetleće diode i nekoliko redaka koda: učenici izrađuju semafor koji radi.",
            ),
            (
                "en",
                "Microcontroller traffic light",
                "Three LEDs and a few lines of code: students build a working traffic light.",
            ),
            (
                "sl",
                "Mikrokrmilnik: semafor",
                "Tri svetleče diode in nekaj vrstic kode: učenci izdelajo delujoč semafor.",
            ),
        ],
        description: "Bez lemljenja, na eksperimentalnoj pločici. Nastavak: semafor s tipkom za pješake.",
        url: "https://robotics.example.org/traffic-light",
        provider: "Tesla Robotics Hrvatska",
        minutes: 60,
        follow_on: true,
        print: "",
        languages: "hr en sl",
        facets: "age=11-13,14-18;grade=6,7,8,9,10;student_experience=beginner;teacher_experience=some;format=robotics;programming=blocks,text;equipment=computers;subject=computer_science,science",
    },
    Entry {
        texts: &[
            ("hr", "Pametna biljka", "Senzor vlage javlja kad biljku treba zaliti: prvi korak prema internetu stvari."),
            (
                "en",
                "Smart plant",
                "A moisture sensor tells when the plant needs water: a first step into the internet of things.",
            ),
            ("it", "La pianta intelligente", "Un sensore di umidità segnala quando la pianta ha bisogno d’acqua."),
        ],
        description: "Učenici mjere, uspoređuju i odlučuju o pragu za upozorenje.",
        url: "https://robotics.example.org/smart-plant",
        provider: "Drava Labs d.o.o.",
        minutes: 90,
        follow_on: true,
        print: "",
        languages: "hr en it",
        facets: "age=14-18;grade=9,10,11,12;student_experience=comfortable;teacher_experience=some;format=robotics;programming=text;equipment=computers;subject=science,computer_science",
    },
    Entry {
        texts: &[
            ("hr", "Robot-pčelica za najmlađe", "Djeca gumbima na leđima robota zadaju korake i vode ga do cvijeta."),
            (
                "en",
                "Floor robot bee for little ones",
                "Children press the buttons on the robot's back to plan its steps to the flower.",
            ),
            (
                "hu",
                "Padlórobot méhecske a legkisebbeknek",
                "A gyerekek a robot hátán lévő gombokkal tervezik meg a lépéseit a virágig.",
            ),
        ],
        description: "Bez zaslona i bez čitanja. Jedan robot na skupinu od četvero djece.",
        url: "https://robotics.example.org/floor-bee",
        provider: "Tesla Robotics Hrvatska",
        minutes: 30,
        follow_on: false,
        print: "",
        languages: "hr en hu",
        facets: "age=4-6,7-10;grade=pre,k,1,2;student_experience=beginner;teacher_experience=none;format=robotics;programming=none;equipment=no_computers;accessibility=no_reading;subject=computer_science,maths",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Svjetleća zvijezda na džepnom računalu",
                "Učenici programiraju džepno računalo s lampicama da svijetli u uzorcima.",
            ),
            (
                "en",
                "A glowing star on a pocket computer",
                "Students program a pocket computer with lights to glow in patterns.",
            ),
            (
                "sr-Latn",
                "Svetleća zvezda na džepnom računaru",
                "Učenici programiraju džepni računar sa lampicama da svetli u šarama.",
            ),
        ],
        description: "Program se slaže blokovima u pregledniku i prebacuje kabelom.",
        url: "https://robotics.example.org/glowing-star",
        provider: "Udruga Mladi informatičari Osijek",
        minutes: 45,
        follow_on: false,
        print: "",
        languages: "hr en sr-Latn",
        facets: "age=7-10,11-13;grade=3,4,5,6;student_experience=beginner;teacher_experience=none;format=robotics;programming=blocks;equipment=computers;subject=art,computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Jake lozinke",
                "Sat o sigurnosti na internetu: učenici smišljaju lozinke koje se lako pamte, a teško pogađaju.",
            ),
            (
                "en",
                "Strong passwords",
                "A lesson on online safety: students invent passwords that are easy to remember and hard to guess.",
            ),
            (
                "fr",
                "Des mots de passe solides",
                "Une leçon de sécurité en ligne : inventer des mots de passe faciles à retenir et difficiles à deviner.",
            ),
            (
                "uk",
                "Надійні паролі",
                "Урок безпеки в інтернеті: учні вигадують паролі, які легко запам’ятати й важко вгадати.",
            ),
            ("ar", "كلمات مرور قوية", "درس في الأمان على الإنترنت: يبتكر الطلاب كلمات مرور يسهل تذكّرها ويصعب تخمينها."),
        ],
        description: "Priprema za sat s radnim listom; računala nisu potrebna.",
        url: "https://lessons.example.org/strong-passwords",
        provider: "Udruga Suradnici u učenju",
        minutes: 45,
        follow_on: false,
        print: "One password-strength worksheet",
        languages: "hr en fr uk ar",
        facets: "age=11-13,14-18;grade=5,6,7,8,9;student_experience=beginner;teacher_experience=none;format=lesson_plan;programming=none;equipment=no_computers,offline;subject=social_studies,computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Algoritmi u kuhinji",
                "Recept je algoritam: učenici zapisuju korake za sendvič, a učitelj ih izvršava doslovno.",
            ),
            (
                "en",
                "Algorithms in the kitchen",
                "A recipe is an algorithm: students write steps for a sandwich and the teacher follows them to the letter.",
            ),
            (
                "it",
                "Algoritmi in cucina",
                "Una ricetta è un algoritmo: gli studenti scrivono i passi di un panino e l’insegnante li esegue alla lettera.",
            ),
        ],
        description: "Smijeh je zajamčen kad učitelj namaže kruh s krive strane. Priprema za sat s pitanjima za raspravu.",
        url: "https://lessons.example.org/kitchen-algorithms",
        provider: "Hrvatska udruga nastavnika informatike",
        minutes: 40,
        follow_on: false,
        print: "One recipe-steps worksheet",
        languages: "hr en it",
        facets: "age=7-10;grade=1,2,3,4;student_experience=beginner;teacher_experience=none;format=lesson_plan,unplugged;programming=none;equipment=no_computers,offline;subject=computer_science,language_arts",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Uzorci i petlje na satu matematike",
                "Priprema za sat: uzorci u nizovima brojeva pa isti uzorci u kratkom vodiču s blokovima.",
            ),
            (
                "en",
                "Patterns and loops in maths class",
                "A lesson plan: patterns in number sequences, then the same patterns in a short block tutorial.",
            ),
            (
                "sr-Cyrl",
                "Обрасци и петље на часу математике",
                "Припрема за час: обрасци у низовима бројева, па исти обрасци у кратком водичу са блоковима.",
            ),
        ],
        description: "Prva polovica sata na papiru, druga na računalima ili tabletima.",
        url: "https://lessons.example.org/patterns-loops",
        provider: "Hrvatsko društvo učitelja matematike",
        minutes: 45,
        follow_on: true,
        print: "One sequences worksheet",
        languages: "hr en sr-Cyrl",
        facets: "age=7-10;grade=3,4;student_experience=beginner;teacher_experience=none;format=lesson_plan;programming=blocks;equipment=computers,tablets;subject=maths,computer_science",
    },
    Entry {
        texts: &[
            ("hr", "Simetrija kodom", "Učenici blokovima zrcale crteže i otkrivaju osnu i središnju simetriju."),
            (
                "en",
                "Symmetry art with code",
                "Students mirror drawings with blocks and discover reflection and rotation symmetry.",
            ),
            (
                "ru",
                "Симметрия в коде",
                "Ученики отражают рисунки с помощью блоков и открывают осевую и центральную симметрию.",
            ),
        ],
        description: "Radovi se mogu ispisati i izložiti u učionici.",
        url: "https://learn.example.org/symmetry",
        provider: "Hrvatsko društvo učitelja matematike",
        minutes: 45,
        follow_on: false,
        print: "",
        languages: "hr en ru",
        facets: "age=11-13;grade=5,6,7;student_experience=beginner;teacher_experience=none;format=tutorial;programming=blocks;equipment=computers,tablets;subject=maths,art",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Sat kodiranja za roditelje i učitelje",
                "Prvi sat programiranja za odrasle koji žele razumjeti što djeca uče.",
            ),
            (
                "en",
                "An hour of coding for parents and teachers",
                "A first hour of programming for adults who want to understand what children learn.",
            ),
            (
                "sr-Cyrl",
                "Час кодирања за родитеље и наставнике",
                "Први час програмирања за одрасле који желе да разумеју шта деца уче.",
            ),
            (
                "it",
                "Un’ora di programmazione per genitori e insegnanti",
                "Una prima ora di programmazione per adulti che vogliono capire cosa imparano i figli.",
            ),
        ],
        description: "Idealno za roditeljski sastanak ili stručni aktiv. Ne traži nikakvo predznanje.",
        url: "https://learn.example.org/adults-first-hour",
        provider: "Agencija za odgoj i obrazovanje",
        minutes: 60,
        follow_on: true,
        print: "",
        languages: "hr en sr-Cyrl it",
        facets: "age=adults;student_experience=beginner;teacher_experience=none;format=tutorial;programming=blocks;equipment=computers,tablets;subject=computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Formule kao programi",
                "U proračunskoj tablici učenici grade kalkulator džeparca i otkrivaju da su formule mali programi.",
            ),
            (
                "en",
                "Spreadsheet formulas as programs",
                "In a spreadsheet, students build a pocket-money calculator and find that formulas are small programs.",
            ),
        ],
        description: "Radi u bilo kojem programu za proračunske tablice, i izvan mreže.",
        url: "https://lessons.example.org/spreadsheet-formulas",
        provider: "Jadran Data d.o.o.",
        minutes: 45,
        follow_on: false,
        print: "",
        languages: "hr en",
        facets: "age=14-18,adults;grade=8,9,10,11;student_experience=beginner;teacher_experience=none;format=lesson_plan;programming=text;equipment=computers,offline;accessibility=keyboard_only;subject=maths,computer_science",
    },
    Entry {
        texts: &[
            (
                "hr",
                "Igra zvukom umjesto slikom",
                "Učenici izrađuju igru koja se igra sluhom, pa je mogu igrati i slijepi prijatelji.",
            ),
            (
                "en",
                "An accessible game: sound instead of pictures",
                "Students build a game played by ear, so that blind friends can play it too.",
            ),
        ],
        description: "Vodič radi s čitačem zaslona i samo tipkovnicom; razgovor o pristupačnosti uključen je u sat.",
        url: "https://learn.example.org/sound-game",
        provider: "Zaklada za razvoj digitalnih vještina",
        minutes: 60,
        follow_on: false,
        print: "",
        languages: "hr en",
        facets: "age=11-13,14-18;grade=6,7,8,9;student_experience=beginner;teacher_experience=none;format=tutorial;programming=blocks;equipment=computers;accessibility=screen_reader,keyboard_only;subject=computer_science,social_studies",
    },
    Entry {
        texts: &[
            ("hr", "Svemirski labirint", "Vodi raketu kroz asteroide slažući blokove naredbi."),
            ("en", "Space maze", "Steer a rocket through the asteroids by snapping command blocks together."),
        ],
        description: "Samostalni vodič s petnaest razina.",
        url: "https://games.example.com/space-maze",
        provider: "Orbit Games",
        minutes: 30,
        follow_on: false,
        print: "",
        languages: "hr en",
        facets: "age=7-10;grade=2,3,4;student_experience=beginner;teacher_experience=none;format=tutorial;programming=blocks;equipment=computers,tablets;subject=computer_science",
    },
];

/// Why the last activity of the catalogue is hidden.
const HIDDEN_BECAUSE: &str = "Since 1 December its page asks for a paid account (a teacher from Split reported it).";

/// Proposals waiting for review: the entry, who sent it, and the partner whose link it came through.
fn proposals() -> [(Entry, &'static str, &'static str, &'static str, Option<&'static str>); 3] {
    [
        (
            Entry {
                texts: &[(
                    "hr",
                    "Kocke i petlje: gradimo dvorac",
                    "U igri s kockama učenici petljama grade zidine i kule dvorca.",
                )],
                description: "Radionica koju vodimo u našem klubu subotom; prikladna i za školski sat.",
                url: "https://coderdojo-split.example.org/castle",
                provider: "CoderDojo Split",
                minutes: 60,
                follow_on: false,
                print: "",
                languages: "hr",
                facets: "age=7-10,11-13;format=tutorial;programming=blocks;equipment=computers;student_experience=beginner",
            },
            "Luka Perić",
            "luka.peric@coderdojo-split.example.org",
            "hr",
            Some("CoderDojo Split"),
        ),
        (
            Entry {
                texts: &[
                    (
                        "sr-Cyrl",
                        "Поруке Морзеовом азбуком",
                        "Ученици шаљу поруке лампом и звиждаљком и уче како се информација кодира.",
                    ),
                    (
                        "en",
                        "Messages in Morse code",
                        "Students send messages with a torch and a whistle and learn how information is encoded.",
                    ),
                ],
                description: "Активност за двориште или фискултурну салу.",
                url: "https://morse.example.net/lesson",
                provider: "Радио-клуб Нови Сад",
                minutes: 40,
                follow_on: false,
                print: "One Morse code table",
                languages: "sr-Cyrl en",
                facets: UNPLUGGED,
            },
            "Милица Петровић",
            "milica.petrovic@example.net",
            "en",
            None,
        ),
        (
            Entry {
                texts: &[(
                    "fr",
                    "Coder un flocon de neige",
                    "Les élèves dessinent un flocon avec des boucles imbriquées et des angles.",
                )],
                description: "Une activité d’hiver pour la semaine de la campagne, en classe ou en ligne.",
                url: "https://atelier.example.fr/flocon",
                provider: "Atelier du code",
                minutes: 45,
                follow_on: true,
                print: "",
                languages: "fr en",
                facets: "age=11-13;format=tutorial;programming=blocks;equipment=computers,tablets;subject=maths,art",
            },
            "Camille Martin",
            "camille.martin@example.fr",
            "fr",
            None,
        ),
    ]
}

/// The Zagreb member campaign's own activity.
const ZAGREB_OWN: Entry = Entry {
    texts: &[(
        "hr",
        "Šetnja algoritmima kroz Gornji grad",
        "Učenici slijede upute zapisane kao algoritam i otkrivaju zagrebačke znamenitosti.",
    )],
    description: "Kartice s uputama vode skupinu od Kamenitih vrata do Lotrščaka; na svakoj postaji skupina ispravlja grešku u algoritmu.",
    url: "https://zagreb.example.org/algoritamska-setnja",
    provider: "CoderDojo Zagreb",
    minutes: 90,
    follow_on: false,
    print: "One set of route cards per group",
    languages: "hr",
    facets: "age=7-10,11-13;subject=computer_science,social_studies;format=unplugged;programming=none;equipment=no_computers,offline;teacher_experience=none",
};

/// The entry as the API's draft; `partners` names the demo's partners for the provider.
fn draft(entry: &Entry, partners: &BTreeMap<String, PartnerId>) -> ActivityDraft {
    let texts = entry
        .texts
        .iter()
        .enumerate()
        .map(|(i, (language, title, summary))| ActivityTextDraft {
            language: Some((*language).into()),
            title: Some((*title).into()),
            summary: Some((*summary).into()),
            description: Some(if i == 0 { entry.description.into() } else { String::new() }),
        })
        .collect();
    let mut facets: BTreeMap<Facet, Vec<String>> = BTreeMap::new();
    for part in entry.facets.split(';').filter(|p| !p.is_empty()) {
        let (name, values) = part.split_once('=').unwrap_or((part, ""));
        if let Ok(facet) = Facet::parse(name) {
            facets.entry(facet).or_default().extend(values.split(',').map(str::to_owned));
        }
    }
    ActivityDraft {
        texts: Some(texts),
        url: Some(entry.url.into()),
        provider: Some(partners.get(entry.provider).copied()),
        provider_name: Some(entry.provider.into()),
        duration_minutes: Some(entry.minutes),
        has_follow_on: Some(entry.follow_on),
        print_per_student: Some(entry.print.into()),
        languages: Some(entry.languages.split(' ').map(str::to_owned).collect()),
        facets: Some(facets),
        ..ActivityDraft::default()
    }
}

/// Fills the national campaign's catalogue and the Zagreb campaign's choices (before the demo's events,
/// which choose from the catalogue).
pub(super) async fn activities(store: &dyn Store, national: &Campaign, member: &Campaign) -> anyhow::Result<()> {
    let now = Utc::now();
    let filter = PartnerFilter { limit: rally_store::MAX_PAGE, ..Default::default() };
    let partners: BTreeMap<String, PartnerId> = store
        .partners(Actor::System, national.id, &filter)
        .await?
        .items
        .into_iter()
        .map(|p| (p.fields.name, p.id))
        .collect();
    let mut listed = Vec::new();
    for (i, entry) in CATALOGUE.iter().enumerate() {
        let fields = draft(entry, &partners).validate().with_context(|| format!("demo activity {i}"))?;
        let activity = store.create_activity(Actor::System, national.id, fields, now).await?;
        if i + 1 == CATALOGUE.len() {
            store.set_activity_hidden(Actor::System, activity.id, true, HIDDEN_BECAUSE, now).await?;
        } else {
            listed.push(activity.id);
        }
    }
    for (entry, name, email, locale, partner) in proposals() {
        let fields = draft(&entry, &partners).validate().with_context(|| format!("demo proposal by {name}"))?;
        let submitter = Submitter {
            partner: partner.and_then(|p| partners.get(p).copied()),
            name: name.into(),
            email: email.into(),
            locale: locale.into(),
        };
        store.submit_activity(national.id, fields, submitter, now).await?;
    }
    // Zagreb's primary schools find the JavaScript game too advanced; they add a walk of their own.
    if let Some(advanced) = listed.get(22) {
        store.hide_umbrella_activity(Actor::System, member.id, *advanced, true).await?;
    }
    let fields = draft(&ZAGREB_OWN, &BTreeMap::new()).validate().context("the Zagreb campaign's activity")?;
    store.create_activity(Actor::System, member.id, fields, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_activity_is_valid() {
        let none = BTreeMap::new();
        let all = CATALOGUE.iter().chain(std::iter::once(&ZAGREB_OWN));
        for (i, entry) in all.enumerate() {
            let fields = draft(entry, &none).validate().unwrap_or_else(|e| panic!("activity {i}: {e}"));
            assert!(!fields.facets.is_empty(), "activity {i} has no facets");
        }
        for (entry, name, ..) in proposals() {
            draft(&entry, &none).validate().unwrap_or_else(|e| panic!("proposal by {name}: {e}"));
        }
        assert!((38..=45).contains(&CATALOGUE.len()), "{}", CATALOGUE.len());
        let unplugged = CATALOGUE.iter().filter(|e| e.facets.contains("unplugged")).count();
        assert!(unplugged >= 8, "{unplugged}");
        assert_eq!(CATALOGUE[22].texts[0].1, "JavaScript guessing game");
    }
}
