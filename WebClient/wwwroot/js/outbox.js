// Messages on their way: shown at once as pending, sent with a clientMessageId, and sent again with the same id after
// a disconnect, a timeout or `unavailable` until the server answers SUCCESS or FAILURE (§3), so nothing is stored twice.

export class Outbox {
  #store; #connection; #waiting = new Map(); // clientMessageId → {chatId, fields}

  constructor(store, connection) {
    this.#store = store;
    this.#connection = connection;
    connection.addEventListener("state", event => { if (event.detail.state === "online") this.#retryAll(); });
  }

  send(chatId, message, attachments, replyTo) {
    const clientMessageId = crypto.randomUUID();
    this.#store.putMessage(chatId, {
      messageId: clientMessageId, chatId, userId: this.#store.userId, message, attachments, timestamp: Date.now(),
      replyTo: replyTo ? { messageId: replyTo.messageId, userId: replyTo.userId, excerpt: replyTo.message.slice(0, 100) } : undefined,
    });
    const fields = { chatId, message, clientMessageId, attachments: attachments.map(a => a.attachmentId) };
    if (replyTo) fields.replyTo = replyTo.messageId;
    this.#waiting.set(clientMessageId, { chatId, fields, attachments });
    this.#attempt(clientMessageId);
  }

  async #attempt(clientMessageId) {
    const entry = this.#waiting.get(clientMessageId);
    if (!entry || entry.inFlight) return;
    entry.inFlight = true;
    try {
      const result = await this.#connection.request("sendMessage", entry.fields);
      this.#waiting.delete(clientMessageId);
      if (result.status === "SUCCESS") {
        const attachments = entry.attachments.map(a => ({
          ...a, thumbnailUrl: a.contentType.startsWith("image/") ? `/attachments/${a.attachmentId}/thumbnail` : null,
        }));
        this.#store.updateMessage(entry.chatId, clientMessageId,
          { messageId: result.messageId, seq: result.seq, timestamp: result.timestamp, attachments });
      } else {
        this.#store.updateMessage(entry.chatId, clientMessageId, { failed: result.code ?? "failed" });
      }
    } catch (error) {
      // disconnected, timeout or unavailable: the outcome is unknown, so the same clientMessageId goes again.
      if (!["disconnected", "timeout", "unavailable", "rate_limited"].includes(error.code)) {
        this.#waiting.delete(clientMessageId);
        this.#store.updateMessage(entry.chatId, clientMessageId, { failed: error.code });
      } else if (this.#connection.state === "online") {
        setTimeout(() => this.#attempt(clientMessageId), 1000);
      }
    } finally {
      entry.inFlight = false;
    }
  }

  #retryAll() {
    for (const id of this.#waiting.keys()) this.#attempt(id);
  }
}
