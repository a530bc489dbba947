// The dead-letter panel: every dead-letter queue with how many dead letters wait in it, and
// every dead letter of the chosen queue, a page at a time, each with its reason, its saga, how
// many times it was delivered before it was put aside, and Requeue or Discard (each confirmed
// in the page first). The server keeps each dead letter in its own store, so reading this
// panel, however often, never touches a message on the broker.
import { el } from "/shared/dom.js";
import { confirmAction } from "./confirm.js";
import { instant, number, t } from "./i18n.js";

const $ = (selector) => document.querySelector(selector);
const PAGE_SIZE = 10;

export function deadLetters({ api, errorText }) {
  const shown = { queues: null, error: null, chosen: null, page: null, offset: 0, status: null };
  $("#dlq-refresh").onclick = load;
  $("#dlq-previous").onclick = () => turn(-PAGE_SIZE);
  $("#dlq-next").onclick = () => turn(PAGE_SIZE);

  async function load() {
    try {
      shown.queues = (await api("/api/ops/dead-letters")).queues;
      shown.error = null;
      if (!shown.chosen || !shown.queues.some((q) => q.name === shown.chosen && q.depth)) {
        shown.chosen = shown.queues.find((q) => q.depth)?.name ?? null;
        shown.offset = 0;
      }
      await loadPage();
    } catch (error) {
      shown.error = error;
    }
    render();
    const card = $("#dead-letters-card"); // how many reads so far: a test waits for the next
    card.dataset.loads = String(Number(card.dataset.loads || 0) + 1);
  }

  async function loadPage() {
    if (!shown.chosen) {
      shown.page = null;
      return;
    }
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(shown.offset) });
    shown.page = await api(`/api/ops/dead-letters/${encodeURIComponent(shown.chosen)}?${params}`);
    if (!shown.page.items.length && shown.offset > 0) {
      shown.offset = Math.max(0, shown.offset - PAGE_SIZE);
      await loadPage();
    }
  }

  async function choose(name) {
    shown.chosen = name;
    shown.offset = 0;
    await refreshPage();
  }

  async function turn(by) {
    shown.offset = Math.max(0, shown.offset + by);
    await refreshPage();
  }

  async function refreshPage() {
    try {
      await loadPage();
      shown.error = null;
    } catch (error) {
      shown.error = error;
    }
    render();
  }

  function render() {
    $("#dlq-status").textContent = shown.error ? errorText(shown.error)
      : shown.status ? t(shown.status.key, shown.status.vars) : "";
    if (shown.queues) $("#dead-letters tbody").replaceChildren(...shown.queues.map(queueRow));
    renderPage();
  }

  function queueRow(queue) {
    const head = queue.head;
    const chosen = queue.name === shown.chosen;
    return el("tr", { "data-queue": queue.name, class: `${queue.depth ? "has-messages" : ""}${chosen ? " selected" : ""}` },
      el("td", { class: "mono", translate: "no", "data-label": t("dlq.queue") }, queue.name),
      el("td", { "data-label": t("dlq.depth") }, el("span", { class: `depth${queue.depth ? " nonzero" : ""}`, "data-testid": "dlq-depth" }, number(queue.depth))),
      el("td", { "data-label": t("dlq.oldest") }, head
        ? [typeName(head.message_type), el("br"),
           head.reason ? el("span", { class: "reason", lang: "en" }, head.reason) : el("span", { class: "reason" }, t("dlq.no_reason"))]
        : el("span", { class: "muted" }, t("dlq.empty"))),
      el("td", { class: "actions" }, queue.depth
        ? el("button", { type: "button", "aria-pressed": String(chosen), onclick: () => choose(queue.name) },
          chosen ? t("dlq.showing") : t("dlq.show", { count: number(queue.depth) }))
        : null));
  }

  function renderPage() {
    const page = shown.page;
    $("#dlq-messages").hidden = !page;
    if (!page) return;
    $("#dlq-messages").dataset.queue = page.name;
    $("#dlq-messages-title").textContent = t("dlq.messages.title", { queue: page.name });
    $("#dlq-in-queue").hidden = !page.in_queue;
    $("#dlq-in-queue").textContent = page.in_queue ? t("dlq.in_queue", { count: number(page.in_queue) }) : "";
    $("#dlq-list").replaceChildren(...(page.items.length ? page.items.map((item) => letterItem(page, item))
      : [el("li", { class: "muted" }, t("dlq.messages.none"))]));
    const last = page.offset + page.items.length;
    $("#dlq-range").textContent = page.total
      ? t("common.range", { first: number(page.offset + 1), last: number(last), total: number(page.total) }) : "";
    $("#dlq-previous").disabled = page.offset === 0;
    $("#dlq-next").disabled = last >= page.total;
  }

  function letterItem(page, item) {
    const fact = (key, ...value) => [el("dt", {}, t(key)), el("dd", {}, ...value)];
    return el("li", { class: "dead-letter", "data-letter": String(item.id), "data-message": item.message_id || "" },
      el("p", {}, typeName(item.message_type), " — ",
        item.reason ? el("span", { class: "reason", lang: "en" }, item.reason) : el("span", { class: "reason" }, t("dlq.no_reason"))),
      el("dl", { class: "facts" },
        fact("dlq.saga", el("span", { class: "mono" }, item.saga_id || "—")),
        fact("dlq.deliveries", el("span", { "data-testid": "deliveries" }, number(item.deliveries))),
        fact("dlq.when", instant(item.dead_lettered_at)),
        fact("dlq.size", t("dlq.bytes", { size: number(item.body_size) }))),
      el("details", {}, el("summary", {}, t("common.body")), el("pre", { translate: "no" }, item.body_preview)),
      el("div", { class: "actions" },
        el("button", { type: "button", "data-testid": "requeue", onclick: (e) => act(page, item, "requeue", e.currentTarget) },
          t("dlq.requeue.label", { queue: page.source_queue })),
        el("button", { type: "button", class: "danger", "data-testid": "discard", onclick: (e) => act(page, item, "discard", e.currentTarget) },
          t("dlq.discard.label"))));
  }

  async function act(page, item, action, button) {
    const type = item.message_type || t("dlq.unknown_type");
    const yes = await confirmAction({
      title: t(`dlq.confirm.${action}.title`),
      text: t(`dlq.confirm.${action}.text`, { type, queue: page.source_queue }),
      yes: t(`dlq.confirm.${action}.yes`),
      cancel: t("common.cancel"),
      danger: action === "discard",
    });
    if (!yes) return;
    button.disabled = true;
    try {
      await api(`/api/ops/dead-letters/${encodeURIComponent(page.name)}/${action}?id=${item.id}`, { method: "POST" });
      shown.status = { key: action === "requeue" ? "dlq.requeued" : "dlq.discarded", vars: { queue: page.source_queue } };
    } catch (error) {
      shown.status = { key: "dlq.failed", vars: { reason: errorText(error) } };
    }
    await load();
  }

  return { load, render };
}

// A message's type: a name in code, not translated.
function typeName(type) {
  return type ? el("strong", { class: "mono", translate: "no" }, type) : el("strong", {}, t("dlq.unknown_type"));
}
