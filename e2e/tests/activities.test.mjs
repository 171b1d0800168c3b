// The activity catalogue in Chromium: a teacher on the Croatian site, with JavaScript off, filters
// "no computers, ages 7–10, in Croatian" with the checkboxes, lands on the canonical address, opens an
// activity and follows "Host an event with this activity" to the registration form. Every catalogue
// page passes axe (WCAG 2.1 A and AA, serious and critical) at desktop and phone widths and never
// scrolls sideways on a phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { base, launch, slug } from "../lib.mjs";

const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const filtered = `/c/${slug}/activities?age=7-10&equipment=no_computers&language=hr`;

test("a teacher filters in Croatian, opens an activity and goes on to register an event with it", async () => {
  const context = await browser.newContext({ locale: "hr-HR", javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/c/${slug}/`);
  await page.getByRole("link", { name: "Aktivnosti", exact: true }).click();
  assert.equal(await page.getAttribute("html", "lang"), "hr");
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Aktivnosti");

  await page.getByRole("checkbox", { name: "7–10 godina", exact: true }).check();
  await page.getByRole("checkbox", { name: "Bez računala", exact: true }).check();
  await page.getByRole("checkbox", { name: "Hrvatski", exact: true }).check();
  await page.getByRole("button", { name: "Prikaži aktivnosti" }).click();
  // The form's address is put in canonical order, the one a teacher can share.
  await page.waitForURL(`${base}${filtered}`);
  assert.ok(await page.getByRole("checkbox", { name: "Bez računala", exact: true }).isChecked());
  assert.ok(await page.getByRole("link", { name: "Ukloni „Bez računala“" }).isVisible(), "each choice can be taken away");
  const count = await page.locator(".count").textContent();
  assert.match(count, /^[1-9]\d* aktivnost/, count);
  assert.equal(await page.getByRole("heading", { name: "Na vašem jeziku" }).count(), 1);

  // The first one in Croatian: its page says it needs no computers and suits 7–10.
  const first = page.locator(".activity-list").first().locator("h3 a").first();
  const title = (await first.textContent()).trim();
  await first.click();
  await page.waitForURL(/\/activities\/\d+$/);
  assert.equal((await page.getByRole("heading", { level: 1 }).textContent()).trim(), title);
  const facts = await page.locator(".facts").textContent();
  assert.match(facts, /Bez računala/);
  assert.match(facts, /7–10 godina/);
  assert.match(await page.locator(".usage").textContent(), /odabralo/);
  const id = page.url().match(/\/activities\/(\d+)$/)[1];

  await page.getByRole("link", { name: "Organizirajte događanje s ovom aktivnošću" }).click();
  await page.waitForURL(`${base}/c/${slug}/register?activity=${id}`);
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Prijava događaja");
  await context.close();
});

test("an address out of order goes to the canonical one", async () => {
  const response = await fetch(`${base}/c/${slug}/activities?language=hr&equipment=no_computers&age=7-10&age=7-10`, { redirect: "manual" });
  assert.equal(response.status, 301);
  assert.equal(response.headers.get("location"), filtered);
});

async function violations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
}

// How far the page reaches past the window's right edge, 0 when it fits.
async function sideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

for (const [width, height] of [[1440, 900], [390, 844]]) {
  test(`the catalogue's pages pass axe at ${width}px${width < 500 ? " and fit the width" : ""}`, async () => {
    // axe is injected as an inline script, which the pages' content security policy rightly forbids.
    const context = await browser.newContext({ locale: "hr-HR", viewport: { width, height }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${base}${filtered}`);
    const activity = await page.locator(".activity-list h3 a").first().getAttribute("href");
    const found = [];
    const check = async (label) => {
      for (const v of await violations(page)) found.push(`${label}: ${v}`);
      const past = await sideways(page);
      if (past > 0) found.push(`${label}: ${past}px wider than the window`);
    };
    for (const path of [`/c/${slug}/activities`, filtered, `${filtered}&lang=en`, activity, `/c/${slug}/activities/submit?lang=fr`]) {
      await page.goto(`${base}${path}`);
      await check(path);
    }
    // The suggestion form with its errors shown beside the fields (once: it spends the address's allowance).
    if (width < 500) {
      await page.goto(`${base}/c/${slug}/activities/submit?lang=hr`);
      await page.locator("#af-url").fill("ftp://nije-adresa");
      await page.getByRole("button", { name: "Pošalji na pregled" }).click();
      assert.ok(await page.locator("#e-title").isVisible());
      assert.equal(await page.locator("#af-url").inputValue(), "ftp://nije-adresa");
      await check("the suggestion form with errors");
    }
    await context.close();
    assert.deepEqual(found, []);
  });
}
