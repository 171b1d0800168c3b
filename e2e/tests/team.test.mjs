// A real team's first days in a real browser: an owner invites a colleague (the invitation arrives at
// the SMTP server, the colleague sets a password and edits a partner), a forgotten password is reset
// from its e-mail, a contact is edited and deleted, a failed contact form shows its error in view, two
// duplicate partners are merged, a queued message is paused, resumed and cancelled, and a card dropped
// on Closed Won asks first and its move is undone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { base, launch, owner, signIn, slug } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const sink = process.env.RALLY_SINK_DIR;
const desktop = { viewport: { width: 1440, height: 900 } };

// The body of a message as its reader sees it: quoted-printable undone, lines joined.
function decoded(message) {
  return message.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

// The first e-mail to `to` whose decoded text matches `match`, waiting for the worker to send it.
async function mailTo(to, match, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of await readdir(sink)) {
      const text = decoded(await readFile(`${sink}/${f}`, "utf8"));
      if (text.includes(`<${to}>`) || text.match(new RegExp(`^To: .*${to}`, "mi"))) {
        if (match.test(text)) return text;
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no e-mail to ${to} matching ${match} arrived at the SMTP server`);
}

// The link of this site in an e-mail's text.
function linkIn(text, path) {
  const found = text.match(new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/${path}/[A-Za-z0-9_-]+`));
  assert.ok(found, `a ${path} link in the e-mail`);
  return found[0];
}

test("an owner invites a colleague, who sets a password and edits a partner", async () => {
  const { context, page } = await signIn(browser, owner, desktop);
  await page.getByRole("link", { name: "Team", exact: true }).click();
  await page.getByLabel("E-mail address").fill("kolega.e2e@example.org");
  await page.getByLabel("Role", { exact: true }).selectOption("coordinator");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await page.getByText("Invitation sent.").waitFor();
  assert.ok(await page.getByRole("cell", { name: "kolega.e2e@example.org", exact: true }).isVisible(), "listed while pending");
  await context.close();

  const mail = await mailTo("kolega.e2e@example.org", /invites you to join the team/);
  const link = linkIn(mail, "invitation");
  const colleague = await browser.newContext(desktop);
  const p = await colleague.newPage();
  await p.goto(link);
  await p.getByLabel("Your name").fill("Kolega Kolegić");
  await p.getByLabel("Password (10 characters or more)").fill("kolega's long password");
  await p.getByLabel("The same again").fill("kolega's long password");
  await p.getByRole("button", { name: "Join the team" }).click();
  await p.waitForURL(`${base}/campaigns/${slug}`);
  // Signed in and on the team: the colleague edits a partner.
  await p.getByRole("link", { name: "Partners", exact: true }).click();
  await p.locator("table a[href*='/partners/']").first().click();
  const notes = `Called on ${new Date().toISOString().slice(0, 10)} by the new colleague`;
  await p.getByLabel("Notes").fill(notes);
  await p.locator("#edit-h").locator("xpath=..").getByRole("button", { name: "Save" }).click();
  await p.getByText(notes).first().waitFor();
  await colleague.close();
});

