// The team's web app in a real browser: sign in, create a partner, drag its card along the pipeline,
// lose a partner with a reason, a viewer who cannot edit, and a forged form that is refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { base, launch, owner, signIn, slug, viewer } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Drags a card with the mouse (pointer events, as a finger would) onto a column, level with the card.
async function dragCard(page, card, column) {
  await card.scrollIntoViewIfNeeded();
  const from = await card.boundingBox();
  const to = await column.boundingBox();
  await page.mouse.move(from.x + 20, from.y + 10);
  await page.mouse.down();
  await page.mouse.move(from.x + 40, from.y + 30, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, from.y + 30, { steps: 12 });
  await page.mouse.up();
}

// Wide enough for all seven columns side by side.
const wide = { viewport: { width: 1900, height: 1000 } };

test("an owner signs in and sees the dashboard", async () => {
  const { context, page } = await signIn(browser, owner);
  await page.getByRole("heading", { name: "Pipeline" }).waitFor();
  assert.match(await page.title(), /Sat kodiranja/);
  assert.ok(await page.getByRole("progressbar", { name: "Students counted" }).isVisible());
  await context.close();
});

test("a new partner's card is dragged from Lead to Contacted, and the history shows it", async () => {
  const { context, page } = await signIn(browser, owner, wide);
  const name = `Radio Test ${Date.now()}`;
  await page.goto(`${base}/campaigns/${slug}/partners`);
  await page.locator("#new-name").fill(name);
  await page.locator("#new-category").selectOption("media");
  await page.getByLabel("Reach (people)").fill("25000");
  await page.getByRole("button", { name: "Add partner" }).click();
  await page.getByRole("heading", { name }).waitFor();
  const id = page.url().split("/").pop();

  await page.goto(`${base}/campaigns/${slug}/board?category=media`);
  // New partners are last in id order: page the Lead column until the card is there.
  const card = page.locator(`.card-item[data-id="${id}"]`);
  while (!(await card.count())) {
    await page.locator('a[data-more="lead"]').click();
    await page.waitForTimeout(100);
  }
  const moved = page.waitForResponse((r) => r.url().endsWith(`/partners/${id}/stage`));
  await dragCard(page, card, page.locator('section.column[data-stage="contacted"]'));
  assert.equal((await moved).status(), 200);
  await page.locator(`ol.cards[data-stage="contacted"] .card-item[data-id="${id}"]`).waitFor();

  await page.goto(`${base}/campaigns/${slug}/partners/${id}`);
  assert.equal(await page.locator("#stage").textContent(), "Contacted");
  const latest = await page.locator("#timeline li").first().textContent();
  assert.match(latest, /Contacted\s+from Lead/);
  assert.match(latest, /Ana Horvat/);
  await context.close();
});

test("Closed Lost asks for the reason, on the board and on the partner's page", async () => {
  const { context, page } = await signIn(browser, owner, wide);
  await page.goto(`${base}/campaigns/${slug}/board`);
  const card = page.locator('ol.cards[data-stage="negotiate_ask"] .card-item[data-movable="true"]').first();
  const id = await card.getAttribute("data-id");
  // Cancelling the reason leaves the card where it was.
  await dragCard(page, card, page.locator('section.column[data-stage="closed_lost"]'));
  const dialog = page.getByRole("dialog", { name: "Why was this partner lost?" });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await page.locator(`ol.cards[data-stage="negotiate_ask"] .card-item[data-id="${id}"]`).waitFor();
  // With a reason it moves.
  const moved = page.waitForResponse((r) => r.url().endsWith(`/partners/${id}/stage`));
  await dragCard(page, card, page.locator('section.column[data-stage="closed_lost"]'));
  await dialog.getByLabel("Reason").fill("Budget went to robotics this year");
  await dialog.getByRole("button", { name: "Move to Closed Lost" }).click();
  assert.equal((await moved).status(), 200);
  await page.locator(`ol.cards[data-stage="closed_lost"] .card-item[data-id="${id}"]`).waitFor();
  await page.goto(`${base}/campaigns/${slug}/partners/${id}`);
  assert.match(await page.locator("#timeline li").first().textContent(), /Reason: Budget went to robotics this year/);

  // Without a script: the form says what is missing, next to the field, and keeps the note.
  await page.getByLabel("New stage").selectOption("contacted");
  await page.getByRole("button", { name: "Move" }).click();
  await page.getByLabel("New stage").selectOption("closed_lost");
  await page.getByLabel("Note", { exact: true }).fill("called twice");
  await page.getByRole("button", { name: "Move" }).click();
  await page.locator(".field-error", { hasText: "say why the partner was lost" }).waitFor();
  assert.equal(await page.getByLabel("Note", { exact: true }).inputValue(), "called twice");
  await page.getByLabel("Reason (for Closed Lost)").fill("no reply");
  await page.getByRole("button", { name: "Move" }).click();
  await page.locator("#stage", { hasText: "Closed Lost" }).waitFor();
  await context.close();
});

test("a viewer reads but cannot edit", async () => {
  const { context, page } = await signIn(browser, viewer);
  await page.goto(`${base}/campaigns/${slug}/partners`);
  assert.equal(await page.getByRole("button", { name: "Add partner" }).count(), 0);
  const first = page.locator("#partners tbody a").first();
  await first.click();
  await page.locator("#timeline").waitFor();
  assert.equal(await page.getByRole("button", { name: "Move" }).count(), 0);
  await page.goto(`${base}/campaigns/${slug}/board`);
  assert.equal(await page.locator('.card-item[data-movable="true"]').count(), 0);
  // Even a hand-made request with the viewer's own token is refused by the server.
  const id = await page.locator(".card-item").first().getAttribute("data-id");
  const token = await page.locator('meta[name="csrf-token"]').getAttribute("content");
  const answer = await page.request.post(`${base}/campaigns/${slug}/partners/${id}/stage`, {
    form: { csrf: token, stage: "closed_won" },
    headers: { Accept: "application/json" },
    maxRedirects: 0,
  });
  assert.equal(answer.status(), 403);
  await context.close();
});

test("the content security policy stops an injected inline script", async () => {
  const { context, page } = await signIn(browser, owner);
  await page.goto(`${base}/campaigns/${slug}`);
  const blocked = await page.evaluate(() => new Promise((resolve) => {
    document.addEventListener("securitypolicyviolation", (e) => resolve(e.violatedDirective), { once: true });
    const script = document.createElement("script");
    script.textContent = "window.injected = true";
    document.body.append(script);
    setTimeout(() => resolve(window.injected ? "ran" : "no event"), 1000);
  }));
  assert.match(blocked, /^script-src/);
  await context.close();
});

test("a forged form from another page is refused", async () => {
  const { context, page } = await signIn(browser, owner);
  await page.goto(`${base}/campaigns/${slug}/board`);
  const id = await page.locator(".card-item").first().getAttribute("data-id");
  // The session cookie goes along, as it would from an attacker's page; the token does not.
  await page.setContent(`<form method="post" action="${base}/campaigns/${slug}/partners/${id}/stage">
    <input name="stage" value="closed_won"><button>Go</button></form>`);
  const [response] = await Promise.all([page.waitForResponse(() => true), page.getByRole("button", { name: "Go" }).click()]);
  assert.equal(response.status(), 403);
  await context.close();
});
