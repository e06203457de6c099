// What the page is sent of one route: the object as stored and its status in
// plain words (status-words.ts). The one place the HTTP layer and the event
// streams turn a stored object into what the client shows.
import type { KubeObject } from "../core/kube/object-key.ts";
import { routeWords } from "./status-words.ts";

export interface RouteWords {
  state: "live" | "pending" | "attention" | "removing";
  text: string;
  detail?: string;
}

export interface RouteView {
  object: KubeObject;
  words: RouteWords;
}

export function routeView(object: KubeObject): RouteView {
  return { object, words: routeWords(object) };
}
