/**
 * DescribeAddresses, AssociateAddress, DisassociateAddress (spec §2.7; rules 32–34). AWS, not
 * moto: without AllowReassociation an EIP bound elsewhere moves [D-AA].
 */
import { isIpv4 } from '../../world/cidr';
import { ApiError, invalidParameterValue } from '../query/api-error';
import { itemSet, leaf, tagSet } from '../query/xml';
import { enisOf, instanceOfAddress } from '../state/derive';
import type { AddressRec, Ec2Data, NetworkInterfaceRec } from '../state/records';
import type { Ec2Action } from './action';
import { compileFilters, type FilterTable } from './filters';
import { KINDS, checkIdSyntax, lookup, lookupAll } from './lookups';
import { multipleInterfacesError } from './route-tables';

function addressFilters(data: Ec2Data): FilterTable<AddressRec> {
  return {
    'allocation-id': (a) => a.allocationId,
    'association-id': (a) => a.association?.associationId,
    'instance-id': (a) => instanceOfAddress(data, a),
    'network-interface-id': (a) => a.association?.networkInterfaceId,
    'network-interface-owner-id': (a) => (a.association == null ? undefined : data.accountId),
    'private-ip-address': (a) => a.association?.privateIpAddress,
    'public-ip': (a) => a.publicIp,
    'network-border-group': () => data.region,
    domain: () => 'vpc',
  };
}

function renderAddress(data: Ec2Data, a: AddressRec): string {
  return [
    leaf('publicIp', a.publicIp),
    leaf('allocationId', a.allocationId),
    leaf('domain', 'vpc'),
    leaf('instanceId', instanceOfAddress(data, a)),
    leaf('associationId', a.association?.associationId),
    leaf('networkInterfaceId', a.association?.networkInterfaceId),
    leaf('networkInterfaceOwnerId', a.association == null ? undefined : data.accountId),
    leaf('privateIpAddress', a.association?.privateIpAddress),
    tagSet(a.tags),
    leaf('publicIpv4Pool', 'amazon'),
    leaf('networkBorderGroup', data.region),
  ].join('');
}

function addressNotFound(ip: string): ApiError {
  return new ApiError('InvalidAddress.NotFound', `Address '${ip}' not found.`);
}

export const describeAddresses: Ec2Action = {
  name: 'DescribeAddresses',
  mutating: false,
  params: ['PublicIp', 'DryRun', 'Filter', 'AllocationId'],
  run(ctx) {
    const { params, view } = ctx;
    const ips = params.list('PublicIp');
    const allocations = params.list('AllocationId');
    const match = compileFilters(params.ec2Filters(), addressFilters(view), (a) => a.tags);
    for (const ip of ips) if (!isIpv4(ip)) throw invalidParameterValue(`Invalid value '${ip}' for PublicIp.`);
    ctx.dryRunCheckpoint('syntax');
    let candidates = [...view.addresses.values()];
    if (allocations.length > 0) {
      const wanted = new Set(
        lookupAll(KINDS.allocation, view.addresses, allocations).map((a) => a.allocationId),
      );
      candidates = candidates.filter((a) => wanted.has(a.allocationId));
    }
    if (ips.length > 0) {
      const missing = ips.filter((ip) => !candidates.some((a) => a.publicIp === ip));
      if (missing.length > 0) throw addressNotFound(missing.join(', '));
      candidates = candidates.filter((a) => ips.includes(a.publicIp));
    }
    ctx.dryRunCheckpoint('resources');
    return itemSet('addressesSet', candidates.filter(match), (a) => renderAddress(view, a));
  },
};

