import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { TrafficStatus } from '@bluegreen/plugin-bluegreen-common';
import yaml from 'yaml';
import { testGuard } from '../__testUtils__/security';
import { CutoverRunsClient } from '../cutover/CutoverRunsClient';
import { createCutoverAction } from './cutover';
import { examples } from './cutover.examples';

describe('bluegreen:cutover examples (dry run)', () => {
  it.each(examples.map(example => [example.description, example]))(
    '%s',
    async (_description, example) => {
      const step = yaml.parse(example.example).steps[0];
      // Route 53 holds what the example expects, or 100/0.
      const weights = step.input.expected ?? { blue: 100, green: 0 };
      const runs = {
        traffic: async () =>
          ({
            hostname: 'burnham.eks-blueprint.example.com',
            weights,
            problems: [],
          } as unknown as TrafficStatus),
        start: jest.fn(),
      } as unknown as CutoverRunsClient;
      const messages: string[] = [];
      const ctx = {
        ...createMockActionContext({ input: step.input }),
        isDryRun: true,
      };
      ctx.logger.info = ((m: string) => messages.push(m)) as any;
      await createCutoverAction({ guard: testGuard().guard, runs }).handler(
        ctx as any,
      );
      expect(messages.join('\n')).toMatch(/^Plan for burnham\S+: \d+\/\d+ → /m);
      expect(messages).toContain(
        'Dry run: no run started; each step would hold for the DNS floor plus its soak while the clusters are probed',
      );
      expect(runs.start).not.toHaveBeenCalled();
    },
  );
});
