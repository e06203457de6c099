// A CaBundlePublisher that records what it was given and can be made to fail.
import type { CaBundlePublisher, PublishResult } from "../bundle-publisher.ts";
import { PublishError } from "../bundle-publisher.ts";

export class FakePublisher implements CaBundlePublisher {
  readonly published: string[] = [];
  failing: string | undefined;

  async publish(bundle: string): Promise<PublishResult> {
    if (this.failing !== undefined) throw new PublishError([this.failing]);
    const changed = this.published.at(-1) !== bundle;
    this.published.push(bundle);
    return changed ? { updated: ["fake"], unchanged: [] } : { updated: [], unchanged: ["fake"] };
  }
}
