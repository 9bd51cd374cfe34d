// keycloak.mjs — a Keycloak-shaped OAuth 2.0 server for the itcare interop
// tests, built on oauth2-mock-server (which signs real JWTs with a real key
// and serves discovery and JWKS).
//
// What this front adds to the mock, to behave like the cegedim.cloud realm:
//   - realm paths: /auth/realms/cloud/.well-known/openid-configuration,
//     /auth/realms/cloud/protocol/openid-connect/{token,certs,...}; the
//     issuer (iss) is http://127.0.0.1:PORT/auth/realms/cloud;
//   - client authentication with HTTP Basic only (client_secret_basic),
//     decoded as RFC 6749 §2.3.1 says: base64, split at the first ':', then
//     application/x-www-form-urlencoded decoding of the id and the secret;
//     401 invalid_client otherwise;
//   - refresh tokens for the client_credentials grant (Keycloak's "use
//     refresh tokens for client credentials"), with refresh_expires_in,
//     checked on the refresh_token grant (unknown, expired, another
//     client's, or already used: 400 invalid_grant) and rotated;
//   - lifetimes and behaviour set by the environment or, at run time, by
//     POST /__interop/config (loopback only, not part of the realm);
//   - a log of every token request (grant, client, outcome), read with
//     GET /__interop/grants; POST /__interop/revoke-refresh-tokens makes
//     every refresh token issued so far invalid.
//
// Environment: KC_CLIENTS (JSON object id -> secret), KC_ACCESS_TTL (seconds
// the JWT is valid), KC_EXPIRES_IN (the expires_in announced; default
// KC_ACCESS_TTL), KC_REFRESH_TTL (0: no refresh token), KC_AUDIENCE (aud
// claim), KC_PORT (0: any free port). Listens on 127.0.0.1 only and prints
// one line "READY <json>" on stdout once it accepts connections.

import { createServer } from "node:http";
import { Readable } from "node:stream";
import { randomUUID } from "node:crypto";
import { OAuth2Issuer, OAuth2Service } from "oauth2-mock-server";
import { endWithTest } from "./lifeline.mjs";

const REALM = "/auth/realms/cloud";
const OIDC = "/protocol/openid-connect";

const num = (v, d) => (v === undefined || v === "" ? d : Number(v));
const config = {
  clients: JSON.parse(process.env.KC_CLIENTS || '{"itcare-interop":"interop-secret"}'),
  accessTTL: num(process.env.KC_ACCESS_TTL, 1200),
  expiresIn: num(process.env.KC_EXPIRES_IN, undefined),
  refreshTTL: num(process.env.KC_REFRESH_TTL, 7200),
  audience: process.env.KC_AUDIENCE || "itcare-api",
  discovery: true,
  rotateRefresh: true,
};

const grants = [];
const refreshTokens = new Map(); // token -> { clientId, expiresAt (ms) }

const issuer = new OAuth2Issuer();
await issuer.keys.generate("RS256");
const service = new OAuth2Service(issuer, {
  token: `${OIDC}/token`,
  jwks: `${OIDC}/certs`,
  authorize: `${OIDC}/auth`,
  userinfo: `${OIDC}/userinfo`,
  revoke: `${OIDC}/revoke`,
  endSession: `${OIDC}/logout`,
  introspect: `${OIDC}/token/introspect`,
});

service.on("beforeWellKnownOpenIdConfiguration", (res) => {
  res.body.token_endpoint_auth_methods_supported = ["client_secret_basic"];
  res.body.grant_types_supported = ["client_credentials", "refresh_token"];
});

// Claims of a Keycloak service-account token.
service.on("beforeTokenSigning", (token, req) => {
  const p = token.payload;
  const id = req.interop.clientId;
  p.exp = p.iat + req.interop.accessTTL;
  p.typ = "Bearer";
  p.azp = id;
  p.aud = config.audience;
  p.sub = `service-account-${id}`;
  p.preferred_username = `service-account-${id}`;
  p.email = `service-account-${id.replace(/[^A-Za-z0-9._-]/g, "-")}@interop.example`;
  p.email_verified = true;
  p.scope = "profile email";
  p.jti = randomUUID();
});

service.on("beforeResponse", (res, req) => {
  if (res.statusCode !== 200) return;
  const b = res.body;
  delete b.id_token;
  b.token_type = "Bearer";
  b.expires_in = req.interop.expiresIn;
  b.scope = "profile email";
  b["not-before-policy"] = 0;
  if (config.refreshTTL > 0) {
    b.refresh_token = randomUUID();
    b.refresh_expires_in = config.refreshTTL;
    refreshTokens.set(b.refresh_token, { clientId: req.interop.clientId, expiresAt: Date.now() + config.refreshTTL * 1000 });
  } else {
    delete b.refresh_token;
  }
  req.interop.log.refreshIssued = !!b.refresh_token;
});

// formDecode undoes application/x-www-form-urlencoded encoding.
function formDecode(s) {
  return decodeURIComponent(s.replace(/\+/g, " "));
}

