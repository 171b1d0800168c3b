// Every page of the web app checked with axe-core (WCAG 2.1 A and AA rules: labels, contrast, landmarks,
// names) at desktop and phone widths. Any serious or critical violation fails.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { base, launch, owner, signIn, slug, teamPages } from "../lib.mjs";

const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const pages = [
  ...teamPages,
  "/forgot",
  "/invitation/no-such-invitation",
  `/c/${slug}/`,
  `/c/${slug}/register`,
  `/c/${slug}/events`,
  `/c/${slug}/map`,
  `/c/${slug}/map?country=HR`,
  `/c/${slug}/partners`,
  `/c/${slug}/recognition`,
  `/c/${slug}/stats`,
  `/c/${slug}/privacy`,
  `/c/${slug}/embed/counter`,
];

async function violations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
}

for (const [width, height] of [[1440, 900], [390, 844]]) {
  test(`every page passes axe at ${width}px`, async () => {
    // axe is injected as an inline script, which the pages' content security policy rightly forbids.
    const { context, page } = await signIn(browser, owner, { viewport: { width, height }, bypassCSP: true });
    const found = [];
    for (const path of pages) {
      await page.goto(`${base}${path}`);
      for (const v of await violations(page)) found.push(`${path}: ${v}`);
    }
    await context.close();
    assert.deepEqual(found, []);
  });
}

test("the sign-in page passes axe", async () => {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  assert.deepEqual(await violations(page), []);
  await context.close();
});

test("a partner's link page passes axe", async () => {
  const { context, page } = await signIn(browser, owner, { bypassCSP: true });
  await page.goto(`${base}/campaigns/${slug}/partners?q=Kvarner`);
  await page.getByRole("link", { name: "Kvarner Tech Group d.d." }).click();
  await page.getByRole("button", { name: /Make a (new )?link/ }).click();
  const link = await page.locator("#new-link").inputValue();
  await context.close();
  const partner = await browser.newContext({ bypassCSP: true });
  const p = await partner.newPage();
  await p.goto(link);
  assert.deepEqual(await violations(p), []);
  await partner.close();
});
