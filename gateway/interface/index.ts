/**
 * The gateway interface (our WSGI): load the mounted apps of a worker and serve them with one
 * Node request listener. The contract is written down in docs/interface.md.
 */
export type {
  AccessLine,
  AppKind,
  AppSet,
  Exchange,
  FetchApp,
  FinishedRequest,
  GatewayContext,
  ListenerOptions,
  Middleware,
  Mount,
  NodeListener,
  RequestHooks,
  RequestObserver,
  TraceContext,
} from './types.ts';
export { captureListen, type AdoptedAddress, type ListenCapture } from './adopt.ts';
export { detectApp, type DetectedApp } from './detect.ts';
export { appSetOf, loadApps, MountedApps, type LoadOptions } from './load.ts';
export { contextOf, createRequestListener } from './listener.ts';
export { refuseConnect } from './edge.ts';
export { UNIX_PEERS, compileProxyTrust, resolveForwarded, type Forwarded, type ProxyTrust } from './proxy.ts';
export { matchRoute, normalizePrefix, stripPrefix } from './mount.ts';
export { createUpgradeDispatch, fetchUpgradeTarget, refuseUpgrade, serverUpgradeTarget, type UpgradeDispatch, type UpgradeTarget } from './upgrade.ts';
export { silenceLateWrites } from './respond.ts';
export { formatTraceparent, parseTraceContext } from './trace-context.ts';
