// End-to-end test of the example chat in a real browser: Debian's Chromium driven by playwright-core.
//   node chat-e2e.mjs <base-url> <websocket|polling> <desktop|phone> <screenshot-dir>
// Two users (and a stranger) in their own browser contexts go through the chat as people do: sign-up and
// login, the layout at the given width, the keyboard, typing, receipts, date lines, an empty room, a
// direct conversation with its unread badge, a reload, a send while the server is down, a failed send,
// presence with last seen, and the login limit. The server is stopped and started by the Java test on
// request: this script prints "control: stop" or "control: start" and waits for a line on its stdin.
// Over WebSocket, bob's frames pass through the script (routeWebSocket), which holds back the new
// conversation's room list or its live message, so the badge is checked in both orders.
// Prints one line per step; exits 0 when every step passed, 1 otherwise.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import readline from "node:readline";

const [base, mode, viewport, shots] = process.argv.slice(2);
const phone = viewport === "phone";
const query = mode === "polling" ? "?transports=polling" : "?transports=websocket";
const TIMEOUT = 20000;
const tag = `${viewport}-${mode}`;
mkdirSync(shots, { recursive: true });

const started = Date.now();
const step = (what) => console.log(`step (${((Date.now() - started) / 1000).toFixed(1)} s): ${what}`);
const badResponses = [];

const input = readline.createInterface({ input: process.stdin });
const replies = [];
let waiting = null;
input.on("line", (line) => {
  if (waiting) {
    const w = waiting;
    waiting = null;
    w(line);
  } else {
    replies.push(line);
  }
});
function control(command) {
  console.log(`control: ${command}`);
  return new Promise((resolve) => (replies.length ? resolve(replies.shift()) : (waiting = resolve)));
}

