// The official Socket.IO admin page, from the @socket.io/admin-ui 0.5.1 npm package's ui/dist, served
// from this script's own static server, in Debian's Chromium driven by playwright-core, against a Parley
// server instrumented with AdminUi (dev.parley.examples.scenario.AdminUiBrowserTest starts it).
//   node admin-ui-e2e.mjs <parley-url> <username> <password> <socket-id> <room> <rw|readonly|cluster> <screenshot-dir> [server ids]
// cluster: the page logs in to one server of a cluster on the Redis adapter, whose server ids are given
// (comma-separated); the Servers view lists them all, and the socket (on another server) is listed and
// disconnected as in rw mode.
// The page logs in, lists the socket (Sockets view), shows its room (Rooms view) and its details; in rw
// mode it makes the socket join and leave a room and then disconnects it, with the page's own buttons;
// in readonly mode the leave and disconnect buttons are not there. Prints one line per step; "admin-e2e: passed" and exit 0 when all passed.
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join, normalize, extname } from "node:path";

const [parley, username, password, socketId, room, mode, shots, serverIds = ""] = process.argv.slice(2);
const readonly = mode === "readonly";
const TIMEOUT = 20000;
mkdirSync(shots, { recursive: true });
const require = createRequire(import.meta.url);
const dist = join(dirname(require.resolve("@socket.io/admin-ui/package.json")), "ui", "dist");
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png",
  ".svg": "image/svg+xml", ".map": "application/json" };

const started = Date.now();
const step = (what) => console.log(`step (${((Date.now() - started) / 1000).toFixed(1)} s): ${what}`);

// the page's files, as any static host serves them
const files = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
  let file = join(dist, path === "/" ? "index.html" : path);
  if (!file.startsWith(dist) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": types[extname(file)] || "application/octet-stream" });
  res.end(readFileSync(file));
});
await new Promise((r) => files.listen(0, "127.0.0.1", r));
const pageUrl = `http://127.0.0.1:${files.address().port}/`;

let browser;
let page;
let failed = false;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // the page links web fonts and icons from CDNs; this machine has no Internet: fail them at once
  await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);

  step(`the admin page from the npm package's ui/dist (${pageUrl})`);
  await page.goto(pageUrl);
  await page.getByLabel("Server URL").fill(parley);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await shot("1-login");

  step("a wrong password is refused with the page's own message");
  await page.getByLabel("Password").fill(password + "-wrong");
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByText("Invalid credentials").waitFor();

  step("logs in");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByLabel("Server URL").waitFor({ state: "hidden" });

  step("the dashboard shows this server");
  await page.getByText(/Servers/).first().waitFor();
  await shot("2-dashboard");

  if (mode === "cluster") {
    for (const id of serverIds.split(",")) {
      step(`the Servers view lists server ${id}`);
      await page.goto(pageUrl + "#/servers/");
      await page.getByText(id, { exact: true }).first().waitFor();
    }
    await shot("servers");
  }

  step(`the Sockets view lists ${socketId}`);
  await page.goto(pageUrl + "#/sockets/");
  await page.getByText(socketId).first().waitFor();
  await shot("3-sockets");

  step(`the Rooms view shows room ${room}`);
  await page.goto(pageUrl + "#/rooms/");
  await page.getByText(room, { exact: true }).first().waitFor();
  await shot("4-rooms");

  step("the socket's details show its room");
  const socketPage = pageUrl + "#/n/" + encodeURIComponent("/") + "/sockets/" + socketId;
  await page.goto(socketPage);
  await page.getByText(room, { exact: true }).first().waitFor();
  await page.getByText("connected", { exact: true }).first().waitFor();
  await shot("5-socket");

  const disconnect = page.locator("button:has(.mdi-logout)");
  const leave = page.locator("button:has(.mdi-tag-off-outline)");
  if (readonly) {
    step("readonly: no disconnect and no leave buttons");
    await page.waitForTimeout(500);
    if ((await disconnect.count()) !== 0 || (await leave.count()) !== 0) {
      throw new Error(`readonly page shows ${await disconnect.count()} disconnect and ${await leave.count()} leave button(s)`);
    }
  } else if (mode === "cluster") {
    step("the page's disconnect button disconnects the client on the other server");
    await disconnect.first().click();
    await page.getByText("disconnected", { exact: true }).first().waitFor();
  } else {
    const cell = (name) => page.locator("td").filter({ hasText: new RegExp(`^\\s*${name}\\s*$`) });
    step("the page's join button makes the client join room vip");
    await page.getByLabel("Join a room").fill("vip");
    await page.locator("button:has(.mdi-tag-plus-outline)").click();
    await cell("vip").first().waitFor();
    await shot("6-joined");

    step("the page's leave button makes it leave room vip");
    await page.locator("tr").filter({ has: cell("vip") }).locator("button:has(.mdi-tag-off-outline)").click();
    // the click also reaches the row, which opens the room's page: come back to the socket's
    await page.goto(socketPage);
    await page.getByText(room, { exact: true }).first().waitFor();
    await cell("vip").first().waitFor({ state: "detached" });

    step("the page's disconnect button disconnects the client");
    await disconnect.first().click();
    await page.getByText("disconnected", { exact: true }).first().waitFor();
    await shot("7-disconnected");
  }
  console.log("admin-e2e: passed");
} catch (e) {
  failed = true;
  console.log(`admin-e2e: FAILED: ${e.message}`);
  if (page) {
    await shot("failure").catch(() => {});
  }
} finally {
  if (browser) {
    await browser.close();
  }
  files.close();
}
process.exit(failed ? 1 : 0);

async function shot(name) {
  await page.screenshot({ path: join(shots, `admin-${mode}-${name}.png`) });
}
