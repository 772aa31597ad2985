// The Parley chat page: plain JavaScript with the official socket.io-client browser bundle.
const $ = (id) => document.getElementById(id);
let socket;
let typingTimer;

$("login").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = $("name").value.trim();
  if (!name) return;
  socket = io({ auth: { name } });
  socket.on("connect_error", (err) => alert("Could not connect: " + err.message));
  socket.on("connect", () => {
    $("login").hidden = true;
    $("chat").hidden = false;
    $("me").textContent = name;
    $("text").focus();
  });
  socket.on("history", (messages) => messages.forEach(show));
  socket.on("message", show);
  socket.on("presence", (p) => {
    $("online").textContent = p.online;
    system(`${p.name} ${p.joined ? "joined" : "left"}`);
  });
  socket.on("typing", (who) => {
    $("typing").textContent = who ? `${who} is typing…` : "";
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => ($("typing").textContent = ""), 3000);
  });
});

$("send").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  $("text").value = "";
  const reply = await socket.emitWithAck("message", text);
  if (reply.error) system("not sent: " + reply.error);
});

$("text").addEventListener("input", () => socket && socket.emit("typing"));

function show(m) {
  const li = document.createElement("li");
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = m.name;
  li.append(who, document.createTextNode(m.text));
  li.title = new Date(m.time).toLocaleString();
  $("messages").append(li);
  li.scrollIntoView();
}

function system(text) {
  const li = document.createElement("li");
  li.className = "system";
  li.textContent = text;
  $("messages").append(li);
}
