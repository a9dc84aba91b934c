/**
 * DescribeInstances (spec §2.1; rules 15–18): instances grouped by reservation, explicit ids
 * all-or-nothing, `InstanceId.N` + `MaxResults` rejected, pages by reservation.
 */
import { ApiError } from '../query/api-error';
import { paginate } from '../query/pagination';
import { itemSet, leaf, node } from '../query/xml';
import { INSTANCE_STATE_CODES, enisOf, instanceSourceDestCheck, publicIpOf } from '../state/derive';
import type { Ec2Data, InstanceRec } from '../state/records';
import type { Ec2Action } from './action';
import { compileFilters, type FilterTable } from './filters';
import { KINDS, lookupAll } from './lookups';
import { renderInstance } from './render';

function instanceFilters(data: Ec2Data): FilterTable<InstanceRec> {
  const enis = (i: InstanceRec) => enisOf(data, i.instanceId);
  return {
    'instance-id': (i) => i.instanceId,
    'instance-state-name': (i) => i.state,
    'instance-state-code': (i) => INSTANCE_STATE_CODES[i.state],
    'instance-type': (i) => i.instanceType,
    'instance-lifecycle': (i) => (i.instanceLifecycle === 'spot' ? 'spot' : undefined),
    'image-id': (i) => i.imageId,
    'vpc-id': (i) => i.vpcId,
    'subnet-id': (i) => i.subnetId,
    'availability-zone': (i) => i.availabilityZone,
    'private-ip-address': (i) => enis(i)[0]?.privateIpAddress,
    'ip-address': (i) => publicIpOf(data, i.instanceId),
    'reservation-id': (i) => i.reservationId,
    'owner-id': () => data.accountId,
    'source-dest-check': (i) => instanceSourceDestCheck(data, i.instanceId),
    'iam-instance-profile.arn': (i) =>
      i.role == null ? undefined : `arn:aws:iam::${data.accountId}:instance-profile/${i.role.roleName}`,
    'network-interface.network-interface-id': (i) => enis(i).map((e) => e.networkInterfaceId),
    'network-interface.mac-address': (i) => enis(i).map((e) => e.macAddress),
    'network-interface.subnet-id': (i) => enis(i).map((e) => e.subnetId),
    'network-interface.vpc-id': (i) => enis(i).map((e) => e.vpcId),
    'network-interface.source-dest-check': (i) => enis(i).map((e) => e.sourceDestCheck),
    'network-interface.attachment.device-index': (i) => enis(i).map((e) => e.attachment?.deviceIndex),
    'network-interface.addresses.private-ip-address': (i) =>
      enis(i).flatMap((e) => [e.privateIpAddress, ...e.secondaryPrivateIpAddresses]),
  };
}

export const describeInstances: Ec2Action = {
  name: 'DescribeInstances',
  mutating: false,
  params: ['InstanceId', 'IncludeManagedResources', 'DryRun', 'Filter', 'NextToken', 'MaxResults'],
  run(ctx) {
    const { params, view } = ctx;
    const ids = params.list('InstanceId');
    if (ids.length > 0 && params.has('MaxResults')) {
      throw new ApiError(
        'InvalidParameterCombination',
        'The parameter instancesSet cannot be used with the parameter maxResults',
      );
    }
    const match = compileFilters(params.ec2Filters(), instanceFilters(view), (i) => i.tags);
    ctx.dryRunCheckpoint('syntax');
    const candidates =
      ids.length > 0 ? lookupAll(KINDS.instance, view.instances, ids) : [...view.instances.values()];
    ctx.dryRunCheckpoint('resources');
    const matched = candidates.filter(match);
    const page = paginate(matched, params, { min: 5, max: 1000 });
    return (
      itemSet('reservationSet', page.items, (inst) =>
        [
          leaf('reservationId', inst.reservationId),
          leaf('ownerId', view.accountId),
          node('groupSet'),
          itemSet('instancesSet', [inst], (i) => renderInstance(view, i)),
        ].join(''),
      ) + leaf('nextToken', page.nextToken)
    );
  },
};
