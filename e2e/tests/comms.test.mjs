// The communication engine in a real browser, as the issue tells it: a coordinator writes a
// two-language announcement for teacher networks with a different text for IT companies, sees the
// planner defer the e-mails that would break the 2-per-7-days cap, queues it, the demo's worker
// delivers to a local SMTP server (Postfix's smtp-sink), and the one-click unsubscribe in the received
// message's header works.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { base, launch, owner, signIn, slug } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const sink = process.env.RALLY_SINK_DIR;

// Now in the campaign's time zone, as the form's date and time fields take it.
function zagrebNow() {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Zagreb", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date()).map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

function header(message, name) {
  const unfolded = message.replace(/\r?\n[ \t]+/g, " ");
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

async function received(match, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of await readdir(sink)) {
      const text = await readFile(`${sink}/${f}`, "utf8");
      if (match(text)) return text;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("no such message arrived at the SMTP server");
}

test("a two-language announcement, the planner's deferrals, delivery and one-click unsubscribe", async () => {
  const { context, page } = await signIn(browser, owner, { viewport: { width: 1440, height: 900 } });
  await page.getByRole("link", { name: "E-mail", exact: true }).click();

  // Any hour, any day: so the test does not depend on when it runs. The 2-per-7-days cap stays.
  await page.getByLabel("From (hour)").fill("0");
  await page.getByLabel("until (hour)").fill("24");
  await page.getByLabel("sun").uncheck();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.waitForURL(/#settings$/);

  await page.getByRole("link", { name: "New message" }).click();
  const now = zagrebNow();
  await page.getByLabel("Title (for the team)").fill("Announcement: Hour of Code");
  await page.getByLabel("On a date").check();
  await page.getByLabel("Date", { exact: true }).fill(now.date);
  await page.getByLabel(/^Time of day/).fill(now.time);
  await page.getByLabel("School network").check();
  await page.getByLabel("IT company").check();
  // Teacher networks read this, in Croatian and English…
  await page.locator("#t0-subject").fill("{{ campaign.name }}: pozivamo vaše škole");
  await page.locator("#t0-text").fill("Poštovana/i {{ contact.first_name }},\n{{ campaign.message }}\nOdjava: {{ unsubscribe_url }}");
  await page.locator("#t1-subject").fill("{{ campaign.name }}: bring your schools");
  await page.locator("#t1-text").fill("Dear {{ contact.first_name }},\n{{ campaign.message }}\nUnsubscribe: {{ unsubscribe_url }}");
  // …and IT companies a text of their own, in both languages.
  await page.locator("#t4-lang").selectOption("hr");
  await page.locator("#t4-cat").selectOption("it_company");
  await page.locator("#t4-subject").fill("{{ campaign.name }}: vaši zaposlenici kao mentori");
  await page.locator("#t4-text").fill("Poštovana/i {{ contact.first_name }},\nneka vaši programeri vode jedan sat u školi.");
  await page.locator("#t5-lang").selectOption("en");
  await page.locator("#t5-cat").selectOption("it_company");
  await page.locator("#t5-subject").fill("{{ campaign.name }}: your engineers as mentors");
  await page.locator("#t5-text").fill("Dear {{ contact.first_name }},\nlet your engineers lead one hour in a school.");
  await page.getByRole("button", { name: "Save draft" }).click();
  await page.waitForURL(/\/comms\/messages\/\d+$/);
  const messageUrl = page.url();

  // The planner: school contacts already have two e-mails planned this week, so theirs move.
  await page.goto(`${base}/campaigns/${slug}/comms/plan`);
  assert.ok(Number(await page.locator("#deferred-count").textContent()) > 0);
  assert.match(await page.locator("main").textContent(), /2 e-mails in the 7 days before/);

  await page.goto(messageUrl);
  await page.getByRole("link", { name: "Preview for a contact" }).click();
  await page.locator("#preview").waitFor();
  await page.getByRole("button", { name: "Queue for sending" }).click();
  const notice = await page.locator("#notice").textContent();
  assert.match(notice, /Queued \d+ e-mails: (\d+) on time, (\d+) deferred/);
  const [, onTime, deferred] = notice.match(/: (\d+) on time, (\d+) deferred/);
  assert.ok(Number(onTime) > 0 && Number(deferred) > 0, notice);
  await context.close();

  // A contact receives it, with one-click unsubscribe in the header.
  const id = messageUrl.match(/(\d+)$/)[1];
  const mail = await received((m) => header(m, "X-Rally-Message") === id);
  assert.equal(header(mail, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
  const url = header(mail, "List-Unsubscribe").replace(/^<|>$/g, "");
  assert.ok(url.startsWith(`${base}/u/`), url);
  const click = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
  assert.equal(click.status, 200);
  const preferences = await browser.newContext();
  const p = await preferences.newPage();
  await p.goto(url);
  assert.ok(await p.getByLabel(/Only essential e-mails/).isChecked());
  await preferences.close();
});
