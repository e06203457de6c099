import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import type { ClusterConnection, ConnectionOptions, NoClusterConfigured } from "../../kube/cluster-connection.ts";
import { KubeconfigError } from "../../kube/cluster-connection.ts";
import { FakeListWatchClient } from "../../kube/testing/fake-list-watch.ts";
import { ClusterStateSource } from "./cluster-state-source.ts";
import { FileStateSource } from "./file-state-source.ts";
import { selectStateSource } from "./select-state-source.ts";

const cluster: ClusterConnection = {
  configured: true,
  config: new KubeConfig(),
  source: "in-cluster",
  server: "https://10.96.0.1:443",
  context: "in-cluster",
  files: [],
  description: "https://10.96.0.1:443 (in-cluster service account)",
};
const none: NoClusterConfigured = { configured: false, reason: "no cluster configured: nothing at all" };

describe("selectStateSource", () => {
  const cases: {
    name: string;
    stateDirectory?: string;
    connection: ClusterConnection | NoClusterConfigured | "throws";
    mode: "cluster" | "local";
    type: typeof FileStateSource | typeof ClusterStateSource;
    describe: string;
    reason: string;
  }[] = [
    {
      name: "--state forces local mode on that directory even with a cluster configured",
      stateDirectory: "my-state",
      connection: cluster,
      mode: "local",
      type: FileStateSource,
      describe: "local files under my-state",
      reason: "--state my-state was given",
    },
    {
      name: "a configured cluster gives cluster mode",
      connection: cluster,
      mode: "cluster",
      type: ClusterStateSource,
      describe: "cluster https://10.96.0.1:443 (in-cluster service account)",
      reason: "cluster configured by in-cluster: https://10.96.0.1:443 (in-cluster service account)",
    },
    {
      name: "no cluster configured gives local mode on the default directory",
      connection: none,
      mode: "local",
      type: FileStateSource,
      describe: "local files under examples/state",
      reason: "no cluster configured: nothing at all; reading examples/state instead",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const asked: ConnectionOptions[] = [];
      const selected = selectStateSource({
        ...(c.stateDirectory === undefined ? {} : { stateDirectory: c.stateDirectory }),
        kubeconfig: "/k.yaml",
        defaultStateDirectory: "examples/state",
        connect: (options) => {
          asked.push(options);
          return c.connection as ClusterConnection | NoClusterConfigured;
        },
        clientFor: () => new FakeListWatchClient(),
      });
      assert.equal(selected.mode, c.mode);
      assert.ok(selected.source instanceof c.type);
      assert.equal(selected.source.describe(), c.describe);
      assert.equal(selected.reason, c.reason);
      assert.deepEqual(asked, c.stateDirectory === undefined ? [{ kubeconfig: "/k.yaml" }] : [], "--state never looks for a cluster");
    });
  }

  it("lets a broken cluster configuration fail instead of falling back to local files", () => {
    assert.throws(
      () =>
        selectStateSource({
          defaultStateDirectory: "examples/state",
          connect: () => {
            throw new KubeconfigError(["/k.yaml: clusters[0].cluster.server is missing; fix that entry"]);
          },
        }),
      KubeconfigError,
    );
  });
});
