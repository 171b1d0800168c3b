// One person's data in a real browser. An organizer registers an event, downloads everything the
// campaign holds about them from their event link and erases it (the link then stops working); an
// owner finds a contact by address on the Personal data page, erases them with a reason after
// confirming, and reads the erasure in the audit log, where the contact is named by pseudonym only.
//
// Everything here is the test's own: its own registration, its own partner and contact (the partner is
// deleted at the end); the demo's people are not touched.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { base, launch, owner, signIn, slug } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const sink = process.env.RALLY_SINK_DIR;
const desktop = { viewport: { width: 1280, height: 900 } };

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

function today() {
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Zagreb", year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(new Date()).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

test("an organizer downloads and erases their data from the event link", async () => {
  const stamp = Date.now();
  const email = `privatnost.${stamp}@skola.example.org`;
  const visitor = await browser.newContext({ locale: "hr-HR", acceptDownloads: true, ...desktop });
  const page = await visitor.newPage();
  await page.goto(`${base}/c/${slug}/register`);
  await page.locator("#f-organizer_name").fill("Dora Brisanje");
  await page.locator("#f-organizer_email").fill(email);
  await page.locator("#f-organization").fill("OŠ Brisanje E2E");
  await page.locator("#f-title").fill(`Radionica ${stamp}`);
  await page.locator("#f-event_type").selectOption("in_school");
  await page.locator("#f-starts_on").fill(today());
  await page.locator("#f-students").fill("12");
  await page.locator("#f-ages").fill("10–12");
  await page.locator("#f-country").selectOption("HR");
  await page.locator("#f-city").fill("Osijek");
  await page.locator("#f-description").fill("Dora vodi radionicu.");
  await page.locator("#f-consent").check();
  await page.getByRole("button", { name: "Prijavite događaj" }).click();
  await page.getByRole("heading", { name: "Provjerite e-poštu" }).waitFor();
  const mail = (await received(email)).replace(/=\r?\n/g, "");
  const link = mail.match(/https?:\/\/[^\s/]+\/c\/[^\s/]+\/e\/[0-9]+\.[0-9]+\.[0-9a-f]+/)?.[0];
  assert.ok(link, mail);
  await page.goto(link);
  await page.getByRole("button", { name: "Potvrdite moj događaj" }).click();
  await page.waitForURL(/done=confirmed/);

  // "Download my data": a JSON file with her event and the e-mail she was sent.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Preuzmi moje podatke" }).click(),
  ]);
  assert.match(download.suggestedFilename(), /my-data\.json$/);
  const data = JSON.parse(await readFile(await download.path(), "utf8"));
  assert.equal(data.email, email);
  assert.equal(data.tables.events[0].organizer_name, "Dora Brisanje");
  assert.ok(data.tables.outbox.length >= 1, "the confirmation e-mail is in it");
  assert.ok(!JSON.stringify(data).includes("token_hash"), "no secrets");

  // "Erase my data": the box must be ticked; then she is gone and the link stops working.
  await page.getByLabel("Da, izbrišite moje podatke iz ove kampanje; to se ne može poništiti").check();
  await page.getByRole("button", { name: "Izbriši moje podatke" }).click();
  await page.getByText("Vaši su podaci izbrisani iz kampanje.").waitFor();
  const gone = await page.goto(link);
  assert.equal(gone.status(), 404);

  // The team sees the event without her.
  const { context: team, page: mod } = await signIn(browser, owner, desktop);
  await mod.goto(`${base}/campaigns/${slug}/events?q=${encodeURIComponent(`Radionica ${stamp}`)}`);
  const main = await mod.locator("main").textContent();
  assert.ok(!main.includes(email) && !main.includes("Dora Brisanje"), main);
  await team.close();
  await visitor.close();
});

test("an owner erases a contact with a reason and reads the audit entry", async () => {
  const stamp = Date.now();
  const email = `brisanje.${stamp}@example.org`;
  const reason = `Asked by phone, ticket ${stamp}`;
  const { context, page } = await signIn(browser, owner, desktop);

  // A partner of the test's own with one contact.
  await page.goto(`${base}/campaigns/${slug}/partners`);
  await page.locator("#new-name").fill("Radio Brisanje E2E");
  await page.locator("#new-category").selectOption("media");
  await page.getByLabel("Reach (people)").fill("1500");
  await page.getByRole("button", { name: "Add partner" }).click();
  await page.waitForURL(/\/partners\/\d+$/);
  const partnerUrl = page.url();
  const add = page.locator("form[action$='/contacts#contacts']");
  await add.getByLabel("Name").fill("Petra Brisanje");
  await add.getByLabel("E-mail").fill(email);
  await add.getByRole("button", { name: "Add contact" }).click();
  await page.waitForURL(`${partnerUrl}#contacts`);

  // The Personal data page: find her, see what is held, erase with a reason.
  await page.getByRole("link", { name: "Personal data" }).click();
  await page.waitForURL(/\/privacy$/);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByRole("button", { name: "Find", exact: true }).click();
  await page.getByRole("heading", { name: `What the campaign holds about ${email}` }).waitFor();
  assert.ok(await page.getByRole("cell", { name: "Contact records" }).isVisible());
  // Without the confirmation nothing happens, and the page says why.
  await page.getByLabel("Why (kept in the audit log)").fill(reason);
  await page.getByRole("button", { name: "Erase", exact: true }).click();
  await page.getByText("Tick the box to confirm").first().waitFor();
  await page.getByLabel("Why (kept in the audit log)").fill(reason);
  await page.getByLabel(`I understand that erasing ${email} cannot be undone`).check();
  await page.getByRole("button", { name: "Erase", exact: true }).click();
  await page.getByRole("heading", { name: "Erased" }).waitFor();
  const pseudonym = (await page.locator("[role=status]").textContent()).match(/erased person #\d+/)?.[0];
  assert.ok(pseudonym);

  // The partner's page no longer names her.
  await page.goto(partnerUrl);
  const partner = await page.locator("main").textContent();
  assert.ok(!partner.includes("Petra Brisanje") && !partner.includes(email), partner);

  // The audit log: the erasure, by the owner, with the reason, naming her only by pseudonym.
  await page.goto(`${base}/campaigns/${slug}/audit`);
  const row = page.locator("tr", { hasText: reason });
  await row.first().waitFor();
  assert.ok((await row.first().textContent()).includes(pseudonym), await row.first().textContent());
  assert.ok(!(await page.locator("main").textContent()).includes(email));

  // Leave the demo as it was: the partner goes.
  await page.goto(partnerUrl);
  await page.locator("summary", { hasText: "Delete this partner" }).click();
  await page.getByRole("button", { name: "Delete Radio Brisanje E2E" }).click();
  await page.waitForURL(/\/partners/);
  await context.close();
});
