// The coach's page: plain JavaScript over the JSON API (/openapi.json). No framework, no
// build step, nothing from another server. Every number shown comes from the API.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = { chat: null, roleplay: null, token: "", currency: "USD" };

// -- talking to the server ----------------------------------------------------------------

// A token shared in the page's address (#token=...) never reaches a server log; keep it for
// this tab only.
(function readToken() {
  const match = location.hash.match(/token=([^&]+)/);
  if (match) {
    sessionStorage.setItem("coach-token", decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname);
  }
  state.token = sessionStorage.getItem("coach-token") || "";
})();

function headers(extra) {
  const h = Object.assign({}, extra || {});
  if (state.token) h["Authorization"] = "Bearer " + state.token;
  return h;
}

class ApiError extends Error {
  constructor(body, status) {
    super(body && body.error ? body.error : "The server answered " + status + ".");
    this.hint = (body && body.hint) || "";
    this.status = status;
  }
}

async function api(path, options) {
  const opts = Object.assign({ method: "GET" }, options || {});
  const init = { method: opts.method, headers: headers(opts.headers) };
  if (opts.json !== undefined) {
    init.body = JSON.stringify(opts.json);
    init.headers["Content-Type"] = "application/json";
  } else if (opts.body !== undefined) {
    init.body = opts.body;
  }
  const response = await fetch(path, init);
  const body = await response.json().catch(() => null);
  if (response.status === 401) askForToken();
  if (!response.ok) throw new ApiError(body, response.status);
  return body;
}

function askForToken() {
  const given = window.prompt("This coach server needs its token:");
  if (given) {
    state.token = given.trim();
    sessionStorage.setItem("coach-token", state.token);
  }
}

// Server-sent events over fetch (EventSource cannot POST or send a token).
async function streamEvents(path, json, on) {
  const response = await fetch(path, {
    method: "POST",
    headers: headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
    body: JSON.stringify(json),
  });
  if (!response.ok) {
    throw new ApiError(await response.json().catch(() => null), response.status);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data && on[name]) on[name](JSON.parse(data));
    }
  }
}

// -- the waiting indicator ----------------------------------------------------------------

function setStatus(text) {
  $("#status").textContent = text || "";
  document.body.classList.toggle("waiting", Boolean(text));
}

function waitingText(position) {
  return position > 1
    ? "Waiting for the model: " + (position - 1) + " ahead of you…"
    : "Waiting for the model to finish another answer…";
}

// Run a request that needs the model; while it takes a while, show whether it is queued.
async function withModel(promise) {
  let timer = setTimeout(async function poll() {
    try {
      const q = await api("/api/queue");
      setStatus(q.waiting > 0 ? waitingText(q.waiting) : "The coach is thinking…");
    } catch (e) { /* the status is only a courtesy */ }
    timer = setTimeout(poll, 700);
  }, 300);
  try {
    return await promise;
  } finally {
    clearTimeout(timer);
    setStatus("");
  }
}

// -- small rendering helpers --------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const COMPONENT_NAMES = {
  base: "base", equity: "equity", bonus_pct: "bonus", sign_on: "sign-on",
  share_premium_pct: "share premium", total_comp: "total comp",
};

// The role-play's guide says which currency its figures are in (a euro guide offers €95K).
const CURRENCY_SIGNS = { USD: "$", EUR: "€", GBP: "£" };

function money(value) {
  const sign = CURRENCY_SIGNS[state.currency] || "$";
  if (Math.abs(value) >= 1000) return sign + Math.round(value / 1000) + "K";
  return sign + value;
}

function describeOffer(offer) {
  if (!offer) return "";
  return Object.entries(offer)
    .filter(([, v]) => v)
    .map(([k, v]) => (k.endsWith("_pct") ? v + "%" : money(v)) + " " + (COMPONENT_NAMES[k] || k))
    .join(", ");
}

