import { Entity } from '@backstage/catalog-model';
import { probeThresholdOverrides } from './probeThresholds';

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'burnham', annotations },
});

describe('probeThresholdOverrides', () => {
  it('reads both pass marks', () => {
    expect(
      probeThresholdOverrides(
        entity({
          'bluegreen/probe-min-success-ratio': '0.995',
          'bluegreen/probe-max-p95-ms': '500',
        }),
      ),
    ).toEqual({ overrides: { minSuccessRatio: 0.995, maxP95Ms: 500 } });
    expect(
      probeThresholdOverrides(
        entity({ 'bluegreen/probe-min-success-ratio': '1' }),
      ),
    ).toEqual({ overrides: { minSuccessRatio: 1 } });
    expect(probeThresholdOverrides(entity({}))).toEqual({ overrides: {} });
  });

  it.each([
    ['bluegreen/probe-min-success-ratio', '1.5', 'above 0 and at most 1'],
    ['bluegreen/probe-min-success-ratio', '0', 'above 0 and at most 1'],
    ['bluegreen/probe-min-success-ratio', '99%', 'above 0 and at most 1'],
    ['bluegreen/probe-max-p95-ms', '0', 'from 1 to 60000'],
    ['bluegreen/probe-max-p95-ms', '1e3', 'from 1 to 60000'],
    ['bluegreen/probe-max-p95-ms', '120000', 'from 1 to 60000'],
  ])(
    'refuses %s: %s, naming the annotation and the rule',
    (key, value, rule) => {
      const result = probeThresholdOverrides(entity({ [key]: value }));
      expect(result).toEqual({ problem: expect.stringContaining(key) });
      expect((result as { problem: string }).problem).toContain(rule);
    },
  );
});
