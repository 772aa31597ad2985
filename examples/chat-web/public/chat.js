// The Parley chat page: plain JavaScript with the official socket.io-client browser bundle (no build step).
// Add ?transports=polling (or websocket) to the page's URL to pick the client's transports.
"use strict";
const $ = (id) => document.getElementById(id);
const RANK = { pending: 0, sent: 1, delivered: 2, read: 3 };
const ACK_TIMEOUT = 5000;   // a send without an answer by then is tried again
const MAX_ATTEMPTS = 5;     // answers missed (while connected) before a send counts as failed

const state = {
  me: null,
  socket: null,
  room: null,          // the open room's name
  rooms: [],           // as the server lists them
  unread: {},          // room -> { ids: Map(message id -> arrival), older }: messages from others not read
  arrivals: 0,         // live messages from others counted so far; each gets the next number
  roomsAsked: 0,       // room lists asked for
  roomsShown: 0,       // the latest of them whose answer is shown
  opening: null,       // { room, early: [] } while a room:join is under way: its live messages
  status: {},          // my message id -> pending | sent | delivered | read
  typing: {},          // room -> Set of users typing
  users: {},           // user -> { online, lastSeen }
  outbox: new Map(),   // clientId -> { clientId, room, text, time, state: pending | failed, error, attempts }
};

// ---- login and sign-up

$("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  const mode = e.submitter && e.submitter.value === "signup" ? "signup" : "login";
  $("login-error").textContent = "";
  try {
    const res = await fetch("/" + mode, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: $("name").value.trim(), password: $("password").value }),
    });
    const body = await res.json();
    if (!res.ok) {
      $("login-error").textContent = body.error || mode + " failed";
      return;
    }
    sessionStorage.setItem("chat.token", body.token);
    sessionStorage.setItem("chat.name", body.name);
    $("password").value = "";
    start(body.token, body.name);
  } catch (err) {
    $("login-error").textContent = "could not reach the server";
  }
});

$("logout").addEventListener("click", () => {
  for (const key of ["chat.token", "chat.name", "chat.room", outboxKey()]) sessionStorage.removeItem(key);
  if (state.socket) state.socket.disconnect();
  location.reload();
});

function showLogin(error) {
  $("chat").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = error || "";
  $("name").focus();
}

function start(token, name) {
  state.me = name;
  loadOutbox();
  const transports = new URLSearchParams(location.search).get("transports");
  // closeOnBeforeunload: a closing tab says goodbye, so presence turns offline at once, also on
  // polling, where a server cannot tell a dropped long-poll from a slow one until the ping timeout
  const socket = io({ auth: { token }, closeOnBeforeunload: true,
    ...(transports ? { transports: transports.split(",") } : {}) });
  state.socket = socket;
  $("me").textContent = name;

  socket.on("connect", async () => {
    $("login").hidden = true;
    $("chat").hidden = false;
    setMyState("online");
    await Promise.all([loadRooms(), loadPeople()]);
    const wanted = state.room || sessionStorage.getItem("chat.room") || "general";
    if (!(await openRoom(wanted, false)) && wanted !== "general") await openRoom("general", false);
    flushOutbox();
  });
  socket.on("disconnect", (reason) => setMyState(reason === "io client disconnect" ? "offline" : "reconnecting"));
  socket.io.on("reconnect_attempt", () => setMyState(navigator.onLine === false ? "offline" : "reconnecting"));
  socket.on("connect_error", (err) => {
    if (err.message === "unauthorized") {
      sessionStorage.removeItem("chat.token");
      socket.disconnect();
      showLogin("unauthorized: please log in again");
    } else {
      setMyState(navigator.onLine === false ? "offline" : "reconnecting");
    }
  });

  socket.on("message", onMessage);
  socket.on("receipt", (r) => setStatus(r.id, r.status));
  socket.on("typing", (t) => {
    const set = state.typing[t.room] || (state.typing[t.room] = new Set());
    if (t.typing) set.add(t.user); else set.delete(t.user);
    renderTyping();
  });
  socket.on("presence", (p) => {
    state.users[p.user] = { online: p.online, lastSeen: p.lastSeen };
    if (!p.online) for (const set of Object.values(state.typing)) set.delete(p.user);
    renderOnline();
    renderRooms();
    renderTyping();
  });
  socket.on("rooms:changed", () => loadRooms());
  socket.on("error", (e) => showError(e.code === "rate_limited" ? "Slow down: too many messages." : e.message));
}

