// The external-dns TXT registry, as hostgate reads and writes it: beside each
// record it manages, a TXT record saying who owns it, so hostgate and
// external-dns (or two hostgates with two owner ids) share a zone without
// either changing the other's records. Pure.
//
// What external-dns does, read in kubernetes-sigs/external-dns (search, code
// corpus): registry/mapper/mapper.go (AffixNameMapper), registry/txt/registry.go
// (TXTRegistry.Records, generateTXTRecord, isAliasARecord) and endpoint/labels.go
// (Labels.SerializePlain, NewLabelsFromStringPlain), plus issues 4234 and 449
// and pull request 5864 for the apex:
// - Name, new format, no --txt-prefix/--txt-suffix: the record type in lower
//   case and a dash before the first label: `shop.example.com` A →
//   `a-shop.example.com`, AAAA → `aaaa-…`, CNAME → `cname-…`. A wildcard keeps
//   its star after the prefix (`*.example.com` → `a-*.example.com`, a literal
//   star to Route53) unless --txt-wildcard-replacement is set.
// - The apex: the mapper splits at the first dot, so `example.com` gets
//   `a-example.com`, a sibling of the zone that Route53 refuses ("not permitted
//   in zone"): external-dns cannot register an apex record without a prefix
//   ending in a dot (its docs; PR 5864 refuses such records). hostgate keeps
//   the registry inside the zone with `_hostgate-<type>.<apex>`: a name no
//   DomainRoute can have (the CRD's domain pattern has no underscore), which
//   external-dns reads as an unrelated TXT and leaves alone.
// - Value: `"heritage=external-dns,external-dns/owner=<id>,external-dns/resource=<kind>/<ns>/<name>"`
//   with its quotes: heritage first, then the labels sorted by key.
// - Reading: quotes trimmed, split at commas, each `key=value` (a token with
//   another `=` is skipped); a heritage other than external-dns, or none, means
//   no registry record; keys under `external-dns/` are the labels, in any order.
// - Which TXT speaks for a record: the new-format name first; for an A alias,
//   then the `cname-` name (external-dns once wrote that for Route53 alias A
//   records: issue 3164, #2903); for any type but AAAA, then the old format,
//   a TXT at the record's own name. A TXT name whose first label starts with a
//   type and a dash is always the new format for the name without it (so the
//   TXT of `shop` at `a-shop.example.com` never owns the records OF
//   `a-shop.example.com`).
// - Routing policies (registry/txt/registry.go: generateTXTRecord does
//   txt.WithSetIdentifier(r.SetIdentifier) and copies ProviderSpecific, which
//   holds aws/region; Records keys its label map by name, type and set
//   identifier): the TXT of a latency record carries the record's set
//   identifier and region, so several TXTs share one name, one per set
//   identifier (one per cluster), and each speaks only for the record with
//   its own set identifier; a TXT without one speaks for the simple record.
// Route53 holds a TXT value as quoted strings of at most 255 characters
// (`"…" "…"`, other characters as `\ooo` octal escapes); a long value is
// split into several and read back joined.
import type { DnsRecord } from "./route53-port.ts";

export const HERITAGE = "external-dns";
/** The TTL of the registry records hostgate writes (external-dns's default TTL). */
export const REGISTRY_TTL_SECONDS = 300;
/** The first label of an apex record's registry name is this plus the type: `_hostgate-a.example.com`. */
export const APEX_REGISTRY_LABEL = "_hostgate-";
/** The record types external-dns's mapper recognises before the dash. */
const TYPE_PREFIXES = ["a", "aaaa", "cname", "ns", "mx", "ptr", "srv", "naptr", "txt", "dname"] as const;
const MAX_CHARACTER_STRING = 255;

/** A registry record's labels: `owner` and `resource` (and any other `external-dns/` key), keys without the prefix. */
export type RegistryLabels = Readonly<Record<string, string>>;

/** Where a record's registry TXT lives (new format). `apex` is the zone's apex name. */
export function registryName(name: string, type: string, apex: string): string {
  const prefix = type.toLowerCase();
  if (name === apex) return `${APEX_REGISTRY_LABEL}${prefix}.${apex}`;
  return `${prefix}-${name}`;
}

