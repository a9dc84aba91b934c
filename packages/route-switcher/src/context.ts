import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Clock } from './clock';
import type { Ec2Caller } from './ec2-caller';
import type { Logger } from './logger';
import type { ResolvedConfig } from './options';

/** What every operation of a switcher shares: the client, the retrying caller, time, logs, config. */
export interface SwitcherContext {
  ec2: Pick<EC2Client, 'send'>;
  caller: Ec2Caller;
  clock: Clock;
  logger: Logger;
  config: ResolvedConfig;
}
