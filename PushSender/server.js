// Natter's push sender: consumes the push-requests topic and notifies offline devices through a Dapr HTTP output
// binding (bindings.http), coalesced per device by the PushDevice actor. It only ever sees which chat and how many
// items, never message text.
import { timingSafeEqual } from "node:crypto";
import { ActorId, ActorProxyBuilder, CommunicationProtocolEnum, DaprPubSubStatusEnum, DaprServer } from "@dapr/dapr";
import { PushDevice, WINDOW_MS, useDelivery } from "./push-device.js";

const PUBSUB = "pubsub";
const TOPIC = "push-requests";     // Contracts/PushFrames.cs PushTopics
const WEBHOOK = "push-webhook";    // components/push-webhook.yaml
const DEVELOPMENT = process.env.NODE_ENV === "development";

const appToken = process.env.APP_API_TOKEN ?? "";
const daprToken = process.env.DAPR_API_TOKEN ?? "";
const port = process.env.APP_PORT ?? "3000";

refuseDevelopmentSettingsOutsideDevelopment();

const server = new DaprServer({
  serverHost: "127.0.0.1",
  serverPort: port,
  communicationProtocol: CommunicationProtocolEnum.HTTP,
  clientOptions: { daprHost: "127.0.0.1", daprPort: process.env.DAPR_HTTP_PORT ?? "3500", daprApiToken: daprToken },
});
const http = server.daprServer.getServer();

// Liveness for the AppHost's health check: anonymous, and it reveals nothing.
http.get("/health", (_req, res) => res.status(200).send("Healthy"));

// Development only: with no webhook configured, the AppHost points the binding here, so `./natter up` shows pushes
// in the logs. The binding sends no dapr-api-token, so this route is open, which is why it exists only in Development.
if (DEVELOPMENT) {
  http.post("/development/webhook", (req, res) => {
    console.log(`development webhook: ${JSON.stringify(req.body)}`);
    res.status(204).end();
  });
}

// Every other route is the sidecar's (subscriptions, deliveries, actor calls and reminders): like the .NET services'
// RequireSidecar, it needs the dapr-api-token header equal to APP_API_TOKEN. Registered before the SDK adds its routes,
// so it runs first. Without a token configured it fails closed.
http.use((req, res, next) => {
  if (req.path === "/health" || req.path === "/healthz") return next();
  return sameSecret(req.get("dapr-api-token") ?? "", appToken) ? next() : res.status(401).send({ error: "dapr-api-token required" });
});

useDelivery(async (device) => {
  const chats = Object.entries(device.pending).map(([chatId, count]) => ({ chatId, count }));
  const total = chats.reduce((sum, c) => sum + c.count, 0);
  // The provider sees a device token and counts: never a sender, a message or an attachment.
  await server.client.binding.send(WEBHOOK, "post", {
    token: device.token,
    userId: device.userId,
    clientId: device.clientId,
    chats,
    total,
    text: chats.length === 1 ? `${total} new item${total === 1 ? "" : "s"} from chat ${chats[0].chatId}` : `${total} new items from ${chats.length} chats`,
  });
});

await server.actor.init();
server.actor.registerActor(PushDevice);

const devices = new ActorProxyBuilder(PushDevice, server.client);

await server.pubsub.subscribe(PUBSUB, TOPIC, async (batch) => {
  const requests = Array.isArray(batch?.requests) ? batch.requests : null;
  if (!requests || !requests.every(isRequest)) {
    console.warn(`dropping a malformed push batch: ${JSON.stringify(batch)?.slice(0, 200)}`);
    return DaprPubSubStatusEnum.DROP;
  }
  // One actor call per device, with that device's counts per chat summed.
  const byDevice = new Map();
  for (const r of requests) {
    const key = `${encodeURIComponent(r.userId)}:${encodeURIComponent(r.clientId)}`;
    const entry = byDevice.get(key) ?? { token: r.token, userId: r.userId, clientId: r.clientId, counts: {} };
    entry.token = r.token;
    entry.counts[r.chatId] = (entry.counts[r.chatId] ?? 0) + r.count;
    byDevice.set(key, entry);
  }
  try {
    await Promise.all([...byDevice].map(([key, entry]) => devices.build(new ActorId(key)).enqueue(entry)));
    return DaprPubSubStatusEnum.SUCCESS;
  } catch (e) {
    // Redelivered later; a device already counted may then be counted twice (an over-count, never a lost item).
    console.warn(`push batch failed, retrying: ${e?.message ?? e}`);
    return DaprPubSubStatusEnum.RETRY;
  }
});

await sidecarReady();
await server.start();
console.log(`push sender listening on ${port}, window ${WINDOW_MS} ms`);

// The SDK gives up on its sidecar after 60 s and the process exits; on a loaded machine the sidecar may take longer.
// So wait here without a deadline, on the outbound health (daprd's /healthz also waits for this app, which would be a
// cycle), and let the SDK's own check pass at once.
async function sidecarReady() {
  const url = `http://127.0.0.1:${process.env.DAPR_HTTP_PORT ?? "3500"}/v1.0/healthz/outbound`;
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (attempt % 20 === 19) console.log(`waiting for the sidecar at ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function isRequest(r) {
  return r && typeof r.userId === "string" && typeof r.clientId === "string" && typeof r.token === "string"
    && typeof r.chatId === "string" && Number.isInteger(r.count) && r.count > 0;
}

function sameSecret(given, expected) {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return b.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}

// Like ServiceDefaults' DevelopmentSettings: a deployment made from a development configuration fails loudly.
function refuseDevelopmentSettingsOutsideDevelopment() {
  if (DEVELOPMENT) return;
  const refusals = [];
  if (!appToken) refusals.push("APP_API_TOKEN is not set, so the sidecar could not call this app");
  if (!daprToken) refusals.push("DAPR_API_TOKEN is not set, so this app could not call its sidecar");
  if (process.env.PUSH_COALESCE_WINDOW_MS !== undefined && WINDOW_MS < 10_000) {
    refusals.push("PUSH_COALESCE_WINDOW_MS below 10000 is a test setting");
  }
  if (refusals.length > 0) {
    console.error(`Refusing to start outside Development (NODE_ENV=${process.env.NODE_ENV ?? ""}): ${refusals.join("; ")}.`);
    process.exit(1);
  }
}
