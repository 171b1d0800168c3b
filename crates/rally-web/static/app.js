// Rally's own script: drag-and-drop on the board (pointer events, so touch works too) with a
// confirmation before Closed Won and an undo after every move, "load more" without leaving the page,
// and error summaries that focus their fields. Every page works without it.
"use strict";
document.documentElement.classList.add("js");

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// Asks why a partner was lost, in the board's dialog; resolves to the reason, or null if cancelled.
function askReason() {
  const dialog = document.getElementById("lost-dialog");
  const reason = dialog.querySelector("textarea");
  reason.value = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok" ? reason.value.trim() || null : null), { once: true });
  });
}

// Shows why a partner cannot simply be won (agreed commitments still open) and asks for a note to
// move it anyway; resolves to the note, or null if cancelled.
function askWonAnyway(message) {
  const dialog = document.getElementById("won-dialog");
  const note = dialog.querySelector("textarea");
  dialog.querySelector(".why").textContent = message;
  note.value = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok" ? note.value.trim() || null : null), { once: true });
  });
}

async function postMove(slug, id, body) {
  const response = await fetch(`/campaigns/${slug}/partners/${id}/stage`, {
    method: "POST",
    headers: { "X-CSRF-Token": csrf(), "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
    body,
    credentials: "same-origin",
  });
  return { response, answer: await response.json().catch(() => ({})) };
}

// A refused move comes back as the API's problem document (RFC 9457): the field to fix and its
// message are its first error; without one, its detail says what happened.
function problemField(problem) {
  return problem.errors && problem.errors.length ? problem.errors[0].field : "";
}

function problemMessage(problem) {
  return problem.errors && problem.errors.length ? problem.errors[0].message : problem.detail;
}

// Asks once before a card is dropped on Closed Won; resolves to true to go ahead.
function confirmWon(name) {
  const dialog = document.getElementById("confirm-won-dialog");
  dialog.querySelector(".who").textContent = name;
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

function stageLabel(board, stage) {
  return board.querySelector(`#col-${stage}`)?.firstChild?.textContent.trim() ?? stage;
}

// Puts the card in its new column and updates the column counts.
function placeCard(board, card, from, stage) {
  const target = board.querySelector(`ol.cards[data-stage="${stage}"]`);
  const more = target.querySelector("li.more");
  target.insertBefore(card, more || null);
  card.dataset.stage = stage;
  for (const [s, delta] of [[from, -1], [stage, 1]]) {
    const count = board.querySelector(`[data-count="${s}"]`);
    if (count) count.textContent = String(Number(count.textContent.replace(/\D/g, "")) + delta);
  }
  card.querySelectorAll("select option").forEach((o) => { o.hidden = o.value === stage; });
}

// "Moved … Undo" for a few seconds after a move; undoing moves the card back, recorded as a move.
function offerUndo(board, card, from, stage) {
  const toast = document.getElementById("board-toast");
  const name = card.querySelector("a")?.textContent ?? "";
  toast.querySelector(".what").textContent = `${name} moved to ${stageLabel(board, stage)}.`;
  const button = toast.querySelector("button");
  button.hidden = false;
  toast.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { toast.hidden = true; }, 10000);
  button.onclick = async () => {
    button.hidden = true;
    clearTimeout(toast.timer);
    const body = new URLSearchParams({ stage: from, note: "Undone on the board" });
    if (from === "closed_lost") body.set("reason", "Undone on the board");
    const { response, answer } = await postMove(board.dataset.slug, card.dataset.id, body);
    if (!response.ok) {
      toast.querySelector(".what").textContent = problemMessage(answer) || "The move could not be undone.";
      return;
    }
    placeCard(board, card, stage, from);
    toast.querySelector(".what").textContent = `${name} is back in ${stageLabel(board, from)}.`;
    toast.timer = setTimeout(() => { toast.hidden = true; }, 5000);
  };
}

async function moveCard(board, card, stage) {
  const slug = board.dataset.slug;
  const from = card.dataset.stage;
  const body = new URLSearchParams({ stage });
  if (stage === "closed_won" && !(await confirmWon(card.querySelector("a")?.textContent ?? ""))) return false;
  if (stage === "closed_lost") {
    const reason = await askReason();
    if (!reason) return false;
    body.set("reason", reason);
  }
  let { response, answer } = await postMove(slug, card.dataset.id, body);
  if (!response.ok && problemField(answer) === "confirm_unfulfilled") {
    const note = await askWonAnyway(problemMessage(answer));
    if (!note) return false;
    body.set("confirm_unfulfilled", "1");
    body.set("note", note);
    ({ response, answer } = await postMove(slug, card.dataset.id, body));
  }
  if (!response.ok) {
    window.alert(problemMessage(answer) || "The partner could not be moved.");
    return false;
  }
  placeCard(board, card, from, stage);
  offerUndo(board, card, from, stage);
  return true;
}

function setUpBoard(board) {
  let dragging = null;
  let justDragged = false;
  // A drag that started on the partner's name must not also follow the link.
  board.addEventListener("click", (event) => {
    if (justDragged && event.target.closest(".card-item a")) event.preventDefault();
    justDragged = false;
  }, true);
  board.addEventListener("pointerdown", (event) => {
    const card = event.target.closest('.card-item[data-movable="true"]');
    if (!card || event.target.closest("button, input, select, label") || event.button !== 0) return;
    const rect = card.getBoundingClientRect();
    dragging = { card, startX: event.clientX, startY: event.clientY, dx: event.clientX - rect.left, dy: event.clientY - rect.top, moved: false, placeholder: null };
    card.setPointerCapture(event.pointerId);
  });
  board.addEventListener("pointermove", (event) => {
    if (!dragging) return;
    const d = dragging;
    if (!d.moved && Math.hypot(event.clientX - d.startX, event.clientY - d.startY) < 6) return;
    if (!d.moved) {
      d.moved = true;
      d.placeholder = document.createElement("li");
      d.placeholder.className = "card-item placeholder";
      d.placeholder.style.height = `${d.card.offsetHeight}px`;
      d.card.after(d.placeholder);
      d.card.classList.add("dragging");
    }
    // Near the board's edge, scroll it, so every column can be reached on a narrow screen.
    const edge = board.getBoundingClientRect();
    if (event.clientX > edge.right - 40) board.scrollLeft += 20;
    else if (event.clientX < edge.left + 40) board.scrollLeft -= 20;
    d.card.style.left = `${event.clientX - d.dx}px`;
    d.card.style.top = `${event.clientY - d.dy}px`;
    board.querySelectorAll(".column").forEach((c) => c.classList.remove("drop"));
    document.elementFromPoint(event.clientX, event.clientY)?.closest(".column")?.classList.add("drop");
  });
  const finish = async (event) => {
    if (!dragging) return;
    const d = dragging;
    dragging = null;
    if (!d.moved) return;
    justDragged = true;
    const column = document.elementFromPoint(event.clientX, event.clientY)?.closest(".column");
    board.querySelectorAll(".column").forEach((c) => c.classList.remove("drop"));
    d.card.classList.remove("dragging");
    d.card.style.left = d.card.style.top = "";
    d.placeholder.replaceWith(d.card);
    if (column && column.dataset.stage !== d.card.dataset.stage) {
      await moveCard(board, d.card, column.dataset.stage);
    }
  };
  board.addEventListener("pointerup", finish);
  board.addEventListener("pointercancel", finish);

  // Load more cards into a column in place.
  board.addEventListener("click", async (event) => {
    const link = event.target.closest("a[data-more]");
    if (!link) return;
    event.preventDefault();
    const response = await fetch(link.href, { credentials: "same-origin" });
    if (!response.ok) { window.location = link.href; return; }
    const html = await response.text();
    const item = link.closest("li");
    const template = document.createElement("template");
    template.innerHTML = html;
    item.replaceWith(template.content);
  });
}

document.querySelectorAll(".board[data-slug]").forEach(setUpBoard);

// After a failed form the error summary takes the focus (the page opens at it); its links focus the
// field they name.
// (Once the page has loaded: the browser's scroll to the form's fragment would take the focus away.)
const summary = document.querySelector(".error-summary");
if (summary) window.addEventListener("load", () => setTimeout(() => summary.focus(), 0));
document.addEventListener("click", (event) => {
  const link = event.target.closest(".error-summary a[href^='#']");
  if (!link) return;
  const field = document.getElementById(link.getAttribute("href").slice(1));
  if (!field) return;
  event.preventDefault();
  field.closest("details")?.setAttribute("open", "");
  field.focus();
});
