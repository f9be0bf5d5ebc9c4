// The device's copy of its chats: the one owner of what the page shows. Natter keeps no history for a device to
// fetch (an item leaves the inbox once acknowledged), so what arrives is stored here, in localStorage, before the ack.
// Every apply is idempotent: items come at least once, and again after a reconnect.

const MaxMessagesKept = 500; // per chat, so localStorage stays small

export class ChatStore extends EventTarget {
  #key;

  constructor(userId, clientId) {
    super();
    this.userId = userId;
    this.#key = `natter:${userId}:${clientId}`;
    const saved = JSON.parse(localStorage.getItem(this.#key) ?? "null");
    /** chatId → {chatId, name, creator, participants, left, messages: {messageId → message}, marks: {userId → {delivered, read}}, readUpTo, updatedAt} */
    this.chats = saved?.chats ?? {};
    // A send still pending when the page went away is in no outbox now: show it as not sent rather than forever sending.
    for (const chat of Object.values(this.chats)) {
      for (const m of Object.values(chat.messages)) if (m.seq == null) m.failed ??= "interrupted";
    }
  }

  chat(chatId) {
    return this.chats[chatId] ??= {
      chatId, name: null, creator: null, participants: [], left: false, messages: {}, marks: {}, readUpTo: 0, updatedAt: 0,
    };
  }

  /** Messages of a chat in seq order (pending ones, without a seq yet, last). */
  messages(chatId) {
    return Object.values(this.chats[chatId]?.messages ?? {})
      .sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity) || a.timestamp - b.timestamp);
  }

  lastMessage(chatId) {
    const all = this.messages(chatId);
    return all[all.length - 1];
  }

  unread(chatId) {
    const chat = this.chats[chatId];
    return this.messages(chatId).filter(m => m.userId !== this.userId && m.seq > chat.readUpTo && !m.deleted).length;
  }

  /** Chats, most recent activity first. */
  sortedChats() {
    return Object.values(this.chats).sort((a, b) => this.#activity(b) - this.#activity(a));
  }

  #activity(chat) {
    return Math.max(chat.updatedAt, this.lastMessage(chat.chatId)?.timestamp ?? 0);
  }

  /** ✓ sent, ✓✓ delivered, blue ✓✓ read: a message is delivered (read) when every other member's mark covers it. */
  tick(chatId, message) {
    if (message.seq == null) return message.failed ? "failed" : "pending";
    const chat = this.chats[chatId];
    const others = chat.participants.filter(p => p !== this.userId);
    if (others.length === 0) return "sent";
    const covered = status => others.every(p => (chat.marks[p]?.[status] ?? 0) >= message.seq);
    return covered("read") ? "read" : covered("delivered") ? "delivered" : "sent";
  }

  /** Applies one pushed item (§4, §9, §10); answers whether it changed anything. */
  applyItem(frame) {
    const p = frame.payload ?? {};
    switch (frame.type) {
      case "newMessage": return this.putMessage(p.chatId, { ...p, attachments: p.attachments ?? [] });
      case "chatUpdate": return this.applyChatUpdate(p);
      case "receipt": return this.#applyReceipt(p);
      case "messageEdited": return this.#change(p, m => { if ((m.editedAt ?? 0) < p.editedAt) { m.message = p.message; m.editedAt = p.editedAt; } });
      case "messageDeleted": return this.#change(p, m => { m.deleted = true; m.message = ""; m.attachments = []; });
      case "reaction": return this.#change(p, m => {
        m.reactions ??= {};
        const current = m.reactions[p.userId];
        if (current && current.timestamp >= p.timestamp) return;
        m.reactions[p.userId] = { emoji: p.emoji ?? null, timestamp: p.timestamp };
      });
      default: return false; // a type this page does not know: acknowledged all the same (§7)
    }
  }

  /** Adds a message unless its messageId is known (dedupe); a pending local copy is replaced by the stored one. */
  putMessage(chatId, message) {
    const chat = this.chat(chatId);
    if (chat.messages[message.messageId]) return false;
    chat.messages[message.messageId] = message;
    this.#trim(chat);
    this.changed();
    return true;
  }

  /** The sending device's own message: kept under its clientMessageId until the server names it. */
  updateMessage(chatId, id, update) {
    const chat = this.chat(chatId);
    const message = chat.messages[id];
    if (!message) return;
    Object.assign(message, update);
    if (update.messageId && update.messageId !== id) {
      delete chat.messages[id];
      chat.messages[update.messageId] = message;
    }
    this.changed();
  }

  applyChatUpdate(p) {
    const chat = this.chat(p.chatId);
    if ((p.timestamp ?? chat.updatedAt) < chat.updatedAt) return false; // an older update, arriving late
    chat.participants = p.participants;
    chat.left = !p.participants.includes(this.userId);
    if (p.name !== undefined) chat.name = p.name;
    if (p.creator !== undefined) chat.creator = p.creator;
    chat.updatedAt = p.timestamp ?? chat.updatedAt;
    this.changed();
    return true;
  }

  /** What getChat answered: name and creator never change, participants only with a timestamped chatUpdate. */
  applyChatInfo(info) {
    const chat = this.chat(info.chatId);
    chat.name = info.name ?? null;
    chat.creator = info.creator ?? null;
    if (chat.participants.length === 0) chat.participants = info.participants;
    this.changed();
  }

  markReadLocally(chatId, seq) {
    const chat = this.chat(chatId);
    if (seq > chat.readUpTo) {
      chat.readUpTo = seq;
      this.changed();
    }
  }

  #applyReceipt(p) {
    const chat = this.chat(p.chatId);
    const marks = chat.marks[p.userId] ??= { delivered: 0, read: 0 };
    const before = `${marks.delivered}/${marks.read}`;
    // Marks only grow; read implies delivered; a lower upToSeq (out of order, a repeat) changes nothing.
    marks.delivered = Math.max(marks.delivered, p.upToSeq);
    if (p.status === "read") marks.read = Math.max(marks.read, p.upToSeq);
    if (before === `${marks.delivered}/${marks.read}`) return false;
    this.changed();
    return true;
  }

  #change(p, apply) {
    const message = this.chats[p.chatId]?.messages[p.messageId];
    // A change to a message this device never stored (older than its history) has nothing to show.
    if (!message) return false;
    apply(message);
    this.changed();
    return true;
  }

  #trim(chat) {
    const ids = Object.keys(chat.messages);
    if (ids.length <= MaxMessagesKept) return;
    const oldest = Object.values(chat.messages).sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity))
      .slice(0, ids.length - MaxMessagesKept);
    for (const m of oldest) delete chat.messages[m.messageId];
  }

  /** Saves at once (an item is acknowledged only after this) and tells the views. */
  changed() {
    localStorage.setItem(this.#key, JSON.stringify({ chats: this.chats }));
    this.dispatchEvent(new Event("change"));
  }
}
