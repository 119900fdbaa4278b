// The full ruleset of a node as one `nft -f` transaction. It adds, deletes and re-creates the table inside the same
// transaction, so the kernel swaps old for new atomically: no packet ever sees an empty table, and whatever drift
// there was (flushed chains, stray elements) is gone.
import { elementId, type RuleElement, serviceElements } from './elements.ts';
import {
  BASE_CHAINS,
  GENERATION_SET,
  NAT_PRIORITY,
  NO_ENDPOINTS_CHAIN,
  parsePickChainName,
  pickChainLinks,
  pickChainRules,
  REJECT_RULE,
  SERVICE_PORTS_CHAIN,
  SERVICES_CHAIN,
  servicesChainRules,
  staticDeclarations,
  TABLE_FAMILY,
} from './nft-layout.ts';
import type { NodeRulesState } from './state.ts';

// Elements per `add element` statement: one statement per set would do, but bounded lines keep nft's error
// messages readable and its parser's memory flat.
const ELEMENTS_PER_STATEMENT = 8192;

export function renderFull(state: NodeRulesState): string {
  const t = tableRef(state.table);
  const out: string[] = [
    `add table ${t}`,
    `delete table ${t}`,
    `add table ${t} { comment "clusterset node agent: ClusterSetIP rules; managed, do not edit"; }`,
  ];
  for (const d of staticDeclarations()) out.push(`add ${d.kind} ${t} ${d.name} { ${d.body} }`);
  out.push(`add chain ${t} ${NO_ENDPOINTS_CHAIN}`, `add rule ${t} ${NO_ENDPOINTS_CHAIN} ${REJECT_RULE}`);
  out.push(`add chain ${t} ${SERVICE_PORTS_CHAIN}`, `add chain ${t} ${SERVICES_CHAIN}`);
  for (const rule of servicesChainRules()) out.push(`add rule ${t} ${SERVICES_CHAIN} ${rule}`);
  for (const name of [...state.pickChains].sort()) pickChainStatements(out, t, name);
  for (const name of [...state.chains].sort()) pickChainLinkStatements(out, t, name);
  for (const base of BASE_CHAINS) {
    out.push(
      `add chain ${t} ${base.name} { type nat hook ${base.hook} priority ${NAT_PRIORITY}; policy accept; }`,
      `add rule ${t} ${base.name} jump ${SERVICES_CHAIN}`,
    );
  }
  out.push(`add element ${t} ${GENERATION_SET} { ${state.generation} }`);
  const bySet = new Map<string, string[]>();
  for (const rules of state.applied.values()) {
    for (const e of serviceElements(rules)) {
      let list = bySet.get(e.set);
      if (list === undefined) {
        list = [];
        bySet.set(e.set, list);
      }
      list.push(elementText(e));
    }
  }
  for (const [set, elements] of bySet) pushElements(out, 'add', t, set, elements);
  out.push('');
  return out.join('\n');
}

export function tableRef(table: string): string {
  return `${TABLE_FAMILY} ${table}`;
}

/** A pick chain and its rules; only in a transaction that also declares the endpoint maps (see nft-layout). */
function pickChainStatements(out: string[], t: string, name: string): void {
  const chain = parsePickChainName(name);
  if (chain === undefined) return;
  out.push(`add chain ${t} ${name}`);
  for (const rule of pickChainRules(chain)) out.push(`add rule ${t} ${name} ${rule}`);
}

/** The two sets of an existing pick chain and the rules that lead to it from services and service-ports. */
export function pickChainLinkStatements(out: string[], t: string, name: string): void {
  const chain = parsePickChainName(name);
  if (chain === undefined) return;
  const links = pickChainLinks(name, chain);
  for (const d of links.sets) out.push(`add ${d.kind} ${t} ${d.name} { ${d.body} }`);
  out.push(`add rule ${t} ${SERVICES_CHAIN} ${links.services}`, `add rule ${t} ${SERVICE_PORTS_CHAIN} ${links.ports}`);
}

export function elementText(e: RuleElement): string {
  return e.value === undefined ? e.key : `${e.key} : ${e.value}`;
}

export function pushElements(out: string[], verb: 'add' | 'delete', t: string, set: string, elements: string[]): void {
  for (let i = 0; i < elements.length; i += ELEMENTS_PER_STATEMENT) {
    out.push(`${verb} element ${t} ${set} { ${elements.slice(i, i + ELEMENTS_PER_STATEMENT).join(', ')} }`);
  }
}

/** Every element the state programs, by id: what a full render writes (tests compare it with deltas). */
export function stateElements(state: NodeRulesState): Map<string, RuleElement> {
  const out = new Map<string, RuleElement>();
  for (const rules of state.applied.values()) for (const e of serviceElements(rules)) out.set(elementId(e), e);
  return out;
}
