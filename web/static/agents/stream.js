// Following a saga live: a booking's events stream, or a change's of it. Both streams speak
// alike (`state` carries the saga's view, `step` its progress, `not_found` ends it) and both
// open with a ticket for the booking.

const RECONNECTS = 5; // in a row, without news between them
const FINAL_STATE_WAIT_MS = 1500; // after the last step, for the stream's closing state

// EventSource cannot send the Authorization header, and a token never goes into a URL: each
// connection opens with a one-use ticket for the booking, asked for just before. A dropped
// connection is opened anew with a new ticket (EventSource would retry with the spent one).
//
// `bookingId`: the booking the ticket is for; `events`: the stream's path; `self`: the path of
// the saga's view, read when the stream closes on an ended saga without saying how it ended.
// `wanted()`: whether anyone still follows (checked before each connection). Callbacks:
// `state(view)`, `step(progress)`, `lost(stopped)` (news paused: reconnecting, or, when
// `stopped`, given up).
// Returns a handle whose `close()` stops following.
export function followSaga(api, { bookingId, events, self, wanted = () => true, state, step, lost }) {
  let source = null;
  let stopped = false;
  let ended = false; // the saga reached its end: nothing more will come
  let failures = 0;
  let finalTimer = null;

  const handle = {
    close() {
      stopped = true;
      clearTimeout(finalTimer);
      if (source) source.close();
      source = null;
    },
    get following() {
      return !stopped;
    },
  };

  function deliver(view) {
    if (stopped) return;
    failures = 0;
    if (view.ended) {
      ended = true;
      handle.close();
    }
    state(view);
  }

  // The saga ended but the stream closed before saying how: read its view once.
  async function readEnd() {
    if (stopped) return;
    try {
      deliver(await api(self));
    } catch {
      if (!stopped) {
        handle.close();
        lost(true);
      }
    }
  }

  async function open() {
    if (stopped || !wanted()) return;
    let ticket;
    try {
      ticket = (await api("/api/auth/tickets", { method: "POST", json: { booking_id: bookingId } })).ticket;
    } catch {
      retry();
      return;
    }
    if (stopped || !wanted()) return; // moved on meanwhile
    const url = `${events}${events.includes("?") ? "&" : "?"}ticket=${encodeURIComponent(ticket)}`;
    const stream = new EventSource(url);
    source = stream;
    stream.addEventListener("state", (event) => deliver(JSON.parse(event.data)));
    stream.addEventListener("step", (event) => {
      if (stopped) return;
      failures = 0;
      const progress = JSON.parse(event.data);
      step(progress);
      if (progress.terminal) {
        ended = true;
        // The stream's closing state says how it ended; should it not come, read it.
        finalTimer = setTimeout(readEnd, FINAL_STATE_WAIT_MS);
      }
    });
    stream.addEventListener("not_found", () => {
      stream.close();
      if (source === stream) retry();
    });
    stream.onerror = () => {
      if (source !== stream) return;
      // Its ticket is spent: rather than let EventSource retry with it, open anew.
      stream.close();
      source = null;
      if (ended) readEnd();
      else retry();
    };
  }

  function retry() {
    if (stopped) return;
    source = null;
    failures += 1;
    if (failures > RECONNECTS) {
      handle.close();
      lost(true);
      return;
    }
    lost(false);
    setTimeout(open, 1000 * failures);
  }

  open();
  return handle;
}
