// The API port as one leadership term sees it: once the term ends, every
// write is refused before it leaves the process. A reconcile still running
// when leadership is lost (the renew deadline passed) must not go on writing
// while the next leader starts: it fails at its next write instead, and the
// next leader re-does the work from the current state.
import type { ObjectApi } from "../../core/kube/object-api.ts";

export class TermEndedError extends Error {
  constructor() {
    super("this replica no longer leads: the write was not sent (the new leader reconciles it)");
  }
}

export function termApi(api: ObjectApi, ended: AbortSignal): ObjectApi {
  const guard = () => {
    if (ended.aborted) throw new TermEndedError();
  };
  return {
    get: (resource, key) => api.get(resource, key),
    create: async (resource, object, options) => {
      guard();
      return api.create(resource, object, options);
    },
    apply: async (resource, object, options) => {
      guard();
      return api.apply(resource, object, options);
    },
    update: async (resource, object, options) => {
      guard();
      return api.update(resource, object, options);
    },
    updateStatus: async (resource, object) => {
      guard();
      return api.updateStatus(resource, object);
    },
    delete: async (resource, key, preconditions) => {
      guard();
      return api.delete(resource, key, preconditions);
    },
  };
}
