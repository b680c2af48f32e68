/**
 * The optional Ingress in front of the static tier, for managed clusters whose ingress controller
 * gives the site its public name and TLS. Off unless `ingressHost` is set (the kind stack reaches
 * nginx through its NodePort instead). Pure: config in, plain data out, errors name the setting.
 */

/** What the user sets (Pulumi config `ingressHost`, `ingressClassName`, `ingressTlsSecret`). */
export interface IngressConfig {
  /** Public host name the Ingress routes to the static tier; setting it turns the Ingress on. */
  ingressHost?: string;
  /** IngressClass of the cluster's controller (e.g. `nginx`, `traefik`); absent = the cluster's default class. */
  ingressClassName?: string;
  /** Secret (type kubernetes.io/tls, same namespace) holding the host's certificate; absent = plain HTTP. */
  ingressTlsSecret?: string;
}

/** The Ingress as the Kubernetes target declares it. */
export interface IngressSpec {
  host: string;
  className?: string;
  tlsSecretName?: string;
  /** Where users reach the site through the Ingress. */
  url: string;
}

/** RFC 1123 host name, optionally with one leading wildcard label (what networking.k8s.io/v1 accepts). */
const HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
/** RFC 1123 subdomain: names of IngressClasses and Secrets. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** The Ingress for this config, or undefined when it is off; throws naming the setting on bad values. */
export function ingressSpec(config: IngressConfig, target: string): IngressSpec | undefined {
  const { ingressHost: host, ingressClassName: className, ingressTlsSecret: tlsSecretName } = config;
  if (host === undefined) {
    const stray = Object.entries({ ingressClassName: className, ingressTlsSecret: tlsSecretName }).find(([, v]) => v !== undefined);
    if (stray) throw new Error(`${stray[0]} is set but ingressHost is not: set ingressHost to turn the Ingress on`);
    return undefined;
  }
  if (target !== 'kubernetes') throw new Error(`ingressHost applies to the kubernetes target only, not ${target}`);
  if (!HOST.test(host)) throw new Error(`ingressHost must be a DNS host name such as shop.example.com, got "${host}"`);
  if (className !== undefined && !OBJECT_NAME.test(className)) throw new Error(`ingressClassName must be an IngressClass name, got "${className}"`);
  if (tlsSecretName !== undefined && !OBJECT_NAME.test(tlsSecretName)) throw new Error(`ingressTlsSecret must be a Secret name, got "${tlsSecretName}"`);
  return { host, className, tlsSecretName, url: `${tlsSecretName ? 'https' : 'http'}://${host}/` };
}