// basicClient decodes an Authorization: Basic header per RFC 6749 §2.3.1.
function basicClient(header) {
  const m = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header || "");
  if (!m) return null;
  const raw = Buffer.from(m[1], "base64").toString("utf8");
  const i = raw.indexOf(":");
  if (i < 0) return null;
  try {
    const id = formDecode(raw.slice(0, i));
    const secret = formDecode(raw.slice(i + 1));
    // Did the client encode both (a conforming client sends exactly this)?
    const strict = raw.slice(0, i) === formEncode(id) && raw.slice(i + 1) === formEncode(secret);
    return { id, secret, strict };
  } catch {
    return null;
  }
}

// formEncode is what Go's url.QueryEscape produces (the reference encoding).
function formEncode(s) {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}

function sendJSON(res, status, body, headers = {}) {
  const data = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
  res.end(data);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

// handleToken checks the client and the grant, then lets the mock build the
// token from a replay of the request.
async function handleToken(req, res, path) {
  const body = await readBody(req);
  const form = new URLSearchParams(body.toString("utf8"));
  const grant = form.get("grant_type") || "";
  const log = { at: new Date().toISOString(), grant, clientId: "", basic: false, basicStrict: false, status: 0, error: "" };
  grants.push(log);
  const fail = (status, error, description, headers) => {
    log.status = status;
    log.error = error;
    process.stderr.write(`token: ${JSON.stringify(log)}\n`);
    sendJSON(res, status, { error, error_description: description }, headers);
  };

  const c = basicClient(req.headers.authorization);
  log.basic = /^Basic /i.test(req.headers.authorization || "");
  if (c) {
    log.basicStrict = c.strict;
    log.clientId = c.id;
  }
  if (!c || !Object.hasOwn(config.clients, c.id) || config.clients[c.id] !== c.secret) {
    return fail(401, "invalid_client", "Invalid client or Invalid client credentials", { "WWW-Authenticate": 'Basic realm="cloud"' });
  }
  switch (grant) {
    case "client_credentials":
      break;
    case "refresh_token": {
      const rt = form.get("refresh_token") || "";
      const known = refreshTokens.get(rt);
      if (!known || known.clientId !== c.id || known.expiresAt <= Date.now()) {
        return fail(400, "invalid_grant", "Token is not active");
      }
      if (config.rotateRefresh) refreshTokens.delete(rt);
      break;
    }
    default:
      return fail(400, "unsupported_grant_type", `Unsupported grant_type ${grant}`);
  }
  const replay = Readable.from([body]);
  replay.method = req.method;
  replay.url = path;
  replay.headers = req.headers;
  replay.interop = { clientId: c.id, log, accessTTL: config.accessTTL, expiresIn: config.expiresIn ?? config.accessTTL };
  const done = new Promise((resolve) => res.on("finish", resolve));
  service.requestHandler(replay, res);
  await done;
  log.status = res.statusCode;
  process.stderr.write(`token: ${JSON.stringify(log)}\n`);
}

async function handleAdmin(req, res, path) {
  if (path === "/__interop/grants" && req.method === "GET") return sendJSON(res, 200, grants);
  if (path === "/__interop/revoke-refresh-tokens" && req.method === "POST") {
    refreshTokens.clear(); // as a Keycloak admin logging out the sessions
    return sendJSON(res, 200, {});
  }
  if (path === "/__interop/config" && req.method === "POST") {
    const patch = JSON.parse((await readBody(req)).toString("utf8") || "{}");
    for (const k of Object.keys(patch)) {
      if (!Object.hasOwn(config, k) || k === "clients") return sendJSON(res, 400, { error: `unknown setting ${k}` });
    }
    Object.assign(config, patch);
    return sendJSON(res, 200, { ...config, clients: Object.keys(config.clients) });
  }
  sendJSON(res, 404, { error: "not found" });
}

const server = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  let p;
  if (path.startsWith("/__interop/")) {
    p = handleAdmin(req, res, path);
  } else if (path === REALM || path.startsWith(REALM + "/")) {
    const sub = path.slice(REALM.length) || "/";
    if (sub === "/.well-known/openid-configuration" && !config.discovery) {
      return sendJSON(res, 404, { error: "Not Found" });
    }
    if (sub === `${OIDC}/token` && req.method === "POST") {
      p = handleToken(req, res, sub);
    } else {
      req.url = sub + (req.url.includes("?") ? req.url.slice(req.url.indexOf("?")) : "");
      return service.requestHandler(req, res);
    }
  } else {
    return sendJSON(res, 404, { error: "Not Found" });
  }
  p.catch((err) => {
    process.stderr.write(`error: ${err && err.stack}\n`);
    if (!res.headersSent) sendJSON(res, 500, { error: "server_error" });
  });
});

server.listen(num(process.env.KC_PORT, 0), "127.0.0.1", () => {
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  issuer.url = origin + REALM;
  process.stdout.write(`READY ${JSON.stringify({ origin, issuer: issuer.url, port })}\n`);
});

endWithTest(server);
