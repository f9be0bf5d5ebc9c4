// The members panel: who is in the chat, add someone, remove someone (the creator may), leave (§3 modifyChatParticipants).
import { el, avatar } from "./format.js";

const $ = id => document.getElementById(id);

export class Members {
  #store; #connection; #chatId = null; #onLeft;

  constructor(store, connection, onLeft) {
    this.#store = store;
    this.#connection = connection;
    this.#onLeft = onLeft;
    $("members-close").addEventListener("click", () => this.hide());
    $("add-member").addEventListener("submit", event => {
      event.preventDefault();
      const user = $("add-member-user").value.trim();
      if (user) this.#modify(user, "ADD").then(() => { $("add-member-user").value = ""; });
    });
    $("leave-chat").addEventListener("click", async () => {
      if (await this.#modify(this.#store.userId, "REMOVE")) {
        this.hide();
        this.#onLeft();
      }
    });
    document.addEventListener("keydown", event => { if (event.key === "Escape" && !$("members").hidden) this.hide(); });
  }

  show(chatId) {
    this.#chatId = chatId;
    $("members").hidden = false;
    this.render();
    $("add-member-user").focus();
  }

  hide() {
    $("members").hidden = true;
    this.#chatId = null;
  }

  render() {
    if (!this.#chatId) return;
    const chat = this.#store.chat(this.#chatId);
    const me = this.#store.userId;
    $("member-list").replaceChildren(...chat.participants.map(user => el("li", {},
      avatar(el("span", { class: "avatar small", "aria-hidden": "true" }), user),
      el("span", { class: "grow" }, user === me ? `${user} (you)` : user, chat.creator === user ? el("small", { class: "muted" }, " · creator") : null),
      chat.creator === me && user !== me
        ? el("button", { class: "link danger", "aria-label": `Remove ${user}`, onclick: () => this.#modify(user, "REMOVE") }, "Remove")
        : null)));
  }

  async #modify(userId, operation) {
    try {
      const result = await this.#connection.request("modifyChatParticipants", { chatId: this.#chatId, userId, operation });
      // The chatUpdate item follows for the other devices; this one shows the answer at once.
      this.#store.applyChatUpdate({ chatId: result.chatId, participants: result.participants });
      this.render();
      return true;
    } catch (error) {
      document.dispatchEvent(new CustomEvent("natter-flash", { detail: `Could not ${operation === "ADD" ? "add" : "remove"} ${userId}: ${error.message}` }));
      return false;
    }
  }
}
