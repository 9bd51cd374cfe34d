// How the interop test servers (keycloak.mjs, oidc.mjs) end: on SIGTERM or
// SIGINT, and, when started by a test (INTEROP_STDIN_LIFELINE=1), when the
// test's end of their stdin closes, so that a test binary killed before its
// cleanup ran (a timeout) leaves no server behind.
export function endWithTest(server) {
  if (process.env.INTEROP_STDIN_LIFELINE === "1") {
    process.stdin.on("end", () => process.exit(0));
    process.stdin.resume();
  }
  for (const sig of ["SIGTERM", "SIGINT"]) {
    process.on(sig, () => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
  }
}