function citationList(citations) {
  if (!citations || !citations.length) return null;
  const list = el("ol", { class: "citations" });
  citations.forEach((c) => {
    const where = c.section.split(" › ").slice(-1)[0];
    list.append(
      el("li", {},
        el("details", {},
          el("summary", {}, c.guide + " › " + where),
          el("blockquote", {}, c.text))));
  });
  return list;
}

function showError(container, error) {
  container.append(el("p", { class: "error", role: "alert" },
    el("strong", {}, error.message), error.hint ? " " + error.hint : ""));
}

function bubble(log, who, text, cls) {
  const empty = log.querySelector(".empty");
  if (empty) empty.remove();
  const body = el("div", { class: "text" }, text || "");
  const node = el("div", { class: "msg " + (cls || who) }, el("span", { class: "who" }, who), body);
  log.append(node);
  node.scrollIntoView({ block: "end", behavior: "smooth" });
  return { node, body };
}

// Enter sends, Shift+Enter is a new line.
function enterSends(textarea) {
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      textarea.form.requestSubmit();
    }
  });
}

// -- views ---------------------------------------------------------------------------------

function showView(name) {
  document.querySelectorAll(".tabs button").forEach((b) => {
    if (b.dataset.view === name) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  });
  document.querySelectorAll(".view").forEach((v) => { v.hidden = v.id !== "view-" + name; });
  if (name === "guides") loadGuides();
  if (name === "progress") loadProgress();
}

// -- chat ------------------------------------------------------------------------------------

async function sendChat(event) {
  event.preventDefault();
  const input = $("#chat-input");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  const log = $("#chat-log");
  bubble(log, "you", text);
  const reply = bubble(log, "coach", "");
  reply.node.classList.add("pending");
  try {
    if (!state.chat) state.chat = (await api("/api/chat", { method: "POST", json: {} })).id;
    let streamed = "";
    await streamEvents("/api/chat/" + state.chat, { message: text, stream: true }, {
      queued: (d) => setStatus(waitingText(d.position)),
      start: () => setStatus("The coach is answering…"),
      chunk: (d) => { streamed += d.text; reply.body.textContent = streamed; },
      answer: (d) => {
        reply.body.textContent = d.answer;
        if (d.verdict) reply.node.prepend(el("span", { class: "badge " + d.verdict }, d.verdict.replace(/_/g, " ")));
        const cites = citationList(d.citations);
        if (cites) reply.node.append(cites);
      },
      error: (d) => showError(reply.node, new ApiError(d, 500)),
    });
  } catch (error) {
    if (error.status === 404) state.chat = null; // the chat is gone from the store: start afresh
    showError(reply.node, error);
  } finally {
    reply.node.classList.remove("pending");
    setStatus("");
    input.focus();
  }
}

// -- regions, from the playbook ------------------------------------------------------------

async function loadRegions() {
  try {
    const book = await api("/api/playbook");
    for (const select of [$("#counter-region"), $("#roleplay-region")]) {
      select.replaceChildren(...book.bands.map((b) => el("option", { value: b.region }, b.region)));
    }
  } catch (error) {
    showError($("#counter-result"), error);
  }
}

// -- counter ---------------------------------------------------------------------------------

async function sendCounter(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = {};
  for (const [key, value] of form.entries()) if (String(value).trim()) body[key] = String(value).trim();
  const out = $("#counter-result");
  out.replaceChildren(el("p", { class: "muted" }, "Judging the offer…"));
  try {
    const r = await withModel(api("/api/counter", { method: "POST", json: body }));
    out.replaceChildren(
      el("p", {}, el("span", { class: "badge " + r.verdict }, r.verdict.replace(/_/g, " ")), " in " + r.region),
      el("p", { class: "answer" }, r.message),
      el("dl", { class: "figures" },
        el("dt", {}, "Counter with"), el("dd", {}, describeOffer(r.counter) || "—"),
        el("dt", {}, "Your walk-away"), el("dd", {}, describeOffer(r.walk_away) || "—"),
        el("dt", {}, "Your target"), el("dd", {}, describeOffer(r.target) || "—")),
      citationList(r.citations) || "");
  } catch (error) {
    out.replaceChildren();
    showError(out, error);
  }
}

