import type { Knex } from 'knex';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import type { AgentsSessionFilter } from '@backstage-agents/plugin-agents-node';

const COLUMNS: Record<AgentsSessionFilter['property'], string> = {
  entityRef: 'entity_ref',
  entityOwnerRef: 'entity_owner_ref',
  createdBy: 'created_by',
};

/** Adds a conditional permission decision to a sessions query as SQL, so pages stay keyset-paginated. */
export function applyPermissionFilter(
  query: Knex.QueryBuilder,
  criteria: PermissionCriteria<AgentsSessionFilter>,
): void {
  if (isAndCriteria(criteria)) {
    query.where(q => {
      for (const sub of criteria.allOf) q.andWhere(s => applyPermissionFilter(s, sub));
    });
  } else if (isOrCriteria(criteria)) {
    query.where(q => {
      for (const sub of criteria.anyOf) q.orWhere(s => applyPermissionFilter(s, sub));
    });
  } else if (isNotCriteria(criteria)) {
    query.whereNot(q => applyPermissionFilter(q, criteria.not));
  } else if (criteria.values.length === 0) {
    query.whereRaw('1 = 0');
  } else {
    query.whereIn(COLUMNS[criteria.property], criteria.values);
  }
}
