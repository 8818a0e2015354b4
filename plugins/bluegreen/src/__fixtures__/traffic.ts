import { TrafficStatus } from '@bluegreen/plugin-bluegreen-common';

/** burnham's status as the backend reports it with the sandbox's seed (blue 100 / green 0). */
export const burnhamStatus: TrafficStatus = {
  entityRef: 'component:default/burnham',
  hostname: 'burnham.eks-blueprint.example.com',
  hostedZone: { id: 'Z0SANDBOXEKSBP0001', name: 'eks-blueprint.example.com.' },
  recordType: 'A',
  records: [
    {
      setIdentifier: 'eks-blueprint-blue',
      colour: 'blue',
      weight: 100,
      sharePercent: 100,
      target: 'k8s-blue.us-west-2.elb.amazonaws.com.',
      alias: true,
    },
    {
      setIdentifier: 'eks-blueprint-green',
      colour: 'green',
      weight: 0,
      sharePercent: 0,
      target: 'k8s-green.us-west-2.elb.amazonaws.com.',
      alias: true,
    },
  ],
  weights: { blue: 100, green: 0 },
  effectiveTtlSeconds: 60,
  ttlSource: 'elb-alias',
  owner: { kind: 'none' },
  mode: 'route53',
  clusters: {
    blue: {
      name: 'eks-blueprint-blue',
      version: '1.33',
      endOfStandardSupport: '2026-07-29',
      endOfExtendedSupport: '2027-07-29',
      supportStatus: 'extended',
      source: 'eks',
    },
    green: {
      name: 'eks-blueprint-green',
      version: '1.34',
      endOfStandardSupport: '2026-12-02',
      endOfExtendedSupport: '2027-12-02',
      supportStatus: 'standard',
      source: 'eks',
    },
  },
  problems: [],
  observedAt: '2026-11-26T12:00:00.000Z',
};
