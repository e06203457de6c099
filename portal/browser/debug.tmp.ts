import { processLogger } from "../../core/logger.ts";
import { ClusterBackend } from "../backends/cluster-backend.ts";
import { memoryCluster } from "../testing/memory-cluster.ts";
import { startPortal } from "../serve-portal.ts";
const cluster = await memoryCluster();
const backend = new ClusterBackend({ client: cluster.api, own: cluster.api, config: cluster.config, watchTimeoutSeconds: () => 3600 });
const portal = await startPortal({
  backend,
  listen: { host: "127.0.0.1", port: 0 },
  identity: { kind: "proxy", trustedProxies: ["127.0.0.0/8"] },
  logger: processLogger("debug", "x"),
});
const res = await fetch(portal.url + "/api/events?namespace=team-a", {
  headers: { "X-Forwarded-User": "jane", "X-Forwarded-Groups": "team-a", "Sec-Fetch-Site": "same-origin" },
});
console.log(res.status);
const reader = res.body!.getReader();
const t = setTimeout(() => reader.cancel(), 1500);
try {
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    console.log(new TextDecoder().decode(value).slice(0, 300));
  }
} catch {}
clearTimeout(t);
await portal.stop();
