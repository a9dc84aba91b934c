import { fileURLToPath } from 'node:url';

/** The lab bundle the global setup built. */
export const LAB_BUNDLE = fileURLToPath(new URL('../../dist/lab.js', import.meta.url));

export const IS_ROOT = process.getuid?.() === 0;
