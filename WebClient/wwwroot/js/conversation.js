// The open chat: bubbles (mine right, theirs left) with replies, reactions, edits, deletions, images and ticks; the
// composer (Enter sends, Shift+Enter breaks the line, Escape cancels a reply or an edit); typing and presence.
import { el, time, lastSeen, chatTitle, avatar, Ticks, TickLabels } from "./format.js";
import { uploadAttachment } from "./uploads.js";
import { Outbox } from "./outbox.js";

const Reactions = ["👍", "❤️", "😂", "😮", "😢", "🙏"];
const EditWindowMs = 15 * 60 * 1000; // §10: the server refuses later edits; the button goes away with it
const TypingRefreshMs = 3500; // §12: send start again every 3–5 s while typing
const TypingPauseMs = 3000;
const PresenceRefreshMs = 30_000; // §12: no presence pushes; ask while the chat stays open

const $ = id => document.getElementById(id);

export class Conversation {
  #store; #connection; #config; #outbox; #chatId = null; #context = null; // {kind: "reply"|"edit", message}
  #typingSentAt = 0; #typingPause = null; #typists = new Map(); // userId → timer
  #presence = new Map(); #presenceTimer = null; #localPreviews = new Map(); // attachmentId → object URL

  constructor(store, connection, config) {
    this.#store = store;
    this.#connection = connection;
    this.#config = config;
    this.#outbox = new Outbox(store, connection);
    $("composer").addEventListener("submit", event => { event.preventDefault(); this.#submit(); });
    $("text").addEventListener("keydown", event => this.#onKey(event));
    $("text").addEventListener("input", () => { this.#autosize(); this.#onTyping(); });
    $("compose-context-cancel").addEventListener("click", () => this.#setContext(null));
    $("attach").addEventListener("change", event => this.#attach(event.target));
    document.addEventListener("visibilitychange", () => this.#markRead());
    connection.addEventListener("live", event => this.#onLive(event.detail));
    connection.addEventListener("state", event => {
      if (event.detail.state !== "online") {
        // Typing is live-only (§12): a "stop" sent while this page was away never comes, so forget who was typing.
        for (const timer of this.#typists.values()) clearTimeout(timer);
        this.#typists.clear();
        if (this.#chatId) this.#renderStatus();
        return;
      }
      this.#refreshPresence();
      this.#markRead();
    });
  }

  get chatId() { return this.#chatId; }

  open(chatId) {
    if (this.#chatId !== chatId) this.#stopTyping();
    this.#chatId = chatId;
    this.#typists.clear();
    this.#setContext(null);
    $("no-chat").hidden = true;
    $("chat-header").hidden = false;
    $("composer").hidden = false;
    this.render(true);
    this.#refreshPresence();
    clearInterval(this.#presenceTimer);
    this.#presenceTimer = setInterval(() => this.#refreshPresence(), PresenceRefreshMs);
    $("text").focus();
  }

  close() {
    this.#stopTyping();
    this.#chatId = null;
    clearInterval(this.#presenceTimer);
    $("no-chat").hidden = false;
    $("chat-header").hidden = true;
    $("composer").hidden = true;
    $("messages").replaceChildren();
  }

  render(scrollToEnd = false) {
    if (!this.#chatId) return;
    const chat = this.#store.chat(this.#chatId);
    const title = chatTitle(chat, this.#store.userId);
    $("chat-name").textContent = title;
    avatar($("chat-avatar"), title);
    this.#renderStatus();
    $("composer").hidden = chat.left;

    const list = $("messages");
    const nearEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const focusedKey = document.activeElement?.closest?.("[data-message-id]")?.dataset.messageId;
    const focusedAction = document.activeElement?.dataset?.action;
    list.replaceChildren(...this.#store.messages(this.#chatId).map(m => this.#bubble(chat, m)));
    if (focusedKey) {
      const bubble = list.querySelector(`[data-message-id="${CSS.escape(focusedKey)}"]`);
      (focusedAction && bubble?.querySelector(`[data-action="${focusedAction}"]`) || bubble)?.focus({ preventScroll: true });
    }
    if (scrollToEnd || nearEnd) list.scrollTop = list.scrollHeight;
    this.#markRead();
  }

  #bubble(chat, m) {
    const me = this.#store.userId;
    const mine = m.userId === me;
    const group = chat.participants.length > 2;
    const tick = mine ? this.#store.tick(chat.chatId, m) : null;
    const body = m.deleted
      ? el("p", { class: "text deleted" }, "🚫 This message was deleted")
      : el("p", { class: "text" }, m.message);
    const reactions = Object.entries(m.reactions ?? {}).filter(([, r]) => r.emoji);
    return el("li", {
      class: `message ${mine ? "mine" : "theirs"}`, tabindex: "0", "data-message-id": m.messageId,
      "data-seq": m.seq ?? "", "aria-label": `${mine ? "You" : m.userId}: ${m.deleted ? "deleted" : m.message}`,
    },
    el("div", { class: "bubble" },
      !mine && group ? el("span", { class: "author" }, m.userId) : null,
      m.replyTo ? this.#quote(chat, m.replyTo) : null,
      ...(m.deleted ? [] : (m.attachments ?? []).map(a => this.#attachment(a))),
      body,
      el("span", { class: "meta" },
        m.editedAt && !m.deleted ? el("span", { class: "edited" }, "edited") : null,
        el("time", {}, time(m.timestamp)),
        tick ? el("span", { class: `tick ${tick}`, "data-tick": tick, title: TickLabels[tick], "aria-label": TickLabels[tick] }, Ticks[tick]) : null),
      reactions.length ? el("span", { class: "reactions", "aria-label": "reactions" },
        ...reactions.map(([user, r]) => el("span", { title: user }, r.emoji))) : null),
    m.deleted || m.seq == null ? null : this.#actions(chat, m, mine));
  }

  #quote(chat, replyTo) {
    const quoted = chat.messages[replyTo.messageId];
    const text = quoted?.deleted ? "🚫 This message was deleted" : replyTo.excerpt;
    return el("button", { class: "quote", type: "button", onclick: () => this.#reveal(replyTo.messageId) },
      el("strong", {}, replyTo.userId === this.#store.userId ? "You" : replyTo.userId), el("span", {}, text));
  }

  #attachment(a) {
    const local = this.#localPreviews.get(a.attachmentId);
    const isImage = a.contentType?.startsWith("image/");
    if (!isImage) {
      return el("a", { class: "file", href: this.#mediaUrl(`/attachments/${a.attachmentId}/content`), target: "_blank", rel: "noopener" },
        `📄 ${a.contentType} · ${Math.ceil(a.size / 1024)} KB`);
    }
    const thumbnail = local ?? (a.thumbnailUrl ? this.#mediaUrl(a.thumbnailUrl) : null);
    return el("button", { class: "image", type: "button", "aria-label": "Open image", onclick: () => this.#view(a) },
      thumbnail ? el("img", { src: thumbnail, alt: "image", loading: "lazy", "data-attachment-id": a.attachmentId }) : el("span", {}, "📷"));
  }

  #actions(chat, m, mine) {
    const editable = mine && Date.now() - m.timestamp < EditWindowMs;
    return el("div", { class: "actions", role: "toolbar", "aria-label": "Message actions" },
      el("button", { type: "button", "data-action": "reply", title: "Reply", "aria-label": "Reply", onclick: () => this.#setContext({ kind: "reply", message: m }) }, "↩"),
      ...Reactions.map(emoji => el("button", {
        type: "button", class: "react", "data-action": `react-${emoji}`, title: `React ${emoji}`, "aria-label": `React ${emoji}`,
        onclick: () => this.#react(m, emoji),
      }, emoji)),
      editable ? el("button", { type: "button", "data-action": "edit", title: "Edit", "aria-label": "Edit", onclick: () => this.#setContext({ kind: "edit", message: m }) }, "✎") : null,
      mine ? el("button", { type: "button", "data-action": "delete", title: "Delete for everyone", "aria-label": "Delete for everyone", onclick: () => this.#delete(m) }, "🗑") : null);
  }

  #renderStatus() {
    const chat = this.#store.chat(this.#chatId);
    const me = this.#store.userId;
    const others = chat.participants.filter(p => p !== me);
    const typing = [...this.#typists.keys()];
    const status = $("chat-status");
    status.classList.toggle("typing", typing.length > 0);
    if (typing.length) {
      status.textContent = others.length > 1 ? `${typing.join(", ")} ${typing.length > 1 ? "are" : "is"} typing…` : "typing…";
    } else if (others.length === 1) {
      const presence = this.#presence.get(others[0]);
      status.textContent = presence?.online ? "online" : presence?.lastSeen ? lastSeen(presence.lastSeen) : "";
    } else {
      status.textContent = ["You", ...others].join(", ");
    }
  }

  #setContext(context) {
    this.#context = context;
    $("compose-context").hidden = !context;
    if (!context) {
      if (this.#editing) $("text").value = "";
      this.#editing = false;
      return;
    }
    const m = context.message;
    $("compose-context").className = `compose-context ${context.kind}`;
    $("compose-context-title").textContent = context.kind === "edit" ? "Edit message" : `Reply to ${m.userId === this.#store.userId ? "yourself" : m.userId}`;
    $("compose-context-text").textContent = m.message;
    this.#editing = context.kind === "edit";
    if (this.#editing) $("text").value = m.message;
    $("text").focus();
  }

  #editing = false;

  #onKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.#submit();
    } else if (event.key === "Escape" && this.#context) {
      event.preventDefault();
      this.#setContext(null);
    }
  }

  async #submit() {
    const text = $("text").value.trim();
    const chatId = this.#chatId;
    if (!text || !chatId) return;
    const context = this.#context;
    $("text").value = "";
    this.#autosize();
    this.#setContext(null);
    this.#stopTyping();
    if (context?.kind === "edit") {
      await this.#edit(context.message, text);
      return;
    }
    this.#outbox.send(chatId, text, [], context?.kind === "reply" ? context.message : null);
  }

  async #edit(m, text) {
    try {
      const result = await this.#connection.request("editMessage", { chatId: this.#chatId, messageId: m.messageId, message: text });
      this.#store.updateMessage(this.#chatId, m.messageId, { message: text, editedAt: result.editedAt });
    } catch (error) {
      this.#flash(`Could not edit: ${error.message}`);
    }
  }

  async #delete(m) {
    try {
      await this.#connection.request("deleteMessage", { chatId: this.#chatId, messageId: m.messageId });
      this.#store.updateMessage(this.#chatId, m.messageId, { deleted: true, message: "", attachments: [] });
    } catch (error) {
      this.#flash(`Could not delete: ${error.message}`);
    }
  }

  async #react(m, emoji) {
    const current = m.reactions?.[this.#store.userId]?.emoji;
    const next = current === emoji ? null : emoji; // the same emoji again takes it back
    try {
      await this.#connection.request("react", { chatId: this.#chatId, messageId: m.messageId, emoji: next });
      const reactions = { ...(m.reactions ?? {}), [this.#store.userId]: { emoji: next, timestamp: Date.now() } };
      this.#store.updateMessage(this.#chatId, m.messageId, { reactions });
    } catch (error) {
      this.#flash(`Could not react: ${error.message}`);
    }
  }

  async #attach(input) {
    const file = input.files?.[0];
    input.value = "";
    const chatId = this.#chatId;
    if (!file || !chatId) return;
    $("upload").hidden = false;
    $("upload-name").textContent = file.name;
    $("upload-progress").value = 0;
    try {
      const attachment = await uploadAttachment(this.#connection, file, fraction => { $("upload-progress").value = fraction; });
      if (file.type.startsWith("image/")) this.#localPreviews.set(attachment.attachmentId, URL.createObjectURL(file));
      const caption = $("text").value.trim();
      $("text").value = "";
      this.#outbox.send(chatId, caption, [attachment], null);
    } catch (error) {
      this.#flash(`Upload failed: ${error.message ?? error}`);
    } finally {
      $("upload").hidden = true;
    }
  }

  #onTyping() {
    if (!this.#chatId || !$("text").value) return this.#stopTyping();
    const now = Date.now();
    if (now - this.#typingSentAt > TypingRefreshMs) {
      this.#typingSentAt = now;
      this.#connection.request("typing", { chatId: this.#chatId, state: "start" }).catch(() => {});
    }
    clearTimeout(this.#typingPause);
    this.#typingPause = setTimeout(() => this.#stopTyping(), TypingPauseMs);
  }

  #stopTyping() {
    clearTimeout(this.#typingPause);
    if (this.#typingSentAt && this.#chatId) {
      this.#connection.request("typing", { chatId: this.#chatId, state: "stop" }).catch(() => {});
    }
    this.#typingSentAt = 0;
  }

  #onLive(frame) {
    if (frame.type !== "typing" || frame.chatId !== this.#chatId) return;
    clearTimeout(this.#typists.get(frame.userId));
    if (frame.state === "start") {
      // §12: show a start for expiresInMs unless another start refreshes it.
      this.#typists.set(frame.userId, setTimeout(() => { this.#typists.delete(frame.userId); this.#renderStatus(); }, frame.expiresInMs));
    } else {
      this.#typists.delete(frame.userId);
    }
    this.#renderStatus();
  }

  async #refreshPresence() {
    if (!this.#chatId) return;
    const chat = this.#store.chat(this.#chatId);
    const others = chat.participants.filter(p => p !== this.#store.userId).slice(0, 100);
    if (!others.length) return;
    try {
      const result = await this.#connection.request("getPresence", { userIds: others });
      for (const p of result.presence) this.#presence.set(p.userId, p);
      this.#renderStatus();
    } catch {
      // Offline for a moment: the next refresh asks again.
    }
  }

  /** §9: when the user sees a chat, mark it read up to the newest seq on screen (once per seq, again after a failure). */
  #markRead() {
    if (!this.#chatId || document.visibilityState !== "visible" || this.#connection.state !== "online") return;
    const chatId = this.#chatId;
    const newest = Math.max(0, ...this.#store.messages(chatId).filter(m => m.userId !== this.#store.userId).map(m => m.seq ?? 0));
    if (newest <= (this.#readSent.get(chatId) ?? 0)) return;
    this.#readSent.set(chatId, newest);
    this.#store.markReadLocally(chatId, newest);
    this.#connection.request("markRead", { chatId, seq: newest }).catch(() => this.#readSent.delete(chatId));
  }

  #readSent = new Map(); // chatId → the seq the server was last asked to mark read

  #reveal(messageId) {
    const bubble = $("messages").querySelector(`[data-message-id="${CSS.escape(messageId)}"]`);
    bubble?.scrollIntoView({ block: "center" });
    bubble?.focus({ preventScroll: true });
  }

  #view(a) {
    $("viewer-image").src = this.#localPreviews.get(a.attachmentId) ?? this.#mediaUrl(`/attachments/${a.attachmentId}/content`);
    $("viewer").showModal();
  }

  #mediaUrl(path) {
    return `${this.#config.mediaUrl}${path}?access_token=${encodeURIComponent(this.#connection.token ?? "")}`;
  }

  #autosize() {
    const text = $("text");
    text.style.height = "auto";
    text.style.height = `${Math.min(text.scrollHeight, 140)}px`;
  }

  #flash(message) {
    document.dispatchEvent(new CustomEvent("natter-flash", { detail: message }));
  }
}