window.addEventListener("offline", () => state.socket && !state.socket.connected && setMyState("offline"));
window.addEventListener("online", () => state.socket && !state.socket.connected && setMyState("reconnecting"));

/** My own connection: online, reconnecting or offline, in the status line and on my presence dot. */
function setMyState(s) {
  $("status").dataset.state = s;
  $("status").textContent = s === "reconnecting" ? "reconnecting…" : s;
  $("my-dot").dataset.state = s;
  $("connection").hidden = s === "online";
  $("connection").textContent = s === "offline" ? "You are offline: messages you send wait here until you are back."
    : "Reconnecting… messages you send wait here until the connection is back.";
  $("connection").dataset.state = s;
  if (state.me) {
    state.users[state.me] = { ...(state.users[state.me] || {}), online: s === "online" };
    renderOnline();
  }
}

// ---- rooms and direct conversations

/** The room of the direct conversation with {@code peer}: "dm:" and the two names in order. */
function dmRoom(peer) {
  return "dm:" + [state.me, peer].sort().join(":");
}

function roomLabel(r) {
  return r.kind === "dm" ? "@" + r.peer : (r.isPrivate ? "🔒 " : "# ") + r.name;
}

/**
 * Unread messages are counted by id, so a message counted both by the server's answer and live counts
 * once, in whatever order the two arrive. A room's unread are the ids the server listed (its newest 100)
 * and those that came live after the question, plus the older ones the server counted but did not list.
 * A live message that came before the question was stored before it, so the answer is right about it:
 * counted if still unread, left out if read (in another tab, say).
 */
async function loadRooms() {
  const asked = ++state.roomsAsked;
  const mark = state.arrivals;
  const rooms = await state.socket.emitWithAck("rooms");
  if (asked < state.roomsShown) return; // the answer to a later question is shown already
  state.roomsShown = asked;
  state.rooms = rooms;
  const unread = {};
  const laterThan = (old, ids) => {
    for (const [id, at] of (old ? old.ids : [])) if (at > mark) ids.set(id, at);
    return ids;
  };
  for (const r of rooms) {
    const listed = r.unreadIds || [];
    const ids = new Map(listed.map((id) => [id, 0]));
    unread[r.name] = r.member && r.name !== state.room
      ? { ids: laterThan(state.unread[r.name], ids), older: Math.max(0, (r.unread || 0) - listed.length) }
      : noUnread();
  }
  // a room the answer does not list yet (a conversation started meanwhile) keeps its later messages
  for (const [name, old] of Object.entries(state.unread)) {
    if (!(name in unread)) unread[name] = { ids: laterThan(old, new Map()), older: 0 };
  }
  state.unread = unread;
  renderRooms();
}

function noUnread() {
  return { ids: new Map(), older: 0 };
}

function unreadCount(room) {
  const u = state.unread[room];
  return u ? u.ids.size + u.older : 0;
}

/** A badge's text: past 99 the server lists only the newest ids, and "99+" stays true whatever came live. */
function badge(n) {
  return n > 99 ? "99+" : String(n);
}

async function loadPeople() {
  const people = await state.socket.emitWithAck("users");
  for (const p of people) state.users[p.user] = { online: p.online, lastSeen: p.lastSeen };
  if (state.me) state.users[state.me] = { ...(state.users[state.me] || {}), online: state.socket.connected };
  renderOnline();
}

