// End-to-end test of the example chat in a real browser: Debian's Chromium driven by playwright-core.
//   node chat-e2e.mjs <base-url> <websocket|polling> <screenshot-dir>
// Two users in two browser contexts log in, see each other online, see the typing line, exchange
// messages, watch the sender's ticks go sent -> delivered -> read, and see presence go offline.
// Prints one line per step; exits 0 when every step passed, 1 otherwise.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, mode, shots] = process.argv.slice(2);
const query = mode === "polling" ? "?transports=polling" : "?transports=websocket";
const TIMEOUT = 15000;
mkdirSync(shots, { recursive: true });

const step = (what) => console.log(`step: ${what}`);
let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
  });
  const alice = await login("alice");
  const bob = await login("bob");

  step("each sees the other online");
  await alice.locator('#online li[data-user="bob"].on').waitFor({ timeout: TIMEOUT });
  await bob.locator('#online li[data-user="alice"].on').waitFor({ timeout: TIMEOUT });

  step("bob sees alice typing");
  await alice.locator("#text").pressSequentially("hello b", { delay: 20 });
  await expectText(bob.locator("#typing"), "alice is typing");
  await bob.screenshot({ path: `${shots}/${mode}-1-bob-sees-typing.png` });

  step("alice sends, bob receives");
  await alice.locator("#text").pressSequentially("ob", { delay: 20 });
  await alice.locator("#send-button").click();
  await expectText(bob.locator('#messages li.message[data-sender="alice"] .text'), "hello bob");

  step("alice's tick turns to read");
  await alice.locator('#messages li.message.mine .tick[data-status="read"]').waitFor({ timeout: TIMEOUT });
  await alice.screenshot({ path: `${shots}/${mode}-2-alice-read-receipt.png` });

  step("bob answers, alice receives");
  await bob.locator("#text").fill("hi alice");
  await bob.locator("#send-button").click();
  await expectText(alice.locator('#messages li.message[data-sender="bob"] .text'), "hi alice");

  step("typing line clears after the message");
  await expectText(bob.locator("#typing"), "", true);

  step("bob closes his tab, alice sees him offline");
  await bob.close({ runBeforeUnload: true });
  await bob.context().close();
  await alice.locator('#online li[data-user="bob"].off').waitFor({ timeout: TIMEOUT });
  await alice.screenshot({ path: `${shots}/${mode}-3-alice-sees-bob-offline.png` });

  console.log("e2e: passed");
  await browser.close();
  process.exit(0);
} catch (e) {
  console.log(`e2e: failed: ${e && e.stack ? e.stack : e}`);
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
}

async function login(name) {
  step(`${name} logs in`);
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => console.log(`pageerror(${name}): ${err.message}`));
  await page.goto(base + "/" + query);
  await page.locator("#name").fill(name);
  await page.locator("#password").fill(name + "-password");
  await page.locator("#login-button").click();
  await page.locator("#chat").waitFor({ state: "visible", timeout: TIMEOUT });
  await expectText(page.locator("#status"), "online");
  await page.locator('#rooms li[data-room="general"]').waitFor({ timeout: TIMEOUT });
  return page;
}

async function expectText(locator, text, exact = false) {
  const deadline = Date.now() + TIMEOUT;
  let last = "";
  while (Date.now() < deadline) {
    last = (await locator.first().textContent({ timeout: TIMEOUT }).catch(() => "")) || "";
    if (exact ? last.trim() === text : last.includes(text)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${exact ? "exactly" : "to contain"} "${text}", last saw "${last}"`);
}
