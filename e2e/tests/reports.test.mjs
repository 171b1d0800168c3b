// The Reports page's forecast on the demo, in a real browser: students (not reach) with a 10th–90th
// percentile interval against the goal of 120 000, the method in words, the conversions per kind of
// partner, and each partner's contribution as CSV, formula cells neutralized.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { base, launch, owner, signIn, slug } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// "56 725" → 56725 (the page separates thousands with a narrow no-break space).
const count = (text) => Number(text.replace(/[^\d]/g, ""));

test("the forecast is in students, with an interval, of the order of the demo's goal", async () => {
  const { context, page } = await signIn(browser, owner);
  await page.goto(`${base}/campaigns/${slug}/reports`);
  const summary = await page.locator("#forecast-h ~ p.lead").innerText();
  const found = summary.match(
    /^([\d\s\u202f]+) students expected \(10th–90th percentile: ([\d\s\u202f]+)–([\d\s\u202f]+)\) against the goal of 120\u202f000/,
  );
  assert.ok(found, `the summary: ${summary}`);
  const [expected, low, high] = found.slice(1).map(count);
  assert.ok(low < expected && expected < high, `${low} < ${expected} < ${high}`);
  assert.ok(expected >= 40_000 && expected <= 300_000, `of the order of the goal: ${expected}`);
  // The method explains itself, and the tables say what was learned.
  await page.getByRole("heading", { name: "How the forecast is computed" }).waitFor();
  await page.getByRole("region", { name: "Students per person reached, per kind of partner" }).waitFor();
  await page.getByRole("region", { name: "Partners adding most to the forecast" }).waitFor();
  const lead = page.getByRole("region", { name: "Chance of closing won per open stage" }).getByRole("row", { name: /^Lead/ });
  const leadChance = Number((await lead.locator("td").last().innerText()).replace("%", ""));
  assert.ok(leadChance < 30, `Lead's chance is not learned from survivors: ${leadChance}%`);

  const response = await page.request.get(`${base}/campaigns/${slug}/reports/forecast.csv`);
  assert.equal(response.status(), 200);
  const lines = (await response.text()).replace(/^\ufeff/, "").split("\r\n").filter((l) => l);
  assert.equal(
    lines[0],
    "partner,category,stage,past_time_limit,chance,source,brought_events,brought_students,agreed_schools_or_events,reach,conversion,students_if_won,expected_students",
  );
  assert.ok(lines.length > 200, `every partner: ${lines.length - 1}`);
  for (const source of ["brought", "agreed", "reach"]) {
    assert.ok(lines.some((l) => l.includes(`,${source},`)), `a partner estimated from ${source}`);
  }
  await context.close();
});
