// Two ways in. A person signs in with a login and password: the server sets an HttpOnly
// session cookie the browser sends by itself, and every write carries the session's
// CSRF token in "X-CSRF-Token" (kept in memory only). The fallback is an API key pasted
// into the page: it lives in sessionStorage (gone when the tab closes) and goes out as
// "Authorization: Bearer". The event stream is read with fetch() rather than
// EventSource, because EventSource cannot send that header and a key in a URL would
// end up in access logs and history.
const KEY = "ordo.key";
let csrf = null;

export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  set(key) {
    sessionStorage.setItem(KEY, key);
  },
  setCsrf(token) {
    csrf = token;
  },
  clear() {
    sessionStorage.removeItem(KEY);
    csrf = null;
  },
};

function authHeaders(method) {
  if (session.key) return { Authorization: `Bearer ${session.key}` };
  return method !== "GET" && csrf ? { "X-CSRF-Token": csrf } : {};
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

export async function api(path, { method = "GET", body, query } = {}) {
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== "" && v !== null && v !== undefined) params.set(k, v);
    const s = params.toString();
    if (s) url += `?${s}`;
  }
  const headers = authHeaders(method);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin",
  });
  const text = await r.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text };
  }
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

// Whether an optional endpoint (built by another part of Ordo) answers; null if absent.
export async function optional(path, opts) {
  try {
    return await api(path, opts);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return null;
    throw e;
  }
}

// Server-sent events over fetch. Calls onEvent({id, event, data}); reconnects with
// Last-Event-ID after a drop. Returns a function that stops it.
export function stream(path, onEvent, onState = () => {}) {
  const controller = new AbortController();
  let lastId = null;
  let stopped = false;
  async function run() {
    while (!stopped) {
      try {
        const headers = { ...authHeaders("GET"), Accept: "text/event-stream" };
        if (lastId !== null) headers["Last-Event-ID"] = lastId;
        const r = await fetch(path, { headers, signal: controller.signal, credentials: "same-origin" });
        if (!r.ok) throw new ApiError(r.status, null);
        onState("open");
        const reader = r.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const msg = { id: null, event: "message", data: "" };
            for (const line of block.split("\n")) {
              if (line.startsWith("id: ")) msg.id = line.slice(4);
              else if (line.startsWith("event: ")) msg.event = line.slice(7);
              else if (line.startsWith("data: ")) msg.data += line.slice(6);
            }
            if (msg.id !== null) lastId = msg.id;
            if (msg.data) onEvent({ ...msg, data: JSON.parse(msg.data) });
          }
        }
      } catch (e) {
        if (stopped) return;
        if (e instanceof ApiError && e.status === 401) {
          onState("unauthorized");
          return;
        }
      }
      onState("closed");
      await new Promise((res) => setTimeout(res, 2000));
    }
  }
  run();
  return () => {
    stopped = true;
    controller.abort();
  };
}
