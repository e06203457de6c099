// Parses one file's text into Kubernetes objects. Pure: the caller reads the
// file, so this is testable without a disk and shared by the sync and async
// readers.
import { Composer, isNode, LineCounter, Parser } from "yaml";
import type { Document } from "yaml";
import type { Manifest } from "./manifest.ts";
import { positionOf, yamlErrorProblem } from "../../policies/engine/yaml-problems.ts";
import { isRecord } from "../json.ts";

export interface ParsedManifests {
  manifests: Manifest[];
  /** One line each, `file:line:col: what is wrong; how to fix it`. */
  problems: string[];
}

type Json = Record<string, unknown>;

/** Why a value is not a Kubernetes object, or undefined when it is one. */
function notAnObjectReason(value: unknown): string | undefined {
  if (Array.isArray(value)) return "it is a sequence, not a mapping";
  if (!isRecord(value)) return `it is a ${typeof value} (${JSON.stringify(value)}), not a mapping`;
  const missing = ["apiVersion", "kind"].filter((k) => typeof value[k] !== "string" || value[k] === "");
  if (missing.length > 0) return `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} missing or not a string`;
  return undefined;
}

/**
 * `kind: List` (what `kubectl get -o yaml` prints) and typed lists such as
 * `DomainRouteList` wrap the real objects in `items`. Items of a typed list
 * may omit apiVersion/kind (the API server leaves them out), so they are
 * inherited from the list: `DomainRouteList` → `DomainRoute`.
 */
function listItems(object: Json): unknown[] | undefined {
  const kind = object.kind as string;
  if (!kind.endsWith("List") || !Array.isArray(object.items)) return undefined;
  if (kind === "List") return object.items;
  const itemKind = kind.slice(0, -"List".length);
  return object.items.map((item) => (isRecord(item) ? { apiVersion: object.apiVersion, kind: itemKind, ...item } : item));
}

/**
 * The document as plain data. Alias expansion is capped: a few kilobytes of
 * nested aliases ("billion laughs") would otherwise expand to gigabytes.
 */
export function toPlainData(document: Document): unknown {
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new Error("too many YAML alias expansions (over 100); write the values out instead of nesting aliases");
    }
    throw error;
  }
}

/** A document converted to plain data, kept instead of its YAML AST. */
interface DocumentValue {
  /** 1-based position of the document in the file. */
  index: number;
  value: unknown;
  /** Where the document's contents start, for problems. */
  offset: number;
  /** For a `List`, its items (see listItems); undefined for any other document. */
  items: unknown[] | undefined;
  /** For a `List`, where each item that is not a Kubernetes object starts (item index → offset). */
  badItemOffsets: Map<number, number>;
}

/**
 * The file's documents one at a time, each with its position. A streaming
 * Parser + Composer (what parseAllDocuments does, without collecting) means
 * only one document's AST is alive at once: a 10,000-route state file would
 * otherwise hold 10,000 ASTs until the last one is converted.
 */
function* documentsOf(text: string, lineCounter: LineCounter): Generator<Document.Parsed> {
  // `merge` enables `<<:` merge keys, which people use to share labels.
  const composer = new Composer({ lineCounter, merge: true, prettyErrors: false });
  yield* composer.compose(new Parser(lineCounter.addNewLine).parse(text));
}

/** For a `List`'s items that are not Kubernetes objects, where each starts, read from the AST before it is dropped. */
function badItemOffsetsOf(document: Document, items: unknown[] | undefined, fallback: number): Map<number, number> {
  const offsets = new Map<number, number>();
  items?.forEach((item, j) => {
    if (notAnObjectReason(item) === undefined) return;
    const node = document.getIn(["items", j], true);
    offsets.set(j, isNode(node) && node.range ? node.range[0] : fallback);
  });
  return offsets;
}

export function parseManifestText(text: string, file: string): ParsedManifests {
  const lineCounter = new LineCounter();
  const problems: string[] = [];
  const values: DocumentValue[] = [];

  let i = 0;
  for (const document of documentsOf(text, lineCounter)) {
    i += 1;
    if (document.errors.length > 0) {
      // Only the first: later errors in the same document are usually echoes of it.
      problems.push(yamlErrorProblem(file, lineCounter, document.errors[0]));
      continue;
    }
    let value: unknown;
    try {
      value = toPlainData(document);
    } catch (error) {
      problems.push(`${file}:${positionOf(lineCounter, document.range[0])}: document ${i}: ${(error as Error).message}`);
      continue;
    }
    if (value === null || value === undefined) continue; // empty document (e.g. a trailing `---`)
    const offset = document.contents?.range?.[0] ?? document.range[0];
    const items = notAnObjectReason(value) === undefined ? listItems(value as Json) : undefined;
    values.push({ index: i, value, offset, items, badItemOffsets: badItemOffsetsOf(document, items, offset) });
  }

  const manifests: Manifest[] = [];
  const multiDocument = values.length > 1 || problems.length > 0;
  for (const { index, value, offset, items, badItemOffsets } of values) {
    const source = multiDocument ? `${file}#${index}` : file;
    const where = `${file}:${positionOf(lineCounter, offset)}`;
    const reason = notAnObjectReason(value);
    if (reason !== undefined) {
      problems.push(`${where}: document ${index} is not a Kubernetes object (needs apiVersion and kind): ${reason}; add them or delete the document`);
      continue;
    }
    const object = value as Json;
    if (items === undefined) {
      manifests.push({ object, source });
      continue;
    }
    items.forEach((item, j) => {
      const itemReason = notAnObjectReason(item);
      if (itemReason !== undefined) {
        problems.push(
          `${file}:${positionOf(lineCounter, badItemOffsets.get(j) ?? offset)}: items[${j}] of document ${index} (${object.kind}) is not a Kubernetes object (needs apiVersion and kind): ${itemReason}; fix or remove that item`,
        );
      } else {
        manifests.push({ object: item as Json, source: `${source} items[${j}]` });
      }
    });
  }
  return { manifests, problems };
}