export const associateAddress: Ec2Action = {
  name: 'AssociateAddress',
  mutating: true,
  params: [
    'AllocationId',
    'InstanceId',
    'PublicIp',
    'DryRun',
    'NetworkInterfaceId',
    'PrivateIpAddress',
    'AllowReassociation',
  ],
  run(ctx) {
    const { params, data } = ctx;
    const allocationId = params.get('AllocationId');
    const publicIp = params.get('PublicIp');
    const instanceId = params.get('InstanceId');
    const eniId = params.get('NetworkInterfaceId');
    const privateIp = params.get('PrivateIpAddress');
    const allowReassociation = params.boolean('AllowReassociation');
    if (allocationId == null && publicIp == null)
      throw new ApiError('MissingParameter', 'Either public IP or allocation id must be specified');
    if (allocationId != null && publicIp != null) {
      throw new ApiError(
        'InvalidParameterCombination',
        'You may specify public IP or allocation id, but not both in the same call',
      );
    }
    if (instanceId == null && eniId == null) {
      throw new ApiError('MissingParameter', 'Either instance ID or network interface ID must be specified');
    }
    if (instanceId != null && eniId != null) {
      throw new ApiError(
        'InvalidParameterCombination',
        'You can specify either the instance ID or the network interface ID, but not both',
      );
    }
    if (allocationId != null) checkIdSyntax(KINDS.allocation, allocationId);
    if (instanceId != null) checkIdSyntax(KINDS.instance, instanceId);
    if (eniId != null) checkIdSyntax(KINDS.networkInterface, eniId);
    if (privateIp != null && !isIpv4(privateIp))
      throw invalidParameterValue(`Invalid value '${privateIp}' for PrivateIpAddress.`);
    ctx.dryRunCheckpoint('syntax');

    let address: AddressRec;
    if (allocationId != null) address = lookup(KINDS.allocation, data.addresses, allocationId);
    else {
      const found = [...data.addresses.values()].find((a) => a.publicIp === publicIp);
      if (found == null) throw addressNotFound(publicIp as string);
      address = found;
    }
    let eni: NetworkInterfaceRec;
    if (instanceId != null) {
      const inst = lookup(KINDS.instance, data.instances, instanceId);
      if (inst.state === 'terminated' || inst.state === 'shutting-down') {
        throw new ApiError(
          'IncorrectInstanceState',
          `The instance '${instanceId}' is not in a valid state for this operation.`,
        );
      }
      const enis = enisOf(data, instanceId);
      // Rule 33: "The instance must have exactly one attached network interface".
      if (enis.length > 1) throw multipleInterfacesError(instanceId);
      if (enis[0] == null)
        throw new ApiError(
          'IncorrectInstanceState',
          `The instance '${instanceId}' has no network interface.`,
        );
      eni = enis[0];
    } else eni = lookup(KINDS.networkInterface, data.networkInterfaces, eniId as string);
    const targetIp = privateIp ?? eni.privateIpAddress;
    if (![eni.privateIpAddress, ...eni.secondaryPrivateIpAddresses].includes(targetIp)) {
      throw invalidParameterValue(
        `The private IP address ${targetIp} is not associated with network interface ${eni.networkInterfaceId}`,
      );
    }
    const current = address.association;
    const identical =
      current?.networkInterfaceId === eni.networkInterfaceId && current.privateIpAddress === targetIp;
    // Rule 32: reassociation is automatic unless AllowReassociation=false is given.
    if (current != null && !identical && allowReassociation === false) {
      throw new ApiError('Resource.AlreadyAssociated', `Resource ${address.publicIp} is already associated.`);
    }
    ctx.dryRunCheckpoint('resources');
    if (identical && current != null) {
      return leaf('return', true) + leaf('associationId', current.associationId);
    }
    // An EIP already on the target address is disassociated (it stays allocated).
    for (const other of data.addresses.values()) {
      if (
        other !== address &&
        other.association?.networkInterfaceId === eni.networkInterfaceId &&
        other.association.privateIpAddress === targetIp
      ) {
        other.association = undefined;
      }
    }
    const associationId = ctx.ids.next('eipassoc');
    address.association = {
      associationId,
      networkInterfaceId: eni.networkInterfaceId,
      privateIpAddress: targetIp,
    };
    return leaf('return', true) + leaf('associationId', associationId);
  },
};

export const disassociateAddress: Ec2Action = {
  name: 'DisassociateAddress',
  mutating: true,
  params: ['AssociationId', 'PublicIp', 'DryRun'],
  run(ctx) {
    const { params, data } = ctx;
    const associationId = params.get('AssociationId');
    const publicIp = params.get('PublicIp');
    if (associationId == null && publicIp == null) {
      throw new ApiError('MissingParameter', 'Either public IP or association id must be specified');
    }
    if (associationId != null) checkIdSyntax(KINDS.association, associationId);
    ctx.dryRunCheckpoint('syntax');
    let address: AddressRec | undefined;
    if (associationId != null) {
      address = [...data.addresses.values()].find((a) => a.association?.associationId === associationId);
      if (address == null) {
        throw new ApiError('InvalidAssociationID.NotFound', `Association ID '${associationId}' not found.`);
      }
    } else {
      address = [...data.addresses.values()].find((a) => a.publicIp === publicIp);
      if (address == null) throw addressNotFound(publicIp as string);
    }
    ctx.dryRunCheckpoint('resources');
    address.association = undefined;
    return leaf('return', true);
  },
};
