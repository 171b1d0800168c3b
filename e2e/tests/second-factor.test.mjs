// Two-factor sign-in in a real browser on a phone-sized window, as its own user (the demo owner keeps
// signing in with a password alone): set up from the account page with the key the page shows (codes
// computed here as an authenticator app computes them, RFC 6238), then a sign-in with a code and one
// with a recovery code. Each page of it fits in 390 px and passes axe.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { base, launch } from "../lib.mjs";

const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const who = { email: process.env.RALLY_TOTP_EMAIL, password: process.env.RALLY_TOTP_PASSWORD };
// axe is injected as an inline script, which the pages' content security policy rightly forbids.
const phone = { viewport: { width: 390, height: 844 }, bypassCSP: true };

// RFC 4648 base32 (spaces ignored) to bytes.
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const out = [];
  for (const c of text.replace(/[\s=]/g, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { bits -= 8; out.push((value >>> bits) & 0xff); }
  }
  return Buffer.from(out);
}

// The six-digit code of the time step `ahead` steps from now (an app whose clock runs a little fast).
function totp(secret, ahead = 0) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + ahead));
  const hash = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = hash[hash.length - 1] & 0x0f;
  const code = (hash.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, "0");
}

// Serious or critical WCAG 2.1 A/AA violations on the page (as a11y.test.mjs checks the other pages).
async function violations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${page.url()}: ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
}

// The page fits a phone's width and passes axe.
async function fits(page) {
  assert.deepEqual(await violations(page), []);
  const { scrollWidth, width } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  assert.ok(scrollWidth <= width, `${page.url()} is ${scrollWidth}px wide in a ${width}px window`);
}

async function password(page) {
  await page.goto(`${base}/login`);
  await page.getByLabel("E-mail address").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

// The header's "Sign out", behind the Menu button on a phone.
async function signOut(page) {
  await page.goto(`${base}/account`);
  const menu = page.locator("header summary", { hasText: "Menu" });
  if (await menu.isVisible()) await menu.click();
  await page.locator("form.signout button").click();
  await page.waitForURL(`${base}/login`);
}

test("a TOTP sign-in with a recovery code", async () => {
  assert.ok(who.email, "run.sh adds the two-factor user");
  const context = await browser.newContext(phone);
  const page = await context.newPage();

  await password(page);
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  await page.goto(`${base}/account`);
  await page.getByRole("link", { name: "Set up two-factor sign-in" }).click();
  await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  await assert.doesNotReject(page.getByRole("img", { name: "QR code for your authenticator app" }).waitFor());
  await fits(page);
  const secret = (await page.locator("#secret").textContent()).trim();
  assert.match(secret, /^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/);
  await page.getByLabel("Code from your app").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  const codes = (await page.locator(".recovery-codes code").allTextContents()).map((c) => c.trim());
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  await fits(page);
  await page.getByRole("link", { name: "I have saved them" }).click();
  await assert.doesNotReject(page.getByRole("heading", { name: /On since/ }).waitFor());
  await signOut(page);

  // The password, then a code from the "app": the next step's, as the last one was used to set up.
  await password(page);
  await page.waitForURL(/\/login\/second-factor/);
  await fits(page);
  await page.getByLabel("Code from your app").fill(totp(secret, 1));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  await signOut(page);

  // No phone at hand: a recovery code, once.
  await password(page);
  await page.waitForURL(/\/login\/second-factor/);
  await page.getByLabel("Code from your app").fill(codes[0]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  await page.goto(`${base}/account`);
  await assert.doesNotReject(page.getByText("9 recovery codes left").waitFor());
  await fits(page);
  await signOut(page);
  await password(page);
  await page.getByLabel("Code from your app").fill(codes[0]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await assert.doesNotReject(page.getByText("That code is not right").waitFor());
  await context.close();
});
