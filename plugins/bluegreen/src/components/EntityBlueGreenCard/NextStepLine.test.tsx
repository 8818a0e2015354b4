import { screen, within } from '@testing-library/react';
import {
  ClusterVersionStatus,
  TrafficStatus,
} from '@bluegreen/plugin-bluegreen-common';
import { burnham } from '../../__fixtures__/entities';
import { burnhamStatus } from '../../__fixtures__/traffic';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { NextStepLine } from './NextStepLine';
import { EKS_VERSIONS } from '../../__fixtures__/eksVersions';

jest.setTimeout(20_000);

// burnham as part of the eks-blueprint generation.
const entity = {
  ...burnham,
  spec: { ...burnham.spec, system: 'eks-blueprint' },
};

async function renderLine(
  weights: TrafficStatus['weights'],
  clusters: Partial<Record<'blue' | 'green', ClusterVersionStatus>> = {},
) {
  const status: TrafficStatus = {
    ...burnhamStatus,
    weights,
    clusters: { ...burnhamStatus.clusters, ...clusters },
  };
  await renderWithApis(
    <NextStepLine entity={entity} status={status} />,
    entity,
    {
      eksVersions: EKS_VERSIONS,
    },
  );
  return screen.findByTestId('bluegreen-next-step');
}

const link = (template: string, formData: object) =>
  `/create/templates/default/${template}?formData=${encodeURIComponent(
    JSON.stringify(formData),
  )}`;
const GENERATION = 'system:default/eks-blueprint';

describe('NextStepLine', () => {
  it('one idle (green serves): retire blue or rebuild it at 1.35, with its price in extended support, both links prefilled', async () => {
    const line = await renderLine({ blue: 0, green: 100 });
    expect(line).toHaveTextContent(
      'Next: green serves 100 % · blue idle on 1.33 (extended support, $0.60 per hour, about $438 a month) — retire it or rebuild it at 1.35',
    );
    const links = within(line).getAllByRole('link');
    expect(links.map(l => l.getAttribute('href'))).toEqual([
      link('retire-cluster-generation', {
        generation: GENERATION,
        colour: 'blue',
      }),
      link('upgrade-idle-cluster', {
        generation: GENERATION,
        colour: 'blue',
        kubernetes_version: '1.35',
      }),
    ]);
  });

  it('both serving: finish the cutover, linking the cut-over template with the entity', async () => {
    const line = await renderLine({ blue: 90, green: 10 });
    expect(line).toHaveTextContent(
      'Next: blue 90 % · green 10 % — finish the cutover',
    );
    expect(
      within(line).getByRole('link', { name: 'finish the cutover' }),
    ).toHaveAttribute(
      'href',
      link('cut-over-traffic', { entity: 'component:default/burnham' }),
    );
  });

  it('one destroyed: rebuild it at 1.35, the only link', async () => {
    const line = await renderLine(
      { blue: 0, green: 100 },
      { blue: { name: 'eks-blueprint-blue', source: 'not-found' } },
    );
    expect(line).toHaveTextContent(
      'Next: green serves 100 % · blue destroyed — rebuild it at 1.35',
    );
    expect(within(line).getAllByRole('link')).toHaveLength(1);
  });

  it('both idle (all-zero): says bluegreen refuses it but Route 53 splits equally, linking the cut-over', async () => {
    const line = await renderLine({ blue: 0, green: 0 });
    expect(line).toHaveTextContent(
      'Next: blue 50 % · green 50 %: both weights are 0, which bluegreen refuses to set, yet Route 53 holds it and splits traffic equally — set the weights',
    );
    expect(
      within(line).getByRole('link', { name: 'set the weights' }),
    ).toHaveAttribute(
      'href',
      link('cut-over-traffic', { entity: 'component:default/burnham' }),
    );
  });

  it("the sandbox's seed (blue serves, green newer and idle): cut over to green", async () => {
    const line = await renderLine({ blue: 100, green: 0 });
    expect(line).toHaveTextContent(
      "Next: blue serves 100 % · green idle on 1.34 (standard support, $0.10 per hour, about $73 a month), newer than blue's 1.33 — cut over to green",
    );
  });
});