function renderRooms() {
  const rooms = $("rooms");
  const dms = $("dms");
  const focused = document.activeElement && document.activeElement.closest("#rooms li, #dms li");
  const focusedRoom = focused && focused.dataset.room;
  rooms.replaceChildren();
  dms.replaceChildren();
  let total = 0;
  for (const r of state.rooms) {
    const li = document.createElement("li");
    li.dataset.room = r.name;
    li.className = [r.name === state.room ? "active" : "", r.member ? "" : "not-member", r.isPrivate ? "private" : "",
      r.kind === "dm" ? "dm" : ""].filter(Boolean).join(" ");
    const button = document.createElement("button");
    button.type = "button";
    if (r.name === state.room) button.setAttribute("aria-current", "true");
    if (r.kind === "dm") {
      const dot = document.createElement("span");
      dot.className = "dot";
      dot.dataset.state = state.users[r.peer] && state.users[r.peer].online ? "online" : "offline";
      button.append(dot);
    }
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = roomLabel(r);
    button.append(label);
    const n = unreadCount(r.name);
    total += n;
    if (n) {
      const count = document.createElement("span");
      count.className = "unread";
      count.textContent = badge(n);
      count.setAttribute("aria-label", (n > 99 ? "more than 99" : n) + " unread");
      button.append(count);
    }
    button.addEventListener("click", () => openRoom(r.name));
    li.append(button);
    (r.kind === "dm" ? dms : rooms).append(li);
    if (r.name === focusedRoom) button.focus();
  }
  if (!dms.children.length) {
    const hint = document.createElement("li");
    hint.className = "none";
    hint.textContent = "Pick a person below to write to them.";
    dms.append(hint);
  }
  $("menu-unread").hidden = total === 0;
  $("menu-unread").textContent = badge(total);
}

/** Opens a room; false when the server refused it. */
async function openRoom(name, fromUser = true) {
  const opening = { room: name, early: [] };
  state.opening = opening;
  const reply = await state.socket.emitWithAck("room:join", { room: name });
  if (state.opening === opening) state.opening = null;
  if (reply.error) {
    if (fromUser) showError(reply.error);
    return false;
  }
  const room = reply.room;
  state.room = name;
  state.unread[name] = noUnread();
  sessionStorage.setItem("chat.room", name);
  $("room-title").textContent = roomLabel(room);
  $("invite").hidden = !(room.isPrivate && room.kind !== "dm" && room.createdBy === state.me);
  $("room-leave").hidden = room.kind === "dm";
  $("messages").replaceChildren();
  const stored = new Set();
  for (const m of reply.history) {
    stored.add(m.id);
    if (m.sender === state.me && m.status) setStatus(m.id, m.status);
    show(m);
  }
  for (const e of state.outbox.values()) {
    if (stored.has(e.clientId)) forget(e.clientId);
    else if (e.room === name) showPending(e);
  }
  // a message stored after the history was read but received before the answer: shown here, and read
  for (const m of opening.early) show(m);
  if (opening.early.some((m) => m.sender !== state.me) && document.visibilityState === "visible") {
    state.socket.emit("read", { room: name });
  }
  renderEmpty();
  closeMenu(false);
  await loadRooms();
  renderTyping();
  // a person who picked the room writes next; on a touch screen that would pop up the keyboard unasked
  if (fromUser && !matchMedia("(pointer: coarse)").matches) $("text").focus();
  return true;
}

$("room-create").addEventListener("submit", async (e) => {
  e.preventDefault();
  const reply = await state.socket.emitWithAck("room:create",
    { name: $("new-room").value.trim(), private: $("new-room-private").checked });
  if (reply.error) return showError(reply.error);
  $("new-room").value = "";
  $("new-room-private").checked = false;
  await openRoom(reply.room.name);
});

$("room-leave").addEventListener("click", async () => {
  const reply = await state.socket.emitWithAck("room:leave", { room: state.room });
  if (reply.error) return showError(reply.error);
  state.room = null;
  await openRoom("general");
});

$("invite").addEventListener("submit", async (e) => {
  e.preventDefault();
  const reply = await state.socket.emitWithAck("room:invite", { room: state.room, user: $("invite-name").value.trim() });
  if (reply.error) return showError(reply.error);
  $("invite-name").value = "";
});

// ---- the drawer on narrow screens

function openMenu() {
  document.body.classList.add("menu-open");
  $("menu-button").setAttribute("aria-expanded", "true");
  $("scrim").hidden = false;
  const first = document.querySelector("#sidebar li.active > button") || document.querySelector("#sidebar button");
  if (first) setTimeout(() => first.focus(), 0);
}

