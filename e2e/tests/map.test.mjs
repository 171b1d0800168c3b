// The public map as a visitor finds events with it, without JavaScript doing anything: every circle
// is a link with a name (a cluster opens the list of exactly its events, an event its page), the list
// beside the map has the same links, "near Split" lists the demo's Dalmatian events by distance, and
// every view passes axe and fits a 390px phone without sideways scrolling.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { base, launch, slug } from "../lib.mjs";

const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// A visitor reading English, without the page's scripts (there are none to need).
async function visitor(viewport = { width: 1440, height: 900 }) {
  const context = await browser.newContext({ locale: "en-US", viewport, javaScriptEnabled: false });
  return { context, page: await context.newPage() };
}

test("clusters and points are links: a cluster lists its events, an event has its page", async () => {
  const { context, page } = await visitor();
  await page.goto(`${base}/c/${slug}/map`);
  const links = page.locator("figure.map svg a");
  const count = await links.count();
  assert.ok(count >= 10, `${count} links on Croatia's map`);
  for (let i = 0; i < count; i++) {
    const a = links.nth(i);
    const [href, name] = [await a.getAttribute("href"), await a.getAttribute("aria-label")];
    assert.ok(name && name.length > 3, `link ${href} has a name`);
    assert.match(href, new RegExp(`^/c/${slug}/(map\\?country=HR&bbox=[-0-9.,]+|events/[0-9]+)$`));
  }
  // The list beside the map: headed, with links.
  assert.ok((await page.locator(".map-list h2").textContent()).length > 0);
  assert.ok((await page.locator(".map-events a").count()) > 0);

  // Split's circle: several events, so it opens their list, in a closer view.
  const split = page.locator('figure.map svg a[aria-label^="Split, Croatia:"]');
  assert.equal(await split.count(), 1);
  const before = await page.locator("figure.map svg").getAttribute("viewBox");
  await split.click();
  await page.waitForURL(/bbox=/);
  assert.notEqual(await page.locator("figure.map svg").getAttribute("viewBox"), before, "the picture zoomed");
  const metas = await page.locator(".map-events .meta").allTextContents();
  assert.ok(metas.length >= 2, metas.join("\n"));
  for (const m of metas) assert.ok(m.includes("Split, Croatia"), `only Split's events: ${m}`);
  assert.ok(await page.getByRole("link", { name: "Zoom out" }).isVisible());

  // An event of the list opens its page.
  const first = page.locator(".map-events a").first();
  const title = (await first.textContent()).trim();
  await first.click();
  await page.waitForURL(/\/events\/[0-9]+$/);
  assert.equal((await page.locator("h1").textContent()).trim(), title);
  assert.ok((await page.locator(".facts").textContent()).includes("Split, Croatia"));
  assert.ok(!(await page.content()).includes("@skole.example.org"), "nothing about the organizer");

  // A circle of one event, wherever the map has one, links to that event's page.
  await page.goto(`${base}/c/${slug}/map?country=world`);
  const single = page.locator(`figure.map svg a[href^="/c/${slug}/events/"]`);
  if ((await single.count()) > 0) {
    await single.first().click();
    await page.waitForURL(/\/events\/[0-9]+$/);
  }
  await context.close();
});

test("near Split lists events by distance", async () => {
  const { context, page } = await visitor();
  await page.goto(`${base}/c/${slug}/map`);
  await page.locator("#near").fill("Split");
  await page.getByRole("button", { name: "Find events" }).click();
  await page.waitForURL(/near=Split/);
  assert.equal((await page.locator("h1").textContent()).trim(), "Events within 100 km of Split, Croatia");
  const metas = await page.locator(".map-events .meta").allTextContents();
  const km = metas.map((m) => (m.includes("less than 1 km away") ? 0 : Number(m.match(/([0-9]+) km away/)?.[1])));
  assert.ok(km.length > 3 && km.every((k) => Number.isFinite(k) && k <= 100), metas.join("\n"));
  assert.deepEqual(km, [...km].sort((a, b) => a - b), "nearest first");
  assert.ok(km.includes(0) && km.some((k) => k > 30), `Split's and Šibenik's events: ${km}`);
  assert.ok(metas.some((m) => m.includes("Šibenik")), metas.join("\n"));
  assert.ok(!metas.some((m) => m.includes("Zagreb")), "Zagreb is 260 km away");

  // A wider radius reaches Zagreb; an unknown town says so.
  await page.locator("#radius").selectOption("500");
  await page.getByRole("button", { name: "Find events" }).click();
  await page.waitForURL(/radius=500/);
  assert.ok((await page.locator(".map-events .meta").allTextContents()).some((m) => m.includes("Zagreb")));
  await page.goto(`${base}/c/${slug}/map?near=Xyzzyville`);
  assert.match(await page.locator("[role=status]").textContent(), /We do not know a town called “Xyzzyville”/);
  await context.close();
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

for (const [width, height] of [[1440, 900], [390, 844]]) {
  test(`the map's views pass axe and fit at ${width}px`, async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: { width, height }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${base}/c/${slug}/map`);
    const cluster = await page.locator('figure.map svg a[aria-label^="Split, Croatia:"]').getAttribute("href");
    const paths = [
      `/c/${slug}/map`,
      `/c/${slug}/map?country=world`,
      cluster,
      `/c/${slug}/map?near=Split&radius=100`,
      `/c/${slug}/map?near=Springfield`,
      `/c/${slug}/map?near=Xyzzyville`,
    ];
    await page.goto(`${base}${cluster}`);
    paths.push(await page.locator(".map-events a").first().getAttribute("href"));
    const found = [];
    for (const path of paths) {
      await page.goto(`${base}${path}`);
      for (const v of await violations(page)) found.push(`${path}: ${v}`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (wide > 0) found.push(`${path}: ${wide}px wider than the window`);
      if (width === 390 && path.includes("/map")) {
        // On a phone the list follows the map.
        const [map, list] = await Promise.all(
          ["figure.map", ".map-list"].map((s) => page.locator(s).evaluate((e) => e.getBoundingClientRect().top)),
        );
        if (!(list > map)) found.push(`${path}: the list is not after the map`);
      }
    }
    await context.close();
    assert.deepEqual(found, []);
  });
}
