import { natHaTestConfig } from '../../vitest.shared';

export default natHaTestConfig();
