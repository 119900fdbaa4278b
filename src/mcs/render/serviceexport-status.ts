// The status a ServiceExport should carry: the conditions the merge decided for its cluster.
import type { Condition, ExporterState } from '../types.ts';

export interface ServiceExportStatus {
  conditions: Condition[];
}

export function renderServiceExportStatus(state: ExporterState): ServiceExportStatus {
  return { conditions: state.conditions.map((c) => ({ ...c })) };
}
