/**
 * Framework presets for the static tier: where a framework's production build keeps its
 * content-hashed assets and under which URL prefix the pages ask for them, so nginx serves them
 * (immutable, a year) and the app never sees those requests. A preset is found from the app
 * module's path: the file each framework's docs say to run (`node .next/standalone/server.js`).
 */

/** One framework's build layout, relative to its project folder. */
export interface FrameworkPreset {
  name: string;
  /** The server entry its docs run, relative to the project folder. */
  entry: string;
  /** URL prefix → folder (relative to the project folder); every file under it is content-hashed. */
  assets: ReadonlyArray<{ prefix: string; dir: string }>;
  /**
   * The folder a container needs to run the server, when the build makes one self-contained
   * (Next's standalone output carries its own node_modules); absent: the whole project folder.
   */
  serverDir?: string;
  /** The kit's Content-Security-Policy for its pages that send none (see `INLINE_BOOT_CSP`). */
  contentSecurityPolicy?: string;
}

/**
 * The kit's policy, relaxed for frameworks whose production pages boot their client from inline
 * scripts (Next's flight data, SvelteKit's start call, Nuxt's payload, Astro's islands) and carry
 * inline styles: without 'unsafe-inline' a browser blocks them and the page never hydrates
 * (test/frameworks/hydration.int.test.ts). A page that sends its own policy (SvelteKit's
 * `kit.csp`, a Next middleware nonce) keeps its own instead (nginx/spec.ts, appOwnedHeaders).
 */
export const INLINE_BOOT_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'";

export const FRAMEWORK_PRESETS: readonly FrameworkPreset[] = [
  // https://nextjs.org/docs/app/api-reference/config/next-config-js/output: .next/static is left for a CDN.
  { name: 'next', entry: '.next/standalone/server.js', assets: [{ prefix: '/_next/static/', dir: '.next/static' }], serverDir: '.next/standalone', contentSecurityPolicy: INLINE_BOOT_CSP },
  // https://svelte.dev/docs/kit/adapter-node: build/client holds what the server would serve itself.
  { name: 'sveltekit', entry: 'build/index.js', assets: [{ prefix: '/_app/immutable/', dir: 'build/client/_app/immutable' }], contentSecurityPolicy: INLINE_BOOT_CSP },
  // https://nitro.build/deploy/runtimes/node: .output/public, hashed under /_nuxt/.
  { name: 'nuxt', entry: '.output/server/index.mjs', assets: [{ prefix: '/_nuxt/', dir: '.output/public/_nuxt' }], contentSecurityPolicy: INLINE_BOOT_CSP },
  // https://docs.astro.build/en/guides/integrations-guide/node/: dist/client, hashed under /_astro/.
  { name: 'astro', entry: 'dist/server/entry.mjs', assets: [{ prefix: '/_astro/', dir: 'dist/client/_astro' }], contentSecurityPolicy: INLINE_BOOT_CSP },
];

/** What nginx serves for a framework: absolute folders. */
export interface FrameworkAssets {
  framework: string;
  prefix: string;
  root: string;
}

/**
 * The hashed asset folders of the framework whose server entry `appModule` (an absolute path) is,
 * or none. `exists` keeps only folders the build really produced (a generic `build/index.js` that
 * is not SvelteKit's has no `build/client/_app/immutable`).
 */
export function frameworkAssets(appModule: string, exists: (dir: string) => boolean): FrameworkAssets[] {
  return frameworkBuild(appModule, exists)?.assets ?? [];
}

/** A framework build found on disk: its preset, its project folder (ending with /) and its asset folders. */
export interface FrameworkBuild {
  preset: FrameworkPreset;
  project: string;
  assets: FrameworkAssets[];
}

/** The framework build whose server entry `appModule` (absolute) is, or undefined (see `frameworkAssets`). */
export function frameworkBuild(appModule: string, exists: (dir: string) => boolean): FrameworkBuild | undefined {
  for (const preset of FRAMEWORK_PRESETS) {
    if (!appModule.endsWith(`/${preset.entry}`)) continue;
    const project = appModule.slice(0, -preset.entry.length);
    const assets = preset.assets.map(({ prefix, dir }) => ({ framework: preset.name, prefix, root: `${project}${dir}` }));
    if (assets.every((a) => exists(a.root))) return { preset, project, assets };
  }
  return undefined;
}

/** The Content-Security-Policy a framework's assets call for, if its preset relaxes the kit's. */
export function frameworkContentSecurityPolicy(assets: readonly FrameworkAssets[]): string | undefined {
  const names = new Set(assets.map((a) => a.framework));
  return FRAMEWORK_PRESETS.find((preset) => names.has(preset.name))?.contentSecurityPolicy;
}
