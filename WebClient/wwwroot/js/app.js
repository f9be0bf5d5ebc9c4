// The page: sign-in, then the chat list and the open conversation over one connection. On a phone-sized screen only
// one of the two shows at a time.
import { Connection } from "./connection.js";
import { ChatStore } from "./store.js";
import { ChatList } from "./chatlist.js";
import { Conversation } from "./conversation.js";
import { Members } from "./members.js";
import { avatar } from "./format.js";

const $ = id => document.getElementById(id);
const config = await (await fetch("config.json")).json();
const IdPattern = /^[A-Za-z0-9_.~@-]{1,64}$/;

for (const [index, gateway] of config.gateways.entries()) {
  $("signin-gateway").append(new Option(gateway.name, String(index)));
}
const remembered = JSON.parse(sessionStorage.getItem("natter:signin") ?? "null");
if (!config.developmentTokens) {
  $("signin-error").textContent = "This deployment signs in through its identity provider; development sign-in is off.";
  $("signin-form").querySelector("button").disabled = true;
} else if (remembered) {
  start(remembered.user, remembered.device, remembered.gateway);
}

$("signin-form").addEventListener("submit", event => {
  event.preventDefault();
  const user = $("signin-user").value.trim();
  const device = $("signin-device").value.trim();
  if (!IdPattern.test(user) || !IdPattern.test(device)) {
    $("signin-error").textContent = "User and device: letters, digits and - _ . ~ @ only.";
    return;
  }
  const gateway = $("signin-gateway").value === "" ? null : Number($("signin-gateway").value);
  sessionStorage.setItem("natter:signin", JSON.stringify({ user, device, gateway }));
  start(user, device, gateway);
});

function start(user, device, gateway) {
  $("signin").hidden = true;
  $("app").hidden = false;
  $("me-name").textContent = user;
  avatar($("me-avatar"), user);

  const store = new ChatStore(user, device);
  const known = new Set(Object.keys(store.chats));
  const connection = new Connection(config, user, device, gateway, async frame => {
    store.applyItem(frame);
    const chatId = frame.payload?.chatId;
    if (chatId && !known.has(chatId)) {
      known.add(chatId);
      fetchChatInfo(chatId);
    }
  });
  const conversation = new Conversation(store, connection, config);
  const list = new ChatList(store, chatId => openChat(chatId));
  const members = new Members(store, connection, () => closeChat());

  async function fetchChatInfo(chatId) {
    try {
      store.applyChatInfo(await connection.request("getChat", { chatId }));
    } catch {
      // not_a_member (removed meanwhile) or offline: the chat shows by its members until the next listChats.
    }
  }

  async function loadChats() {
    try {
      const result = await connection.request("listChats");
      for (const chat of result.chats) {
        if (!store.chats[chat.chatId]?.participants.length || store.chats[chat.chatId].name === null) fetchChatInfo(chat.chatId);
        known.add(chat.chatId);
      }
    } catch {
      // The next connection lists them again.
    }
  }

  function openChat(chatId) {
    list.openChatId = chatId;
    document.body.classList.add("chat-open");
    conversation.open(chatId);
    list.render();
  }

  function closeChat() {
    list.openChatId = null;
    document.body.classList.remove("chat-open");
    conversation.close();
    list.render();
  }

  let frame = 0;
  store.addEventListener("change", () => {
    // One render per animation frame, however many items arrived.
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => { list.render(); conversation.render(); members.render(); });
  });

  let wasOnline = false;
  connection.addEventListener("state", event => {
    const { state, gateway: via, code } = event.detail;
    wasOnline ||= state === "online";
    document.body.dataset.connection = state;
    document.body.dataset.gateway = via ?? "";
    $("me-gateway").textContent = via ? `via ${via}` : "";
    const banner = $("banner");
    banner.hidden = state === "online";
    banner.className = `banner ${state}`;
    banner.textContent = {
      // Until inboxDrained the history may be incomplete (§9): "connecting…" the first time, "reconnecting…" after a drop.
      connecting: "Connecting…", syncing: wasOnline ? "Reconnecting…" : "Connecting…", reconnecting: "Reconnecting…",
      stopped: code === 4001 ? "This user has 3 devices already: sign in with one of them." : `Disconnected (${code}).`,
    }[state] ?? "";
    if (state === "syncing") loadChats();
  });

  document.addEventListener("natter-flash", event => {
    const banner = $("banner");
    banner.hidden = false;
    banner.className = "banner error";
    banner.textContent = event.detail;
    setTimeout(() => { if (connection.state === "online") banner.hidden = true; }, 4000);
  });

  $("back").addEventListener("click", () => closeChat());
  $("chat-info").addEventListener("click", () => members.show(conversation.chatId));
  $("new-chat").addEventListener("click", () => $("new-chat-dialog").showModal());
  $("new-chat-dialog").addEventListener("close", async () => {
    if ($("new-chat-dialog").returnValue !== "create") return;
    const participants = $("new-chat-people").value.split(",").map(p => p.trim()).filter(Boolean);
    const name = $("new-chat-name").value.trim();
    $("new-chat-form").reset();
    try {
      const created = await connection.request("createChat", { participants, ...(name ? { name } : {}) });
      known.add(created.chatId);
      store.applyChatUpdate({ chatId: created.chatId, participants: created.participants });
      store.applyChatInfo({ chatId: created.chatId, name: name || null, creator: user, participants: created.participants });
      openChat(created.chatId);
    } catch (error) {
      document.dispatchEvent(new CustomEvent("natter-flash", { detail: `Could not create the chat: ${error.message}` }));
    }
  });

  list.render();
  connection.start();
}
