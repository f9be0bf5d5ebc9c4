// The chat list: name, last message, time and unread count; the newest activity first.
import { el, time, chatTitle, avatar } from "./format.js";

export class ChatList {
  #store; #onOpen; #list = document.getElementById("chat-list"); #empty = document.getElementById("chat-list-empty");

  constructor(store, onOpen) {
    this.#store = store;
    this.#onOpen = onOpen;
    this.openChatId = null;
  }

  render() {
    const chats = this.#store.sortedChats();
    this.#empty.hidden = chats.length > 0;
    this.#list.replaceChildren(...chats.map(chat => this.#item(chat)));
  }

  /** "You: " for one's own, the sender's name in a group, nothing in a chat of two (as WhatsApp shows it). */
  #author(chat, message) {
    if (message.userId === this.#store.userId) return "You: ";
    return chat.participants.length > 2 ? `${message.userId}: ` : "";
  }

  #item(chat) {
    const me = this.#store.userId;
    const title = chatTitle(chat, me);
    const last = this.#store.lastMessage(chat.chatId);
    const unread = this.#store.unread(chat.chatId);
    const preview = chat.left ? "You are no longer a member"
      : !last ? `${chat.participants.length} members`
      : `${this.#author(chat, last)}${last.deleted ? "🚫 deleted" : last.message || (last.attachments?.length ? "📷 Photo" : "")}`;
    return el("li", {},
      el("button", {
        class: `chat-item${chat.chatId === this.openChatId ? " active" : ""}`,
        "data-chat-id": chat.chatId,
        "aria-current": chat.chatId === this.openChatId ? "true" : null,
        onclick: () => this.#onOpen(chat.chatId),
      },
      avatar(el("span", { class: "avatar", "aria-hidden": "true" }), title),
      el("span", { class: "chat-item-main" },
        el("span", { class: "chat-item-top" }, el("strong", { class: "chat-item-name" }, title),
          el("small", { class: "muted" }, last ? time(last.timestamp) : "")),
        el("span", { class: "chat-item-bottom" }, el("span", { class: "chat-item-preview muted" }, preview),
          unread ? el("span", { class: "unread", "aria-label": `${unread} unread` }, String(unread)) : null))));
  }
}
