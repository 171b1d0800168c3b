// Saves a PNG of every page of the team's web app to docs/screenshots/, at desktop and phone widths.
// Run through `e2e/run.sh screenshots`, which starts the demo.
import { mkdir } from "node:fs/promises";
import { base, launch, owner, signIn, slug } from "./lib.mjs";

const out = new URL("../docs/screenshots/", import.meta.url).pathname;
await mkdir(out, { recursive: true });
const browser = await launch();
const pages = [
  ["campaigns", "/campaigns"],
  ["dashboard", `/campaigns/${slug}`],
  ["partners", `/campaigns/${slug}/partners`],
  ["partner", `/campaigns/${slug}/partners/3`],
  ["partner-high-touch", `/campaigns/${slug}/partners/201`],
  ["board", `/campaigns/${slug}/board`],
  ["plan", `/campaigns/${slug}/plan`],
  ["team", `/campaigns/${slug}/team`],
  ["asks", `/campaigns/${slug}/asks`],
  ["assets", `/campaigns/${slug}/assets`],
  ["tasks", `/campaigns/${slug}/tasks`],
  ["email", `/campaigns/${slug}/comms`],
  ["email-message", `/campaigns/${slug}/comms/messages/1/preview`],
  ["email-new", `/campaigns/${slug}/comms/messages/new`],
  ["email-planner", `/campaigns/${slug}/comms/plan`],
  ["new-campaign", "/campaigns/new"],
  ["events", `/campaigns/${slug}/events`],
  ["site-home", `/c/${slug}/`],
  ["site-register", `/c/${slug}/register`],
  ["site-events", `/c/${slug}/events`],
  ["site-map", `/c/${slug}/map`],
  ["site-map-country", `/c/${slug}/map?country=HR`],
  ["site-stats", `/c/${slug}/stats`],
  ["site-partners", `/c/${slug}/partners`],
];
for (const [width, height, suffix] of [[1440, 900, ""], [390, 844, "-phone"]]) {
  const { context, page } = await signIn(browser, owner, { viewport: { width, height } });
  for (const [name, path] of pages) {
    await page.goto(`${base}${path}`);
    await page.screenshot({ path: `${out}${name}${suffix}.png`, fullPage: name !== "board" });
  }
  await context.close();
}
// A partner's own page, through a link made for the screenshot.
{
  const { context, page } = await signIn(browser, owner, { viewport: { width: 1440, height: 900 } });
  await page.goto(`${base}/campaigns/${slug}/partners/201`);
  await page.getByRole("button", { name: /Make a (new )?link/ }).click();
  await page.goto(await page.locator("#new-link").inputValue());
  await page.screenshot({ path: `${out}partner-link.png`, fullPage: true });
  await context.close();
}
const login = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
await login.goto(`${base}/login`);
await login.screenshot({ path: `${out}login.png` });
await browser.close();
console.log(`screenshots saved in ${out}`);