function closeMenu(returnFocus = true) {
  if (!document.body.classList.contains("menu-open")) return;
  document.body.classList.remove("menu-open");
  $("menu-button").setAttribute("aria-expanded", "false");
  $("scrim").hidden = true;
  if (returnFocus) $("menu-button").focus();
}

$("menu-button").addEventListener("click", () =>
  document.body.classList.contains("menu-open") ? closeMenu() : openMenu());
$("scrim").addEventListener("click", () => closeMenu());
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") closeMenu();
});

// ---- messages

function onMessage(m) {
  if (m.sender !== state.me) state.socket.emit("delivered", { id: m.id });
  if (m.sender === state.me) {
    // my own message from the server: shown already if this tab sent it; the server's time counts
    const li = document.querySelector(`#messages li[data-id="${CSS.escape(m.id)}"]`);
    if (li) {
      li.dataset.time = m.time;
      li.querySelector(".time").textContent = clock(m.time);
    }
    forget(m.id);
  }
  // a room being opened: its history may have been read before this message was stored
  if (state.opening && state.opening.room === m.room) state.opening.early.push(m);
  if (m.room === state.room) {
    show(m);
    renderEmpty();
    if (m.sender !== state.me && document.visibilityState === "visible") state.socket.emit("read", { room: m.room });
  } else if (m.sender !== state.me) {
    const u = state.unread[m.room] || (state.unread[m.room] = noUnread());
    if (!u.ids.has(m.id)) u.ids.set(m.id, ++state.arrivals);
    renderRooms();
  }
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && state.room && state.socket) state.socket.emit("read", { room: state.room });
});

$("send").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text || !state.room) return;
  $("text").value = "";
  lastTyping = 0;
  const entry = { clientId: newId(), room: state.room, text, time: Date.now(), state: "pending", attempts: 0 };
  state.outbox.set(entry.clientId, entry);
  saveOutbox();
  showPending(entry);
  renderEmpty();
  trySend(entry);
});

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16)); // pages served over plain http from another host
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Sends one message of the outbox, with an ack and a timeout. The server stores a message once by its
 * clientId, so sending again after a lost answer is safe. Offline, it waits for the next connect.
 */
function trySend(e) {
  const socket = state.socket;
  if (!socket || !socket.connected || e.inFlight || e.state !== "pending") return;
  e.inFlight = true;
  socket.timeout(ACK_TIMEOUT).emit("message", { room: e.room, text: e.text, clientId: e.clientId }, (err, reply) => {
    e.inFlight = false;
    if (!state.outbox.has(e.clientId)) return; // discarded, or confirmed by the broadcast
    if (err) {
      e.attempts++;
      if (e.attempts >= MAX_ATTEMPTS) return fail(e, "no answer from the server");
      if (state.socket.connected) setTimeout(() => trySend(e), 500);
      return; // otherwise the next connect sends it
    }
    if (reply.error === "rate_limited") {
      setTimeout(() => trySend(e), reply.retryAfterMs || 1000);
      return;
    }
    if (reply.error) return fail(e, reply.error);
    forget(e.clientId);
    setStatus(reply.id, "sent");
    const time = document.querySelector(`#messages li[data-id="${CSS.escape(reply.id)}"] .time`);
    if (time) time.textContent = clock(reply.time);
  });
}

function flushOutbox() {
  for (const e of state.outbox.values()) trySend(e);
}

function fail(e, reason) {
  e.state = "failed";
  e.error = reason;
  saveOutbox();
  const li = document.querySelector(`#messages li[data-id="${CSS.escape(e.clientId)}"]`);
  if (li) renderFailure(li, e);
}

/** The message left the outbox: stored on the server, or discarded. */
function forget(clientId) {
  if (state.outbox.delete(clientId)) saveOutbox();
  const li = document.querySelector(`#messages li[data-id="${CSS.escape(clientId)}"]`);
  if (li) {
    li.classList.remove("pending", "failed");
    const failure = li.querySelector(".failure");
    if (failure) failure.remove();
    if (state.status[clientId] === "pending" || !state.status[clientId]) setStatus(clientId, "sent");
    placeConfirmed(li);
  }
}

function saveOutbox() {
  const list = [...state.outbox.values()].map(({ clientId, room, text, time, state: s, error }) =>
    ({ clientId, room, text, time, state: s, error }));
  sessionStorage.setItem(outboxKey(), JSON.stringify(list));
}

