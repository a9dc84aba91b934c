/**
 * The dataplane lab's network, as data. Every name carries the prefix `nhl<pid>` so a crashed lab's
 * namespaces are recognisable (and removable) by the pid of the lab that made them, and every address
 * is used only inside namespaces the lab creates:
 *
 * ```
 *  <p>-core   the lab itself and the emulators        br-mgmt 198.18.0.1/24 (RFC 2544 benchmark range)
 *             bridges without addresses:              br-vpc (the VPC's L2), br-inet (the "Internet")
 *  <p>-nK     NAT instance K: its nat-agent           mgmt0 198.18.0.(11+K)/24 → br-mgmt
 *             real MASQUERADE (nat-agent manageNat)   vpc0  10.0.K.10/16 (its world private IP) → br-vpc
 *                                                     out0  203.0.113.(11+K)/24 → br-inet, default route
 *  <p>-priv   a host in private subnet 10.0.10.0/24   eth0  10.0.10.10/16 → br-vpc; default route: the
 *             (AZ a), sending the probe stream              NAT the emulated route table points at
 *  <p>-inet   the Internet host: UDP echo, TCP target eth0 203.0.113.1/24 → br-inet (TEST-NET-3)
 * ```
 *
 * 198.18.0.0/15 and 203.0.113.0/24 are reserved for benchmarking and documentation; 10.0.0.0/16 is the
 * emulated VPC. None of them leaves the lab's namespaces.
 */

export const NETNS_NAME_PREFIX = 'nhl';

export interface NatNetns {
  index: number;
  instanceId: string;
  netns: string;
  mgmtIp: string;
  vpcIp: string;
  outIp: string;
}

export interface NetnsPlan {
  prefix: string;
  core: string;
  priv: string;
  inet: string;
  coreIp: string;
  privIp: string;
  inetIp: string;
  nats: NatNetns[];
  vpcCidr: string;
  /** UDP echo and TCP health target on the Internet host. */
  echoPort: number;
  healthPort: number;
  /** The agents' HTTP port (each in its own namespace). */
  agentHttpPort: number;
}

export function netnsPrefix(pid: number): string {
  return `${NETNS_NAME_PREFIX}${pid}`;
}

/** The pid of the lab that created a namespace, from its name; undefined for other namespaces. */
export function ownerPid(netnsName: string): number | undefined {
  const m = new RegExp(`^${NETNS_NAME_PREFIX}(\\d+)-`).exec(netnsName);
  return m == null ? undefined : Number(m[1]);
}

export function netnsPlan(
  pid: number,
  instances: readonly { instanceId: string; privateIp: string }[],
): NetnsPlan {
  if (instances.length > 200) throw new RangeError('at most 200 NAT instances fit the address plan');
  const prefix = netnsPrefix(pid);
  return {
    prefix,
    core: `${prefix}-core`,
    priv: `${prefix}-priv`,
    inet: `${prefix}-inet`,
    coreIp: '198.18.0.1',
    privIp: '10.0.10.10',
    inetIp: '203.0.113.1',
    vpcCidr: '10.0.0.0/16',
    echoPort: 7,
    healthPort: 80,
    agentHttpPort: 9721,
    nats: instances.map((inst, k) => ({
      index: k,
      instanceId: inst.instanceId,
      netns: `${prefix}-n${k}`,
      mgmtIp: `198.18.0.${11 + k}`,
      vpcIp: inst.privateIp,
      outIp: `203.0.113.${11 + k}`,
    })),
  };
}

/** One `ip` command, run in a namespace (`ip -n`) or in the root namespace (`null`). */
export interface IpCommand {
  netns: string | null;
  line: string;
}

/**
 * The `ip` commands that build the plan, in order. Veth pairs are created with each end directly in
 * its namespace, so no interface ever appears in the root namespace.
 */
export function buildCommands(plan: NetnsPlan): IpCommand[] {
  const c: IpCommand[] = [];
  const root = (line: string) => c.push({ netns: null, line });
  const inNs = (netns: string, line: string) => c.push({ netns, line });
  const all = [plan.core, plan.priv, plan.inet, ...plan.nats.map((n) => n.netns)];
  for (const ns of all) root(`netns add ${ns}`);
  for (const ns of all) inNs(ns, 'link set lo up');
  for (const br of ['br-mgmt', 'br-vpc', 'br-inet']) {
    inNs(plan.core, `link add ${br} type bridge`);
    inNs(plan.core, `link set ${br} up`);
  }
  inNs(plan.core, `addr add ${plan.coreIp}/24 dev br-mgmt`);
  const port = (ns: string, inside: string, bridge: string, id: string) => {
    root(`link add ${inside} netns ${ns} type veth peer name ${id} netns ${plan.core}`);
    inNs(plan.core, `link set ${id} master ${bridge}`);
    inNs(plan.core, `link set ${id} up`);
    inNs(ns, `link set ${inside} up`);
  };
  port(plan.priv, 'eth0', 'br-vpc', 'v-priv');
  inNs(plan.priv, `addr add ${plan.privIp}/16 dev eth0`);
  port(plan.inet, 'eth0', 'br-inet', 'v-inet');
  inNs(plan.inet, `addr add ${plan.inetIp}/24 dev eth0`);
  for (const n of plan.nats) {
    port(n.netns, 'mgmt0', 'br-mgmt', `m${n.index}`);
    inNs(n.netns, `addr add ${n.mgmtIp}/24 dev mgmt0`);
    port(n.netns, 'vpc0', 'br-vpc', `p${n.index}`);
    inNs(n.netns, `addr add ${n.vpcIp}/16 dev vpc0`);
    port(n.netns, 'out0', 'br-inet', `o${n.index}`);
    inNs(n.netns, `addr add ${n.outIp}/24 dev out0`);
    inNs(n.netns, `route add default via ${plan.inetIp} dev out0`);
  }
  return c;
}

/** Groups consecutive commands of the same namespace into `ip [-n NS] -batch -` invocations. */
export function batches(commands: readonly IpCommand[]): { netns: string | null; lines: string[] }[] {
  const out: { netns: string | null; lines: string[] }[] = [];
  for (const cmd of commands) {
    const last = out.at(-1);
    if (last != null && last.netns === cmd.netns) last.lines.push(cmd.line);
    else out.push({ netns: cmd.netns, lines: [cmd.line] });
  }
  return out;
}
