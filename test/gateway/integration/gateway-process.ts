/** The gateway CLI as a child process, shared with the benchmarks (bench/lib/gateway-process.ts), and the tests' port helper. */
export * from '../../../bench/lib/gateway-process.ts';
export { freePort } from '../../support/net.ts';
