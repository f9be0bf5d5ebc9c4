// One device's socket to Natter (docs/PROTOCOL.md): token, connect, commands matched by requestId, RECEIVED for
// every pushed item with a deliveryId, and reconnect with backoff to any gateway.

const ConnectTimeoutMs = 4000; // a killed gateway's proxy accepts TCP and never answers: bound each attempt
const CommandTimeoutMs = 15000;
const BackoffStartMs = 100; // §7: 100 ms doubling to 5 s, with jitter
const BackoffMaxMs = 5000;
const TokenLifetimeSeconds = 12 * 3600;

export class Connection extends EventTarget {
  #config; #userId; #clientId; #socket = null; #token = null; #tokenExpiresAt = 0;
  #gatewayIndex; #pending = new Map(); #nextRequest = 1; #backoff = BackoffStartMs; #stopped = false;
  #onItem;

  /** onItem(frame) stores a pushed item; it returns once the item is stored, and only then is it acknowledged. */
  constructor(config, userId, clientId, preferredGateway, onItem) {
    super();
    this.#config = config;
    this.#userId = userId;
    this.#clientId = clientId;
    this.#onItem = onItem;
    this.#gatewayIndex = preferredGateway ?? stableIndex(clientId, config.gateways.length);
    this.state = "connecting";
    this.gateway = null;
  }

  start() { this.#connectLoop(); }

  stop() {
    this.#stopped = true;
    this.#socket?.close(1000);
  }

  /** Sends a command and resolves with its result frame; rejects with {code, message} on an error frame. */
  request(type, fields = {}) {
    const requestId = `r${this.#nextRequest++}`;
    return new Promise((resolve, reject) => {
      if (this.#socket?.readyState !== WebSocket.OPEN) {
        reject({ code: "disconnected", message: "not connected" });
        return;
      }
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        reject({ code: "timeout", message: `${type} got no answer` });
      }, CommandTimeoutMs);
      this.#pending.set(requestId, { resolve, reject, timer });
      this.#socket.send(JSON.stringify({ type, requestId, ...fields }));
    });
  }

  /** The token for HTTP calls (thumbnails, downloads): the same the socket uses. */
  get token() { return this.#token; }

  async #connectLoop() {
    while (!this.#stopped) {
      const gateway = this.#config.gateways[this.#gatewayIndex];
      try {
        await this.#ensureToken(gateway);
        const closed = await this.#open(gateway);
        this.#backoff = BackoffStartMs;
        const code = await closed;
        if ([4001, 4002, 4003, 4004].includes(code)) {
          // §6: too many devices, replaced, deactivated, client id taken: reconnecting would not help.
          this.#setState("stopped", { code });
          return;
        }
      } catch {
        // This gateway did not answer: the next attempt goes to the next one.
        this.#gatewayIndex = (this.#gatewayIndex + 1) % this.#config.gateways.length;
      }
      if (this.#stopped) return;
      this.#setState("reconnecting");
      const wait = this.#backoff / 2 + Math.random() * this.#backoff / 2;
      this.#backoff = Math.min(this.#backoff * 2, BackoffMaxMs);
      await new Promise(resolve => setTimeout(resolve, wait));
    }
  }

  async #ensureToken(gateway) {
    if (this.#token && Date.now() < this.#tokenExpiresAt - 60_000) return;
    if (!this.#config.developmentTokens) throw new Error("no token source outside Development");
    const response = await fetch(`${gateway.url}/dev/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ userId: this.#userId, clientId: this.#clientId, lifetimeSeconds: TokenLifetimeSeconds }),
      signal: AbortSignal.timeout(ConnectTimeoutMs),
    });
    if (!response.ok) throw new Error(`token: ${response.status}`);
    this.#token = (await response.json()).token;
    this.#tokenExpiresAt = Date.now() + TokenLifetimeSeconds * 1000;
  }

  /** Resolves once the socket is open, with a promise of its close code. */
  #open(gateway) {
    const url = gateway.url.replace(/^http/, "ws") + "/ws?access_token=" + encodeURIComponent(this.#token);
    const socket = new WebSocket(url);
    return new Promise((resolveOpen, rejectOpen) => {
      const timer = setTimeout(() => { socket.close(); rejectOpen(new Error("connect timeout")); }, ConnectTimeoutMs);
      let opened = false;
      const closed = new Promise(resolveClosed => {
        socket.onclose = event => {
          clearTimeout(timer);
          if (this.#socket === socket) this.#socket = null;
          this.#failPending();
          if (!opened) {
            // A refused upgrade (401) looks like this too: fetch a fresh token next time.
            this.#token = null;
            rejectOpen(new Error(`closed ${event.code}`));
          }
          resolveClosed(event.code);
        };
      });
      socket.onopen = () => {
        clearTimeout(timer);
        opened = true;
        this.#socket = socket;
        this.gateway = gateway.name;
        this.#setState("syncing");
        resolveOpen(closed);
      };
      socket.onmessage = event => this.#receive(socket, event.data);
    });
  }

  async #receive(socket, data) {
    const frame = JSON.parse(data);
    if (typeof frame.deliveryId === "string") {
      // §7: store first, then acknowledge, every item whatever its type (a duplicate is skipped but still acked).
      await this.#onItem(frame);
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "RECEIVED", deliveryId: frame.deliveryId }));
      return;
    }
    if (frame.type === "inboxDrained") {
      this.#setState("online");
      return;
    }
    const pending = frame.requestId && this.#pending.get(frame.requestId);
    if (pending) {
      this.#pending.delete(frame.requestId);
      clearTimeout(pending.timer);
      if (frame.type === "error") pending.reject({ code: frame.code, message: frame.message });
      else pending.resolve(frame);
      return;
    }
    this.dispatchEvent(new CustomEvent("live", { detail: frame }));
  }

  #failPending() {
    for (const [, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject({ code: "disconnected", message: "the connection closed" });
    }
    this.#pending.clear();
  }

  #setState(state, detail = {}) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, gateway: this.gateway, ...detail } }));
  }
}

/** Spreads devices over the gateways, the same gateway for the same device every time. */
function stableIndex(text, count) {
  let hash = 0;
  for (const ch of text) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return hash % count;
}
