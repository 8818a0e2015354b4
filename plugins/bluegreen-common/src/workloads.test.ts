import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import { clusterWorkloads, ingressWeightFor } from './workloads';

const ingress = (weight: string, setIdentifier = 'eks-blueprint-green') => ({
  metadata: {
    name: 'checkout',
    namespace: 'team-checkout',
    annotations: {
      'external-dns.alpha.kubernetes.io/set-identifier': setIdentifier,
      'external-dns.alpha.kubernetes.io/aws-weight': weight,
    },
  },
  spec: { rules: [{ host: 'checkout.eks-blueprint.example.com' }] },
});
const response = (...ingresses: object[]) =>
  ({
    items: [
      {
        cluster: { name: 'eks-blueprint-green' },
        errors: [],
        podMetrics: [],
        resources: [{ type: 'ingresses', resources: ingresses }],
      },
    ],
  } as unknown as ObjectsByEntityResponse);

describe('the Ingress weight (the hop external-dns writes to Route 53 from)', () => {
  it("reads the external-dns weight the cluster's Ingress gives the hostname's record", () => {
    const workloads = clusterWorkloads(
      response(ingress('100')),
      'eks-blueprint-green',
    );
    expect(workloads).toEqual({
      state: 'ok',
      deployments: [],
      ingresses: [
        {
          name: 'team-checkout/checkout',
          hosts: ['checkout.eks-blueprint.example.com'],
          setIdentifier: 'eks-blueprint-green',
          weight: '100',
        },
      ],
    });
    expect(
      ingressWeightFor(
        workloads,
        'checkout.eks-blueprint.example.com.',
        'eks-blueprint-green',
      ),
    ).toEqual({ ingress: 'team-checkout/checkout', weight: 100 });
  });

  it('reads a value that does not parse as 0, as external-dns does, and finds nothing for another record or host', () => {
    const workloads = clusterWorkloads(
      response(ingress('1e2')),
      'eks-blueprint-green',
    );
    expect(
      ingressWeightFor(
        workloads,
        'checkout.eks-blueprint.example.com',
        'eks-blueprint-green',
      ),
    ).toEqual({ ingress: 'team-checkout/checkout', weight: 0 });
    expect(
      ingressWeightFor(
        workloads,
        'checkout.eks-blueprint.example.com',
        'eks-blueprint-blue',
      ),
    ).toBeUndefined();
    expect(
      ingressWeightFor(
        workloads,
        'burnham.eks-blueprint.example.com',
        'eks-blueprint-green',
      ),
    ).toBeUndefined();
  });

  it('leaves the ingresses out when none carries a weight', () => {
    expect(clusterWorkloads(response(), 'eks-blueprint-green')).toEqual({
      state: 'ok',
      deployments: [],
    });
  });
});