/** The outbox is the user's: another user logging in to this tab does not send it. */
function outboxKey() {
  return "chat.outbox:" + state.me;
}

function loadOutbox() {
  try {
    for (const e of JSON.parse(sessionStorage.getItem(outboxKey()) || "[]")) {
      state.outbox.set(e.clientId, { ...e, attempts: 0 });
    }
  } catch (err) {
    sessionStorage.removeItem(outboxKey());
  }
}

function showPending(e) {
  state.status[e.clientId] = "pending";
  show({ id: e.clientId, room: e.room, sender: state.me, text: e.text, time: e.time }, true);
  const li = document.querySelector(`#messages li[data-id="${CSS.escape(e.clientId)}"]`);
  if (li && e.state === "failed") renderFailure(li, e);
}

function renderFailure(li, e) {
  li.classList.remove("pending");
  li.classList.add("failed");
  let box = li.querySelector(".failure");
  if (!box) {
    box = document.createElement("div");
    box.className = "failure";
    const why = document.createElement("span");
    why.className = "why";
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "retry";
    retry.textContent = "Retry";
    retry.addEventListener("click", () => {
      li.classList.remove("failed");
      li.classList.add("pending");
      box.remove();
      e.state = "pending";
      e.attempts = 0;
      e.error = null;
      saveOutbox();
      trySend(e);
    });
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "discard secondary";
    discard.textContent = "Discard";
    discard.addEventListener("click", () => {
      state.outbox.delete(e.clientId);
      saveOutbox();
      li.remove();
      renderEmpty();
      $("text").focus();
    });
    box.append(why, retry, discard);
    li.append(box);
  }
  box.querySelector(".why").textContent = "Not sent: " + e.error;
}

/** Adds a message once (the sender gets both the ack and the broadcast), with a date line when the day changes. */
function show(m, pending = false) {
  const list = $("messages");
  if (list.querySelector(`li[data-id="${CSS.escape(m.id)}"]`)) return;
  const li = document.createElement("li");
  li.className = "message" + (m.sender === state.me ? " mine" : "") + (pending ? " pending" : "");
  li.dataset.id = m.id;
  li.dataset.sender = m.sender;
  li.dataset.time = m.time;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = m.sender;
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = m.text;
  const time = document.createElement("time");
  time.className = "time";
  time.dateTime = new Date(m.time).toISOString();
  time.textContent = clock(m.time);
  li.append(who, text, time);
  if (m.sender === state.me) {
    const tick = document.createElement("span");
    tick.className = "tick";
    li.append(tick);
  }
  if (pending) list.append(li);
  else placeConfirmed(li);
  renderTick(m.id);
  li.scrollIntoView({ block: "end" });
}

/** Puts a stored message after the stored ones and before the ones still pending, then mends the date lines. */
function placeConfirmed(li) {
  const list = $("messages");
  const firstPending = [...list.querySelectorAll("li.message.pending, li.message.failed")].find((x) => x !== li);
  if (firstPending) list.insertBefore(li, firstPending); else list.append(li);
  renderDays();
}

/** One "Today" / "Yesterday" / date line before the first message of each day. */
function renderDays() {
  const list = $("messages");
  for (const d of list.querySelectorAll("li.day")) d.remove();
  let last = null;
  for (const li of [...list.querySelectorAll("li.message")]) {
    const day = dayKey(Number(li.dataset.time));
    if (day !== last) {
      const sep = document.createElement("li");
      sep.className = "day";
      sep.dataset.day = day;
      sep.textContent = dayLabel(Number(li.dataset.time));
      list.insertBefore(sep, li);
      last = day;
    }
  }
}

