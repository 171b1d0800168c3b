// The team's web app on a phone (390 × 844): no page scrolls sideways (wide tables and the board scroll
// in their own boxes), and the top menu is folded behind a "Menu" button until it is opened.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { base, launch, owner, signIn, slug, teamPages } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const phone = { viewport: { width: 390, height: 844 } };

// The team pages the axe check visits too, and the message page, the export page and the wall.
const pages = [
  ...teamPages,
  `/campaigns/${slug}/comms/messages/1`,
  `/campaigns/${slug}/export`,
  `/c/${slug}/recognition`,
  `/c/${slug}/privacy`,
];

// Null if the page fits its window, else what is too wide: the page's width and the elements that reach
// furthest past the window's right edge without a scrolling box around them that holds them in.
async function overflow(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth <= width) return null;
    // Whether an ancestor's scrolling or clipping box holds the element in. An absolutely positioned
    // element escapes every box up to its containing block; a fixed one never widens the page.
    const held = (e) => {
      let position = getComputedStyle(e).position;
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (position === "fixed") return true;
        if (position === "absolute" && s.position === "static" && s.transform === "none") continue;
        position = s.position;
        if (s.overflowX !== "visible" && a.getBoundingClientRect().right <= width) return true;
      }
      return false;
    };
    const past = [...document.querySelectorAll("body *")]
      .filter((e) => e.getClientRects().length > 0 && e.getBoundingClientRect().right > width)
      .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right);
    const escaping = past.filter((e) => !held(e));
    const name = (e) => {
      const classes = typeof e.className === "string" ? e.className.trim().split(/\s+/).filter(Boolean) : [];
      const text = (e.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
      return `<${e.localName}${e.id ? `#${e.id}` : ""}${classes.map((c) => `.${c}`).join("")}> reaching ${Math.round(e.getBoundingClientRect().right)}px ("${text}")`;
    };
    return { scrollWidth, width, widest: (escaping.length ? escaping : past).slice(0, 3).map(name) };
  });
}

async function problem(page, label) {
  const o = await overflow(page);
  return o && `${label} is ${o.scrollWidth}px wide in a ${o.width}px window; widest: ${o.widest.join("; ") || "(none found)"}`;
}

test("no team page scrolls sideways at 390px", async () => {
  const { context, page } = await signIn(browser, owner, phone);
  const found = [];
  for (const path of pages) {
    await page.goto(`${base}${path}`);
    const p = await problem(page, path);
    if (p) found.push(p);
  }
  await context.close();
  assert.deepEqual(found, []);
});

test("the import preview and an import's page fit at 390px", async () => {
  const { context, page } = await signIn(browser, owner, phone);
  const stamp = Date.now();
  const file = join(mkdtempSync(join(tmpdir(), "rally-e2e-")), "a-partner-list-with-a-rather-long-file-name.csv");
  writeFileSync(
    file,
    "name,category,website,city,notes\r\n" +
      `Phone width company ${stamp},it_company,https://www.a-very-long-domain-name-that-does-not-fit-${stamp}.example/and/a/path,Zagreb,first\r\n` +
      `Phone width bakery ${stamp},bakery,bakery-${stamp}.example,Split,\r\n`,
  );
  await page.goto(`${base}/campaigns/${slug}/imports`);
  await page.getByLabel("The file holds").selectOption("partners");
  await page.getByLabel("File", { exact: true }).setInputFiles(file);
  await page.getByRole("button", { name: "Upload and check" }).click();
  await page.getByRole("heading", { name: /Import partners/ }).waitFor();
  const found = [await problem(page, "the import preview")];
  // A dry run imports nothing and shows the import's page with its report.
  await page.getByRole("button", { name: "Check every row (dry run)" }).click();
  await page.getByText("checked (dry run)").waitFor();
  found.push(await problem(page, `the import's page (${new URL(page.url()).pathname})`));
  await context.close();
  assert.deepEqual(found.filter(Boolean), []);
});

test("a partner's link page fits at 390px", async () => {
  const { context, page } = await signIn(browser, owner, phone);
  await page.goto(`${base}/campaigns/${slug}/partners?q=Kvarner`);
  await page.getByRole("link", { name: "Kvarner Tech Group d.d." }).click();
  await page.getByRole("button", { name: /Make a (new )?link/ }).click();
  const link = await page.locator("#new-link").inputValue();
  await context.close();
  const partner = await browser.newContext(phone);
  const p = await partner.newPage();
  await p.goto(link);
  const found = await problem(p, "the partner's link page");
  await partner.close();
  assert.equal(found, null);
});

for (const path of ["/login", "/forgot", "/invitation/no-such-invitation"]) {
  test(`${path} fits at 390px`, async () => {
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    await page.goto(`${base}${path}`);
    await page.locator("h1").waitFor();
    const found = await problem(page, path);
    await context.close();
    assert.equal(found, null);
  });
}

test("on a phone the top menu is folded until Menu is opened", async () => {
  const { context, page } = await signIn(browser, owner, phone);
  const nav = page.getByRole("navigation", { name: "Campaign" });
  const partners = nav.getByRole("link", { name: "Partners", exact: true });
  const menu = page.locator("header summary", { hasText: "Menu" });
  assert.ok(await menu.isVisible(), "the Menu button is shown");
  assert.equal(await partners.isVisible(), false, "the Partners link is hidden while the menu is folded");
  for (const hidden of [page.getByRole("combobox", { name: "Campaign" }), page.getByRole("link", { name: "Account" }), page.getByRole("button", { name: /Sign out/ })]) {
    assert.equal(await hidden.isVisible(), false);
  }

  await menu.click();
  assert.ok(await partners.isVisible(), "opening the menu shows the Partners link");
  const box = await partners.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the Partners link lies inside the window: ${JSON.stringify(box)}`);
  for (const shown of [page.getByRole("combobox", { name: "Campaign" }), page.getByRole("link", { name: "Account" }), page.getByRole("button", { name: /Sign out/ })]) {
    assert.ok(await shown.isVisible());
  }
  assert.equal(await problem(page, "the page with the menu open"), null);
  await partners.click();
  await page.waitForURL(`${base}/campaigns/${slug}/partners`);
  // On the next page the menu is folded again.
  assert.equal(await page.getByRole("navigation", { name: "Campaign" }).getByRole("link", { name: "Board", exact: true }).isVisible(), false);
  await context.close();
});

test("on a wide screen the menu is not folded", async () => {
  const { context, page } = await signIn(browser, owner, { viewport: { width: 1440, height: 900 } });
  assert.equal(await page.locator("header summary", { hasText: "Menu" }).isVisible(), false);
  assert.ok(await page.getByRole("navigation", { name: "Campaign" }).getByRole("link", { name: "Partners", exact: true }).isVisible());
  assert.ok(await page.getByRole("button", { name: /Sign out/ }).isVisible());
  await context.close();
});
