import assert from "node:assert/strict";
import {
  addressKind,
  chooseEndpoint,
  endpointOf,
  NoReachableAddressError,
  probeTcp,
} from "./endpoints.ts";
import { MYCELIUM_IP, PUBLIC_IP, YGGDRASIL_IP } from "./_fake_grid_client.ts";

Deno.test("addressKind() tells public IPv6, Yggdrasil, Mycelium and IPv4 from unusable addresses", () => {
  assert.equal(addressKind(PUBLIC_IP), "ipv6");
  assert.equal(addressKind(YGGDRASIL_IP), "yggdrasil");
  assert.equal(addressKind(MYCELIUM_IP), "mycelium");
  assert.equal(addressKind("185.206.122.33"), "ipv4");
  for (
    const unusable of ["::1", "fe80::1", "fd00::1", "10.1.2.3", "192.168.1.1", "127.0.0.1", "node1"]
  ) {
    assert.equal(addressKind(unusable), undefined, unusable);
  }
  assert.equal(endpointOf(YGGDRASIL_IP, 9900), `[${YGGDRASIL_IP}]:9900`);
  assert.equal(endpointOf("185.206.122.33", 9900), "185.206.122.33:9900");
});

Deno.test("chooseEndpoint() takes the address that accepts a TCP connection, wherever it is listed", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = closed.addr.port;
  closed.close();
  const accepting = (async () => {
    for await (const conn of listener) conn.close();
  })();
  // Grid addresses are routed to loopback: only the Yggdrasil one reaches the listener.
  const route = (address: { hostname: string; port: number }) => ({
    hostname: "127.0.0.1",
    port: address.hostname === YGGDRASIL_IP ? listener.addr.port : closedPort,
  });
  try {
    for (const ips of [[YGGDRASIL_IP, PUBLIC_IP], [PUBLIC_IP, MYCELIUM_IP, YGGDRASIL_IP]]) {
      assert.deepEqual(await chooseEndpoint(ips, 9900, { route, timeoutMs: 2_000 }), {
        host: YGGDRASIL_IP,
        port: 9900,
        kind: "yggdrasil",
      });
    }
    await assert.rejects(
      chooseEndpoint([PUBLIC_IP, MYCELIUM_IP, "fe80::1"], 9900, { route, timeoutMs: 2_000 }),
      (error: unknown) =>
        error instanceof NoReachableAddressError && error.reasons.length === 2 &&
        error.reasons[0]!.startsWith(`[${PUBLIC_IP}]:9900 (ipv6): `) &&
        error.reasons[1]!.startsWith(`[${MYCELIUM_IP}]:9900 (mycelium): `),
    );
    await assert.rejects(
      chooseEndpoint(["fe80::1"], 9900, { route }),
      /none of fe80::1 is a routable address/,
    );
    await assert.rejects(chooseEndpoint([], 9900, { route }), /it reported no usable address/);
  } finally {
    listener.close();
    await accepting.catch(() => {});
  }
});

Deno.test("probeTcp() gives up after its timeout when a connect never settles", async () => {
  let signal: AbortSignal | undefined;
  const hanging = (options: Deno.ConnectOptions) => {
    signal = options.signal;
    return new Promise<Deno.TcpConn>(() => {});
  };
  await assert.rejects(
    probeTcp({ hostname: "127.0.0.1", port: 9 }, 30, hanging),
    /no answer within 30 ms/,
  );
  assert.equal(signal?.aborted, true, "the connect is told to stop");
});
