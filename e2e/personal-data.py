#!/usr/bin/env python3
"""Fails when the demo server's log (its stderr at the default level) holds personal data.

After the browser tests, run.sh gives this the log, the demo's database, the directory where the
SMTP sink kept every e-mail, and the e2e folder. A log line is reported when it holds:

- an e-mail address (any; the ones the demo seeded and the tests typed are among them),
- the name of a user, contact or event organizer in the database,
- a secret link's token: any that the database or the mailed e-mails hold (unsubscribe, organizer,
  invitation, password and address links), or a token path such as `/p/<64 hex digits>` at all.

Usage: personal-data.py LOG DATABASE SINK_DIR E2E_DIR
"""

import email
import email.policy
import pathlib
import re
import sqlite3
import sys

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Paths that carry a secret after their prefix (the route templates say `{token}` there instead).
TOKEN_PATH = re.compile(
    r"/(?:u|p|reset|invitation|confirm-address|calendar)/([^\s/?#\"'<>{}]{16,})|/c/[^\s/]+/e/([^\s/?#\"'<>{}]+)"
)
# Names this short could be part of other words; the demo's and the tests' are longer.
SHORTEST_NAME = 5


def texts_in_database(db):
    """Every text value of every table."""
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
        for column in columns:
            for (value,) in db.execute(f'SELECT "{column}" FROM "{table}" WHERE typeof("{column}") = \'text\''):
                yield value


def names_in_database(db):
    queries = ["SELECT name FROM users", "SELECT name FROM contacts", "SELECT organizer_name FROM events",
               "SELECT to_name FROM outbox"]
    for query in queries:
        for (name,) in db.execute(query):
            if name and len(name.strip()) >= SHORTEST_NAME:
                yield name.strip()


def mailed_texts(sink):
    """The headers and text of every e-mail the sink kept."""
    for path in sorted(pathlib.Path(sink).iterdir()):
        if not path.is_file():
            continue
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        yield "\n".join(f"{k}: {v}" for k, v in message.items())
        for part in message.walk():
            if part.get_content_maintype() == "text":
                yield part.get_content()


def main(log, database, sink, e2e):
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    sources = list(texts_in_database(db)) + list(mailed_texts(sink))
    sources += [p.read_text() for p in [pathlib.Path(e2e, "lib.mjs"), *sorted(pathlib.Path(e2e, "tests").glob("*.mjs"))]]
    addresses = {a.lower() for text in sources for a in EMAIL.findall(text)}
    tokens = {t for text in sources for pair in TOKEN_PATH.findall(text) for t in pair if len(t) >= 16}
    names = set(names_in_database(db))
    print(f"personal-data: {len(addresses)} addresses, {len(names)} names and {len(tokens)} link tokens looked for",
          file=sys.stderr)

    found = []
    for number, line in enumerate(pathlib.Path(log).read_text(errors="replace").splitlines(), 1):
        lowered = line.lower()
        why = [f"address {a.lower()}" for a in EMAIL.findall(line)]
        why += [f"address {a}" for a in addresses if a in lowered]
        why += [f"name {n}" for n in names if n in line and re.search(rf"(?<!\w){re.escape(n)}(?!\w)", line)]
        why += [f"token {t[:8]}…" for t in tokens if t in line]
        why += [f"token path {m.group(0)[:24]}…" for m in TOKEN_PATH.finditer(line)]
        if why:
            found.append(f"{log}:{number}: {', '.join(sorted(set(why)))}\n    {line[:300]}")
    if found:
        print(f"personal-data: the server's log holds personal data on {len(found)} lines:", file=sys.stderr)
        print("\n".join(found[:50]), file=sys.stderr)
        return 1
    lines = sum(1 for _ in open(log, errors="replace"))
    print(f"personal-data: none in the server's {lines} log lines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