function dayKey(t) {
  const d = new Date(t);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function dayLabel(t) {
  const today = dayKey(Date.now());
  const yesterday = dayKey(Date.now() - 86400000);
  const key = dayKey(t);
  if (key === today) return "Today";
  if (key === yesterday) return "Yesterday";
  return new Date(t).toLocaleDateString([], { weekday: "long", year: "numeric", month: "long", day: "numeric" });
}

function clock(t) {
  return new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** The empty-room state: shown while the open room has no message. */
function renderEmpty() {
  const list = $("messages");
  const empty = list.querySelector("li.empty");
  const hasMessages = !!list.querySelector("li.message");
  if (hasMessages && empty) empty.remove();
  if (!hasMessages && !empty) {
    const li = document.createElement("li");
    li.className = "empty";
    li.id = "empty";
    const title = document.createElement("strong");
    const dm = state.room && state.room.startsWith("dm:");
    const peer = dm && (state.room.split(":").slice(1).find((u) => u !== state.me) || state.me);
    title.textContent = dm ? `This is the start of your conversation with ${peer}` : "No messages here yet";
    const hint = document.createElement("span");
    hint.textContent = dm ? "Say hello." : "Be the first to say something.";
    li.append(title, hint);
    list.append(li);
  }
}

function setStatus(id, status) {
  if (!(id in state.status) || (RANK[status] ?? 0) > (RANK[state.status[id]] ?? 0)) state.status[id] = status;
  renderTick(id);
}

function renderTick(id) {
  const tick = document.querySelector(`#messages li[data-id="${CSS.escape(id)}"] .tick`);
  if (!tick) return;
  const status = state.status[id] || "sent";
  tick.dataset.status = status;
  tick.textContent = status === "pending" ? "sending…" : status === "sent" ? "✓" : "✓✓";
  tick.title = status === "pending" ? "sending…" : status;
  tick.setAttribute("aria-label", tick.title);
}

let lastTyping = 0;
$("text").addEventListener("input", () => {
  const now = Date.now();
  if (state.socket && state.socket.connected && state.room && $("text").value && now - lastTyping > 1000) {
    lastTyping = now;
    state.socket.emit("typing", { room: state.room, typing: true });
  }
});

// ---- typing, presence, errors

function renderTyping() {
  const who = [...(state.typing[state.room] || [])].filter((u) => u !== state.me);
  $("typing").textContent = who.length === 0 ? ""
    : who.length === 1 ? `${who[0]} is typing…` : `${who.join(", ")} are typing…`;
}

function lastSeenText(t) {
  if (!t) return "offline";
  return "last seen " + (dayKey(t) === dayKey(Date.now()) ? clock(t)
    : new Date(t).toLocaleDateString([], { month: "short", day: "numeric" }) + " " + clock(t));
}

function renderOnline() {
  const ul = $("online");
  const focusedUser = document.activeElement && document.activeElement.closest("#online li")?.dataset.user;
  ul.replaceChildren();
  const names = Object.keys(state.users).sort((a, b) =>
    (state.users[b].online - state.users[a].online) || a.localeCompare(b));
  for (const u of names) {
    const { online, lastSeen } = state.users[u];
    const li = document.createElement("li");
    li.dataset.user = u;
    li.className = (online ? "on" : "off") + (u === state.me ? " me-item" : "");
    const button = document.createElement("button");
    button.type = "button";
    const dot = document.createElement("span");
    dot.className = "dot";
    dot.dataset.state = u === state.me ? $("my-dot").dataset.state : online ? "online" : "offline";
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = u === state.me ? u + " (you)" : u;
    button.append(dot, label);
    if (!online && u !== state.me) {
      const last = document.createElement("span");
      last.className = "last";
      last.textContent = lastSeenText(lastSeen);
      button.append(last);
      if (lastSeen) button.title = "last seen " + new Date(lastSeen).toLocaleString();
    }
    if (u === state.me) {
      button.disabled = true;
    } else {
      button.setAttribute("aria-label", `Message ${u}` + (online ? " (online)" : ` (${lastSeenText(lastSeen)})`));
      button.addEventListener("click", () => openRoom(dmRoom(u)));
    }
    li.append(button);
    ul.append(li);
    if (u === focusedUser) button.focus();
  }
  $("online-count").textContent = names.filter((u) => state.users[u].online).length;
}

let errorTimer;
function showError(text) {
  $("error").textContent = text;
  $("error").hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => ($("error").hidden = true), 4000);
}

// a reload keeps the tab logged in, in the room it had open, with its unsent messages
const saved = sessionStorage.getItem("chat.token");
if (saved) start(saved, sessionStorage.getItem("chat.name"));
else showLogin();
