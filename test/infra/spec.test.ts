import { describe, expect, test } from '@jest/globals';
import { deriveScaling } from '../../infra/scaling.ts';
import { localStackConfig, stackSpec, type StackConfig } from '../../infra/spec.ts';
import { gatewayMemory, recyclingCeiling } from '../../infra/memory-budget.ts';

// CPU limit → worker bounds and HPA target: the one derivation every target shares.
const scalingCases = [
  { cpuMillis: 500, minWorkers: 1, target: 80, workers: { min: 1, max: 1 }, hpaTarget: 80 },
  { cpuMillis: 1000, minWorkers: 1, target: 80, workers: { min: 1, max: 1 }, hpaTarget: 80 },
  { cpuMillis: 1500, minWorkers: 1, target: 60, workers: { min: 1, max: 2 }, hpaTarget: 72 },
  { cpuMillis: 2000, minWorkers: 1, target: 80, workers: { min: 1, max: 2 }, hpaTarget: 80 },
  { cpuMillis: 2000, minWorkers: 3, target: 80, workers: { min: 2, max: 2 }, hpaTarget: 80 },
  { cpuMillis: 4000, minWorkers: 2, target: 70, workers: { min: 2, max: 4 }, hpaTarget: 80 },
  { cpuMillis: 8000, minWorkers: 1, target: 80, workers: { min: 1, max: 8 }, hpaTarget: 93 },
  { cpuMillis: 32000, minWorkers: 1, target: 80, workers: { min: 1, max: 32 }, hpaTarget: 95 },
];

describe('deriveScaling', () => {
  test.each(scalingCases)('$cpuMillis m, min $minWorkers, wished $target% → workers min $workers.min max $workers.max, HPA $hpaTarget%',
    ({ cpuMillis, minWorkers, target, workers, hpaTarget }) => {
      const s = deriveScaling({ cpuMillis, minWorkers, replicas: 2, maxReplicas: 4, cpuTarget: target });
      expect(s.workers).toEqual(workers);
      expect(s.hpa.cpuTargetPercent).toBe(hpaTarget);
      // The HPA must not fire while a pod could still add a worker (unless capped at 95 %).
      if (hpaTarget < 95) expect(s.hpa.cpuTargetPercent).toBeGreaterThan(s.belowMaxWorkersPercent);
    });

  test.each([
    [{ cpuMillis: 0 }, /gatewayCpuMillis/],
    [{ minWorkers: 0 }, /minWorkers/],
    [{ replicas: 1.5 }, /gatewayReplicas/],
    [{ cpuTarget: 0 }, /hpaCpuTarget/],
  ])('rejects %o naming the setting', (bad, message) => {
    expect(() => deriveScaling({ cpuMillis: 1000, minWorkers: 1, replicas: 1, maxReplicas: 2, cpuTarget: 80, ...bad }))
      .toThrow(message);
  });

  test('HPA bounds never invert', () => {
    expect(deriveScaling({ cpuMillis: 1000, minWorkers: 1, replicas: 5, maxReplicas: 2, cpuTarget: 80 }).hpa)
      .toMatchObject({ minReplicas: 5, maxReplicas: 5 });
  });
});

// Per target: where the gateway listens and how nginx reaches it.
const targetCases: { config: StackConfig; upstreams: string[]; bind: string; adminBind: string; siteUrl: string }[] = [
  { config: localStackConfig(), upstreams: ['127.0.0.1:8000'], bind: '127.0.0.1', adminBind: '127.0.0.1', siteUrl: 'http://127.0.0.1:8080/' },
  { config: { target: 'docker' }, upstreams: ['ts-gateway-kit-gateway-0:8000'], bind: '0.0.0.0', adminBind: '127.0.0.1', siteUrl: 'http://127.0.0.1:8080/' },
  {
    config: { target: 'docker', dockerNetworkMode: 'host', gatewayReplicas: 2 },
    upstreams: ['127.0.0.1:8000', '127.0.0.1:8001'], bind: '127.0.0.1', adminBind: '127.0.0.1', siteUrl: 'http://127.0.0.1:8080/',
  },
  {
    config: { target: 'kubernetes', namespace: 'shop' },
    upstreams: ['ts-gateway-kit-gateway.shop.svc.cluster.local:8000'], bind: '0.0.0.0', adminBind: '0.0.0.0', siteUrl: 'http://127.0.0.1:30080/',
  },
];

