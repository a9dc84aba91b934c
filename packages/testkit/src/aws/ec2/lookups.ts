/**
 * Resolving ids to records with AWS's error codes: `*.Malformed` for an id of the wrong shape,
 * `*.NotFound` naming every unknown id (rule 15: never a partial list).
 */
import { ApiError } from '../query/api-error';

export interface ResourceKind {
  prefix: string;
  /** The noun in messages: `The routeTable ID 'rtb-x' does not exist`. */
  noun: string;
  notFound: string;
  malformed: string;
}

export const KINDS = {
  instance: {
    prefix: 'i',
    noun: 'instance',
    notFound: 'InvalidInstanceID.NotFound',
    malformed: 'InvalidInstanceID.Malformed',
  },
  routeTable: {
    prefix: 'rtb',
    noun: 'routeTable',
    notFound: 'InvalidRouteTableID.NotFound',
    malformed: 'InvalidRouteTableId.Malformed',
  },
  networkInterface: {
    prefix: 'eni',
    noun: 'networkInterface',
    notFound: 'InvalidNetworkInterfaceID.NotFound',
    malformed: 'InvalidNetworkInterfaceId.Malformed',
  },
  subnet: {
    prefix: 'subnet',
    noun: 'subnet',
    notFound: 'InvalidSubnetID.NotFound',
    malformed: 'InvalidSubnetID.Malformed',
  },
  vpc: { prefix: 'vpc', noun: 'vpc', notFound: 'InvalidVpcID.NotFound', malformed: 'InvalidVpcID.Malformed' },
  allocation: {
    prefix: 'eipalloc',
    noun: 'allocation',
    notFound: 'InvalidAllocationID.NotFound',
    malformed: 'InvalidAllocationID.Malformed',
  },
  association: {
    prefix: 'eipassoc',
    noun: 'association',
    notFound: 'InvalidAssociationID.NotFound',
    malformed: 'InvalidAssociationID.Malformed',
  },
  natGateway: {
    prefix: 'nat',
    noun: 'natGateway',
    notFound: 'InvalidNatGatewayID.NotFound',
    malformed: 'InvalidNatGatewayID.Malformed',
  },
  gateway: {
    prefix: 'igw',
    noun: 'gateway',
    notFound: 'InvalidGatewayID.NotFound',
    malformed: 'InvalidGatewayID.Malformed',
  },
} as const satisfies Record<string, ResourceKind>;

export function notFoundError(kind: ResourceKind, ids: readonly string[]): ApiError {
  if (kind === KINDS.allocation || kind === KINDS.association) {
    const label = kind === KINDS.allocation ? 'Allocation' : 'Association';
    return new ApiError(kind.notFound, `${label} ID '${ids.join(', ')}' not found.`);
  }
  const message =
    ids.length === 1
      ? `The ${kind.noun} ID '${ids[0] as string}' does not exist`
      : `The ${kind.noun} IDs '${ids.join(', ')}' do not exist`;
  return new ApiError(kind.notFound, message);
}

export function checkIdSyntax(kind: ResourceKind, id: string): void {
  if (!new RegExp(`^${kind.prefix}-[0-9a-z]+$`).test(id)) {
    throw new ApiError(kind.malformed, `Invalid id: "${id}" (expecting "${kind.prefix}-...")`);
  }
}

/** Resolves one id or throws the kind's Malformed/NotFound error. */
export function lookup<T>(kind: ResourceKind, map: ReadonlyMap<string, T>, id: string): T {
  checkIdSyntax(kind, id);
  const rec = map.get(id);
  if (rec == null) throw notFoundError(kind, [id]);
  return rec;
}

/** Resolves an explicit id list; any unknown id fails the whole call, naming all of them. */
export function lookupAll<T>(kind: ResourceKind, map: ReadonlyMap<string, T>, ids: readonly string[]): T[] {
  for (const id of ids) checkIdSyntax(kind, id);
  const missing = ids.filter((id) => !map.has(id));
  if (missing.length > 0) throw notFoundError(kind, [...new Set(missing)]);
  return [...new Set(ids)].map((id) => map.get(id) as T);
}

/** The NotFound error for an id of any known kind (by prefix), for the "hidden resource" knob. */
export function kindOfId(id: string): ResourceKind | undefined {
  const prefix = id.slice(0, id.indexOf('-'));
  return Object.values(KINDS).find((k) => k.prefix === prefix);
}
