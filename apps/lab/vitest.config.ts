import { natHaTestConfig } from '../../vitest.shared';

export default natHaTestConfig({
  test: {
    // Appended to the shared global setup: build the bundle the end-to-end tests spawn.
    globalSetup: ['./test/build-lab.global.ts'],
    // The end-to-end files each run a whole lab (emulators + three agents): one at a time, so two
    // labs never compete for the CI machine's two cores.
    fileParallelism: false,
    testTimeout: 400_000,
  },
});
