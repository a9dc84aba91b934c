/**
 * The emulated EC2 actions by name (spec §8 plus DescribeVpcs/DescribeNatGateways). Anything else
 * is 400 InvalidAction (rule 4).
 */
import type { Ec2Action } from './action';
import { associateAddress, describeAddresses, disassociateAddress } from './addresses';
import { describeInstances } from './describe-instances';
import {
  describeNetworkInterfaces,
  modifyInstanceAttribute,
  modifyNetworkInterfaceAttribute,
} from './network-interfaces';
import { createRoute, deleteRoute, describeRouteTables, replaceRoute } from './route-tables';
import { describeNatGateways, describeSubnets, describeVpcs } from './vpc-describes';

export const EC2_ACTIONS: ReadonlyMap<string, Ec2Action> = new Map(
  [
    describeInstances,
    describeRouteTables,
    createRoute,
    replaceRoute,
    deleteRoute,
    describeNetworkInterfaces,
    modifyNetworkInterfaceAttribute,
    modifyInstanceAttribute,
    describeAddresses,
    associateAddress,
    disassociateAddress,
    describeSubnets,
    describeVpcs,
    describeNatGateways,
  ].map((a) => [a.name, a]),
);
