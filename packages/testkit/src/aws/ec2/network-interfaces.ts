/**
 * DescribeNetworkInterfaces, ModifyNetworkInterfaceAttribute and ModifyInstanceAttribute
 * (spec §2.4–2.6; rules 18, 30, 31).
 */
import { ApiError } from '../query/api-error';
import { paginate } from '../query/pagination';
import type { QueryParams } from '../query/params';
import { itemSet, leaf } from '../query/xml';
import { addressesOfEni, enisOf } from '../state/derive';
import type { Ec2Data, NetworkInterfaceRec } from '../state/records';
import type { Ec2Action } from './action';
import { compileFilters, type FilterTable } from './filters';
import { KINDS, checkIdSyntax, lookup, lookupAll } from './lookups';
import { renderNetworkInterface } from './render';
import { multipleInterfacesError } from './route-tables';

function eniFilters(data: Ec2Data): FilterTable<NetworkInterfaceRec> {
  const eips = (e: NetworkInterfaceRec) => addressesOfEni(data, e.networkInterfaceId);
  return {
    'network-interface-id': (e) => e.networkInterfaceId,
    'attachment.instance-id': (e) => e.attachment?.instanceId,
    'attachment.instance-owner-id': (e) => (e.attachment == null ? undefined : data.accountId),
    'attachment.device-index': (e) => e.attachment?.deviceIndex,
    'attachment.status': (e) => (e.attachment == null ? undefined : 'attached'),
    'attachment.attachment-id': (e) => e.attachment?.attachmentId,
    'attachment.delete-on-termination': (e) => e.attachment?.deleteOnTermination,
    'availability-zone': (e) => e.availabilityZone,
    'mac-address': (e) => e.macAddress,
    'private-ip-address': (e) => [e.privateIpAddress, ...e.secondaryPrivateIpAddresses],
    'addresses.private-ip-address': (e) => [e.privateIpAddress, ...e.secondaryPrivateIpAddresses],
    'addresses.primary': (e) => [true, ...e.secondaryPrivateIpAddresses.map(() => false)],
    'association.public-ip': (e) => eips(e).map((a) => a.publicIp),
    'association.allocation-id': (e) => eips(e).map((a) => a.allocationId),
    'association.association-id': (e) => eips(e).map((a) => a.association?.associationId),
    'association.ip-owner-id': (e) => eips(e).map(() => data.accountId),
    'source-dest-check': (e) => e.sourceDestCheck,
    status: (e) => (e.attachment == null ? 'available' : 'in-use'),
    'subnet-id': (e) => e.subnetId,
    'vpc-id': (e) => e.vpcId,
    'group-id': (e) => e.securityGroups.map((g) => g.groupId),
    'group-name': (e) => e.securityGroups.map((g) => g.groupName),
    description: (e) => e.description,
    'interface-type': () => 'interface',
    'owner-id': () => data.accountId,
    'requester-managed': () => false,
  };
}

export const describeNetworkInterfaces: Ec2Action = {
  name: 'DescribeNetworkInterfaces',
  mutating: false,
  params: ['NextToken', 'MaxResults', 'IncludeManagedResources', 'DryRun', 'NetworkInterfaceId', 'Filter'],
  run(ctx) {
    const { params, view } = ctx;
    const ids = params.list('NetworkInterfaceId');
    const match = compileFilters(params.ec2Filters(), eniFilters(view), (e) => e.tags);
    ctx.dryRunCheckpoint('syntax');
    const candidates =
      ids.length > 0
        ? lookupAll(KINDS.networkInterface, view.networkInterfaces, ids)
        : [...view.networkInterfaces.values()];
    ctx.dryRunCheckpoint('resources');
    const page = paginate(candidates.filter(match), params, { min: 5, max: 1000 });
    return (
      itemSet('networkInterfaceSet', page.items, (e) => renderNetworkInterface(view, e)) +
      leaf('nextToken', page.nextToken)
    );
  },
};

/** `X.Value=true|false` (AttributeBooleanValue), validated. */
function attributeBoolean(params: QueryParams, name: string): boolean | undefined {
  if (!params.has(`${name}.Value`)) return undefined;
  const value = params.boolean(`${name}.Value`);
  return value;
}

function unsupported(action: string, attribute: string): ApiError {
  return new ApiError(
    'UnsupportedOperation',
    `${action}: the emulator does not model the attribute '${attribute}'.`,
  );
}