let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
  });

  step("the favicon is served");
  const alice = await newPage("alice");
  const favicon = await alice.request.get(base + "/favicon.ico");
  check(favicon.status() === 200, `/favicon.ico answered ${favicon.status()}`);

  step("alice signs up");
  await alice.goto(base + "/" + query);
  await shot(alice, "1-login");
  await signUp(alice, "alice");

  step("bob: an unknown name and a wrong password get the same answer");
  const bob = await newPage("bob");
  const bobFrames = mode === "websocket" ? await relay(bob) : null;
  await bob.goto(base + "/" + query);
  const unknown = await loginError(bob, "bob", "bob-password");
  const wrong = await loginError(bob, "alice", "not-alices-password");
  check(unknown === wrong && unknown === "wrong name or password", `answers "${unknown}" and "${wrong}"`);
  await signUp(bob, "bob");

  step("the layout fits the width, with the Send button in view");
  for (const page of [alice, bob]) await checkLayout(page);
  if (phone) { // and at the narrowest phones
    await alice.setViewportSize({ width: 360, height: 740 });
    await checkLayout(alice);
    await alice.setViewportSize({ width: 390, height: 844 });
  }
  if (phone) {
    step("the room list is a drawer: ☰ opens it, Escape closes it");
    await alice.locator("#menu-button").click();
    await alice.locator("#sidebar").waitFor({ state: "visible", timeout: TIMEOUT });
    await alice.locator('#rooms li[data-room="general"] button').waitFor({ timeout: TIMEOUT });
    await shot(alice, "2-rooms-drawer");
    await alice.keyboard.press("Escape");
    await alice.locator("#sidebar").waitFor({ state: "hidden", timeout: TIMEOUT });
    check(await alice.evaluate(() => document.activeElement.id) === "menu-button", "focus back on the ☰ button");
  }

  step("yesterday's message is under a date line, and each sees the other online");
  await expectText(alice.locator("#messages li.day").first(), "Yesterday");
  await expectText(alice.locator('#messages li.message[data-sender="carol"] .text'), "a message from yesterday");
  await present(alice.locator('#online li[data-user="bob"].on'));
  await present(bob.locator('#online li[data-user="alice"].on'));

  step("bob sees alice typing");
  const aliceTyping = await watchText(bob, "typing", "alice is typing");
  await alice.locator("#text").click();
  await alice.locator("#text").pressSequentially("hello b", { delay: 20 });
  await aliceTyping();

  step("Enter sends; Tab goes from the message to Send");
  await alice.locator("#text").pressSequentially("ob", { delay: 20 });
  await alice.keyboard.press("Enter");
  await expectText(bob.locator('#messages li.message[data-sender="alice"] .text'), "hello bob");
  check(await alice.locator("#text").inputValue() === "", "the input is empty after sending");
  await alice.keyboard.press("Tab");
  check(await alice.evaluate(() => document.activeElement.id) === "send-button", "Tab from the input reaches Send");
  await expectText(alice.locator("#messages li.day").last(), "Today");

  step("alice's tick turns to read");
  await alice.locator('#messages li.message.mine .tick[data-status="read"]').waitFor({ timeout: TIMEOUT });
  await expectText(bob.locator("#typing"), "", true);
  await shot(alice, "2-general");

  step("text keeps its contrast");
  for (const page of [alice, bob]) await checkContrast(page);

  step("a new room shows its empty state until the first message");
  await inSidebar(alice, async () => {
    await alice.locator("#new-room").fill("quiet");
    await alice.locator("#create-room-button").click();
  });
  await expectText(alice.locator("#room-title"), "# quiet");
  await alice.locator("#messages li.empty").waitFor({ timeout: TIMEOUT });
  await shot(alice, "3-empty-room");
  await send(alice, "first!");
  await alice.locator("#messages li.empty").waitFor({ state: "detached", timeout: TIMEOUT });

  step("alice starts a direct conversation with bob");
  await inSidebar(alice, () => alice.locator('#online li[data-user="bob"] button').click());
  await expectText(alice.locator("#room-title"), "@bob");
  await expectText(alice.locator("#messages li.empty"), "conversation with bob");
  // bob's page gets the new conversation's room list (asked on rooms:changed) and the live message in
  // either order; over WebSocket the test picks one (the list first on a desktop, the message first on a
  // phone), and either way the message counts once
  const settled = bobFrames && (phone ? answerAfterMessage(bobFrames, bob) : messageAfterAnswer(bobFrames));
  settled?.catch(() => {}); // awaited below; a failure surfaces there
  await send(alice, "psst, bob");
  const dm = '[data-room="dm:alice:bob"]';

  step("bob gets an unread badge for it, opens it, and alice's tick turns to read");
  if (settled) await settled;
  await expectText(bob.locator(`#dms li${dm} .unread`), "1", true);
  if (phone) await expectText(bob.locator("#menu-unread"), "1", true);
  await inSidebar(bob, () => bob.locator(`#dms li${dm} button`).click());
  await expectText(bob.locator("#room-title"), "@alice");
  await expectText(bob.locator('#messages li.message[data-sender="alice"] .text'), "psst, bob");
  await alice.locator('#messages li.message.mine .tick[data-status="read"]').waitFor({ timeout: TIMEOUT });
  await bob.locator(`#dms li${dm} .unread`).waitFor({ state: "detached", timeout: TIMEOUT }); // gone once read

  step("typing works in the direct conversation");
  const bobTyping = await watchText(alice, "typing", "bob is typing");
  await bob.locator("#text").pressSequentially("hey", { delay: 20 });
  await bobTyping();
  await bob.keyboard.press("Enter");
  await expectText(alice.locator('#messages li.message[data-sender="bob"] .text'), "hey");
  await shot(alice, "4-direct-message");

  step("a reload reopens the direct conversation");
  await alice.reload();
  await expectText(alice.locator("#room-title"), "@bob");
  await expectText(alice.locator('#messages li.message[data-sender="bob"] .text'), "hey");
  await expectText(alice.locator("#status"), "online");

  step("the server stops: alice's own status shows it, and her message waits as pending");
  check(await control("stop") === "ok", "the server stopped");
  await present(alice.locator('#status[data-state="reconnecting"]'));
  await expectText(alice.locator("#connection"), "Reconnecting"); // in view also when the drawer is folded
  check(await alice.locator('#my-dot[data-state="online"]').count() === 0, "alice's own dot is not green");
  await send(alice, "sent while the server was down");
  const down = '#messages li.message[data-sender="alice"]:has-text("sent while the server was down")';
  await alice.locator(`${down}.pending .tick[data-status="pending"]`).waitFor({ timeout: TIMEOUT });
  await shot(alice, "5-pending");

  step("the server is back: the message is delivered once and shows as delivered");
  check(await control("start") === "ok", "the server started");
  await alice.locator(`${down} .tick[data-status="delivered"], ${down} .tick[data-status="read"]`)
    .first().waitFor({ timeout: TIMEOUT });
  await expectText(alice.locator("#status"), "online");
  await alice.locator("#connection").waitFor({ state: "hidden", timeout: TIMEOUT });
  const bobsCopy = '#messages li.message[data-sender="alice"]:has-text("sent while the server was down")';
  await bob.locator(bobsCopy).first().waitFor({ timeout: TIMEOUT });
  await send(alice, "and after");
  await expectText(bob.locator('#messages li.message[data-sender="alice"] .text').last(), "and after");
  check(await bob.locator(bobsCopy).count() === 1, "bob has it once");
  await alice.reload();
  await expectText(alice.locator('#messages li.message .text').last(), "and after");
  check(await alice.locator(down).count() === 1, "the history has it once");
  await alice.locator(`${down} .tick[data-status="read"]`).waitFor({ timeout: TIMEOUT }); // bob has it open

  step("a refused send can be retried or discarded");
  await send(alice, "x".repeat(600)); // the test server takes 500 characters at most
  const failed = alice.locator("#messages li.message.failed");
  await expectText(failed.locator(".failure"), "Not sent: a message has at most 500 characters");
  await shot(alice, "6-failed-send");
  await failed.locator("button.retry").click();
  await expectText(alice.locator("#messages li.message.failed .failure"), "Not sent");
  await alice.locator("#messages li.message.failed button.discard").click();
  await alice.locator("#messages li.message.failed").waitFor({ state: "detached", timeout: TIMEOUT });

  step("bob closes his tab, alice sees him offline with a last-seen time");
  await bob.close({ runBeforeUnload: true });
  await bob.context().close();
  await present(alice.locator('#online li[data-user="bob"].off'));
  await expectText(alice.locator('#online li[data-user="bob"] .last'), "last seen");
  await inSidebar(alice, async () => {
    await shot(alice, phone ? "7-people-drawer" : "7-presence");
    if (phone) await alice.keyboard.press("Escape");
  });

  step("login attempts are limited");
  const eve = await newPage("eve");
  await eve.goto(base + "/" + query);
  let answer = "";
  for (let i = 0; i < 6 && !answer.includes("too many attempts"); i++) { // 4 a name (the restart forgot the others)
    answer = await loginError(eve, "alice", "guess-number-" + i);
  }
  check(answer.includes("too many attempts"), `the answer was "${answer}"`);

  check(badResponses.length === 0, "responses with errors: " + badResponses.join(", "));
  console.log("e2e: passed");
  await browser.close();
  process.exit(0);
} catch (e) {
  console.log(`e2e: failed: ${e && e.stack ? e.stack : e}`);
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
}