// -- role-play ---------------------------------------------------------------------------

function recruiterLine(turn) {
  const log = $("#roleplay-log");
  const line = bubble(log, "recruiter", turn.text);
  if (turn.offer) line.node.append(el("p", { class: "offer" }, "On the table: " + describeOffer(turn.offer)));
  if (turn.done) line.node.append(el("p", { class: "muted" }, "The recruiter has closed the conversation. End it for your debrief."));
}

async function startRoleplay(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const log = $("#roleplay-log");
  log.replaceChildren();
  $("#debrief").replaceChildren();
  try {
    const r = await withModel(api("/api/roleplay", {
      method: "POST", json: { persona: form.get("persona"), region: form.get("region") || null },
    }));
    state.roleplay = r.id;
    state.currency = r.currency || "USD";
    log.append(el("p", { class: "muted" }, "A " + r.persona + " recruiter, " + r.region + "."));
    recruiterLine(r.turn);
    $("#roleplay-form").hidden = false;
    $("#roleplay-input").focus();
  } catch (error) {
    showError(log, error);
  }
}

async function sayRoleplay(event) {
  event.preventDefault();
  const input = $("#roleplay-input");
  const text = input.value.trim();
  if (!text || !state.roleplay) return;
  input.value = "";
  bubble($("#roleplay-log"), "you", text);
  try {
    const feedback = $("#roleplay-feedback").checked;
    const r = await withModel(api("/api/roleplay/" + state.roleplay + "/say", { method: "POST", json: { text, feedback } }));
    // Notes on the line just said come before the recruiter's answer, as a coach would.
    if (feedback) {
      for (const note of r.turn.notes || []) {
        bubble($("#roleplay-log"), "coach", note.what + " " + note.why + ' Try: "' + note.better + '"', "feedback");
      }
    }
    recruiterLine(r.turn);
  } catch (error) {
    showError($("#roleplay-log"), error);
  }
  input.focus();
}

async function hintRoleplay() {
  if (!state.roleplay) return;
  try {
    const r = await withModel(api("/api/roleplay/" + state.roleplay + "/hint", { method: "POST" }));
    bubble($("#roleplay-log"), "hint", r.hint, "hint");
  } catch (error) {
    showError($("#roleplay-log"), error);
  }
}

async function endRoleplay() {
  if (!state.roleplay) return;
  try {
    const d = await api("/api/roleplay/" + state.roleplay + "/end", { method: "POST" });
    state.roleplay = null;
    $("#roleplay-form").hidden = true;
    renderDebrief(d);
  } catch (error) {
    showError($("#debrief"), error);
  }
}

function renderDebrief(d) {
  const card = d.scorecard;
  const out = $("#debrief");
  const zone = card.zone_captured === null || card.zone_captured === undefined
    ? null : Math.max(0, Math.min(100, Math.round(card.zone_captured * (card.zone_captured <= 1 ? 100 : 1))));
  out.replaceChildren(
    el("h3", {}, "Debrief: " + d.outcome.replace(/_/g, " ")),
    el("p", { class: "score" }, el("strong", {}, String(card.score)), " / 100"),
    d.final_offer ? el("p", {}, "Final offer: " + describeOffer(d.final_offer)) : "",
    zone === null ? "" : el("div", { class: "zone" },
      el("span", {}, "Room captured: " + zone + "%"),
      el("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(zone), "aria-label": "Room captured" },
        el("div", { class: "fill", style: "width:" + zone + "%" }))),
    el("ul", { class: "criteria" }, ...card.criteria.map((c) =>
      el("li", { class: c.passed ? "pass" : "fail" },
        el("span", { class: "mark", "aria-label": c.passed ? "passed" : "missed" }, c.passed ? "✓" : "✗"),
        el("strong", {}, c.name.replace(/_/g, " ")),
        // A quote of the candidate's own line, or the scorer's note in parentheses.
        c.evidence && !c.evidence.startsWith("(") ? el("q", {}, c.evidence.replace(/^"|"$/g, ""))
          : c.evidence ? el("span", { class: "detail" }, c.evidence) : "",
        c.detail ? el("span", { class: "detail" }, c.detail) : ""))),
    d.fixes && d.fixes.length ? el("div", {}, el("h4", {}, "The fixes that matter most"),
      el("ul", { class: "fixes" }, ...d.fixes.map((f) => el("li", {},
        el("q", {}, f.line), " " + f.what + " Try: ", el("em", {}, f.better))))) : "",
    card.tips && card.tips.length ? el("div", {}, el("h4", {}, "Next time"),
      el("ul", {}, ...card.tips.map((t) => el("li", {}, t)))) : "",
    el("p", { class: "hidden-plan" }, "The recruiter could have gone to: " + describeOffer(d.hidden.maximum) +
      " (opened at " + describeOffer(d.hidden.opening) + ")."));
  out.focus();
}

