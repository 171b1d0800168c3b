// Partner attribution in Chromium, as the story goes: a teacher follows a won partner's share
// link (JavaScript off, Croatian), filters the catalogue (no computers, ages 7–10, in Croatian), opens an
// activity, registers an event with it and confirms it from the e-mail; once the team approves it, the
// partner's page, the activity's page and the recognition wall all count the new students.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { base, launch, owner, signIn, slug } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const sink = process.env.RALLY_SINK_DIR;

// The organizer's link in the e-mail to `to` that arrived at the SMTP server (its text part, decoded).
async function organizerLink(to, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of await readdir(sink)) {
      const raw = await readFile(`${sink}/${f}`, "utf8");
      if (!raw.includes(to)) continue;
      // Links are ASCII: whatever the transfer encoding, one of these readings holds them whole.
      const readings = [raw.replace(/=\r?\n/g, "")];
      for (const chunk of raw.split(/\r?\n\r?\n/)) {
        if (/^[A-Za-z0-9+/=\r\n]+$/.test(chunk.trim())) readings.push(Buffer.from(chunk.replace(/\s+/g, ""), "base64").toString("utf8"));
      }
      for (const text of readings) {
        const link = text.match(/https?:\/\/\S+\/c\/[^\s/]+\/e\/[0-9]+\.[0-9]+\.[0-9a-f]+/)?.[0];
        if (link) return link;
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no organizer link to ${to} arrived at the SMTP server`);
}

// The whole numbers in a text, in order, whatever their grouping or Fluent's isolation marks.
const numbers = (s) => (s.replace(/[\u2068\u2069]/g, "").match(/\d[\d.,\u00a0\u202f ]*\d|\d/g) ?? []).map((n) => Number(n.replace(/\D/g, "")));

function today() {
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Zagreb", year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(new Date()).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

test("an event registered from a partner's share link counts for the partner, the activity and the wall", async () => {
  // The team: a won partner thanked on the wall, its share link and what it brought so far.
  const { context: team, page: mod } = await signIn(browser, owner, { viewport: { width: 1280, height: 900 } });
  const wallBefore = await (await fetch(`${base}/c/${slug}/partners?lang=hr`)).text();
  await mod.goto(`${base}/campaigns/${slug}/partners?stage=closed_won`);
  const rows = mod.locator(`table a[href^="/campaigns/${slug}/partners/"]`);
  let partner = null;
  for (let i = 0; i < await rows.count(); i++) {
    const name = (await rows.nth(i).textContent()).trim();
    if (wallBefore.includes(`>${name}<`) || wallBefore.includes(`alt="${name}"`)) { partner = { name, href: await rows.nth(i).getAttribute("href") }; break; }
  }
  assert.ok(partner, "a won partner on the recognition wall");
  await mod.goto(`${base}${partner.href}`);
  const share = await mod.locator("#share-link").inputValue();
  assert.match(share, new RegExp(`^${base}/c/${slug}/r/[A-Za-z0-9_-]{8,}$`));
  const [events0, students0] = numbers(await mod.locator("#brought").textContent());

  // The teacher, on a phone-sized Croatian browser without JavaScript, follows the link to the catalogue.
  const visitor = await browser.newContext({ locale: "hr-HR", javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await visitor.newPage();
  await page.goto(`${share}?to=activities`);
  await page.waitForURL(`${base}/c/${slug}/activities`);
  // They look for something for ages 7–10 that needs no computers, in Croatian.
  await page.getByRole("checkbox", { name: "7–10 godina", exact: true }).check();
  await page.getByRole("checkbox", { name: "Bez računala", exact: true }).check();
  await page.getByRole("checkbox", { name: "Hrvatski", exact: true }).check();
  await page.getByRole("button", { name: "Prikaži aktivnosti" }).click();
  await page.waitForURL(`${base}/c/${slug}/activities?age=7-10&equipment=no_computers&language=hr`);
  const first = page.locator(".activity-list").first().locator("h3 a").first();
  const title = (await first.textContent()).trim();
  await first.click();
  await page.waitForURL(/\/activities\/\d+$/);
  const activityUrl = page.url();
  const [usedEvents0, usedStudents0] = numbers(await page.locator(".usage").textContent());
  await page.getByRole("link", { name: "Organizirajte događanje s ovom aktivnošću" }).click();
  await page.waitForURL(/\/register\?activity=\d+$/);
  assert.ok(await page.getByRole("checkbox", { name: title }).isChecked(), "the activity is chosen");

  const email = `e2e.share.${Date.now()}@skola.example.org`;
  await page.locator("#f-organizer_name").fill("Petra Horvat");
  await page.locator("#f-organizer_email").fill(email);
  await page.locator("#f-organization").fill("OŠ Split 3");
  await page.locator("#f-title").fill(`Sat s partnerom ${Date.now()}`);
  await page.locator("#f-starts_on").fill(today());
  await page.locator("#f-students").fill("37");
  await page.locator("#f-country").selectOption("HR");
  await page.locator("#f-city").fill("Split");
  await page.locator("#f-consent").check();
  await page.getByRole("button", { name: "Prijavite događaj" }).click();
  await page.getByRole("heading", { name: "Provjerite e-poštu" }).waitFor();
  await page.goto(await organizerLink(email));
  await page.getByRole("button", { name: "Potvrdite moj događaj" }).click();
  await page.waitForURL(/done=confirmed/);

  // Nothing counts before approval; the team approves it.
  await mod.reload();
  assert.deepEqual(numbers(await mod.locator("#brought").textContent()), [events0, students0]);
  await mod.goto(`${base}/campaigns/${slug}/events?status=pending`);
  const row = mod.locator("tr", { hasText: "Petra Horvat" });
  await row.getByRole("checkbox").check();
  await mod.getByRole("button", { name: "Approve selected" }).click();
  await mod.waitForURL(/done=approve/);

  await mod.goto(`${base}${partner.href}`);
  assert.deepEqual(numbers(await mod.locator("#brought").textContent()), [events0 + 1, students0 + 37]);
  await page.goto(activityUrl);
  assert.deepEqual(numbers(await page.locator(".usage").textContent()), [usedEvents0 + 1, usedStudents0 + 37]);
  await page.goto(`${base}/c/${slug}/partners`);
  const thanked = page.locator(".logos li", { hasText: partner.name }).first();
  assert.deepEqual(numbers(await thanked.locator(".brought").textContent()), [events0 + 1, students0 + 37]);
  await visitor.close();
  await team.close();
});
