// One agent's desk: the current call and its prompts, newest on top, live over SSE.
"use strict";

const agentId = decodeURIComponent(location.pathname.split("/")[2]);
const token = new URLSearchParams(location.search).get("token") || "";
const base = `/agents/${encodeURIComponent(agentId)}`;
const prompts = document.getElementById("prompts");
const shown = new Set(); // prompt ids on this page: a replay never shows one twice
let activeCall = null;
let lastEventId = "";

document.getElementById("agent").textContent = agentId;

function setConnection(online) {
  const badge = document.getElementById("connection");
  badge.className = online ? "online" : "offline";
  badge.textContent = online ? "live" : "reconnecting…";
}

function clock(ts) {
  return new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function fadeOut(card) {
  card.classList.add("gone");
  setTimeout(() => card.remove(), 1300);
}

function callStarted(call) {
  activeCall = call.call_id;
  const section = document.getElementById("call");
  section.className = "active";
  section.dataset.callId = call.call_id;
  document.getElementById("call-state").textContent = "On call";
  document.getElementById("call-details").textContent =
    `${call.call_id} · ${call.queue || "no queue"} · since ${clock(call.ts)}`;
  for (const card of prompts.querySelectorAll(".prompt")) {
    if (card.dataset.callId !== call.call_id) fadeOut(card);
  }
}

function callEnded(call) {
  if (call.call_id !== activeCall) return;
  document.getElementById("call").className = "ended";
  document.getElementById("call-state").textContent = "Call ended";
  for (const card of prompts.querySelectorAll(".prompt")) card.classList.add("old");
}

async function sendFeedback(prompt, action) {
  const response = await fetch(`${base}/feedback?token=${encodeURIComponent(token)}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ prompt_id: prompt.prompt_id, action }),
  });
  return response.ok;
}

function showPrompt(prompt) {
  if (shown.has(prompt.prompt_id)) return;
  shown.add(prompt.prompt_id);
  const card = document.getElementById("prompt-card").content.firstElementChild.cloneNode(true);
  card.classList.add(prompt.severity);
  card.dataset.promptId = prompt.prompt_id;
  card.dataset.callId = prompt.call_id;
  card.dataset.kind = prompt.kind;
  card.querySelector(".severity").textContent = prompt.severity;
  card.querySelector(".title").textContent = prompt.title;
  card.querySelector(".message").textContent = prompt.message;
  card.querySelector("time").textContent = clock(prompt.ts);
  card.querySelector(".dismiss").addEventListener("click", () => {
    sendFeedback(prompt, "dismissed");
    fadeOut(card);
  });
  for (const [selector, action] of [[".helpful", "helpful"], [".not-helpful", "not_helpful"]]) {
    card.querySelector(selector).addEventListener("click", async () => {
      const recorded = await sendFeedback(prompt, action);
      card.classList.toggle("answered", recorded);
      card.querySelector(".thanks").textContent = recorded ? "Thanks, recorded." : "Not recorded, try again.";
    });
  }
  prompts.prepend(card);
}

function promptCleared(cleared) {
  const card = prompts.querySelector(`.prompt[data-prompt-id="${CSS.escape(cleared.prompt_id)}"]`);
  if (card) fadeOut(card);
}

const handlers = {
  call_started: callStarted,
  call_ended: callEnded,
  prompt: showPrompt,
  cleared: promptCleared,
};

function connect() {
  const resume = lastEventId ? `&last_id=${encodeURIComponent(lastEventId)}` : "";
  const source = new EventSource(`${base}/events?token=${encodeURIComponent(token)}${resume}`);
  source.onopen = () => setConnection(true);
  source.onerror = () => {
    setConnection(false);
    // The browser retries a dropped stream by itself (sending Last-Event-ID); a refused one
    // (gateway restarting) is closed for good, so start a new one that says where we were.
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
  };
  for (const [kind, handle] of Object.entries(handlers)) {
    source.addEventListener(kind, (message) => {
      lastEventId = message.lastEventId;
      handle(JSON.parse(message.data));
    });
  }
}

connect();
