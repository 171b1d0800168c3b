// The public campaign site in Chromium, as the issue's story goes: a visitor registers an event in
// Croatian, confirms it from the e-mail that arrived at the SMTP server, a moderator approves it, the
// counter and the map move, the organizer reports 25 students and downloads a certificate made out to a
// Cyrillic name, which poppler reads back exactly.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, mkdtemp } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { base, launch, owner, signIn, slug } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const sink = process.env.RALLY_SINK_DIR;

// The text part of a received message, its transfer encoding undone.
function textOf(message) {
  const [head, ...rest] = message.split(/\r?\n\r?\n/);
  const body = rest.join("\n\n");
  const parts = /multipart/i.test(head) ? body.split(/\r?\n--[^\r\n]+/) : [`${head}\n\n${body}`];
  for (const part of parts) {
    const [h, ...b] = part.replace(/^\r?\n/, "").split(/\r?\n\r?\n/);
    if (!/text\/plain/i.test(h) && /multipart/i.test(head)) continue;
    const raw = b.join("\n\n");
    if (/content-transfer-encoding:\s*base64/i.test(h)) return Buffer.from(raw.replace(/\s+/g, ""), "base64").toString("utf8");
    if (/content-transfer-encoding:\s*quoted-printable/i.test(h)) {
      const bytes = raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, x) => String.fromCharCode(parseInt(x, 16)));
      return Buffer.from(bytes, "latin1").toString("utf8");
    }
    return raw;
  }
  return message;
}

async function received(to, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of await readdir(sink)) {
      const text = await readFile(`${sink}/${f}`, "utf8");
      if (text.includes(to)) return text;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no e-mail to ${to} arrived at the SMTP server`);
}

async function stats() {
  const r = await fetch(`${base}/api/v1/public/campaigns/${slug}/stats`);
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
  return r.json();
}

// Today in Zagreb, as the date field takes it.
function today() {
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Zagreb", year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(new Date()).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

const digits = (s) => Number(s.replace(/\D/g, ""));

test("register in Croatian, confirm by e-mail, approve, report, certificate for a Cyrillic name", async () => {
  const email = `e2e.${Date.now()}@skola.example.org`;
  const title = `Sat kodiranja e2e ${Date.now()}`;
  const visitor = await browser.newContext({ locale: "hr-HR", viewport: { width: 1280, height: 900 } });
  const page = await visitor.newPage();
  await page.goto(`${base}/c/${slug}/register`);
  assert.equal(await page.getAttribute("html", "lang"), "hr");
  await page.getByRole("heading", { level: 1 }).waitFor();
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Prijava događaja");

  // A mistake first: every error next to its field, in Croatian, the input kept.
  await page.locator("#f-organizer_name").fill("Marija Šimić");
  await page.locator("#f-organizer_email").fill("nije-adresa");
  await page.locator("#f-students").fill("-4");
  await page.getByRole("button", { name: "Prijavite događaj" }).click();
  assert.match(await page.locator("#e-organizer_email").textContent(), /adres/i);
  assert.ok(await page.locator("#e-students").isVisible());
  assert.ok(await page.locator("#e-consent").isVisible());
  assert.equal(await page.locator("#f-organizer_name").inputValue(), "Marija Šimić");

  const before = await stats();
  await page.locator("#f-organizer_email").fill(email);
  await page.locator("#f-organization").fill("OŠ Vladimir Nazor");
  await page.locator("#f-title").fill(title);
  await page.locator("#f-event_type").selectOption("in_school");
  await page.locator("#f-starts_on").fill(today());
  await page.locator("#f-students").fill("30");
  await page.locator("#f-ages").fill("10–12");
  await page.locator("#f-country").selectOption("HR");
  await page.locator("#f-city").fill("Rijeka");
  await page.locator("#f-description").fill("Učenici rješavaju zagonetke.");
  await page.locator("#f-consent").check();
  await page.getByRole("button", { name: "Prijavite događaj" }).click();
  await page.getByRole("heading", { name: "Provjerite e-poštu" }).waitFor();
  assert.match(await page.locator("main").textContent(), new RegExp(email.replace(/\./g, "\\.")));

  // The confirmation e-mail, in Croatian, with the organizer's link.
  const message = await received(email);
  const text = textOf(message);
  assert.match(text, /Poštovani|Pozdrav|Dobar dan|Zdravo/);
  const link = text.match(/https?:\/\/\S+\/c\/[^\s/]+\/e\/[0-9]+\.[0-9]+\.[0-9a-f]+/)?.[0];
  assert.ok(link, text);
  await page.goto(link);
  await page.getByRole("button", { name: "Potvrdite moj događaj" }).click();
  await page.waitForURL(/done=confirmed/);
  assert.equal(await page.locator("[data-status]").getAttribute("data-status"), "pending");
  assert.equal((await stats()).students, before.students, "not counted before approval");

  // The moderator approves it.
  const { context: team, page: mod } = await signIn(browser, owner, { viewport: { width: 1440, height: 900 } });
  await mod.getByRole("link", { name: "Events", exact: true }).click();
  await mod.getByLabel(`Select ${title}`).check();
  await mod.getByRole("button", { name: "Approve selected" }).click();
  await mod.waitForLoadState();
  assert.match(mod.url(), /done=approve/, await mod.locator("main").textContent());
  await team.close();

  // The counter and the map moved.
  const after = await stats();
  assert.equal(after.students, before.students + 30);
  assert.equal(after.events, before.events + 1);
  await page.goto(`${base}/c/${slug}/`);
  assert.equal(digits(await page.locator("[data-counter=students]").textContent()), before.students + 30);
  await page.goto(`${base}/c/${slug}/map?country=HR`);
  const hr = before.by_country.find((c) => c.country === "HR");
  const line = await page.locator(`.country-list a[href$="country=HR"]`).textContent();
  assert.ok(line.includes(String(hr.events + 1)), line);
  assert.ok(await page.locator("figure.map svg circle").count() > 0);
  await page.goto(`${base}/c/${slug}/events?q=${encodeURIComponent(title)}`);
  await page.getByRole("heading", { name: title }).waitFor();

  // After the event: 25 students, then a certificate for Анна Петрова.
  await page.goto(link);
  await page.locator("#f-students_actual").fill("25");
  await page.getByRole("button", { name: "Pošaljite" }).click();
  await page.waitForURL(/done=reported/);
  assert.equal((await stats()).students, before.students + 25);
  await page.locator("#f-cert-name").fill("Анна Петрова");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: /potvrdu/i }).click()]);
  const file = `${await mkdtemp(`${tmpdir()}/rally-cert-`)}/certificate.pdf`;
  await download.saveAs(file);
  const pdf = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" });
  assert.ok(pdf.includes("Анна Петрова"), pdf);
  assert.ok(pdf.includes("25"), pdf);
  const fonts = execFileSync("pdffonts", [file], { encoding: "utf8" });
  assert.match(fonts, /DejaVuSans/);
  assert.doesNotMatch(fonts.split("\n").slice(2).join("\n"), / no  /, "every font is embedded");
  await visitor.close();
});
