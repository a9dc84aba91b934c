import { natHaTestConfig } from '../../vitest.shared';

export default natHaTestConfig({
  test: {
    // Appended to the shared global setup: build the bundle the end-to-end tests spawn.
    globalSetup: ['./test/build-lab.global.ts'],
  },
});