async function newPage(name) {
  // reduced motion: the drawer opens without its slide, so a screenshot never catches it half-way
  const context = await browser.newContext(phone
    ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, reducedMotion: "reduce" }
    : { viewport: { width: 1280, height: 800 }, reducedMotion: "reduce" });
  const page = await context.newPage();
  page.on("pageerror", (err) => console.log(`pageerror(${name}): ${err.message}`));
  page.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    // the login answers are checked where they are expected; a polling request may meet the restart
    if (r.status() >= 400 && !["/login", "/signup"].includes(path) && !path.startsWith("/socket.io/")) {
      badResponses.push(`${r.status()} ${path}`);
    }
  });
  return page;
}

/**
 * Routes the page's Socket.IO WebSocket through the test, which passes every frame on and can hold back
 * the frames from the server that match a test until it releases them. {@code seen} waits for a frame
 * that passed (also one that passed before the call): "down" from the server, "up" from the page.
 */
async function relay(page) {
  const passed = [];
  const waiters = new Set();
  let holding = null;
  const note = (dir, frame) => {
    if (typeof frame !== "string") return;
    passed.push({ dir, frame });
    for (const w of [...waiters]) if (w.dir === dir && w.test(frame)) w.resolve(frame);
  };
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => {
      server.send(frame);
      note("up", frame);
    });
    server.onMessage((frame) => {
      const down = () => {
        ws.send(frame);
        note("down", frame);
      };
      if (holding && typeof frame === "string" && holding.test(frame)) holding.frames.push(down);
      else down();
    });
  });
  return {
    hold(test) {
      const h = { test, frames: [] };
      holding = h;
      return {
        /** Waits until one frame is held. */
        any: () => until(() => h.frames.length > 0, "a frame to hold"),
        release() {
          if (holding === h) holding = null;
          for (const send of h.frames.splice(0)) send();
        },
      };
    },
    seen(dir, test, what) {
      const before = passed.find((p) => p.dir === dir && test(p.frame));
      if (before) return Promise.resolve(before.frame);
      return new Promise((resolve, reject) => {
        const w = { dir, test, resolve: (f) => { clearTimeout(w.timer); waiters.delete(w); resolve(f); } };
        w.timer = setTimeout(() => { waiters.delete(w); reject(new Error(`no frame ${dir}: ${what}`)); }, TIMEOUT);
        waiters.add(w);
      });
    },
  };
}

