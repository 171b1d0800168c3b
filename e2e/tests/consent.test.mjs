// A privacy notice version that everyone must agree to again, in a real browser: a coordinator
// publishes the notice, a contact agrees to campaign e-mail under it and is among a marketing message's
// planned recipients; a new version marked "must agree again" drops them from the plan (the planner
// says why), they agree again on their e-mail preferences page, and they are back in the plan.
//
// Everything here is the test's own: a German notice (no other test's people speak German), a partner
// with one German-speaking contact, a message to German speakers only; the message and the partner are
// deleted at the end.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { base, launch, owner, signIn, slug } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const desktop = { viewport: { width: 1280, height: 900 } };
const email = "einwilligung.e2e@example.org";

async function publishNotice(page, body, again) {
  await page.goto(`${base}/campaigns/${slug}/privacy-notice`);
  await page.getByLabel(/^Language/).fill("de");
  await page.getByLabel(/^Text/).fill(body);
  const box = page.getByLabel("Those who agreed to an earlier version must agree again");
  if (again) await box.check(); else await box.uncheck();
  await page.getByRole("button", { name: "Publish version" }).click();
  await page.waitForURL(/privacy-notice\?published=1/);
}

test("a notice version bump stops marketing until the contact agrees again", async () => {
  const { context, page } = await signIn(browser, owner, desktop);
  await publishNotice(page, "Wir speichern Ihren Namen und Ihre Adresse.", false);
  assert.ok(await page.getByRole("heading", { name: "de · version 1" }).isVisible());

  // A partner of the test's own, with a German-speaking contact who agrees to campaign e-mail.
  await page.goto(`${base}/campaigns/${slug}/partners`);
  await page.locator("#new-name").fill("Radio Einwilligung E2E");
  await page.locator("#new-category").selectOption("media");
  await page.getByLabel("Reach (people)").fill("2000");
  await page.getByRole("button", { name: "Add partner" }).click();
  await page.waitForURL(/\/partners\/\d+$/);
  const partnerUrl = page.url();
  const add = page.locator("form[action$='/contacts#contacts']");
  await add.getByLabel("Name").fill("Greta E2E");
  await add.getByLabel("E-mail").fill(email);
  await add.getByLabel("Language").fill("de");
  await add.getByRole("button", { name: "Add contact" }).click();
  await page.waitForURL(`${partnerUrl}#contacts`);
  const item = page.locator("li", { has: page.getByText("Greta E2E", { exact: true }) });
  await item.locator("summary", { hasText: /^Edit/ }).click();
  await item.getByLabel("Consent to campaign e-mail").selectOption("opted_in");
  await item.getByRole("button", { name: /^Save/ }).click();
  await page.getByText("consent: Agreed to campaign e-mail").first().waitFor();
  const greta = page.locator("li", { has: page.getByText("Greta E2E", { exact: true }) });
  await greta.locator("summary", { hasText: /^Consent history/ }).click();
  assert.match(await greta.locator(".consent-history").textContent(), /Granted.*Set by the team.*de-1/s);

  // A marketing message to German speakers: Greta is its one planned recipient.
  await page.goto(`${base}/campaigns/${slug}/comms/messages/new`);
  const title = `Neuigkeiten E2E ${Date.now()}`;
  await page.getByLabel("Title (for the team)").fill(title);
  await page.getByLabel("On a date").check();
  const later = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  await page.getByLabel("Date", { exact: true }).fill(later);
  await page.getByLabel(/^Time of day/).fill("10:00");
  await page.getByLabel(/^Contact languages/).fill("de");
  await page.locator("#t0-subject").fill("Neuigkeiten");
  await page.locator("#t0-text").fill("Hallo {{ contact.first_name }}, abmelden: {{ unsubscribe_url }}");
  await page.getByRole("button", { name: "Save draft" }).click();
  await page.waitForURL(/\/comms\/messages\/\d+$/);
  const messageUrl = page.url();
  const planned = page.locator("#preview-contact option", { hasText: email });
  assert.equal(await planned.count(), 1, "Greta is planned");

  // Her unsubscribe link, as her e-mail would carry it.
  const contactId = await planned.getAttribute("value");
  await page.goto(`${messageUrl}/preview?contact=${contactId}`);
  const link = (await page.locator("#preview").textContent()).match(/\/u\/[^\s"<]+/)[0];

  // A new version everyone must agree to again: Greta drops out of the plan, and the planner says why.
  await publishNotice(page, "Wir speichern Ihren Namen, Ihre Adresse und neu: Ihre Schule.", true);
  await page.goto(messageUrl);
  assert.equal(await page.locator("#preview-contact option", { hasText: email }).count(), 0, "Greta is not planned");
  await page.goto(`${base}/campaigns/${slug}/comms/plan`);
  assert.match(await page.locator("main").textContent(), new RegExp(`${email.replace(/\./g, "\\.")}[^\\n]*must agree to the new privacy notice`));

  // Greta agrees again on her preferences page (no sign-in: the link is the credential).
  const hers = await browser.newContext(desktop);
  const prefs = await hers.newPage();
  await prefs.goto(`${base}${link}`);
  assert.ok(await prefs.getByRole("heading", { name: "We updated our privacy notice" }).isVisible());
  assert.ok(await prefs.getByText("neu: Ihre Schule").isVisible(), "the new text is shown");
  await prefs.getByRole("button", { name: "Keep me informed: I agree" }).click();
  await prefs.locator("#agreed").waitFor();
  assert.equal(await prefs.getByRole("heading", { name: "We updated our privacy notice" }).count(), 0);
  await hers.close();

  // She is back in the plan, and her history says how she agreed.
  await page.goto(messageUrl);
  assert.equal(await page.locator("#preview-contact option", { hasText: email }).count(), 1, "Greta is planned again");
  await page.goto(partnerUrl);
  const history = page.locator("li", { has: page.getByText("Greta E2E", { exact: true }) }).locator(".consent-history");
  await history.locator("summary").click();
  assert.match(await history.textContent(), /Privacy notice.*Granted.*E-mail preferences page.*de-2/s);

  // Leave the demo as it was: the message and the partner go.
  await page.goto(messageUrl);
  await page.locator("#delete summary").click();
  await page.getByRole("button", { name: `Delete ${title}` }).click();
  await page.waitForURL(/\/comms/);
  await page.goto(partnerUrl);
  await page.locator("summary", { hasText: "Delete this partner" }).click();
  await page.getByRole("button", { name: "Delete Radio Einwilligung E2E" }).click();
  await page.waitForURL(/\/partners/);
  await context.close();
});