export const modifyNetworkInterfaceAttribute: Ec2Action = {
  name: 'ModifyNetworkInterfaceAttribute',
  mutating: true,
  params: [
    'NetworkInterfaceId',
    'EnaSrdSpecification',
    'EnablePrimaryIpv6',
    'ConnectionTrackingSpecification',
    'AssociatePublicIpAddress',
    'AssociatedSubnetId',
    'DryRun',
    'Description',
    'SourceDestCheck',
    'SecurityGroupId',
    'Attachment',
  ],
  run(ctx) {
    const { params, data } = ctx;
    const id = params.required('NetworkInterfaceId');
    checkIdSyntax(KINDS.networkInterface, id);
    const roots = new Set(
      params
        .names()
        .map((n) => n.split('.')[0] as string)
        .filter((n) => n !== 'NetworkInterfaceId' && n !== 'DryRun'),
    );
    if (roots.size === 0) throw new ApiError('InvalidParameterCombination', 'No attributes specified.');
    if (roots.size > 1)
      throw new ApiError('InvalidParameterCombination', 'Only one attribute can be modified at a time');
    const attribute = [...roots][0] as string;
    const sourceDestCheck = attributeBoolean(params, 'SourceDestCheck');
    const description = params.get('Description.Value');
    const groups = params.list('SecurityGroupId');
    const attachmentId = params.get('Attachment.AttachmentId');
    const deleteOnTermination = params.boolean('Attachment.DeleteOnTermination');
    if (attribute === 'SourceDestCheck' && sourceDestCheck == null)
      throw new ApiError('MissingParameter', 'The request must contain the parameter SourceDestCheck.Value');
    if (attribute === 'Attachment' && (attachmentId == null || deleteOnTermination == null)) {
      throw new ApiError(
        'MissingParameter',
        'The request must contain the parameters attachment.attachmentId and attachment.deleteOnTermination',
      );
    }
    if (!['SourceDestCheck', 'Description', 'SecurityGroupId', 'Attachment'].includes(attribute))
      throw unsupported(this.name, attribute);
    ctx.dryRunCheckpoint('syntax');
    const eni = lookup(KINDS.networkInterface, data.networkInterfaces, id);
    const knownGroups = new Map<string, string>();
    for (const e of data.networkInterfaces.values())
      for (const g of e.securityGroups) knownGroups.set(g.groupId, g.groupName);
    const unknownGroups = groups.filter((g) => !knownGroups.has(g));
    if (unknownGroups.length > 0) {
      throw new ApiError(
        'InvalidGroup.NotFound',
        `The security group '${unknownGroups.join(', ')}' does not exist`,
      );
    }
    if (attribute === 'Attachment' && eni.attachment?.attachmentId !== attachmentId) {
      throw new ApiError(
        'InvalidAttachmentID.NotFound',
        `The attachment ID '${attachmentId ?? ''}' does not exist`,
      );
    }
    ctx.dryRunCheckpoint('resources');
    // Rule 31: set-to-value semantics; an unchanged value still answers true.
    if (sourceDestCheck != null) eni.sourceDestCheck = sourceDestCheck;
    if (description != null) eni.description = description;
    if (groups.length > 0)
      eni.securityGroups = groups.map((g) => ({ groupId: g, groupName: knownGroups.get(g) as string }));
    if (eni.attachment != null && deleteOnTermination != null)
      eni.attachment.deleteOnTermination = deleteOnTermination;
    return leaf('return', true);
  },
};

export const modifyInstanceAttribute: Ec2Action = {
  name: 'ModifyInstanceAttribute',
  mutating: true,
  params: [
    'InstanceId',
    'SourceDestCheck',
    'EnclaveOptions',
    'DisableApiStop',
    'DryRun',
    'Attribute',
    'Value',
    'BlockDeviceMapping',
    'DisableApiTermination',
    'InstanceType',
    'Kernel',
    'Ramdisk',
    'UserData',
    'InstanceInitiatedShutdownBehavior',
    'GroupId',
    'EbsOptimized',
    'SriovNetSupport',
    'EnaSupport',
  ],
  run(ctx) {
    const { params, data } = ctx;
    const id = params.required('InstanceId');
    checkIdSyntax(KINDS.instance, id);
    const roots = new Set(
      params
        .names()
        .map((n) => n.split('.')[0] as string)
        .filter((n) => n !== 'InstanceId' && n !== 'DryRun' && n !== 'Value'),
    );
    // Legacy form `Attribute=sourceDestCheck&Value=false` (moto accepts it too).
    let attribute = [...roots][0];
    let sourceDestCheck = attributeBoolean(params, 'SourceDestCheck');
    let instanceType = params.get('InstanceType.Value');
    if (roots.size === 1 && attribute === 'Attribute') {
      const legacy = params.get('Attribute');
      const value = params.required('Value');
      if (legacy === 'sourceDestCheck') {
        attribute = 'SourceDestCheck';
        sourceDestCheck = params.boolean('Value');
      } else if (legacy === 'instanceType') {
        attribute = 'InstanceType';
        instanceType = value;
      } else throw unsupported(this.name, legacy ?? '');
    }
    if (roots.size === 0) throw new ApiError('InvalidParameterCombination', 'No attributes specified.');
    if (roots.size > 1)
      throw new ApiError('InvalidParameterCombination', 'Only one attribute can be modified at a time');
    if (attribute !== 'SourceDestCheck' && attribute !== 'InstanceType')
      throw unsupported(this.name, attribute ?? '');
    if (attribute === 'SourceDestCheck' && sourceDestCheck == null) {
      throw new ApiError('MissingParameter', 'The request must contain the parameter SourceDestCheck.Value');
    }
    if (
      attribute === 'InstanceType' &&
      (instanceType == null || !/^[a-z0-9-]+\.[a-z0-9]+$/.test(instanceType))
    ) {
      throw new ApiError(
        'InvalidInstanceAttributeValue',
        `Value (${instanceType ?? ''}) for parameter instanceType is invalid.`,
      );
    }
    ctx.dryRunCheckpoint('syntax');
    const inst = lookup(KINDS.instance, data.instances, id);
    if (inst.state === 'terminated' || inst.state === 'shutting-down') {
      throw new ApiError(
        'IncorrectInstanceState',
        `The instance '${id}' is not in a state from which it can be modified.`,
      );
    }
    const enis = enisOf(data, id);
    // Rule 30: works running or stopped; refused when several ENIs are attached.
    if (attribute === 'SourceDestCheck' && enis.length > 1) throw multipleInterfacesError(id);
    if (attribute === 'InstanceType' && inst.state !== 'stopped') {
      throw new ApiError('IncorrectInstanceState', `The instance '${id}' is not in the 'stopped' state.`);
    }
    ctx.dryRunCheckpoint('resources');
    if (attribute === 'SourceDestCheck' && enis[0] != null)
      enis[0].sourceDestCheck = sourceDestCheck as boolean;
    if (attribute === 'InstanceType') inst.instanceType = instanceType as string;
    return leaf('return', true);
  },
};