/** The live message of the direct conversation: 42["message",{...}]. */
function dmMessage(f) {
  return f.startsWith('42["message"') && f.includes('"room":"dm:alice:bob"');
}

/** An answer that lists the direct conversation: the room list, 43<id>[[{...}]]. */
function dmRoomList(f) {
  return /^43\d+\[\[/.test(f) && f.includes('"name":"dm:alice:bob"');
}

/** The page's "delivered" for {@code message}: the page has handled that message by then. */
function deliveredFrame(message) {
  const id = JSON.parse(message.slice(2))[1].id;
  return (f) => f.startsWith('42["delivered"') && f.includes(id);
}

/** The room list reaches the page first, the live message after it; resolves once the page has handled both. */
async function messageAfterAnswer(frames) {
  const held = frames.hold(dmMessage);
  await frames.seen("down", dmRoomList, "the room list with the conversation");
  held.release(); // the page handles frames in order: the list is counted before the message comes
  const message = await frames.seen("down", dmMessage, "the message");
  await frames.seen("up", deliveredFrame(message), "delivered");
}

/** The live message reaches the page first, the room list after it; resolves once the page has shown the list. */
async function answerAfterMessage(frames, page) {
  const held = frames.hold(dmRoomList);
  const message = await frames.seen("down", dmMessage, "the message");
  await frames.seen("up", deliveredFrame(message), "delivered");
  await held.any();
  await page.evaluate(() => {
    window.roomsRendered = new Promise((resolve) => new MutationObserver((_, o) => {
      o.disconnect();
      resolve();
    }).observe(document.getElementById("dms"), { childList: true }));
  });
  held.release();
  await page.evaluate(() => window.roomsRendered);
}

async function until(test, what) {
  const deadline = Date.now() + TIMEOUT;
  while (!test()) {
    if (Date.now() > deadline) throw new Error("waited in vain for " + what);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function signUp(page, name) {
  await page.locator("#name").fill(name);
  await page.locator("#password").fill(name + "-password");
  await page.locator("#signup-button").click();
  await page.locator("#chat").waitFor({ state: "visible", timeout: TIMEOUT });
  await expectText(page.locator("#status"), "online");
  await present(page.locator('#rooms li[data-room="general"]'));
  // general is open (its room:join answered): only then does the page get the room's typing
  await expectText(page.locator("#room-title"), "# general", true);
}

async function loginError(page, name, password) {
  await page.locator("#login-error").evaluate((e) => (e.textContent = ""));
  await page.locator("#name").fill(name);
  await page.locator("#password").fill(password);
  await page.locator("#password").press("Enter"); // Enter in the form logs in
  const deadline = Date.now() + TIMEOUT;
  while (Date.now() < deadline) {
    const text = (await page.locator("#login-error").textContent()) || "";
    if (text) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no login error for ${name}`);
}

async function send(page, text) {
  await page.locator("#text").fill(text);
  await page.locator("#send-button").click();
}

/** Runs {@code fn} with the room list in view: on a phone it opens the drawer first. */
async function inSidebar(page, fn) {
  if (phone) {
    await page.locator("#menu-button").click();
    await page.locator("#sidebar").waitFor({ state: "visible", timeout: TIMEOUT });
  }
  await fn();
}

async function checkLayout(page) {
  const m = await page.evaluate(() => {
    const send = document.getElementById("send-button").getBoundingClientRect();
    const title = document.getElementById("room-title").getBoundingClientRect();
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, innerHeight, send, title };
  });
  check(m.scrollWidth <= m.innerWidth, `no horizontal overflow (${m.scrollWidth} > ${m.innerWidth})`);
  check(m.send.width > 0 && m.send.left >= 0 && m.send.right <= m.innerWidth && m.send.bottom <= m.innerHeight,
    `the Send button in view: ${JSON.stringify(m.send)}`);
  check(m.title.left >= 0 && m.title.right <= m.innerWidth, `the title in view: ${JSON.stringify(m.title)}`);
  check(await page.locator("#send-button").isVisible(), "the Send button is visible");
  check(await page.locator("#sidebar").isVisible() === !phone, phone ? "the room list is folded" : "the room list shows");
  check(await page.locator("#menu-button").isVisible() === phone, "the ☰ button only on narrow screens");
}

/** Every visible text in the main places has a contrast of 4.5:1 or more with its background. */
async function checkContrast(page) {
  const bad = await page.evaluate(() => {
    const parse = (c) => {
      const p = c.match(/[\d.]+/g).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c.a > 0.5) return c;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const out = [];
    const selector = "#messages .who, #messages .text, #messages .time, #messages .tick, #messages li.day,"
      + " #messages li.empty, #dms li.none, #typing, #status, #me, #sidebar h2, #sidebar .label, #online .last, .unread,"
      + " #room-title, #send-button, #text, #logout, #room-leave, .failure, #login-error, #connection";
    for (const el of document.querySelectorAll(selector)) {
      if (!el.textContent.trim() || !el.getClientRects().length || getComputedStyle(el).visibility === "hidden") continue;
      const fg = lum(parse(getComputedStyle(el).color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) out.push(`${el.id || el.className} ${ratio.toFixed(2)}`);
    }
    return out;
  });
  check(bad.length === 0, "low contrast: " + bad.join(", "));
}

function check(ok, what) {
  if (!ok) throw new Error("check failed: " + what);
}

async function shot(page, name) {
  await page.screenshot({ path: `${shots}/${tag}-${name}.png` });
}

/** Waits until the element exists (it may sit in the folded drawer on a phone). */
async function present(locator) {
  await locator.first().waitFor({ state: "attached", timeout: TIMEOUT });
}

/**
 * Records in the page whether element {@code id} shows {@code text}, however briefly (the typing line
 * goes when the typist stops); returns a function that waits until it has.
 */
async function watchText(page, id, text) {
  await page.evaluate(([id, text]) => {
    const el = document.getElementById(id);
    const seen = (window.seenTexts ||= {});
    const look = () => {
      if ((el.textContent || "").includes(text)) seen[text] = true;
    };
    look();
    new MutationObserver(look).observe(el, { childList: true, characterData: true, subtree: true });
  }, [id, text]);
  return () => page.waitForFunction((text) => window.seenTexts[text] === true, text, { timeout: TIMEOUT });
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
