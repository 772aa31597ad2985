// The Parley chat page: plain JavaScript with the official socket.io-client browser bundle (no build step).
// Add ?transports=polling (or websocket) to the page's URL to pick the client's transports.
"use strict";
const $ = (id) => document.getElementById(id);
const RANK = { sent: 1, delivered: 2, read: 3 };

const state = {
  me: null,
  socket: null,
  room: null,          // the open room's name
  rooms: [],           // as the server lists them
  unread: {},          // room -> count of messages that came while it was not open
  status: {},          // my message id -> sent | delivered | read
  typing: {},          // room -> Set of users typing
  users: {},           // user -> { online, lastSeen }
};

// ---- login

$("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("login-error").textContent = "";
  try {
    const res = await fetch("/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: $("name").value.trim(), password: $("password").value }),
    });
    const body = await res.json();
    if (!res.ok) {
      $("login-error").textContent = body.error || "login failed";
      return;
    }
    sessionStorage.setItem("chat.token", body.token);
    sessionStorage.setItem("chat.name", body.name);
    start(body.token, body.name);
  } catch (err) {
    $("login-error").textContent = "could not reach the server";
  }
});

$("logout").addEventListener("click", () => {
  sessionStorage.removeItem("chat.token");
  if (state.socket) state.socket.disconnect();
  location.reload();
});

function start(token, name) {
  state.me = name;
  const transports = new URLSearchParams(location.search).get("transports");
  // closeOnBeforeunload: a closing tab says goodbye, so presence turns offline at once, also on
  // polling, where a server cannot tell a dropped long-poll from a slow one until the ping timeout
  const socket = io({ auth: { token }, closeOnBeforeunload: true,
    ...(transports ? { transports: transports.split(",") } : {}) });
  state.socket = socket;

  socket.on("connect", async () => {
    $("login").hidden = true;
    $("chat").hidden = false;
    $("me").textContent = name;
    $("status").textContent = "online";
    await loadRooms();
    await openRoom(state.room || "general");
  });
  socket.on("disconnect", () => ($("status").textContent = "reconnecting…"));
  socket.on("connect_error", (err) => {
    if (err.message === "unauthorized") {
      sessionStorage.removeItem("chat.token");
      socket.disconnect();
      $("chat").hidden = true;
      $("login").hidden = false;
      $("login-error").textContent = "unauthorized: please log in again";
    }
  });

  socket.on("message", onMessage);
  socket.on("receipt", (r) => setStatus(r.id, r.status));
  socket.on("typing", (t) => {
    const set = state.typing[t.room] || (state.typing[t.room] = new Set());
    if (t.typing) set.add(t.user); else set.delete(t.user);
    renderTyping();
  });
  socket.on("online", ({ users }) => {
    for (const u of Object.keys(state.users)) state.users[u].online = false;
    for (const u of users) state.users[u] = { online: true, lastSeen: null };
    renderOnline();
  });
  socket.on("presence", (p) => {
    state.users[p.user] = { online: p.online, lastSeen: p.lastSeen };
    if (!p.online) for (const set of Object.values(state.typing)) set.delete(p.user);
    renderOnline();
    renderTyping();
  });
  socket.on("rooms:changed", () => loadRooms());
  socket.on("error", (e) => showError(e.code === "rate_limited" ? "Slow down: too many messages." : e.message));
}

// ---- rooms

async function loadRooms() {
  state.rooms = await state.socket.emitWithAck("rooms");
  renderRooms();
}

function renderRooms() {
  const ul = $("rooms");
  ul.replaceChildren();
  for (const r of state.rooms) {
    const li = document.createElement("li");
    li.dataset.room = r.name;
    li.className = [r.name === state.room ? "active" : "", r.member ? "" : "not-member", r.isPrivate ? "private" : ""]
      .filter(Boolean).join(" ");
    li.append(document.createTextNode((r.isPrivate ? "🔒 " : "# ") + r.name));
    if (state.unread[r.name]) {
      const badge = document.createElement("span");
      badge.className = "unread";
      badge.textContent = state.unread[r.name];
      li.append(badge);
    }
    li.addEventListener("click", () => openRoom(r.name));
    ul.append(li);
  }
}

