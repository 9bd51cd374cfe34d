// oidc.mjs — a strict, certified OpenID provider (oidc-provider) for the
// itcare interop tests: the client_credentials grant only, clients that must
// authenticate with client_secret_basic (RFC 6749 §2.3.1 decoding), opaque
// access tokens and no refresh tokens at all. Its issuer is its root:
// discovery at /.well-known/openid-configuration, token endpoint /token.
//
// Environment: OP_CLIENTS (JSON object id -> secret), OP_ACCESS_TTL (seconds,
// default 600). Listens on 127.0.0.1 (any free port) and prints one line
// "READY <json>" on stdout. GET /__interop/grants returns the token requests
// seen (grant, client, whether HTTP Basic was used, outcome).

import { createServer } from "node:http";
import Provider from "oidc-provider";
import { endWithTest } from "./lifeline.mjs";

const clients = JSON.parse(process.env.OP_CLIENTS || '{"itcare-interop":"interop-secret"}');
const accessTTL = Number(process.env.OP_ACCESS_TTL || 600);
const grants = [];

const server = createServer();
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: Object.entries(clients).map(([id, secret]) => ({
      client_id: id,
      client_secret: secret,
      grant_types: ["client_credentials"],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: "client_secret_basic",
    })),
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
    },
    ttl: { ClientCredentials: accessTTL },
  });
  const record = (ctx, error) => {
    const entry = {
      at: new Date().toISOString(),
      grant: String(ctx.oidc?.params?.grant_type ?? ""),
      clientId: ctx.oidc?.client?.clientId ?? "",
      basic: /^Basic /i.test(ctx.req.headers.authorization || ""),
      status: error ? error.statusCode || 500 : 200,
      error: error ? error.error || error.message : "",
    };
    grants.push(entry);
    process.stderr.write(`token: ${JSON.stringify(entry)}\n`);
  };
  provider.on("grant.success", (ctx) => record(ctx));
  provider.on("grant.error", (ctx, error) => record(ctx, error));
  const callback = provider.callback();
  server.on("request", (req, res) => {
    if (req.url === "/__interop/grants" && req.method === "GET") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(grants));
      return;
    }
    callback(req, res);
  });
  process.stdout.write(`READY ${JSON.stringify({ origin: issuer, issuer, port })}\n`);
});

endWithTest(server);
