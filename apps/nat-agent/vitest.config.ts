import { natHaTestConfig } from '../../vitest.shared';

export default natHaTestConfig({
  test: {
    // Appended to the shared global setup: build the bundle the tests spawn.
    globalSetup: ['./test/build-bundle.global.ts'],
  },
});