async function openRoom(name) {
  const reply = await state.socket.emitWithAck("room:join", { room: name });
  if (reply.error) {
    showError(reply.error);
    return;
  }
  state.room = name;
  state.unread[name] = 0;
  $("room-title").textContent = (reply.room.isPrivate ? "🔒 " : "# ") + name;
  $("invite").hidden = !(reply.room.isPrivate && reply.room.createdBy === state.me);
  $("messages").replaceChildren();
  for (const m of reply.history) {
    if (m.sender === state.me && m.status) setStatus(m.id, m.status);
    show(m);
  }
  await loadRooms();
  renderTyping();
  $("text").focus();
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

// ---- messages

function onMessage(m) {
  if (m.sender !== state.me) state.socket.emit("delivered", { id: m.id });
  if (m.room === state.room) {
    show(m);
    if (m.sender !== state.me && document.visibilityState === "visible") state.socket.emit("read", { room: m.room });
  } else if (m.sender !== state.me) {
    state.unread[m.room] = (state.unread[m.room] || 0) + 1;
    renderRooms();
  }
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && state.room && state.socket) state.socket.emit("read", { room: state.room });
});

$("send").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text || !state.room) return;
  $("text").value = "";
  lastTyping = 0;
  const room = state.room;
  const reply = await state.socket.emitWithAck("message", { room, text, clientId: crypto.randomUUID?.() });
  if (reply.error) {
    if (reply.error !== "rate_limited") showError("not sent: " + reply.error);
    $("text").value = $("text").value || text;
    return;
  }
  setStatus(reply.id, "sent");
  if (room === state.room) show({ id: reply.id, room, sender: state.me, text, time: reply.time });
});

let lastTyping = 0;
$("text").addEventListener("input", () => {
  const now = Date.now();
  if (state.socket && state.room && $("text").value && now - lastTyping > 1000) {
    lastTyping = now;
    state.socket.emit("typing", { room: state.room, typing: true });
  }
});

/** Adds a message once (the sender gets both the ack and the broadcast). */
function show(m) {
  if (document.querySelector(`#messages li[data-id="${CSS.escape(m.id)}"]`)) return;
  const li = document.createElement("li");
  li.className = "message" + (m.sender === state.me ? " mine" : "");
  li.dataset.id = m.id;
  li.dataset.sender = m.sender;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = m.sender;
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = m.text;
  const time = document.createElement("span");
  time.className = "time";
  time.textContent = new Date(m.time).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  li.append(who, text, time);
  if (m.sender === state.me) {
    const tick = document.createElement("span");
    tick.className = "tick";
    li.append(tick);
  }
  $("messages").append(li);
  renderTick(m.id);
  li.scrollIntoView({ block: "end" });
}

function setStatus(id, status) {
  if ((RANK[status] || 0) > (RANK[state.status[id]] || 0)) state.status[id] = status;
  renderTick(id);
}

function renderTick(id) {
  const tick = document.querySelector(`#messages li[data-id="${CSS.escape(id)}"] .tick`);
  if (!tick) return;
  const status = state.status[id] || "sent";
  tick.dataset.status = status;
  tick.textContent = status === "sent" ? "✓" : "✓✓";
  tick.title = status;
}

// ---- typing, presence, errors

function renderTyping() {
  const who = [...(state.typing[state.room] || [])].filter((u) => u !== state.me);
  $("typing").textContent = who.length === 0 ? ""
    : who.length === 1 ? `${who[0]} is typing…` : `${who.join(", ")} are typing…`;
}

function renderOnline() {
  const ul = $("online");
  ul.replaceChildren();
  const names = Object.keys(state.users).sort((a, b) =>
    (state.users[b].online - state.users[a].online) || a.localeCompare(b));
  for (const u of names) {
    const { online, lastSeen } = state.users[u];
    const li = document.createElement("li");
    li.dataset.user = u;
    li.className = online ? "on" : "off";
    li.textContent = u + (online ? "" : lastSeen
      ? ` (last seen ${new Date(lastSeen).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })})` : " (offline)");
    if (lastSeen) li.title = "last seen " + new Date(lastSeen).toLocaleString();
    ul.append(li);
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

// a reload keeps the tab logged in
const saved = sessionStorage.getItem("chat.token");
if (saved) start(saved, sessionStorage.getItem("chat.name"));
