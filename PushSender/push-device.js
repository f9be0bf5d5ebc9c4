// One actor per device: the only place that decides when a device is notified. Dapr actors give single activation
// across every PushSender instance (placement) and one turn at a time, and their reminders survive a crash, so two
// instances can neither both notify nor both forget a device.
import { AbstractActor, Temporal } from "@dapr/dapr";

// At most one notification per device per window (product limit: a phone buzzes once per burst, not per message).
export const WINDOW_MS = Number(process.env.PUSH_COALESCE_WINDOW_MS ?? 10_000);

// A webhook that keeps failing is retried this many windows, then the device waits for its next item: the inbox
// still holds everything, so a dropped notification loses no message.
const MAX_ATTEMPTS = 3;

const STATE = "device";
const FLUSH = "flush";

// Set by server.js: sends one notification through the bindings.http output binding; throws when it fails.
let deliver = async () => { throw new Error("push delivery is not configured"); };
export function useDelivery(fn) { deliver = fn; }

export class PushDevice extends AbstractActor {
  /**
   * New items for this device. Leading edge: after a quiet window the first item is announced at once. Trailing
   * edge: anything arriving within the window is summed per chat and announced by the flush reminder when the
   * window ends, so no item is left unannounced.
   */
  async enqueue({ token, userId, clientId, counts }) {
    const state = await this.#load();
    const pending = { ...state.pending };
    for (const [chatId, n] of Object.entries(counts)) pending[chatId] = (pending[chatId] ?? 0) + n;
    const next = { ...state, token, userId, clientId, pending };
    const now = Date.now();
    if (next.flushAt === null && now - next.sentAt >= WINDOW_MS) {
      await this.#save(await this.#send(next, now));
    } else if (next.flushAt === null) {
      await this.#save(await this.#schedule(next, next.sentAt + WINDOW_MS - now));
    } else {
      await this.#save(next);
    }
  }

  /** The window ended: announce what accumulated. */
  async receiveReminder() {
    const state = await this.#load();
    const cleared = { ...state, flushAt: null };
    await this.#save(Object.keys(state.pending).length === 0 ? cleared : await this.#send(cleared, Date.now()));
  }

  async #send(state, now) {
    try {
      await deliver(state);
      return { ...state, pending: {}, sentAt: now, attempts: 0 };
    } catch (e) {
      const attempts = state.attempts + 1;
      console.warn(`push to ${state.userId}/${state.clientId} failed (attempt ${attempts}): ${e?.message ?? e}`);
      return attempts >= MAX_ATTEMPTS
        ? { ...state, pending: {}, attempts: 0 }
        : await this.#schedule({ ...state, attempts }, WINDOW_MS);
    }
  }

  // The reminder is registered before the state that says it exists is saved: a crash in between leaves a reminder
  // that finds nothing, never state that waits for a reminder that does not exist.
  async #schedule(state, dueMs) {
    const due = Math.max(dueMs, 1);
    await this.registerActorReminder(FLUSH, Temporal.Duration.from({ milliseconds: due }));
    return { ...state, flushAt: Date.now() + due };
  }

  async #load() {
    const [found, stored] = await this.getStateManager().tryGetState(STATE);
    return found && stored ? stored : { token: null, userId: null, clientId: null, pending: {}, sentAt: 0, flushAt: null, attempts: 0 };
  }

  async #save(state) {
    // The SDK writes the actor's state after the method returns, in one transaction.
    await this.getStateManager().setState(STATE, state);
  }
}
