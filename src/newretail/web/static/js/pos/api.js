// The till's calls to the JSON API. The page is signed in by its session cookie; the API wants
// a bearer token, so the till asks the page for a short-lived one (POST /pos/token, checked
// against the page's CSRF token) and asks again when it runs out.
const SLACK_MS = 30_000;

export class NetworkDown extends Error {}

export class ApiError extends Error {
  constructor(status, code, detail, body) {
    super(detail || code || String(status));
    this.status = status;
    this.code = code || "";
    this.body = body;
  }
}

let config = { csrf: "", tokenUrl: "/pos/token" };
let token = null;
const watchers = new Set();

// ``watcher(true)`` after any answer from the server, ``watcher(false)`` when none came.
export function onReach(watcher) {
  watchers.add(watcher);
}

export function configure(options) {
  config = { ...config, ...options };
  token = null;
}

async function send(url, init) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", cache: "no-store", ...init });
  } catch (error) {
    watchers.forEach((watcher) => watcher(false));
    throw new NetworkDown(String(error));
  }
  watchers.forEach((watcher) => watcher(true));
  return response;
}

async function bearer() {
  if (token && token.expires - SLACK_MS > Date.now()) return token.value;
  const response = await send(config.tokenUrl, {
    method: "POST",
    headers: { "X-CSRF-Token": config.csrf },
  });
  if (!response.ok) throw await failure(response);
  const body = await response.json();
  token = { value: body.access_token, expires: Date.parse(body.expires_at) };
  return token.value;
}

async function failure(response) {
  let body = {};
  try {
    body = await response.json();
  } catch (error) {
    body = {};
  }
  if (response.status === 401 && !body.code) body.code = "login_required";
  const detail = typeof body.detail === "string" ? body.detail : "";
  return new ApiError(response.status, body.code, detail, body);
}

// One call to /api/v1; ``body`` is sent as JSON. Throws NetworkDown when the device is cut
// off, ApiError for an answer that is not 2xx (a stale token is renewed once).
export async function call(method, path, body, headers = {}) {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const init = {
      method,
      headers: { Accept: "application/json", Authorization: `Bearer ${await bearer()}`, ...headers },
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await send(`/api/v1${path}`, init);
    if (response.status === 401 && attempt === 0) {
      token = null;
      continue;
    }
    if (!response.ok) throw await failure(response);
    return response.status === 204 ? null : response.json();
  }
  throw new ApiError(401, "login_required", "");
}

export const get = (path) => call("GET", path);
export const post = (path, body, headers) => call("POST", path, body, headers);