/** The TXT value as Route53 holds it: quoted, split into strings of at most 255 characters. */
export function registryValue(ownerId: string, resource: string): string {
  const text = `heritage=${HERITAGE},${HERITAGE}/owner=${ownerId},${HERITAGE}/resource=${resource}`;
  const strings: string[] = [];
  for (let i = 0; i < text.length; i += MAX_CHARACTER_STRING) strings.push(text.slice(i, i + MAX_CHARACTER_STRING));
  return strings.map((s) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(" ");
}

/** The registry record hostgate writes beside `record`: with its set identifier and region when it has them (a latency record's TXT is one too). */
export function registryRecord(
  record: Pick<DnsRecord, "name" | "type" | "setIdentifier" | "region">,
  apex: string,
  ownerId: string,
  resource: string,
): DnsRecord {
  return {
    name: registryName(record.name, record.type, apex),
    type: "TXT",
    ...(record.setIdentifier === undefined ? {} : { setIdentifier: record.setIdentifier }),
    ...(record.region === undefined ? {} : { region: record.region }),
    ttl: REGISTRY_TTL_SECONDS,
    values: [registryValue(ownerId, resource)],
  };
}

/** A TXT value's labels when it is a registry value (heritage=external-dns), else undefined. Tolerant of quoting, order and extra keys. */
export function parseRegistryValue(value: string): RegistryLabels | undefined {
  const labels: Record<string, string> = {};
  let heritage = false;
  for (const token of characterStrings(value).split(",")) {
    const parts = token.split("=");
    if (parts.length !== 2) continue;
    const [key, text] = parts as [string, string];
    if (key === "heritage") {
      if (text !== HERITAGE) return undefined;
      heritage = true;
    } else if (key.startsWith(`${HERITAGE}/`)) labels[key.slice(HERITAGE.length + 1)] = text;
  }
  return heritage ? labels : undefined;
}

/**
 * The record a registry TXT name speaks for: `type` undefined for the old
 * format (the TXT at the record's own name, for any type but AAAA).
 */
export function registeredName(txtName: string, apex: string): { name: string; type?: string } {
  const dot = txtName.indexOf(".");
  const first = dot < 0 ? txtName : txtName.slice(0, dot);
  const rest = dot < 0 ? "" : txtName.slice(dot);
  if (rest === `.${apex}` && first.startsWith(APEX_REGISTRY_LABEL)) {
    const type = first.slice(APEX_REGISTRY_LABEL.length);
    if ((TYPE_PREFIXES as readonly string[]).includes(type)) return { name: apex, type: type.toUpperCase() };
  }
  const dash = first.indexOf("-");
  const type = dash < 0 ? "" : first.slice(0, dash);
  if ((TYPE_PREFIXES as readonly string[]).includes(type)) return { name: `${first.slice(dash + 1)}${rest}`, type: type.toUpperCase() };
  return { name: txtName };
}

/** Who a record belongs to according to the registry, and the TXT that says so. */
export interface RegistryEntry {
  readonly labels: RegistryLabels;
  readonly txt: DnsRecord;
  /** The name of the record(s) it speaks for. */
  readonly name: string;
  /** The type it speaks for; undefined for the old format (any type but AAAA). */
  readonly type?: string;
  /** The set identifier of the record it speaks for (the TXT's own): undefined for a simple record. */
  readonly setIdentifier?: string;
  /** Every value of the TXT is a registry value: only then may it be deleted or replaced whole. */
  readonly pure: boolean;
}

/**
 * A zone's registry: which TXT speaks for which record, in external-dns's
 * order of preference. Built once per zone read. Everything is keyed with the
 * set identifier too: at one TXT name each cluster's latency TXT is its own
 * entry, and speaks only for the record with the same set identifier.
 */
export class ZoneRegistry {
  /** `name\0TYPE\0setIdentifier` (TYPE empty for the old format, set identifier empty for a simple record) → the registry TXT there. */
  readonly #entries = new Map<string, RegistryEntry>();
  /** The name a registry TXT speaks for → its entries. */
  readonly #byName = new Map<string, RegistryEntry[]>();
  /** A TXT's own name and set identifier → its entry. */
  readonly #byTxt = new Map<string, RegistryEntry>();

  constructor(records: readonly DnsRecord[], apex: string) {
    for (const txt of records) {
      if (txt.type !== "TXT") continue;
      const values = txt.values ?? [];
      const labels = recordLabels(values);
      if (labels === undefined) continue;
      const registered = registeredName(txt.name, apex);
      const entry: RegistryEntry = {
        labels,
        txt,
        ...registered,
        ...(txt.setIdentifier === undefined ? {} : { setIdentifier: txt.setIdentifier }),
        pure: values.every((v) => parseRegistryValue(v) !== undefined),
      };
      this.#entries.set(entryKey(registered.name, registered.type ?? "", txt.setIdentifier), entry);
      this.#byName.set(registered.name, [...(this.#byName.get(registered.name) ?? []), entry]);
      this.#byTxt.set(txtKey(txt.name, txt.setIdentifier), entry);
    }
  }

  /** Every registry TXT that speaks for some record at `name`, whatever its format and set identifier. */
  entriesFor(name: string): readonly RegistryEntry[] {
    return this.#byName.get(name) ?? [];
  }

  /** The registry entry of the TXT record at `txtName` with `setIdentifier` (none: the simple TXT), when that TXT is a registry record. */
  entryAt(txtName: string, setIdentifier?: string): RegistryEntry | undefined {
    return this.#byTxt.get(txtKey(txtName, setIdentifier));
  }

  /** Every registry entry, in no particular order. */
  entries(): IterableIterator<RegistryEntry> {
    return this.#byTxt.values();
  }

  /**
   * The registry entry that speaks for `record` (a TXT with the record's set
   * identifier), or undefined when none does (the record is nobody's as far
   * as the registry knows).
   */
  ownerOf(record: DnsRecord): RegistryEntry | undefined {
    const at = (type: string) => this.#entries.get(entryKey(record.name, type, record.setIdentifier));
    const entry = at(record.type);
    if (entry !== undefined) return entry;
    if (record.type === "A" && record.alias !== undefined) {
      const legacyAlias = at("CNAME");
      if (legacyAlias !== undefined) return legacyAlias;
    }
    return record.type === "AAAA" ? undefined : at("");
  }
}

function entryKey(name: string, type: string, setIdentifier: string | undefined): string {
  return `${name}\u0000${type}\u0000${setIdentifier ?? ""}`;
}

function txtKey(txtName: string, setIdentifier: string | undefined): string {
  return `${txtName}\u0000${setIdentifier ?? ""}`;
}

/**
 * The labels of a TXT record that is a registry record. Several values, one
 * of them a registry value, still make a registry record, but two values
 * naming different owners make none: ownership must not be ambiguous.
 */
function recordLabels(values: readonly string[]): RegistryLabels | undefined {
  const parsed = values.map(parseRegistryValue).filter((l): l is RegistryLabels => l !== undefined);
  if (parsed.length === 0) return undefined;
  const owners = new Set(parsed.map((l) => l.owner ?? ""));
  return owners.size === 1 ? parsed[0] : undefined;
}

/**
 * A TXT value's text: its quoted character-strings unescaped and joined
 * (`"a" "b"` → `ab`), or the value itself when it is not quoted.
 */
function characterStrings(value: string): string {
  const trimmed = value.trim();
  if (!trimmed.startsWith('"')) return trimmed;
  let text = "";
  let i = 0;
  while (i < trimmed.length) {
    if (trimmed[i] !== '"') {
      i++;
      continue;
    }
    i++;
    while (i < trimmed.length && trimmed[i] !== '"') {
      if (trimmed[i] === "\\" && i + 1 < trimmed.length) {
        const octal = /^[0-7]{3}/.exec(trimmed.slice(i + 1));
        if (octal !== null) {
          text += String.fromCharCode(Number.parseInt(octal[0], 8));
          i += 4;
          continue;
        }
        i++;
      }
      text += trimmed[i];
      i++;
    }
    i++;
  }
  return text;
}
