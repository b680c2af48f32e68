/**
 * Which web server runs the static tier, and its config from the one spec. Both renderers are pure
 * and take the same `NginxSpec` (nginx/spec.ts: the static tier's behaviour as data, named after the
 * server that came first), so a target only chooses a name: nginx (default) or Apache httpd.
 */
import { renderApacheConf, type ApacheRenderOptions } from '../apache/render.ts';
import { renderNginxConf } from '../nginx/render.ts';
import type { NginxSpec } from '../nginx/spec.ts';

export const STATIC_SERVERS = ['nginx', 'apache'] as const;
export type StaticServer = (typeof STATIC_SERVERS)[number];
export const DEFAULT_STATIC_SERVER: StaticServer = 'nginx';

/** The config file of `server` for `spec`; `apache` options name its modules folder. */
export function renderStaticTierConf(server: StaticServer, spec: NginxSpec, options: ApacheRenderOptions = {}): string {
  return server === 'apache' ? renderApacheConf(spec, options) : renderNginxConf(spec);
}