describe('stackSpec', () => {
  test.each(targetCases)('$config.target $config.dockerNetworkMode → upstreams $upstreams',
    ({ config, upstreams, bind, adminBind, siteUrl }) => {
      const spec = stackSpec(config);
      expect(spec.static.nginx.upstream.servers.map((u) => ('host' in u ? `${u.host}:${u.port}` : u.socket))).toEqual(upstreams);
      expect(spec.gateway.bindHost).toBe(bind);
      expect(spec.gateway.adminBindHost).toBe(adminBind);
      expect(spec.site.url).toBe(siteUrl);
      // Admin ports are never an upstream of nginx.
      const adminPorts = new Set(spec.gateway.instances.map((i) => i.adminPort));
      expect(spec.static.nginx.upstream.servers.some((u) => 'port' in u && adminPorts.has(u.port))).toBe(false);
    });

  test('the gateway launch carries the derived worker bounds and memory ceiling', () => {
    const spec = stackSpec({ target: 'kubernetes', gatewayCpuMillis: 3000, gatewayMemoryMb: 768 });
    expect(spec.gateway.instances[0]!.launch.env).toMatchObject({ GATEWAY_MIN_WORKERS: '1', GATEWAY_MAX_WORKERS: '3', GATEWAY_MAX_MEMORY: String(recyclingCeiling(768, 3)) });
    expect(spec.gateway.resources).toMatchObject({ cpu: '3000m', memory: '768Mi' });
  });

  test('without gatewayMemoryMb the limit is derived from the measured footprint for the worker count', () => {
    for (const cpu of [250, 2000, 4000]) {
      const spec = stackSpec({ target: 'kubernetes', gatewayCpuMillis: cpu });
      const derived = gatewayMemory(spec.gateway.workers.max);
      expect(spec.gateway.resources.memoryMb).toBe(derived.limitMb);
      expect(spec.gateway.instances[0]!.launch.env.GATEWAY_MAX_MEMORY).toBe(String(derived.maxWorkerMemoryMb));
    }
  });

  test('a gatewayMemoryMb below the measured peak is refused, naming the setting', () => {
    expect(() => stackSpec({ target: 'docker', gatewayCpuMillis: 2000, gatewayMemoryMb: 200 })).toThrow(/gatewayMemoryMb 200 is below the measured peak/);
  });

  test('the stop grace is preStop + drain delay + graceful timeout + a 5 s margin, and the gateway gets those settings', () => {
    const spec = stackSpec({ target: 'kubernetes', preStopDelaySeconds: 5, drainDelaySeconds: 3, gracefulTimeoutSeconds: 20 });
    expect(spec.stopGraceSeconds).toBe(5 + 3 + 20 + 5);
    expect(spec.gateway.instances[0]!.launch.env).toMatchObject({ GATEWAY_DRAIN_DELAY: '3', GATEWAY_GRACEFUL_TIMEOUT: '20' });
  });

  test('defaults apply with ??: zero-valued settings are kept, undefined ones defaulted', () => {
    const spec = stackSpec({ target: 'docker', preStopDelaySeconds: 0, sitePort: undefined });
    expect(spec.preStopDelaySeconds).toBe(0);
    expect(spec.site.port).toBe(8080);
  });

  test.each([
    [{ imageTag: 'latest' }, /fixed tag/],
    [{ sitePort: 70000 }, /sitePort/],
    [{ adminPort: 0 }, /adminPort/],
  ])('rejects %o', (bad, message) => {
    expect(() => stackSpec({ target: 'kubernetes', ...bad })).toThrow(message);
  });

  test('is pure and JSON-serialisable', () => {
    const config: StackConfig = { target: 'kubernetes', gatewayReplicas: 3 };
    expect(JSON.parse(JSON.stringify(stackSpec(config)))).toEqual(stackSpec(config));
  });
});
