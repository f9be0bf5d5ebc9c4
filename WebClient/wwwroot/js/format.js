// Small presentation helpers shared by the views.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter(c => c !== null && c !== undefined && c !== false));
  return node;
}

export function time(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function lastSeen(ms) {
  const date = new Date(ms);
  const today = new Date().toDateString() === date.toDateString();
  return `last seen ${today ? "today" : date.toLocaleDateString()} at ${time(ms)}`;
}

/** A chat's title: its name, else the other members. */
export function chatTitle(chat, me) {
  if (chat.name) return chat.name;
  const others = chat.participants.filter(p => p !== me);
  return others.length ? others.join(", ") : "Just you";
}

/** A stable colour per name, so avatars tell people apart at a glance. */
export function avatar(node, name) {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  node.textContent = (name[0] ?? "?").toUpperCase();
  node.style.background = `hsl(${hash % 360} 45% 55%)`;
  return node;
}

export const Ticks = { pending: "🕓", failed: "⚠", sent: "✓", delivered: "✓✓", read: "✓✓" };
export const TickLabels = { pending: "sending", failed: "not sent", sent: "sent", delivered: "delivered", read: "read" };
