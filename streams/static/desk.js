// One agent's desk: the current call and its prompts, newest on top, live over SSE.
"use strict";

const agentId = decodeURIComponent(location.pathname.split("/")[2]);
const token = new URLSearchParams(location.search).get("token") || "";
const base = `/agents/${encodeURIComponent(agentId)}`;
const prompts = document.getElementById("prompts");
const shown = new Set(); // prompt ids on this page: a replay never shows one twice
const dismissed = new Set(); // kept across a new gateway's replay: a dismissed prompt stays gone
// Call events and prompts come from two topics, in no fixed order between them. The call on
// screen is the one that started last; a prompt shows while its call is that call (or while
// its call_started is unknown and no live call is on screen).
const calls = new Map(); // call_id -> its call_started data, plus `ended`
let activeCall = null;
let lastEventId = "";
let gateway = ""; // the epoch part of event ids: another gateway replays from the start

document.getElementById("agent").textContent = agentId;

function setConnection(online) {
  const badge = document.getElementById("connection");
  badge.className = online ? "online" : "offline";
  badge.textContent = online ? "live" : "reconnecting…";
}

function clock(ts) {
  return new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function visible(callId) {
  if (callId === activeCall) return true;
  const active = calls.get(activeCall);
  return !calls.has(callId) && (!active || active.ended);
}

function render() {
  const active = calls.get(activeCall);
  const section = document.getElementById("call");
  section.className = !active ? "idle" : active.ended ? "ended" : "active";
  document.getElementById("call-state").textContent =
    !active ? "No call" : active.ended ? "Call ended" : "On call";
  document.getElementById("call-details").textContent = active
    ? `${active.call_id} · ${active.queue || "no queue"} · since ${clock(active.ts)}`
    : "";
  for (const card of prompts.querySelectorAll(".prompt")) {
    card.hidden = !visible(card.dataset.callId);
    card.classList.toggle("old", Boolean(calls.get(card.dataset.callId)?.ended));
  }
}

function fadeOut(card) {
  card.classList.add("gone");
  setTimeout(() => card.remove(), 1300);
}

function reset() {
  prompts.replaceChildren();
  shown.clear();
  calls.clear();
  activeCall = null;
  render();
}

function callStarted(call) {
  calls.set(call.call_id, { ...calls.get(call.call_id), ...call });
  const current = calls.get(activeCall);
  if (!current || call.ts >= current.ts) activeCall = call.call_id;
  render();
}

function callEnded(call) {
  calls.set(call.call_id, { call_id: call.call_id, ...calls.get(call.call_id), ended: true });
  render();
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
  if (shown.has(prompt.prompt_id) || dismissed.has(prompt.prompt_id)) return;
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
    dismissed.add(prompt.prompt_id);
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
  render();
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
  source.onerror = async () => {
    setConnection(false);
    // The browser retries a dropped stream by itself (sending Last-Event-ID); a refused one
    // (gateway restarting) is closed for good, so start a new one that says where we were,
    // unless the link itself is refused.
    if (source.readyState !== EventSource.CLOSED) return;
    const check = await fetch(location.href).catch(() => null);
    if (check && check.status === 403) {
      // expired (links last a shift) or not valid: the gateway says which
      const notice = new DOMParser().parseFromString(await check.text(), "text/html");
      const problem = notice.getElementById("link-problem");
      document.getElementById("connection").textContent = problem
        ? problem.textContent
        : "this link is not valid";
      return;
    }
    setTimeout(connect, 1000);
  };
  for (const [kind, handle] of Object.entries(handlers)) {
    source.addEventListener(kind, (message) => {
      const [epoch] = message.lastEventId.split(":");
      if (epoch !== gateway) {
        if (gateway) reset(); // a new gateway sends the agent's recent events from the start
        gateway = epoch;
      }
      lastEventId = message.lastEventId;
      handle(JSON.parse(message.data));
    });
  }
}

connect();
