/**
 * Catalog writes inside a raft entry, following Consul's `state/catalog.go`: a check written as
 * critical destroys every session that lists it, in the same entry (`ensureCheckTxn`, spec §2.9);
 * deleting a check — directly, with its service, or with its node — destroys them too (rule 54).
 * Unchanged registrations are no-ops and consume no table index.
 */
import type { ConsulCheckStatus, SessionDestroyReason } from './journal';
import { destroySessionTxn, sessionsListingCheck } from './session-store';
import type { CatalogCheck, CatalogNode, CatalogService, Txn } from './state';

export type NodeDraft = Omit<CatalogNode, 'createIndex' | 'modifyIndex'>;
export type ServiceDraft = Omit<CatalogService, 'createIndex' | 'modifyIndex'>;
export type CheckDraft = Omit<CatalogCheck, 'createIndex' | 'modifyIndex'>;

function touchNodeServices(tx: Txn, node: string): void {
  for (const svc of tx.state.services.get(node)?.values() ?? []) tx.touchService(svc.service);
}

export function registerNodeTxn(tx: Txn, draft: NodeDraft): void {
  const existing = tx.state.nodes.get(draft.node);
  if (
    existing != null &&
    existing.id === draft.id &&
    existing.address === draft.address &&
    existing.datacenter === draft.datacenter
  ) {
    return;
  }
  tx.state.nodes.set(draft.node, {
    ...draft,
    createIndex: existing?.createIndex ?? tx.index,
    modifyIndex: tx.index,
  });
  tx.touch('nodes', { kind: 'catalog' });
  touchNodeServices(tx, draft.node);
  tx.journal({ op: 'node-register', node: draft.node, detail: draft.address });
}

/** Removes the node, its services and checks, and every session on it (graceful leave, spec §6.8). */
export function deregisterNodeTxn(tx: Txn, node: string): void {
  const { state } = tx;
  if (!state.nodes.has(node)) return;
  for (const s of [...state.sessions.values()].filter((x) => x.node === node)) {
    destroySessionTxn(tx, s.id, 'node-deregistered');
  }
  touchNodeServices(tx, node);
  if ((state.services.get(node)?.size ?? 0) > 0) tx.touch('services', { kind: 'catalog' });
  if ((state.checks.get(node)?.size ?? 0) > 0) tx.touch('checks', { kind: 'catalog' });
  state.services.delete(node);
  state.checks.delete(node);
  state.nodes.delete(node);
  tx.touch('nodes', { kind: 'catalog' });
  tx.journal({ op: 'node-deregister', node });
}

/** Equal as far as a registration is concerned (no index fields). */
export function sameService(a: CatalogService, b: ServiceDraft): boolean {
  return (
    a.service === b.service &&
    a.address === b.address &&
    a.port === b.port &&
    a.enableTagOverride === b.enableTagOverride &&
    JSON.stringify(a.tags) === JSON.stringify(b.tags) &&
    JSON.stringify([...a.meta]) === JSON.stringify([...b.meta]) &&
    a.weights.Passing === b.weights.Passing &&
    a.weights.Warning === b.weights.Warning
  );
}

export function ensureServiceTxn(tx: Txn, draft: ServiceDraft): void {
  const services = tx.state.nodeServices(draft.node);
  const existing = services.get(draft.id);
  if (existing != null && sameService(existing, draft)) return;
  services.set(draft.id, { ...draft, createIndex: existing?.createIndex ?? tx.index, modifyIndex: tx.index });
  tx.touch('services', { kind: 'catalog' });
  tx.touchService(draft.service);
  if (existing != null && existing.service !== draft.service) tx.touchService(existing.service);
  if (existing == null) {
    tx.journal({ op: 'service-register', node: draft.node, serviceId: draft.id, detail: draft.service });
  }
}

/** Deletes a service and its checks; sessions listing those checks are destroyed (rule 54). */
export function deleteServiceTxn(tx: Txn, node: string, id: string): void {
  const services = tx.state.services.get(node);
  const svc = services?.get(id);
  if (svc == null) return;
  for (const check of [...(tx.state.checks.get(node)?.values() ?? [])]) {
    if (check.serviceId === id) deleteCheckTxn(tx, node, check.checkId);
  }
  services?.delete(id);
  tx.touch('services', { kind: 'catalog' });
  tx.touchService(svc.service);
  tx.journal({ op: 'service-deregister', node, serviceId: id, detail: svc.service });
}

/** `HealthCheck.IsSame`: equal as far as a registration is concerned. */
export function sameCheck(a: CatalogCheck, b: CheckDraft): boolean {
  return (
    a.name === b.name &&
    a.status === b.status &&
    a.notes === b.notes &&
    a.output === b.output &&
    a.serviceId === b.serviceId &&
    a.serviceName === b.serviceName &&
    JSON.stringify(a.serviceTags) === JSON.stringify(b.serviceTags) &&
    a.type === b.type &&
    a.interval === b.interval &&
    a.timeout === b.timeout
  );
}

/**
 * `ensureCheckTxn`. A critical check destroys the sessions that list it in this same entry, with
 * `criticalReason` recorded in the journal (`node-failed` when gossip failed the node's serfHealth).
 */
export function ensureCheckTxn(
  tx: Txn,
  draft: CheckDraft,
  criticalReason: SessionDestroyReason = 'check-critical',
): void {
  const checks = tx.state.nodeChecks(draft.node);
  const existing = checks.get(draft.checkId);
  if (existing != null && sameCheck(existing, draft)) return;
  checks.set(draft.checkId, {
    ...draft,
    createIndex: existing?.createIndex ?? tx.index,
    modifyIndex: tx.index,
  });
  tx.touch('checks', { kind: 'catalog' });
  if (draft.serviceName !== '') tx.touchService(draft.serviceName);
  else touchNodeServices(tx, draft.node);
  const previousStatus: ConsulCheckStatus | undefined = existing?.status;
  tx.journal({
    op: existing == null ? 'check-register' : 'check-status',
    node: draft.node,
    checkId: draft.checkId,
    status: draft.status,
    ...(previousStatus == null ? {} : { previousStatus }),
    output: draft.output,
  });
  if (draft.status === 'critical') {
    for (const id of sessionsListingCheck(tx.state, draft.node, draft.checkId)) {
      destroySessionTxn(tx, id, criticalReason);
    }
  }
}

/** Deletes one check; sessions listing it are destroyed (spec §2.9). */
export function deleteCheckTxn(tx: Txn, node: string, checkId: string): void {
  const checks = tx.state.checks.get(node);
  const check = checks?.get(checkId);
  if (check == null) return;
  checks?.delete(checkId);
  tx.touch('checks', { kind: 'catalog' });
  if (check.serviceName !== '') tx.touchService(check.serviceName);
  else touchNodeServices(tx, node);
  tx.journal({ op: 'check-deregister', node, checkId });
  for (const id of sessionsListingCheck(tx.state, node, checkId))
    destroySessionTxn(tx, id, 'check-deregistered');
}
