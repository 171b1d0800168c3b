// Shared helpers for the browser tests and the screenshot script: launch the machine's Chromium and
// sign in to the Rally that run.sh started (RALLY_URL, RALLY_EMAIL, RALLY_PASSWORD).
import { chromium } from "playwright-core";

export const base = process.env.RALLY_URL ?? "http://127.0.0.1:8080";
export const owner = { email: process.env.RALLY_EMAIL, password: process.env.RALLY_PASSWORD };
export const viewer = { email: process.env.RALLY_VIEWER_EMAIL, password: process.env.RALLY_VIEWER_PASSWORD };
export const slug = process.env.RALLY_SLUG ?? "sat-kodiranja";

// The team app's pages the axe and phone-width checks both visit (each adds its own).
export const teamPages = [
  "/campaigns",
  "/campaigns/new",
  "/account",
  "/account/second-factor",
  `/campaigns/${slug}`,
  `/campaigns/${slug}/partners`,
  `/campaigns/${slug}/partners/3`,
  `/campaigns/${slug}/partners/3/merge?q=a`,
  `/campaigns/${slug}/board`,
  `/campaigns/${slug}/plan`,
  `/campaigns/${slug}/privacy-notice`,
  `/campaigns/${slug}/retention`,
  `/campaigns/${slug}/register`,
  `/campaigns/${slug}/team`,
  `/campaigns/${slug}/asks`,
  `/campaigns/${slug}/assets`,
  `/campaigns/${slug}/tasks`,
  `/campaigns/${slug}/comms`,
  `/campaigns/${slug}/comms/messages/new`,
  `/campaigns/${slug}/comms/messages/1/preview`,
  `/campaigns/${slug}/comms/plan`,
  `/campaigns/${slug}/events`,
  `/campaigns/${slug}/activities`,
  `/campaigns/${slug}/activities/new`,
  `/campaigns/${slug}/activities/1`,
  `/campaigns/${slug}/activities/review`,
  `/campaigns/${slug}/reports`,
  `/campaigns/${slug}/imports`,
  `/campaigns/${slug}/audit`,
  `/campaigns/${slug}/privacy`,
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"],
  });
}

export async function signIn(browser, who, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(`${base}/campaigns/${slug}`);
  await page.getByLabel("E-mail address").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/campaigns/${slug}`);
  return { context, page };
}