test("a forgotten password is reset from its e-mail", async () => {
  const context = await browser.newContext(desktop);
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("E-mail address").fill("kolega.e2e@example.org");
  await page.getByRole("button", { name: "Send me a link" }).click();
  await page.getByText("a link to choose a new password is on its way").waitFor();
  const mail = await mailTo("kolega.e2e@example.org", /Set a new Rally password/);
  await page.goto(linkIn(mail, "reset"));
  await page.getByLabel("New password (10 characters or more)").fill("a fresh long password");
  await page.getByLabel("The same again").fill("a fresh long password");
  await page.getByRole("button", { name: "Set password" }).click();
  await page.waitForURL(`${base}/login`);
  await page.getByLabel("E-mail address").fill("kolega.e2e@example.org");
  await page.getByLabel("Password").fill("a fresh long password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/campaigns`);
  await context.close();
});

test("a contact is edited and deleted; a failed contact form shows its error in view", async () => {
  const { context, page } = await signIn(browser, owner, { viewport: { width: 390, height: 844 } });
  await page.goto(`${base}/campaigns/${slug}/partners`);
  await page.locator("table a[href*='/partners/']").nth(1).click();
  const partnerUrl = page.url();
  const add = page.locator("form[action$='/contacts#contacts']");
  await add.getByLabel("Name").fill("Iva E2E");
  await add.getByLabel("E-mail").fill("bad@@x");
  await add.getByRole("button", { name: "Add contact" }).click();
  // The page opens at the form: the summary is in view and focused, its link focuses the field.
  const summary = page.locator(".error-summary");
  await summary.waitFor();
  assert.ok(await summary.isVisible());
  const inView = await summary.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; });
  assert.ok(inView, "the error summary is in view, not 2,500 px below");
  await page.waitForFunction(() => document.activeElement?.classList.contains("error-summary"));
  await summary.getByRole("link", { name: /E-mail:/ }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "contact-email");
  await page.locator("#contact-email").fill("iva.e2e@example.org");
  await add.getByRole("button", { name: "Add contact" }).click();
  await page.waitForURL(`${partnerUrl}#contacts`);

  const item = page.locator("li", { has: page.getByText("Iva E2E", { exact: true }) });
  await item.locator("summary", { hasText: /^Edit/ }).click();
  await item.getByLabel("Phone").fill("+385 91 555 1234");
  await item.getByLabel("Role").fill("Teacher");
  await item.getByLabel("Consent to campaign e-mail").selectOption("opted_in");
  await item.getByRole("button", { name: /^Save/ }).click();
  await page.getByText("+385 91 555 1234").waitFor();
  assert.ok(await page.getByText("consent: Agreed to campaign e-mail").first().isVisible());

  const again = page.locator("li", { has: page.getByText("Iva E2E", { exact: true }) });
  await again.locator("summary", { hasText: /^Delete/ }).click();
  assert.ok(await again.getByText(/This removes Iva E2E/).isVisible(), "it says what goes before it goes");
  await again.getByRole("button", { name: "Delete Iva E2E" }).click();
  await page.waitForURL(`${partnerUrl}#contacts`);
  assert.equal(await page.getByText("Iva E2E", { exact: true }).count(), 0);
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(scroll, "the partner page fits a phone");
  await context.close();
});

