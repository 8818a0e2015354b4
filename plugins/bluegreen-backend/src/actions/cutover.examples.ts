import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Move burnham to green in three verified steps (10 %, 50 %, 100 %), each held for the DNS floor plus five minutes',
    example: yaml.stringify({
      steps: [
        {
          id: 'cutover',
          action: 'bluegreen:cutover',
          name: 'Staged cutover to green',
          input: {
            entityRef: 'component:default/burnham',
            toward: 'green',
            preset: 'staged',
            soakSeconds: 300,
          },
        },
      ],
    }),
  },
  {
    description:
      'Custom steps back to blue, failing at once if Route 53 no longer holds 0/100',
    example: yaml.stringify({
      steps: [
        {
          id: 'cutover',
          action: 'bluegreen:cutover',
          name: 'Back to blue',
          input: {
            entityRef: 'component:default/burnham',
            expected: { blue: 0, green: 100 },
            steps: [
              { weights: { blue: 25, green: 75 }, soakSeconds: 60 },
              { weights: { blue: 100, green: 0 }, soakSeconds: 0 },
            ],
          },
        },
      ],
    }),
  },
];
