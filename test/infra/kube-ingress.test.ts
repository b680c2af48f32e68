/**
 * The optional Ingress in front of the static tier: declared only when `ingressHost` is set (never on
 * the kind stack), valid against the official networking.k8s.io/v1 schema, wired to the nginx
 * Service's port, passing the policy rules; and the rules fire on the Ingress mistakes a user makes.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import * as pulumi from '@pulumi/pulumi';
import { readInfraConfig } from '../../infra/config.ts';
import { ingressSpec } from '../../infra/ingress.ts';
import { checkIngressBackends, checkKubeObjects, checkServiceSelectors, type KubeObject } from '../../infra/policies/kubernetes.ts';
import { KIND_STACK_FILE, loadStackFile } from '../../infra/render-manifests.ts';
import { stackSpec, type StackConfig } from '../../infra/spec.ts';
import { captureStack, kubernetesObjects } from '../../infra/testing/capture.ts';
import { schemaErrors } from './k8s-schemas.ts';

const managed: StackConfig = {
  target: 'kubernetes', staticServiceType: 'ClusterIP', namespace: 'shop',
  ingressHost: 'shop.example.com', ingressClassName: 'nginx', ingressTlsSecret: 'shop-example-com-tls',
};

let objects: KubeObject[];
let siteUrl: string;
let plainHttp: KubeObject[];
let kind: KubeObject[];
const ingressOf = (set: KubeObject[]) => set.find((o) => o.kind === 'Ingress');

beforeAll(async () => {
  const captured = await captureStack(managed, { kubeContext: 'managed' });
  objects = kubernetesObjects(captured.resources);
  siteUrl = captured.siteUrl;
  plainHttp = kubernetesObjects((await captureStack({ target: 'kubernetes', staticServiceType: 'ClusterIP', ingressHost: 'shop.example.com' })).resources);
  loadStackFile(KIND_STACK_FILE);
  const kindConfig = readInfraConfig(new pulumi.Config('ts-gateway-kit'));
  kind = kubernetesObjects((await captureStack(kindConfig.stack, kindConfig.deploy)).resources);
});

describe('the Ingress on a managed cluster', () => {
  test('routes the host, with its class and TLS secret, to the nginx Service port; the site URL is https://host/', () => {
    const ingress = ingressOf(objects)!;
    expect(ingress).toMatchObject({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'ts-gateway-kit-nginx', namespace: 'shop' },
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'ts-gateway-kit-nginx', port: { name: 'http' } } } }] } }],
        tls: [{ hosts: ['shop.example.com'], secretName: 'shop-example-com-tls' }],
      },
    });
    expect(siteUrl).toBe('https://shop.example.com/');
  });

  test('every object, the Ingress included, is valid against the official schemas and passes every policy rule', () => {
    expect(objects.map((o) => [`${o.kind}/${o.metadata.name}`, schemaErrors(o)]).filter(([, e]) => e !== '')).toEqual([]);
    expect([...checkKubeObjects(objects), ...checkServiceSelectors(objects), ...checkIngressBackends(objects)]).toEqual([]);
  });

  test('without a TLS secret or class: plain HTTP through the cluster\'s default IngressClass', () => {
    const ingress = ingressOf(plainHttp)!;
    expect(ingress.spec.tls).toBeUndefined();
    expect(ingress.spec.ingressClassName).toBeUndefined();
    expect(schemaErrors(ingress)).toBe('');
    expect(checkIngressBackends(plainHttp)).toEqual([]);
  });

  test('is off on the kind stack (Pulumi.kind.yaml): nginx is reached through its NodePort', () => {
    expect(ingressOf(kind)).toBeUndefined();
    expect(kind.find((o) => o.kind === 'Service' && o.metadata.name === 'ts-gateway-kit-nginx')!.spec.type).toBe('NodePort');
  });
});

describe('Ingress settings', () => {
  test.each([
    [{ ingressHost: 'Shop_Example' }, /ingressHost must be a DNS host name/],
    [{ ingressHost: 'localhost' }, /ingressHost must be a DNS host name/],
    [{ ingressClassName: 'nginx' }, /ingressClassName is set but ingressHost is not/],
    [{ ingressTlsSecret: 'tls' }, /ingressTlsSecret is set but ingressHost is not/],
    [{ ingressHost: 'shop.example.com', ingressTlsSecret: 'Bad Secret' }, /ingressTlsSecret must be a Secret name/],
  ])('%o is refused, naming the setting', (bad, message) => {
    expect(() => stackSpec({ target: 'kubernetes', ...bad })).toThrow(message);
  });

  test('the Docker target refuses an Ingress host', () => {
    expect(() => ingressSpec({ ingressHost: 'shop.example.com' }, 'docker')).toThrow(/kubernetes target only/);
  });

  test('a wildcard host is accepted (networking.k8s.io/v1 allows one leading *)', () => {
    expect(ingressSpec({ ingressHost: '*.example.com' }, 'kubernetes')?.url).toBe('http://*.example.com/');
  });
});

describe('the Ingress rules fire', () => {
  const good = () => structuredClone(ingressOf(objects)!) as KubeObject;
  const service = () => objects.find((o) => o.kind === 'Service' && o.metadata.name === 'ts-gateway-kit-nginx')!;

  test.each<[string, (i: KubeObject) => void, RegExp]>([
    ['a rule without host', (i) => { delete i.spec.rules[0].host; }, /ingress-hosts: a rule without host/],
    ['a default backend', (i) => { i.spec.defaultBackend = i.spec.rules[0].http.paths[0].backend; }, /ingress-hosts: a defaultBackend/],
    ['TLS for a host it does not route', (i) => { i.spec.tls[0].hosts = ['other.example.com']; }, /tls host other.example.com has no rule/],
    ['TLS without a secret', (i) => { delete i.spec.tls[0].secretName; }, /names no secretName/],
  ])('%s', (_, breakIt, message) => {
    const ingress = good();
    breakIt(ingress);
    expect(checkKubeObjects([ingress]).join('\n')).toMatch(message);
  });

  test('a backend Service that is not declared, or a port it lacks', () => {
    const missing = good();
    missing.spec.rules[0].http.paths[0].backend.service.name = 'nginx';
    expect(checkIngressBackends([missing, service()])).toEqual(['Ingress/ts-gateway-kit-nginx: / → Service nginx, which is not declared']);
    const wrongPort = good();
    wrongPort.spec.rules[0].http.paths[0].backend.service.port = { name: 'https' };
    expect(checkIngressBackends([wrongPort, service()])).toEqual(['Ingress/ts-gateway-kit-nginx: / → Service ts-gateway-kit-nginx has no port https']);
  });

  test('the schema refuses an Ingress path without pathType', () => {
    const ingress = good();
    delete ingress.spec.rules[0].http.paths[0].pathType;
    expect(schemaErrors(ingress)).toMatch(/pathType/);
  });
});
