/**
 * The policy rules can fail: each one, given an object that breaks it, reports that object.
 * (The target suites show our objects pass; this shows passing means something.)
 */
import { describe, expect, test } from '@jest/globals';
import { KUBE_RULES, checkKubeObjects, checkServiceSelectors, type KubeObject } from '../../infra/policies/kubernetes.ts';

const labels = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'x', 'app.kubernetes.io/component': 'gateway', 'app.kubernetes.io/version': '1.0.0', 'app.kubernetes.io/part-of': 'kit' };
const probe = { httpGet: { path: '/healthz', port: 'admin' } };

/** A Deployment that passes every rule; each case below breaks one thing. */
function goodDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'app', image: 'kit/web:1.0.0', imagePullPolicy: 'IfNotPresent',
            startupProbe: probe, livenessProbe: probe, readinessProbe: probe,
            resources: { requests: { cpu: '1', memory: '64Mi' }, limits: { cpu: '1', memory: '64Mi' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          }],
        },
      },
    },
  };
}

const container = (d: KubeObject) => d.spec.template.spec.containers[0];
const breakages: [string, (d: KubeObject) => void, string][] = [
  ['privilege escalation allowed', (d) => { container(d).securityContext.allowPrivilegeEscalation = true; }, 'pod-security-restricted'],
  ['capabilities kept', (d) => { container(d).securityContext.capabilities = {}; }, 'pod-security-restricted'],
  ['root allowed', (d) => { delete d.spec.template.spec.securityContext.runAsNonRoot; }, 'pod-security-restricted'],
  ['no seccomp profile', (d) => { delete d.spec.template.spec.securityContext.seccompProfile; }, 'pod-security-restricted'],
  ['host network', (d) => { d.spec.template.spec.hostNetwork = true; }, 'pod-security-restricted'],
  ['hostPath volume', (d) => { d.spec.template.spec.volumes = [{ name: 'h', hostPath: { path: '/' } }]; }, 'pod-security-restricted'],
  ['writable root', (d) => { container(d).securityContext.readOnlyRootFilesystem = false; }, 'read-only-root-filesystem'],
  ['no readiness probe', (d) => { delete container(d).readinessProbe; }, 'probes-present'],
  ['no startup probe', (d) => { delete container(d).startupProbe; }, 'probes-present'],
  ['no memory limit', (d) => { delete container(d).resources.limits.memory; }, 'resources-set'],
  ['no cpu request', (d) => { delete container(d).resources.requests.cpu; }, 'resources-set'],
  ['latest tag', (d) => { container(d).image = 'kit/web:latest'; }, 'pinned-images'],
  ['untagged image', (d) => { container(d).image = 'localhost:5000/kit/web'; }, 'pinned-images'],
  ['pull policy Always', (d) => { container(d).imagePullPolicy = 'Always'; }, 'pinned-images'],
  ['selector does not match pods', (d) => { d.spec.selector.matchLabels['app.kubernetes.io/name'] = 'other'; }, 'labels-match'],
  ['no name', (d) => { delete d.metadata.name; }, 'labels-match'],
  ['no version label', (d) => { delete d.spec.template.metadata.labels['app.kubernetes.io/version']; }, 'labels-match'],
];

describe('policy rules', () => {
  test('the reference Deployment passes every rule', () => {
    expect(checkKubeObjects([goodDeployment()])).toEqual([]);
  });

  test.each(breakages)('%s → %s', (_, breakIt, rule) => {
    const d = goodDeployment();
    breakIt(d);
    const violations = checkKubeObjects([d]);
    expect(violations.some((v) => v.includes(`: ${rule}: `))).toBe(true);
  });

  test('a LoadBalancer Service is refused', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', labels }, spec: { type: 'LoadBalancer', selector: {} } };
    expect(checkKubeObjects([svc])).toEqual(['Service/s: no-load-balancer: Service of type LoadBalancer']);
  });

  test('a Service that selects no pods is reported', () => {
    const svc = { kind: 'Service', metadata: { name: 's' }, spec: { selector: { 'app.kubernetes.io/name': 'nothing' } } };
    expect(checkServiceSelectors([goodDeployment(), svc])).toEqual(['Service/s: selects no pods']);
  });

  test('an Ingress without a host is reported (more Ingress cases in kube-ingress.test.ts)', () => {
    const ingress = { kind: 'Ingress', metadata: { name: 'i', labels }, spec: { rules: [{ http: { paths: [] } }] } };
    expect(checkKubeObjects([ingress])).toEqual(['Ingress/i: ingress-hosts: a rule without host answers for any host name']);
  });

  test('every rule has a case above that makes it fire', () => {
    const covered = new Set([...breakages.map(([, , rule]) => rule), 'no-load-balancer', 'ingress-hosts']);
    expect(KUBE_RULES.map((r) => r.name).filter((name) => !covered.has(name))).toEqual([]);
  });
});