// -- guides ----------------------------------------------------------------------------------

async function loadGuides() {
  const list = $("#guide-list");
  try {
    const guides = await api("/api/guides");
    list.replaceChildren(...guides.map((g) =>
      el("li", {}, el("strong", {}, g.title), el("span", { class: "muted" }, " " + g.id + " · " + g.chunks + " passages"))));
    if (!guides.length) list.append(el("li", { class: "muted" }, "No guides stored yet."));
  } catch (error) {
    list.replaceChildren();
    showError(list, error);
  }
}

async function uploadGuide(event) {
  event.preventDefault();
  const file = $("#upload-file").files[0];
  const out = $("#upload-result");
  out.replaceChildren();
  if (!file) return;
  try {
    const r = await api("/api/guides", {
      method: "POST", body: file,
      headers: { "X-Filename": file.name, "Content-Type": file.type || "text/plain" },
    });
    out.append(r.title + " — " + r.status + " (" + r.chunks + " passages).");
    event.target.reset();
    loadGuides();
    loadRegions();
  } catch (error) {
    showError(out, error);
  }
}

// -- progress --------------------------------------------------------------------------------

async function loadProgress() {
  const chart = $("#progress-chart");
  const list = $("#history-list");
  try {
    const [points, sessions] = await Promise.all([api("/api/progress"), api("/api/history")]);
    chart.replaceChildren(...points.map((p, i) =>
      el("div", { class: "col", title: p.at.slice(0, 10) + ": " + p.score },
        el("div", { class: "fill", style: "height:" + p.score + "%" }),
        el("span", {}, String(i + 1)))));
    if (!points.length) chart.append(el("p", { class: "muted" }, "No scored role-plays yet."));
    chart.setAttribute("aria-label", "Role-play scores: " + (points.map((p) => p.score).join(", ") || "none yet"));
    list.replaceChildren(...sessions.map((s) =>
      el("li", {}, s.started_at.slice(0, 16).replace("T", " ") + " · " + s.persona + " · " + s.region +
        " · " + (s.outcome ? s.outcome.replace(/_/g, " ") : "unfinished") + (s.score === null ? "" : " · " + s.score + "/100"))));
  } catch (error) {
    showError(list, error);
  }
}

// -- wiring ----------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".tabs button").forEach((b) =>
    b.addEventListener("click", () => showView(b.dataset.view)));
  $("#chat-form").addEventListener("submit", sendChat);
  $("#counter-form").addEventListener("submit", sendCounter);
  $("#roleplay-start").addEventListener("submit", startRoleplay);
  $("#roleplay-form").addEventListener("submit", sayRoleplay);
  $("#roleplay-hint").addEventListener("click", hintRoleplay);
  $("#roleplay-end").addEventListener("click", endRoleplay);
  $("#upload-form").addEventListener("submit", uploadGuide);
  enterSends($("#chat-input"));
  enterSends($("#roleplay-input"));
  loadRegions();
  $("#chat-input").focus();
});
