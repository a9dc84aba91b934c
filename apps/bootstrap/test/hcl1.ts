import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Consul parses HCL with HCL 1 (`github.com/hashicorp/hcl`, `hcl.Decode` in
 * consul:agent/config/config.go). When a Go toolchain and Debian's HCL 1 sources are installed
 * (`apt-get install golang-go golang-github-hashicorp-hcl-dev`), these helpers build a 20-line
 * decoder against that exact library, so the tests can check what Consul itself would read.
 */
const GOPATH = '/usr/share/gocode';
const HCL1_SOURCE = join(GOPATH, 'src/github.com/hashicorp/hcl');

const DECODER = `package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/hcl"
)

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var raw map[string]interface{}
	if err := hcl.Decode(&raw, string(data)); err != nil {
		fmt.Fprintln(os.Stderr, "hcl:", err)
		os.Exit(1)
	}
	out, _ := json.Marshal(raw)
	os.Stdout.Write(out)
}
`;

function goBinary(): string | undefined {
  for (const candidate of ['/usr/bin/go', '/usr/lib/go/bin/go', '/usr/local/go/bin/go']) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Why the HCL 1 checks cannot run here, or undefined when they can. */
export function hcl1Unavailable(): string | undefined {
  if (goBinary() == null) return 'no Go toolchain (apt-get install golang-go)';
  if (!existsSync(HCL1_SOURCE))
    return `no HCL 1 sources at ${HCL1_SOURCE} (apt-get install golang-github-hashicorp-hcl-dev)`;
  return undefined;
}

let built: string | undefined;

/** Builds (once per machine and source version) the decoder; returns its path. */
export function buildHcl1Decoder(): string {
  if (built != null) return built;
  const go = goBinary() as string;
  const key = createHash('sha256').update(DECODER).digest('hex').slice(0, 12);
  const directory = join(tmpdir(), `nat-bootstrap-hcl1-${key}`);
  const binary = join(directory, 'hcl1-decode');
  if (!existsSync(binary)) {
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'main.go'), DECODER);
    execFileSync(go, ['build', '-o', binary, '.'], {
      cwd: directory,
      env: {
        ...process.env,
        GO111MODULE: 'off',
        GOPATH,
        GOCACHE: join(directory, 'cache'),
        GOFLAGS: '',
        GOPROXY: 'off',
      },
      stdio: 'pipe',
    });
  }
  built = binary;
  return binary;
}

/** Decodes `text` with HCL 1 exactly as Consul's `hcl.Decode` does; rejects with its error. */
export function decodeHcl1(text: string): Promise<unknown> {
  const binary = buildHcl1Decoder();
  return new Promise((resolve, reject) => {
    const child = execFile(binary, [], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error != null) reject(new Error(`HCL 1 rejected the input: ${stderr.trim() || error.message}`));
      else resolve(JSON.parse(stdout) as unknown);
    });
    child.stdin?.end(text);
  });
}

/**
 * HCL 1 decodes every object as a list holding that object (Consul's mapstructure hook
 * `HookWeakDecodeFromSlice` undoes it). Undo it the same way, guided by the expected tree, so the
 * comparison is otherwise exact.
 */
export function unwrapHcl1(actual: unknown, expected: unknown): unknown {
  if (expected != null && typeof expected === 'object' && !Array.isArray(expected)) {
    let object = actual;
    if (Array.isArray(object) && object.length === 1) object = object[0];
    if (object == null || typeof object !== 'object' || Array.isArray(object)) return actual;
    const expectedObject = expected as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(object as Record<string, unknown>).map(([key, value]) => [
        key,
        unwrapHcl1(value, expectedObject[key]),
      ]),
    );
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return actual.map((item: unknown, index) => unwrapHcl1(item, expected[index]));
  }
  return actual;
}