test("two duplicate partners are merged", async () => {
  const { context, page } = await signIn(browser, owner, desktop);
  const addPartner = async (name, reach) => {
    await page.goto(`${base}/campaigns/${slug}/partners`);
    await page.locator("#new-name").fill(name);
    await page.locator("#new-category").selectOption("nonprofit");
    await page.getByLabel("Reach (people)").fill(String(reach));
    await page.getByRole("button", { name: "Add partner" }).click();
    await page.waitForURL(/\/partners\/\d+$/);
    return page.url();
  };
  const survivor = await addPartner("Udruga Bitovi E2E", 300);
  await addPartner("Bitovi E2E Zagreb", 120);
  const add = page.locator("form[action$='/contacts#contacts']");
  await add.getByLabel("Name").fill("Marko Duplikat");
  await add.getByLabel("E-mail").fill("marko.duplikat@example.org");
  await add.getByRole("button", { name: "Add contact" }).click();
  await page.waitForURL(/#contacts$/);

  await page.goto(survivor);
  await page.getByRole("link", { name: "Merge a duplicate into this partner" }).click();
  await page.getByLabel("Name of the duplicate").fill("bitovi");
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByRole("link", { name: "Bitovi E2E Zagreb" }).click();
  assert.ok(await page.getByText("1 contacts").isVisible(), "the preview says what moves");
  await page.getByRole("button", { name: "Merge and delete “Bitovi E2E Zagreb”" }).click();
  await page.waitForURL(`${survivor}#timeline`);
  assert.ok(await page.getByText("Marko Duplikat").first().isVisible(), "the duplicate's contact moved");
  assert.ok(await page.getByText(/Merged “Bitovi E2E Zagreb” into this partner/).isVisible(), "noted in the timeline");
  await page.goto(`${base}/campaigns/${slug}/partners?q=Bitovi`);
  assert.equal(await page.locator("table a[href*='/partners/']").count(), 1, "one partner is left");
  await context.close();
});

test("a queued message is paused, resumed, then cancelled, and nothing of it is delivered", async () => {
  const { context, page } = await signIn(browser, owner, desktop);
  await page.goto(`${base}/campaigns/${slug}/comms/messages/new`);
  const subject = `Podsjetnik E2E ${Date.now()}`;
  await page.getByLabel("Title (for the team)").fill("Reminder to pause");
  await page.getByLabel("On a date").check();
  const later = new Date(Date.now() + 3 * 86400000);
  await page.getByLabel("Date", { exact: true }).fill(later.toISOString().slice(0, 10));
  await page.getByLabel(/^Time of day/).fill("10:00");
  await page.getByLabel("School network").check();
  await page.locator("#t0-subject").fill(subject);
  await page.locator("#t0-text").fill("Poštovana/i {{ contact.first_name }},\nOdjava: {{ unsubscribe_url }}");
  await page.locator("#t1-subject").fill(subject);
  await page.locator("#t1-text").fill("Dear {{ contact.first_name }},\nUnsubscribe: {{ unsubscribe_url }}");
  await page.getByRole("button", { name: "Save draft" }).click();
  await page.waitForURL(/\/comms\/messages\/\d+$/);
  const messageUrl = page.url();
  await page.getByRole("button", { name: "Queue for sending" }).click();
  await page.locator("#notice").waitFor();

  await page.getByRole("button", { name: "Pause sending" }).click();
  await page.getByText(/^Paused: \d+ e-mails wait until you resume\./).first().waitFor();
  assert.match(await page.locator("#stats").innerText(), /\d+ Paused/);
  // The planner keeps the held e-mails in the calendar, marked paused.
  await page.goto(`${base}/campaigns/${slug}/comms/plan`);
  const held = page.locator("h3", { hasText: "Reminder to pause" });
  await held.first().waitFor();
  assert.ok(await held.first().getByText("paused", { exact: true }).isVisible());
  await page.goto(messageUrl);
  await page.getByRole("button", { name: "Resume sending" }).click();
  await page.getByText(/^Resumed: \d+ e-mails go out as planned\./).waitFor();
  assert.match(await page.locator("#stats").innerText(), /\d+ Planned|\d+ Deferred/);

  await page.getByText("Cancel the rest of this message…").click();
  assert.ok(await page.getByText(/This drops the \d+ e-mails not sent yet/).isVisible(), "it says what goes");
  await page.getByRole("button", { name: /^Cancel \d+ unsent e-mails$/ }).click();
  await page.getByText(/^Cancelled: \d+ e-mails not sent were dropped\./).waitFor();
  assert.match(await page.locator("#stats").innerText(), /\d+ Cancelled/);
  assert.doesNotMatch(await page.locator("#stats").innerText(), /Planned|Paused/);
  await page.getByRole("link", { name: "E-mail", exact: true }).first().click();
  assert.ok(await page.getByText(/^Cancelled: /).first().isVisible(), "the E-mail page shows it cancelled");
  // Nothing of it reached the SMTP server.
  await new Promise((r) => setTimeout(r, 3000));
  for (const f of await readdir(sink)) {
    assert.ok(!decoded(await readFile(`${sink}/${f}`, "utf8")).includes(subject), "no e-mail of the cancelled message");
  }
  await context.close();
});

test("a card dropped on Closed Won asks first, and the move can be undone", async () => {
  const { context, page } = await signIn(browser, owner, desktop);
  await page.goto(`${base}/campaigns/${slug}/board`);
  const card = page.locator('ol.cards[data-stage="negotiate_ask"] .card-item[data-movable="true"]').first();
  const id = await card.getAttribute("data-id");
  const name = await card.locator("a").first().innerText();
  const drag = async () => {
    const from = await page.locator(`.card-item[data-id="${id}"] .meta`).first().boundingBox();
    const to = await page.locator('section.column[data-stage="closed_won"] h2').boundingBox();
    await page.mouse.move(from.x + 10, from.y + 5);
    await page.mouse.down();
    await page.mouse.move(from.x + 40, from.y + 20, { steps: 4 });
    await page.mouse.move(to.x + 20, to.y + 10, { steps: 10 });
    await page.mouse.up();
  };
  await drag();
  const dialog = page.locator("#confirm-won-dialog");
  await dialog.waitFor();
  assert.ok((await dialog.innerText()).includes(name), "the dialog names the partner");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  assert.equal(await page.locator(`ol.cards[data-stage="negotiate_ask"] .card-item[data-id="${id}"]`).count(), 1, "cancelled: not moved");

  await drag();
  await dialog.getByRole("button", { name: "Move to Closed Won" }).click();
  const won = page.locator("#won-dialog");
  // A partner with open commitments asks for a note first.
  if (await won.isVisible().catch(() => false)) {
    await won.getByLabel("Why is the partner won anyway?").fill("Confirmed by phone");
    await won.getByRole("button", { name: "Move to Closed Won" }).click();
  }
  await page.locator(`ol.cards[data-stage="closed_won"] .card-item[data-id="${id}"]`).waitFor();
  const toast = page.locator("#board-toast");
  await toast.getByText(`${name} moved to Closed Won.`).waitFor();
  await toast.getByRole("button", { name: "Undo" }).click();
  await toast.getByText(`${name} is back in Negotiate Ask.`).waitFor();
  await page.locator(`ol.cards[data-stage="negotiate_ask"] .card-item[data-id="${id}"]`).waitFor();
  // The undo is recorded as a move back, and holds after a reload.
  await page.goto(`${base}/campaigns/${slug}/partners/${id}`);
  assert.equal((await page.locator("#stage").innerText()).trim(), "Negotiate Ask");
  assert.ok(await page.getByText("Undone on the board").first().isVisible());
  await context.close();
});

test("a new campaign with two languages goes through its checklist and is published", async () => {
  const { context, page } = await signIn(browser, owner, desktop);
  await page.goto(`${base}/campaigns/new`);
  await page.getByLabel("Name", { exact: true }).fill("Sat kodiranja Rijeka");
  await page.getByLabel("Web name (slug)").fill("rijeka-e2e");
  await page.getByLabel("Languages").fill("hr, en");
  await page.getByLabel("Goal: how many students").fill("3 000");
  await page.getByLabel("Campaign week starts").fill("2026-12-07");
  await page.getByLabel("Campaign week ends").fill("2026-12-13");
  await page.getByLabel("The universal message, in the main language").fill("Svatko može programirati.");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await page.waitForURL(`${base}/campaigns/rijeka-e2e`);
  const checklist = page.locator("#checklist");
  await checklist.getByText(/Getting ready: 1 of 7 done/).waitFor();
  assert.ok(await checklist.getByText("still to write: en").isVisible());

  // The draft site is the team's preview; a stranger finds nothing there.
  const stranger = await browser.newContext(desktop);
  const visit = await stranger.newPage();
  const draft = await visit.goto(`${base}/c/rijeka-e2e/`);
  assert.equal(draft.status(), 404);

  // Item by item, from the checklist's own links.
  await checklist.getByRole("link", { name: "The universal message in every language" }).click();
  await page.getByLabel("Message (en)").fill("Anyone can code.");
  await page.getByRole("button", { name: "Save the plan" }).click();
  await page.goto(`${base}/campaigns/rijeka-e2e`);
  await checklist.getByText(/Getting ready: 2 of 7 done/).waitFor();
  await checklist.getByRole("link", { name: "First partners (or an import of your list)" }).click();
  await page.goto(`${base}/campaigns/rijeka-e2e/partners`);
  await page.locator("#new-name").fill("Radio Rijeka");
  await page.locator("#new-category").selectOption("media");
  await page.getByLabel("Reach (people)").fill("40000");
  await page.getByRole("button", { name: "Add partner" }).click();
  await page.waitForURL(/\/partners\/\d+$/);
  await page.goto(`${base}/campaigns/rijeka-e2e/team`);
  await page.getByLabel("E-mail address").fill("suradnik.rijeka@example.org");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await page.getByText("Invitation sent.").waitFor();
  await page.goto(`${base}/campaigns/rijeka-e2e`);
  await checklist.getByText(/Getting ready: 4 of 7 done/).waitFor();

  await page.getByRole("button", { name: "Publish the public site" }).click();
  await page.getByRole("button", { name: "Take the site back to a draft" }).waitFor();
  await checklist.getByText(/Getting ready: 5 of 7 done/).waitFor();
  const published = await visit.goto(`${base}/c/rijeka-e2e/?lang=hr`);
  assert.equal(published.status(), 200);
  assert.ok(await visit.getByText("Svatko može programirati.").first().isVisible());
  await stranger.close();
  await context.close();
});
