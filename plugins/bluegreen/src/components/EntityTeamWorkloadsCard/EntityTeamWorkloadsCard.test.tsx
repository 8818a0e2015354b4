import { Entity } from '@backstage/catalog-model';
import { screen, within } from '@testing-library/react';
import { burnham } from '../../__fixtures__/entities';
import { burnhamObjects } from '../../__fixtures__/kubernetes';
import { burnhamStatus } from '../../__fixtures__/traffic';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityTeamWorkloadsCard } from './EntityTeamWorkloadsCard';

jest.setTimeout(20_000);

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-burnham' },
  spec: { type: 'team', children: [] },
  relations: [
    { type: 'ownerOf', targetRef: 'component:default/burnham' },
    { type: 'ownerOf', targetRef: 'component:default/docs' },
  ],
};
const docs: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'docs' },
  spec: { type: 'website', owner: 'group:default/team-burnham' },
};

describe('EntityTeamWorkloadsCard', () => {
  it("lists the team's components, where each runs, whether ready, and the traffic split", async () => {
    await renderWithApis(<EntityTeamWorkloadsCard />, team, {
      status: { burnham: burnhamStatus },
      objects: { burnham: burnhamObjects },
      entities: [burnham, docs],
    });
    const row = within(
      await screen.findByTestId(
        'bluegreen-row-burnham',
        {},
        { timeout: 10_000 },
      ),
    );
    expect(
      await row.findByText(
        'eks-blueprint-blue: 2/2 deployments ready',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(
      row.getByText(
        'eks-blueprint-green: 1/2 deployments ready (not ready: burnham-worker 1/2)',
      ),
    ).toBeInTheDocument();
    expect(
      await row.findByText('blue=100 green=0 (route53)'),
    ).toBeInTheDocument();
    const other = within(screen.getByTestId('bluegreen-row-docs'));
    expect(other.getByText('no bluegreen hostname')).toBeInTheDocument();
  });

  it('says so when the team owns no components', async () => {
    await renderWithApis(<EntityTeamWorkloadsCard />, {
      ...team,
      relations: [],
    });
    expect(
      await screen.findByText('This team owns no components.'),
    ).toBeInTheDocument();
  });
});
