// For the controller's debug view: the rules any node would get for a service, rendered by the same code the agent
// runs (selection and elements), as data and as the nft element statements of a full transaction.
import type { ServiceView } from '../mcs/types.ts';
import { serviceElements } from './elements.ts';
import { fromServiceView } from './from-service-view.ts';
import type { NodeContext, NodeServiceRules } from './model.ts';
import { DEFAULT_TABLE, TABLE_FAMILY } from './nft-layout.ts';
import { elementText } from './render-full.ts';
import { selectNodeRules } from './select.ts';

export interface NodeRulesDebug {
  node: NodeContext;
  rules: NodeServiceRules;
  nft: string[];
}

export function nodeRulesForView(view: ServiceView, node: NodeContext, table = DEFAULT_TABLE): NodeRulesDebug {
  const rules = selectNodeRules(fromServiceView(view), node);
  const nft = serviceElements(rules).map((e) => `add element ${TABLE_FAMILY} ${table} ${e.set} { ${elementText(e)} }`);
  return { node, rules, nft };
}
