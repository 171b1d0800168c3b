// Imports and reports in a real browser, on the demo: a coordinator uploads a Windows-1250 partner list
// with semicolons, corrects a column in the preview, checks it (dry run, with a report), imports the good
// rows, sees them among the partners, and undoes the import; the Reports page draws the demo's charts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { base, launch, owner, signIn, slug } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Windows-1250 for the few Croatian letters the file uses (the rest is ASCII).
const cp1250 = { "Č": 0xc8, "č": 0xe8, "Š": 0x8a, "š": 0x9a, "Ž": 0x8e, "ž": 0x9e, "Đ": 0xd0, "đ": 0xf0, "ć": 0xe6 };
function encode1250(text) {
  return Buffer.from([...text].map((c) => cp1250[c] ?? c.charCodeAt(0)));
}

test("a partner list is previewed, checked, imported and undone", async () => {
  const { context, page } = await signIn(browser, owner);
  const stamp = Date.now();
  const file = join(mkdtempSync(join(tmpdir(), "rally-e2e-")), "partneri.csv");
  writeFileSync(
    file,
    encode1250(
      "Naziv;Vrsta;Mrežna adresa;Grad;Bilješka\r\n" +
        `Čakovečka tvrtka ${stamp};IT company;cak-${stamp}.example;Čakovec;prvi\r\n` +
        `Đakovački portal ${stamp};media;dj-${stamp}.example;Đakovo;drugi\r\n` +
        `Pekara ${stamp};bakery;pekara-${stamp}.example;Zagreb;\r\n`,
    ),
  );
  await page.goto(`${base}/campaigns/${slug}/imports`);
  await page.getByLabel("The file holds").selectOption("partners");
  await page.getByLabel("File", { exact: true }).setInputFiles(file);
  await page.getByRole("button", { name: "Upload and check" }).click();

  // The preview: read as Windows-1250 and semicolons, the letters right, the columns guessed.
  await page.getByRole("heading", { name: /Import partners: partneri.csv/ }).waitFor();
  assert.match(await page.locator("main").textContent(), /Read as windows-1250, semicolon-separated, 5 columns/);
  assert.ok(await page.getByRole("cell", { name: `Čakovečka tvrtka ${stamp}` }).isVisible());
  const website = page.getByLabel("Field for column C (Mrežna adresa)");
  // "Mrežna adresa" is not a header Rally knows: the coordinator maps it by hand.
  assert.equal(await website.inputValue(), "");
  await website.selectOption("website");
  await page.getByRole("button", { name: "Check every row (dry run)" }).click();

  // The dry run: one row with a problem, named with its line and column; nothing imported yet.
  await page.getByText("checked (dry run)").waitFor();
  const status = await page.getByRole("status").first().textContent();
  assert.match(status, /3 rows: 2 would be created, 0 updated, 0 skipped, 1 with problems/);
  assert.ok(await page.getByRole("cell", { name: /`bakery` is not a partner category/ }).isVisible());
  const report = await page.request.get(await page.getByRole("link", { name: "Download the report (CSV)" }).getAttribute("href").then((h) => `${base}${h}`));
  // For Excel: a byte-order mark, then the report.
  assert.match(await report.text(), /^\ufeffrow,column,outcome,reason,existing_id\r\n4,Vrsta,error,/);

  // Import the good rows: back to the preview, the column mapped again, a partial import accepted.
  await page.goBack();
  await page.getByLabel("Field for column C (Mrežna adresa)").selectOption("website");
  await page.getByLabel(/Import the good rows even if some rows have problems/).check();
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByText(/2 created, 0 updated, 0 skipped, 1 with problems/).waitFor();
  await page.goto(`${base}/campaigns/${slug}/partners?q=${stamp}`);
  await page.getByRole("link", { name: `Đakovački portal ${stamp}` }).waitFor();

  // Undo: the partners are gone again.
  await page.goto(`${base}/campaigns/${slug}/imports`);
  await page.getByRole("row", { name: /partneri\.csv.*imported/ }).getByRole("link").click();
  await page.getByRole("button", { name: "Undo this import" }).click();
  await page.getByText(/Undone: the rows it created are gone/).waitFor();
  await page.goto(`${base}/campaigns/${slug}/partners?q=${stamp}`);
  assert.equal(await page.getByRole("link", { name: `Đakovački portal ${stamp}` }).count(), 0);
  await context.close();
});

test("the Reports page draws the demo's charts, each with its numbers and a CSV", async () => {
  const { context, page } = await signIn(browser, owner);
  await page.goto(`${base}/campaigns/${slug}/reports`);
  const charts = page.locator("svg[role=img]");
  assert.ok((await charts.count()) >= 5, `charts drawn: ${await charts.count()}`);
  for (const name of ["funnel", "forecast", "messages", "countries", "weeks"]) {
    const response = await page.request.get(`${base}/campaigns/${slug}/reports/${name}.csv`);
    assert.equal(response.status(), 200, name);
    const lines = (await response.text()).split("\r\n").filter((l) => l);
    assert.ok(lines.length >= 2, `${name}.csv has rows: ${lines.length}`);
  }
  await context.close();
});
